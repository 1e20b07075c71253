"""`hmip doc add | list | export`: documents in the encrypted attachment store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hmip_desktop.cli.common import add_file, add_json, open_store, print_json, tty_progress
from hmip_desktop.domain.mime import kind_label
from hmip_desktop.services.coverage import framework_refs
from hmip_desktop.services.documents import DocumentService


def register(sub: argparse._SubParsersAction) -> None:
    """Add the doc command group."""
    doc = sub.add_parser("doc", help="import and list documents",
                         description="Documents (PDF, DOCX, XLSX, CSV, TXT, PNG, JPEG) kept "
                         "encrypted inside the inspection; their text is searchable.")
    dsub = doc.add_subparsers(dest="doc_command", metavar="ACTION", required=True)

    p = dsub.add_parser("add", help="import documents; prints one id per file")
    add_file(p)
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--expectation", action="append", default=[], metavar="REF",
                   help="link every document to an expectation number (repeatable)")
    p.set_defaults(func=_add)

    p = dsub.add_parser("list", help="list documents")
    add_file(p)
    add_json(p)
    p.set_defaults(func=_list)

    p = dsub.add_parser("export", help="write a plaintext copy of a document (it leaves the "
                        "encrypted store)")
    add_file(p)
    p.add_argument("id")
    p.add_argument("dest")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.set_defaults(func=_export)


def _add(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        known = framework_refs(store) if args.expectation else None
        docs = DocumentService(store).import_files(
            [Path(p) for p in args.paths], expectations=args.expectation, known_refs=known,
            progress=tty_progress("importing"))
    for note in docs.notes:
        print(f"hmip: note: {note}", file=sys.stderr)
    for d in docs:
        print(d.id)
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        docs = DocumentService(store).list()
    if args.json:
        print_json(docs)
        return 0
    for d in docs:
        print(f"{d.id}  {kind_label(d.mime)[:12]:<12} {d.pages:>4} p  {d.title}")
    if not docs:
        print("no documents")
    return 0


def _export(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        dest = DocumentService(store).export_copy(args.id, Path(args.dest), overwrite=args.force)
    print("hmip: the copy is NOT encrypted; keep it safe and delete it when done",
          file=sys.stderr)
    print(dest)
    return 0

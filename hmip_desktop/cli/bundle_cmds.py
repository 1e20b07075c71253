"""`hmip bundle export | inspect | import | undo-merge | history`, `hmip conflicts`, `resolve`."""

from __future__ import annotations

import argparse
from pathlib import Path

from hmip_desktop.cli.common import (
    add_file,
    add_json,
    device_keys,
    open_store,
    print_json,
    read_text_arg,
)
from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.domain.ids import short_id
from hmip_desktop.domain.wording import plural
from hmip_desktop.services import bundles, conflicts
from hmip_desktop.services.field_text import field_line, shown_fields
from hmip_desktop.services.labels import record_type_label


def register(sub: argparse._SubParsersAction) -> None:
    """Add the bundle, conflicts and resolve commands."""
    b = sub.add_parser("bundle", help="exchange work as signed, encrypted sync bundles",
                       description="Sync bundles carry the whole revision set plus new "
                       "attachments, encrypted to the team and signed by this device.")
    bsub = b.add_subparsers(dest="bundle_command", metavar="ACTION", required=True)

    p = bsub.add_parser("export", help="write a bundle for the team")
    add_file(p)
    p.add_argument("--out", required=True, help="bundle file to write")
    p.add_argument("--full", action="store_true", help="include every attachment, not only "
                   "those never exported (received from the team leader counts as exported)")
    add_json(p)
    p.set_defaults(func=_export)

    p = bsub.add_parser("inspect", help="who, when, which inspection, how much (changes nothing)")
    p.add_argument("bundle")
    add_json(p)
    p.set_defaults(func=_inspect)

    p = bsub.add_parser("import", help="merge bundles into an inspection file",
                        description="Everything is validated before anything is written; a "
                        "snapshot is kept so 'hmip bundle undo-merge' can take the merge back.")
    add_file(p)
    p.add_argument("bundles", nargs="+", metavar="BUNDLE")
    p.add_argument("--skip-refused", action="store_true",
                   help="merge the good bundles and report the refused ones")
    add_json(p)
    p.set_defaults(func=_import)

    p = bsub.add_parser("undo-merge", help="take back the last merge (if nothing changed since)")
    add_file(p)
    p.set_defaults(func=_undo)

    p = bsub.add_parser("history", help="bundles merged into this file")
    add_file(p)
    add_json(p)
    p.set_defaults(func=_history)

    p = sub.add_parser("conflicts", help="records changed by two people without seeing "
                       "each other's change")
    add_file(p)
    add_json(p)
    p.set_defaults(func=_conflicts)

    p = sub.add_parser("resolve", help="resolve a conflict (a new revision closing it)",
                       description="Keep one version (--take), write combined text "
                       "(--text-file), or accept every conflict whose versions changed "
                       "different structured fields (--auto).")
    add_file(p)
    p.add_argument("record_id", nargs="?")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--take", metavar="REVISION", help="revision id (or 6+ character prefix)")
    how.add_argument("--text-file", metavar="PATH", help="combined text ('-' for stdin)")
    how.add_argument("--auto", action="store_true", help="accept all that do not overlap")
    p.add_argument("--field", default="body", help="field the text goes into (default body)")
    p.set_defaults(func=_resolve)


def _export(args: argparse.Namespace) -> int:
    keys = device_keys()
    with open_store(args.file) as store:
        report = bundles.export_bundle(store, Path(args.out), keys=keys, full=args.full)
    if args.json:
        print_json(report)
    else:
        print(f"bundle written to {args.out}: {plural(report.revisions, 'change')}, "
              f"{plural(report.blobs, 'attachment')}, encrypted to "
              f"{plural(report.recipients, 'recipient')}")
    return 0


def _inspect(args: argparse.Namespace) -> int:
    keys = device_keys()
    s = bundles.inspect_bundle_file(Path(args.bundle), keys=keys)
    if args.json:
        print_json(s)
        return 0
    print(f"Kind:        {s.kind}")
    print(f"From:        {s.author_name} (device {s.device_id}, fingerprint "
          f"{s.signer_fingerprint})")
    print(f"Written:     {s.created_at}")
    print(f"Inspection:  {s.inspection_id}")
    print(f"Contents:    {plural(s.revisions, 'change')}, {plural(s.blobs, 'attachment')}, "
          f"{plural(s.blob_bytes, 'byte')}")
    return 0


def _import(args: argparse.Namespace) -> int:
    keys = device_keys()
    with open_store(args.file) as store:
        report = bundles.import_bundles(store, [Path(b) for b in args.bundles], keys=keys,
                                        skip_refused=args.skip_refused)
    if args.json:
        print_json(report)
        return 0
    for o in report.outcomes:
        detail = {"imported": f"{plural(o.revisions_new, 'new change')}, "
                              f"{plural(o.blobs_new, 'new attachment')}",
                  "already_imported": "already imported; nothing changed",
                  "refused": o.message}[o.status]
        print(f"{o.file}: {o.status.replace('_', ' ')} — {detail}")
        if o.clock_ahead:
            print(f"{o.file}: warning — its clock is ahead of this computer's; times are "
                  "approximate")
    print(f"conflicts: {report.conflicts} ({len(report.new_conflicts)} new)")
    return 0


def _undo(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        report = bundles.undo_last_merge(store)
    print(f"last merge undone ({plural(len(report.bundle_ids), 'bundle')} taken back)")
    return 0


def _history(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        entries = bundles.import_history(store)
    if args.json:
        print_json(entries)
        return 0
    for e in entries:
        undo = "  (undoable)" if e.undoable else ""
        print(f"{e.imported_at}  {e.bundle_id}  {e.author_name}: {e.revisions_new} new of "
              f"{e.revisions_total}, {plural(e.blobs_new, 'attachment')}{undo}")
    if not entries:
        print("no bundles imported")
    return 0


def _conflicts(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        found = conflicts.list_conflicts(store)
    if args.json:
        print_json(found)
        return 0
    for c in found:
        merge = "can merge by field" if c.auto_mergeable else f"needs a person: {c.reason}"
        print(f"{c.record_id}  [{record_type_label(c.record_type)}]  {c.label}  ({merge})")
        for v in c.versions:
            who = v.author_name or short_id(v.author_id)
            # The same words as the conflict cards: "Interpreter used: No", not raw values.
            changed = shown_fields(v.changed_fields)
            print(f"    {v.rev_id[:12]}  {v.when}  {who}, {v.source_text}"
                  f"{'  deleted' if v.deleted else ''}  changed:{'' if changed else ' nothing'}")
            for key in changed:
                line = field_line(key, v.payload.get(key), c.record_type,
                                  establishment_type=c.establishment_type)
                print(f"        {line}")
    if not found:
        print("no conflicts")
    return 0


def _resolve(args: argparse.Namespace) -> int:
    if not args.auto and not args.record_id:
        raise ValidationError("Give the record id to resolve (see 'hmip conflicts'), or --auto.")
    with open_store(args.file) as store:
        if args.auto:
            report = conflicts.auto_resolve(store)
            remaining = len(report.remaining)
            print(f"resolved {plural(len(report.resolved), 'conflict')} field by field; "
                  f"{remaining} need{'s' if remaining == 1 else ''} a person")
            return 0
        if args.take:
            result = conflicts.resolve_take(store, args.record_id, args.take)
        else:
            text = read_text_arg(None, args.text_file)
            result = conflicts.resolve_text(store, args.record_id, text, field=args.field)
    print(f"resolved with revision {result.rev_id[:12]}")
    return 0

"""`hmip note add | list | edit`."""

from __future__ import annotations

import argparse

from hmip_desktop.cli.common import (
    add_file,
    add_json,
    add_text_source,
    key_arg,
    open_store,
    print_json,
    read_text_arg,
)
from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.domain.records import SOURCE_KINDS
from hmip_desktop.services.notes import NoteService


def _common_fields(p: argparse.ArgumentParser, *, adding: bool) -> None:
    p.add_argument("--source", type=key_arg, choices=sorted(SOURCE_KINDS), required=adding,
                   help="source kind of the evidence")
    p.add_argument("--title", required=adding, help="short title")
    add_text_source(p, "body", required=adding, what="the note text")
    p.add_argument("--when", dest="occurred_at", help="when it happened (e.g. 2026-11-25 21:00)")
    p.add_argument("--where", dest="location", help="where (wing, unit, room)")
    p.add_argument("--subject", dest="subject_ref",
                   help="anonymised subject reference (never a real name)")
    interp = p.add_mutually_exclusive_group()
    interp.add_argument("--interpreter", dest="interpreter_used", action="store_true",
                        default=None, help="an interpreter was used")
    interp.add_argument("--no-interpreter", dest="interpreter_used", action="store_false",
                        help="no interpreter was used")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the note command group."""
    note = sub.add_parser("note", help="record and list notes",
                          description="Evidence notes: interviews, observations, reviews.")
    nsub = note.add_subparsers(dest="note_command", metavar="ACTION", required=True)

    p = nsub.add_parser("add", help="add a note; prints its id")
    add_file(p)
    _common_fields(p, adding=True)
    p.add_argument("--expectation", action="append", default=[], metavar="REF",
                   help="link to an expectation number (repeatable)")
    p.set_defaults(func=_add)

    p = nsub.add_parser("list", help="list notes",
                        description="Each note's id, source and title. With --json, "
                        "author_id is the member's author_id in 'hmip team list --json'.")
    add_file(p)
    add_json(p)
    p.set_defaults(func=_list)

    p = nsub.add_parser("edit", help="change fields of a note (a new revision)")
    add_file(p)
    p.add_argument("id")
    _common_fields(p, adding=False)
    p.set_defaults(func=_edit)


def _fields(args: argparse.Namespace) -> dict:
    out = {}
    if args.source:
        out["source_kind"] = args.source
    if args.title is not None:
        out["title"] = args.title
    if args.body is not None or args.body_file is not None:
        out["body"] = read_text_arg(args.body, args.body_file)
    for name in ("occurred_at", "location", "subject_ref", "interpreter_used"):
        value = getattr(args, name)
        if value is not None:
            out[name] = value
    return out


def _add(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        fields = _fields(args)
        note_id = NoteService(store).add(expectations=args.expectation, **fields)
    print(note_id)
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        listing = NoteService(store).listing()
    notes = listing.notes
    if args.json:
        print_json(notes)
        return 0
    for n in notes:
        print(f"{n.id}  {listing.source_kind_label(n.source_kind):<30} {n.title}")
    if not notes:
        print("no notes")
    return 0


def _edit(args: argparse.Namespace) -> int:
    fields = _fields(args)
    if not fields:
        raise ValidationError("Nothing to change: give at least one field option.")
    with open_store(args.file) as store:
        changes = NoteService(store).edit(args.id, **fields)
    print("updated" if changes.ids else "unchanged")
    return 0

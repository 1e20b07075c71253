"""`hmip concern add | list | edit | remove | move` and `hmip npp add | list | edit | remove |
move`: every change the Concerns page can make."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from hmip_desktop.cli.common import (
    add_file,
    add_json,
    add_text_source,
    key_arg,
    open_store,
    print_json,
    read_text_arg,
)
from hmip_desktop.domain import records as R
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.domain.concerns import RuleIssue
from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.services.concerns import ConcernService, NppService
from hmip_desktop.services.concerns_snapshot import concerns_screen
from hmip_desktop.services.labels import section_labels


def register(sub: argparse._SubParsersAction) -> None:
    """Add the concern and npp command groups."""
    concern = sub.add_parser("concern", help="the concerns register",
                             description="Key concerns (with priority flags) for the report; "
                             "the report model's limits are checked as you go.")
    csub = concern.add_subparsers(dest="concern_command", metavar="ACTION", required=True)

    p = csub.add_parser("add", help="add a concern; prints its id")
    add_file(p)
    p.add_argument("--title", required=True)
    add_text_source(p, "body", what="the problem and its effect on the people held")
    p.add_argument("--test", action="append", required=True, type=key_arg, metavar="KEY",
                   dest="sections",
                   help="section key it belongs to (repeatable)")
    p.add_argument("--priority", action="store_true", help="a priority concern")
    p.add_argument("--to", dest="addressee", type=key_arg, metavar="ADDRESSEE",
                   help="addressee key from the framework's report model, e.g. hmpps")
    p.add_argument("--evidence", action="extend", nargs="+", default=[], metavar="ID",
                   help="ids of the evidence it rests on")
    p.set_defaults(func=_add)

    p = csub.add_parser("list", help="list concerns in order, with rule warnings")
    add_file(p)
    add_json(p)
    p.set_defaults(func=_list)

    p = csub.add_parser("edit", help="change fields of a concern (a new revision)",
                        description="Change some fields of a concern; fields not given stay "
                        "as they are. --test and --evidence replace the whole list.")
    add_file(p)
    p.add_argument("id")
    _edit_fields(p, concern=True)
    p.set_defaults(func=_edit)

    p = csub.add_parser("remove", help="remove a concern (its history stays)")
    add_file(p)
    p.add_argument("id")
    p.set_defaults(func=_remove)

    p = csub.add_parser("move", help="move a concern in the register, or flag it as priority",
                        description="Change a concern's place in the register (as dragging it "
                        "on the Concerns page does) and/or its priority flag.")
    add_file(p)
    p.add_argument("id")
    _move_fields(p)
    flag = p.add_mutually_exclusive_group()
    flag.add_argument("--priority", dest="priority", action="store_true", default=None,
                      help="make it a priority concern")
    flag.add_argument("--no-priority", dest="priority", action="store_false",
                      help="make it a key concern without priority")
    p.set_defaults(func=_move, service=ConcernService)

    npp = sub.add_parser("npp", help="notable positive practice",
                         description="Notable positive practice entries with their evidence.")
    nsub = npp.add_subparsers(dest="npp_command", metavar="ACTION", required=True)

    p = nsub.add_parser("add", help="add an entry; prints its id")
    add_file(p)
    p.add_argument("--title", required=True)
    add_text_source(p, "body", what="the description")
    p.add_argument("--test", action="append", default=[], type=key_arg, metavar="KEY",
                   dest="sections",
                   help="section key it belongs to (repeatable, optional)")
    p.add_argument("--evidence", action="extend", nargs="+", default=[], metavar="ID")
    p.set_defaults(func=_npp_add)

    p = nsub.add_parser("list", help="list entries")
    add_file(p)
    add_json(p)
    p.set_defaults(func=_npp_list)

    p = nsub.add_parser("edit", help="change fields of an entry (a new revision)",
                        description="Change some fields of an entry; fields not given stay as "
                        "they are. --test and --evidence replace the whole list.")
    add_file(p)
    p.add_argument("id")
    _edit_fields(p, concern=False)
    p.set_defaults(func=_npp_edit)

    p = nsub.add_parser("remove", help="remove an entry (its history stays)")
    add_file(p)
    p.add_argument("id")
    p.set_defaults(func=_npp_remove)

    p = nsub.add_parser("move", help="move an entry in the list")
    add_file(p)
    p.add_argument("id")
    _move_fields(p, required=True)
    p.set_defaults(func=_move, service=NppService, priority=None)


def _edit_fields(p: argparse.ArgumentParser, *, concern: bool) -> None:
    p.add_argument("--title")
    add_text_source(p, "body", required=False,
                    what="the problem and its effect" if concern else "the description")
    tests = p.add_mutually_exclusive_group()
    tests.add_argument("--test", action="append", type=key_arg, metavar="KEY", dest="sections",
                       help="section key it belongs to (repeatable; replaces the sections)")
    if not concern:
        tests.add_argument("--no-tests", dest="sections", action="store_const", const=[],
                           help="belongs to no section")
    evidence = p.add_mutually_exclusive_group()
    evidence.add_argument("--evidence", action="extend", nargs="+", metavar="ID",
                          help="ids of the evidence it rests on (replaces the list)")
    evidence.add_argument("--no-evidence", dest="evidence", action="store_const", const=[],
                          help="rests on no evidence")
    if concern:
        flag = p.add_mutually_exclusive_group()
        flag.add_argument("--priority", dest="priority", action="store_true", default=None,
                          help="make it a priority concern")
        flag.add_argument("--no-priority", dest="priority", action="store_false",
                          help="make it a key concern without priority")
        to = p.add_mutually_exclusive_group()
        to.add_argument("--to", dest="addressee", type=key_arg, metavar="ADDRESSEE",
                        help="addressee key from the framework's report model, e.g. hmpps")
        to.add_argument("--no-addressee", dest="addressee", action="store_const", const="",
                        help="addressed to no one in particular")


def _move_fields(p: argparse.ArgumentParser, *, required: bool = False) -> None:
    where = p.add_mutually_exclusive_group(required=required)
    where.add_argument("--position", type=int, metavar="N", help="put it at place N (1 = first)")
    where.add_argument("--up", dest="step", action="store_const", const=-1,
                       help="one place up (Alt+Up on the page)")
    where.add_argument("--down", dest="step", action="store_const", const=1,
                       help="one place down (Alt+Down on the page)")
    where.add_argument("--first", dest="position", action="store_const", const=1,
                       help="to the top")
    where.add_argument("--last", dest="last", action="store_true", help="to the bottom")
    where.add_argument("--before", metavar="ID", help="just before another one")
    where.add_argument("--after", metavar="ID", help="just after another one")


def _print_issues(issues: list[RuleIssue], stream: TextIO | None = None) -> None:
    for issue in issues:
        print(f"{issue.severity}: {issue.message}", file=stream or sys.stdout)


def _add(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        service = ConcernService(store)
        body = read_text_arg(args.body, args.body_file)
        concern_id = service.add(title=args.title, body=body, sections=args.sections,
                                 priority=args.priority, addressee=args.addressee,
                                 evidence_ids=args.evidence)
        issues = service.check()
    print(concern_id)
    _print_issues(issues, sys.stderr)
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:  # one read: the register, its rules, the sections
        screen = concerns_screen(store, registers=(R.CONCERN,), evidence=False)
    register = screen.registers[R.CONCERN]
    concerns, sections = list(register.rows), list(register.sections)
    issues = list(screen.rules.issues) if screen.rules is not None else []
    if args.json:
        print_json({"concerns": concerns, "issues": issues})
        return 0
    for c in concerns:
        flag = "P" if c.priority else " "
        to = f"  -> {c.addressee_label}" if c.addressee else ""
        where = section_labels(c.sections, sections)
        print(f"{c.ref:>3} {flag} {c.id}  {c.title}  [{where}]{to}")  # the report's number
    if not concerns:
        print("no concerns")
    _print_issues(issues)
    return 0


def _npp_add(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        npp_id = NppService(store).add(title=args.title,
                                       body=read_text_arg(args.body, args.body_file),
                                       sections=args.sections, evidence_ids=args.evidence)
    print(npp_id)
    return 0


def _npp_list(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        entries = NppService(store).list()
    if args.json:
        print_json(entries)
        return 0
    for e in entries:
        print(f"{e.order:>3} {e.id}  {e.title}  ({len(e.evidence_ids)} evidence)")
    if not entries:
        print("no notable positive practice")
    return 0


def _changes(args: argparse.Namespace, *, concern: bool) -> dict:
    out: dict = {}
    if args.title is not None:
        out["title"] = args.title
    if args.body is not None or args.body_file is not None:
        out["body"] = read_text_arg(args.body, args.body_file)
    if args.sections is not None:
        out["sections"] = args.sections
    if args.evidence is not None:
        out["evidence_ids"] = args.evidence
    if concern:
        if args.priority is not None:
            out["priority"] = args.priority
        if args.addressee is not None:
            out["addressee"] = args.addressee or None
    return out


def _report(changes: ChangeSet, record_id: str, done: str) -> None:
    print(f"{record_id} {done}" if changes.ids else "nothing changed")


def _edit(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        service = ConcernService(store)
        changes = service.edit(args.id, **_changes(args, concern=True))
        issues = service.check()
    _report(changes, args.id, "changed")
    _print_issues(issues, sys.stderr)
    return 0


def _remove(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        service = ConcernService(store)
        changes = service.delete(args.id)
        issues = service.check()
    _report(changes, args.id, "removed")
    _print_issues(issues, sys.stderr)
    return 0


def _npp_edit(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        changes = NppService(store).edit(args.id, **_changes(args, concern=False))
    _report(changes, args.id, "changed")
    return 0


def _npp_remove(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        changes = NppService(store).delete(args.id)
    _report(changes, args.id, "removed")
    return 0


def _target(service: ConcernService | NppService, args: argparse.Namespace) -> int | None:
    """The 1-based place asked for, or None when only the priority changes."""
    if args.position is not None:
        return int(args.position)
    if args.last:
        return service.count()
    if args.step is not None:
        here = service.position(args.id)
        return min(max(here + args.step, 1), service.count())
    other = args.before or args.after
    if other is None:
        return None
    if other == args.id:
        return service.position(args.id)
    here, there = service.position(args.id), service.position(other)
    # Taking the record out first shifts the places after it up by one.
    if here < there:
        there -= 1
    return there if args.before else there + 1


def _move(args: argparse.Namespace) -> int:
    if args.position is None and not args.last and args.step is None \
            and args.before is None and args.after is None and args.priority is None:
        raise ValidationError("Say where to move it (--position N, --up, --down, --first, "
                              "--last, --before ID, --after ID) or give --priority or "
                              "--no-priority.")
    with open_store(args.file) as store:
        service = args.service(store)
        changes = ChangeSet()
        target = _target(service, args)
        if target is not None:
            changes |= service.move(args.id, target)
        if args.priority is not None:
            changes |= service.set_priority(args.id, args.priority)
        place = service.position(args.id)
        issues = service.check() if isinstance(service, ConcernService) else []
    print(f"{args.id} now at place {place}" if changes.ids else "nothing changed")
    _print_issues(issues, sys.stderr)
    return 0

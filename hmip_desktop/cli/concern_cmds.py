"""`hmip concern add | list` and `hmip npp add | list`."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from hmip_desktop.cli.common import key_arg, open_store, print_json
from hmip_desktop.domain.concerns import RuleIssue
from hmip_desktop.services.concerns import ConcernService, NppService
from hmip_desktop.services.labels import section_labels


def register(sub: argparse._SubParsersAction) -> None:
    """Add the concern and npp command groups."""
    concern = sub.add_parser("concern", help="the concerns register",
                             description="Key concerns (with priority flags) for the report; "
                             "the report model's limits are checked as you go.")
    csub = concern.add_subparsers(dest="concern_command", metavar="ACTION", required=True)

    p = csub.add_parser("add", help="add a concern; prints its id")
    p.add_argument("file")
    p.add_argument("--title", required=True)
    p.add_argument("--body", required=True,
                   help="the problem and its effect on prisoners or detainees")
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
    p.add_argument("file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_list)

    npp = sub.add_parser("npp", help="notable positive practice",
                         description="Notable positive practice entries with their evidence.")
    nsub = npp.add_subparsers(dest="npp_command", metavar="ACTION", required=True)

    p = nsub.add_parser("add", help="add an entry; prints its id")
    p.add_argument("file")
    p.add_argument("--title", required=True)
    p.add_argument("--body", required=True)
    p.add_argument("--test", action="append", default=[], type=key_arg, metavar="KEY",
                   dest="sections",
                   help="section key it belongs to (repeatable, optional)")
    p.add_argument("--evidence", action="extend", nargs="+", default=[], metavar="ID")
    p.set_defaults(func=_npp_add)

    p = nsub.add_parser("list", help="list entries")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_npp_list)


def _print_issues(issues: list[RuleIssue], stream: TextIO | None = None) -> None:
    for issue in issues:
        print(f"{issue.severity}: {issue.message}", file=stream or sys.stdout)


def _add(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        service = ConcernService(store)
        concern_id = service.add(title=args.title, body=args.body, sections=args.sections,
                                 priority=args.priority, addressee=args.addressee,
                                 evidence_ids=args.evidence)
        issues = service.check()
    print(concern_id)
    _print_issues(issues, sys.stderr)
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        service = ConcernService(store)
        concerns = service.list()
        issues = service.check()
        sections = service.sections()
    if args.json:
        print_json({"concerns": [c.to_json() for c in concerns],
                    "issues": [i.to_json() for i in issues]})
        return 0
    for c in concerns:
        flag = "P" if c.priority else " "
        to = f"  -> {c.addressee_label}" if c.addressee else ""
        where = section_labels(c.sections, sections)
        print(f"{c.order:>3} {flag} {c.id}  {c.title}  [{where}]{to}")
    if not concerns:
        print("no concerns")
    _print_issues(issues)
    return 0


def _npp_add(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        npp_id = NppService(store).add(title=args.title, body=args.body, sections=args.sections,
                                       evidence_ids=args.evidence)
    print(npp_id)
    return 0


def _npp_list(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        entries = NppService(store).list()
    if args.json:
        print_json([e.to_json() for e in entries])
        return 0
    for e in entries:
        print(f"{e.order:>3} {e.id}  {e.title}  ({len(e.evidence_ids)} evidence)")
    if not entries:
        print("no notable positive practice")
    return 0

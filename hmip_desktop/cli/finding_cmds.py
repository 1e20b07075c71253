"""`hmip finding set | list`: findings per section and area, as the walkthrough writes them."""

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
from hmip_desktop.services.scoring import ScoringService


def register(sub: argparse._SubParsersAction) -> None:
    """Add the finding command group."""
    finding = sub.add_parser("finding", help="findings per section and area",
                             description="This inspector's findings for a section or one of "
                             "its areas (each inspector has their own; the report shows all).")
    fsub = finding.add_subparsers(dest="finding_command", metavar="ACTION", required=True)
    p = fsub.add_parser("set", help="write this inspector's findings (empty text clears them)")
    add_file(p)
    p.add_argument("--section", required=True, type=key_arg, metavar="KEY")
    p.add_argument("--area", type=key_arg, metavar="KEY", help="an area of the section")
    add_text_source(p)
    p.set_defaults(func=_set)
    p = fsub.add_parser("list", help="every author's findings in framework order")
    add_file(p)
    p.add_argument("--section", type=key_arg, metavar="KEY")
    add_json(p)
    p.set_defaults(func=_list)


def _set(args: argparse.Namespace) -> int:
    text = read_text_arg(args.text, args.text_file)
    with open_store(args.file) as store:
        changes = ScoringService(store).set_findings(args.section, args.area, text)
    print("saved" if changes.ids else "unchanged")
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        service = ScoringService(store)
        sections = service.framework().sections
        views = service.findings(args.section)
    # Framework order and the framework's titles, as the walkthrough shows them (the keys
    # are in --json); a key the framework no longer has is shown as itself, last.
    order = {s.key: i for i, s in enumerate(sections)}
    names = {(s.key, ""): s.label for s in sections}
    area_order = {(s.key, a.key): i for s in sections for i, a in enumerate(s.areas)}
    names.update({(s.key, a.key): a.label for s in sections for a in s.areas})
    last = len(area_order)  # an area the framework no longer has: after the known ones
    views.sort(key=lambda v: (order.get(v.section_key, len(order)),
                              area_order.get((v.section_key, v.area_key), last)
                              if v.area_key else -1, v.area_key, v.author_name.casefold()))
    if args.json:
        print_json([{"id": v.id, "section_key": v.section_key, "area_key": v.area_key,
                     "author_id": v.author_id, "author_name": v.author_name, "text": v.text,
                     "conflicted": v.conflicted} for v in views])
        return 0
    for v in views:
        where = names.get((v.section_key, ""), v.section_key) + (
            f" › {names.get((v.section_key, v.area_key), v.area_key)}" if v.area_key else "")
        print(f"== {where} — {v.author_name or v.author_id}" +
              (" (conflict)" if v.conflicted else ""))
        print(v.text)
    return 0

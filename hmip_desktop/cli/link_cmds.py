"""`hmip link add | remove | list`: evidence (whole, a passage or a page) to expectations, or
(whole) to an area that lists no expectation numbers yet."""

from __future__ import annotations

import argparse

from hmip_desktop.cli.common import add_file, add_json, open_store, print_json
from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.domain.framework_nation import NATION_LABELS
from hmip_desktop.services.coverage import framework_refs, not_applicable_refs
from hmip_desktop.services.labels import record_type_label
from hmip_desktop.services.links import LinkService


def register(sub: argparse._SubParsersAction) -> None:
    """Add the link command group."""
    link = sub.add_parser("link", help="link evidence to expectations",
                          description="Link a note, document, extract or figure (or a passage "
                          "or page of it) to an expectation of the framework.")
    lsub = link.add_subparsers(dest="link_command", metavar="ACTION", required=True)

    p = lsub.add_parser("add", help="add a link; prints its id")
    add_file(p)
    p.add_argument("record_id")
    p.add_argument("--expectation", action="append", default=[], metavar="REF",
                   help="expectation number (repeatable)")
    p.add_argument("--area", action="append", default=[], metavar="SECTION/AREA",
                   help="an area as a whole, e.g. safety/security, when it lists no "
                   "expectation numbers yet (repeatable; whole record only)")
    p.add_argument("--start", type=int, help="passage start (character offset in the note)")
    p.add_argument("--end", type=int, help="passage end (exclusive)")
    p.add_argument("--page", type=int, help="page of a document (1-based)")
    p.set_defaults(func=_add)

    p = lsub.add_parser("remove", help="remove a link (kept in history)")
    add_file(p)
    p.add_argument("link_id")
    p.set_defaults(func=_remove)

    p = lsub.add_parser("list", help="list links")
    add_file(p)
    p.add_argument("--evidence", metavar="RECORD_ID", help="only links of this record")
    add_json(p)
    p.set_defaults(func=_list)


def _add(args: argparse.Namespace) -> int:
    if args.page is not None and args.start is not None:
        raise ValidationError("Give either a passage (--start/--end) or a --page, not both.")
    if not args.expectation and not args.area:
        raise ValidationError("Give --expectation REF or --area SECTION/AREA.")
    if args.area and (args.page is not None or args.start is not None):
        raise ValidationError("An area is linked to the whole record: leave out --page and "
                              "--start/--end.")
    areas = []
    for text in args.area:
        section_key, sep, area_key = text.strip().partition("/")
        if not sep or not section_key or not area_key:
            raise ValidationError(f"--area {text}: write it as SECTION/AREA, e.g. "
                                  "safety/security.")
        areas.append((section_key, area_key))
    with open_store(args.file) as store:
        known = framework_refs(store)
        nation, excluded = not_applicable_refs(store)
        for ref in args.expectation:
            if ref.strip() in excluded:
                raise ValidationError(
                    f"Expectation {ref.strip()} does not count in an inspection in "
                    f"{NATION_LABELS.get(nation, nation)} (education is inspected by Ofsted in "
                    "England and by Estyn in Wales).")
        service = LinkService(store)
        targets = [service.area_target(s, a) for s, a in areas]  # all checked before writing
        ids = [service.add(args.record_id, ref) for ref in targets]
        if args.expectation and args.page is not None:
            from hmip_desktop.services.documents import DocumentService

            ids += [DocumentService(store).link(args.record_id, ref, page=args.page,
                                                known_refs=known) for ref in args.expectation]
        elif args.expectation:
            ids += [service.add(args.record_id, ref, start=args.start, end=args.end,
                                known_refs=known) for ref in args.expectation]
    for link_id in ids:
        print(link_id)
    return 0


def _remove(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        LinkService(store).remove(args.link_id)
    print("removed")
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        service = LinkService(store)
        links = service.for_evidence(args.evidence) if args.evidence else service.all()
    if args.json:
        print_json(links)
        return 0
    for v in links:
        where = (f" chars {v.start}-{v.end}" if v.start is not None
                 else f" page {v.page}" if v.page is not None else "")
        ref = v.expectation_ref if not v.expectation_ref.startswith("area:") else v.target
        print(f"{v.id}  {ref:<8} {record_type_label(v.evidence_type):<13} "
              f"{v.evidence_id}{where}")
    if not links:
        print("no links")
    return 0

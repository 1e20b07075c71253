"""`hmip new`, `hmip info`, `hmip history`, `hmip search`."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from hmip_desktop.cli.common import key_arg, open_store, passphrase_provider, print_json
from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.domain.search_query import SearchHit
from hmip_desktop.services import history as history_service
from hmip_desktop.services import inspections, labels
from hmip_desktop.services import search as search_service
from hmip_desktop.services.frameworks import FrameworkService


def _date(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError("dates are written YYYY-MM-DD") from None


def register(sub: argparse._SubParsersAction) -> None:
    """Add the inspection-level commands."""
    p = sub.add_parser("new", help="create an encrypted inspection file",
                       description="Create a new encrypted inspection file (.hmip) pinned to "
                       "the newest framework for the establishment type.")
    p.add_argument("file", help="path of the new .hmip file")
    p.add_argument("--establishment", help="establishment name")
    p.add_argument("--type", dest="etype", type=key_arg,
                   help="establishment type key (see 'hmip frameworks list')")
    p.add_argument("--framework", help="framework id (default: newest for the type)")
    p.add_argument("--framework-version", help="framework version (default: newest)")
    p.add_argument("--start", type=_date, help="first day on site, YYYY-MM-DD")
    p.add_argument("--end", type=_date, help="last day on site, YYYY-MM-DD")
    p.add_argument("--kind", choices=["full", "irp"], default="full",
                   help="full inspection or independent review of progress")
    p.add_argument("--follows", metavar="PREVIOUS.hmip",
                   help="with --kind irp: the inspection this review follows; its "
                   "establishment, type and framework are used and its concerns (with any "
                   "action-plan responses) become the previous items")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=_new)

    p = sub.add_parser("info", help="describe an inspection file",
                       description="Establishment, type, framework and its sections (scored "
                       "or findings only), counts, key source, schema version and changes not "
                       "yet exported.")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_info)

    p = sub.add_parser("history", help="every change of one record",
                       description="Who changed a record, when, and to what (revision log).")
    p.add_argument("file")
    p.add_argument("record_id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_history)

    p = sub.add_parser("search", help="full-text search",
                       description="Search notes, document text, extract names and figure "
                       "captions. Words are ANDed; \"quoted phrases\" and prefix* work.")
    p.add_argument("file")
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_search)


def _new(args: argparse.Namespace) -> int:
    start, end = args.start, args.end
    if start and end and end < start:
        raise ValidationError("The end date is before the start date.")
    if args.follows:
        if args.kind != "irp":
            raise ValidationError("--follows is for a review of progress: add --kind irp.")
        from hmip_desktop.services.review_follow import create_review_following

        store = create_review_following(Path(args.file), Path(args.follows), start_date=start,
                                        end_date=end, provider=passphrase_provider)
        fw = {"id": inspections.facts(store).framework_id,
              "version": inspections.facts(store).framework_version}
    else:
        if not args.establishment or not args.etype:
            raise ValidationError("Give --establishment and --type (or --follows with "
                                  "--kind irp).")
        fw = FrameworkService().resolve_for_new(args.etype, args.framework,
                                                args.framework_version)
        store = inspections.create_inspection(
            Path(args.file), establishment_name=args.establishment,
            establishment_type=args.etype, framework=fw, kind=args.kind, start_date=start,
            end_date=end, provider=passphrase_provider)
    with store:
        if args.json:
            print_json({"file": str(store.path), "inspection_id": store.inspection_id,
                        "framework": f"{fw['id']}@{fw['version']}",
                        "key_source": store.info.key_source})
        else:
            print(f"created {store.path} (inspection {store.inspection_id}, framework "
                  f"{fw['id']} version {fw['version']}, key in {store.info.key_source})")
    return 0


def _info(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        f = inspections.facts(store)
    if args.json:
        print_json(f.to_json())
        return 0
    dates = f"{f.start_date or '?'} to {f.end_date or '?'}"
    print(f"Establishment:   {f.establishment_name} "
          f"({labels.establishment_type_label(f.establishment_type)})")
    print(f"Kind:            {labels.inspection_kind_label(f.kind)}; status "
          f"{labels.inspection_status_label(f.status)}; on site {dates}")
    print(f"Framework:       {f.framework_title} [{f.framework_id} version {f.framework_version}]")
    print("Sections:" + ("" if f.sections else "        none"))
    for sec in f.sections:
        judged = "scored" if sec["scored"] else "findings only"
        print(f"  {sec['key']:<30} {sec['label']} ({judged})")
    print("Counts:          " + ", ".join(f"{k} {v}" for k, v in sorted(f.counts.items())))
    print(f"Key source:      {f.key_source}")
    read_only = " (read-only: newer file)" if f.read_only else ""
    print(f"Schema:          {f.schema_revision}{read_only}")
    print(f"Not exported:    {f.unexported_changes} change(s)")
    print(f"Conflicts:       {f.conflicts}")
    return 0


def _history(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        entries = history_service.history(store, args.record_id)
    if args.json:
        print_json([e.to_json() for e in entries])
        return 0
    for e in entries:
        flags = ("deleted " if e.deleted else "") + ("head" if e.is_head else "")
        print(f"{e.when}  {e.rev_id[:12]}  author {e.author_id[:8]}  device {e.device_id[:8]}"
              f"  {flags}".rstrip())
        changed = ", ".join(sorted(e.payload)) or "-"
        print(f"    fields: {changed}")
    return 0


def _plain(text: str) -> str:
    return text.replace("\x02", "[").replace("\x03", "]")


def _search(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        hits: list[SearchHit] = search_service.search(store, args.query, limit=args.limit)
    if args.json:
        print_json([{**h.__dict__, "title": _plain(h.title), "snippet": _plain(h.snippet)}
                    for h in hits])
        return 0
    for h in hits:
        print(f"{h.entity_id}  [{h.kind}]  {_plain(h.title)}")
        print(f"    {_plain(h.snippet)}")
    if not hits:
        print("no results")
    return 0

"""`hmip new`, `hmip info`, `hmip history`, `hmip search`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hmip_desktop.cli.common import (
    add_file,
    add_json,
    date_arg,
    key_arg,
    open_store,
    passphrase_provider,
    print_json,
)
from hmip_desktop.cli.json_out import to_plain
from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.domain.ids import short_id
from hmip_desktop.domain.review_of_progress import IRP, publication_due_text
from hmip_desktop.domain.search_query import Highlighted, SearchHit
from hmip_desktop.domain.wording import plural
from hmip_desktop.services import history as history_service
from hmip_desktop.services import inspections, labels
from hmip_desktop.services import search as search_service
from hmip_desktop.services.frameworks import FrameworkService


def register(sub: argparse._SubParsersAction) -> None:
    """Add the inspection-level commands."""
    p = sub.add_parser("new", help="create an encrypted inspection file",
                       description="Create a new encrypted inspection file (.hmip) pinned to "
                       "the framework version in force for the establishment type on the "
                       "start date (today without --start); --framework-version overrides.")
    p.add_argument("file", help="path of the new .hmip file")
    p.add_argument("--establishment", help="establishment name")
    p.add_argument("--type", dest="etype", type=key_arg,
                   help="establishment type key, e.g. mens_prison or mens-prison (the keys "
                   "are listed by 'hmip frameworks list')")
    p.add_argument("--framework", help="framework id (default: the one in force for the "
                   "type on the start date)")
    p.add_argument("--framework-version", metavar="VERSION",
                   help="framework version, e.g. 5 or men-prisons--5 (default: the version in "
                   "force on --start, or today)")
    p.add_argument("--start", type=date_arg, help="first day on site, YYYY-MM-DD")
    p.add_argument("--end", type=date_arg, help="last day on site, YYYY-MM-DD")
    p.add_argument("--kind", choices=["full", "irp"], default="full",
                   help="full inspection or independent review of progress")
    p.add_argument("--follows", metavar="PREVIOUS.hmip",
                   help="with --kind irp: the inspection this review follows; its "
                   "establishment, type and framework are used and its concerns (with any "
                   "action-plan responses) become the previous items")
    p.add_argument("--follow-up-scale", metavar="SCALE",
                   help="how the previous report's items are followed up: 'recommendations' "
                   "(achieved / partially achieved / not achieved, for a report written "
                   "before May 2022) or 'progress' (the framework's, the default); with "
                   "--follows it is chosen from the followed inspection's start date")
    p.add_argument("--nation", type=str.casefold, choices=["england", "wales"], default=None,
                   help="England (Ofsted inspects education; the default) or Wales (Estyn)")
    notice = p.add_mutually_exclusive_group()
    notice.add_argument("--announced", dest="announced", action="store_true", default=None,
                        help="the establishment was told in advance (the default for a "
                        "review of progress)")
    notice.add_argument("--unannounced", dest="announced", action="store_false",
                        help="no notice was given (the default for a full inspection)")
    add_json(p, "print the result as JSON")
    p.set_defaults(func=_new)

    p = sub.add_parser("info", help="describe an inspection file",
                       description="Establishment, type, framework and its sections (scored "
                       "or findings only), counts, key source, schema version and changes not "
                       "yet exported.")
    add_file(p)
    add_json(p)
    p.set_defaults(func=_info)

    p = sub.add_parser("history", help="every change of one record",
                       description="Who changed a record, when, and to what (revision log).")
    add_file(p)
    p.add_argument("record_id")
    add_json(p)
    p.set_defaults(func=_history)

    p = sub.add_parser("search", help="full-text search",
                       description="Search notes, document text, extract names and figure "
                       "captions. Words are ANDed; \"quoted phrases\" and prefix* work.")
    add_file(p)
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=20)
    add_json(p)
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
                                        end_date=end, provider=passphrase_provider,
                                        follow_up_scale=args.follow_up_scale,
                                        nation=args.nation, announced=args.announced,
                                        warn=_warn)
        fw = {"id": inspections.facts(store).framework_id,
              "version": inspections.facts(store).framework_version}
    else:
        if not args.establishment or not args.etype:
            raise ValidationError("Give --establishment and --type (or --follows with "
                                  "--kind irp).")
        fw = FrameworkService().resolve_for_new(args.etype, args.framework,
                                                args.framework_version, start_date=start)
        scale = None
        if args.follow_up_scale:
            from hmip_desktop.services.previous import follow_up_scale_for

            scale = follow_up_scale_for(args.follow_up_scale, None)
        store = inspections.create_inspection(
            Path(args.file), establishment_name=args.establishment,
            establishment_type=args.etype, framework=fw, kind=args.kind, start_date=start,
            end_date=end, provider=passphrase_provider, nation=args.nation or "england",
            announced=args.announced, follow_up_scale=scale, warn=_warn)
    with store:
        if args.json:
            print_json({"file": str(store.path), "inspection_id": store.inspection_id,
                        "framework": f"{fw['id']}@{fw['version']}",
                        "key_source": store.info.key_source})
        else:
            print(f"created {store.path} (inspection {store.inspection_id}, framework "
                  f"{fw['id']} version {fw['version']}, key in {store.info.key_source})")
    return 0


def _warn(message: str) -> None:
    """Guidance the new file is outside of (it is created all the same)."""
    print(f"hmip: warning: {message}", file=sys.stderr)


def _info(args: argparse.Namespace) -> int:
    from hmip_desktop.services import review_process

    with open_store(args.file) as store:
        f = inspections.facts(store, sections=True)
    due = review_process.publication_due(f.kind, f.end_date, f.publication_date)
    if args.json:
        print_json({**to_plain(f), "publication_due": to_plain(due)})
        return 0
    dates = f"{f.start_date or '?'} to {f.end_date or '?'}"
    print(f"Establishment:   {f.establishment_name} "
          f"({labels.establishment_type_label(f.establishment_type)})")
    print(f"Kind:            {labels.inspection_kind_label(f.kind)}; status "
          f"{labels.inspection_status_label(f.status)}; on site {dates}")
    _print_lifecycle(f)
    if due is not None:
        print(f"Report due:      {publication_due_text(due)}")
    if f.follow_up_label:
        print(f"Follow-up:       {f.follow_up_label}")
    print(f"Framework:       {f.framework_title} [{f.framework_id} version {f.framework_version}]")
    if f.kind != IRP:
        print("Sections:" + ("" if f.sections else "        none"))
        for sec in f.sections:
            judged = "scored" if sec["scored"] else "findings only"
            print(f"  {sec['key']:<30} {sec['label']} ({judged})")
    else:  # a review of progress: what it judges instead of scores
        print(f"Review:          {review_process.load_process().what_it_is}")
        print("Sections:        " + ("none scored at a review of progress" if f.sections
                                     else "none"))
        for sec in f.sections:
            print(f"  {sec['key']:<30} {sec['label']}")
    print("Counts:          " + ", ".join(labels.count_text(k, v) for k, v in f.counts.items()))
    if f.kind != IRP:
        print(f"Scoring:         {f.scoring_text}")
    print(f"Key source:      {f.key_source}")
    read_only = " (read-only: newer file)" if f.read_only else ""
    print(f"Schema:          {f.schema_revision}{read_only}")
    print(f"Not exported:    {plural(f.unexported_changes, 'change')}")
    print(f"Conflicts:       {f.conflicts}")
    return 0


def _print_lifecycle(f: inspections.InspectionFacts) -> None:
    """Nation, notice, publication, reopenings and the education judgement (issue 10)."""
    from hmip_desktop.domain import lifecycle as L
    from hmip_desktop.domain.framework_nation import NATION_LABELS

    print(f"Nation:          {NATION_LABELS.get(f.nation, f.nation)}")
    print(f"Notice:          {labels.notice_label(f.announced)}")
    if f.publication_date:
        print(f"Published:       {f.publication_date} (read-only except action-plan tracking)")
    if f.action_plan_received_date:
        print(f"Action plan:     received {f.action_plan_received_date}")
    if f.action_plan_submitted_date:
        print(f"Action plan:     submitted {f.action_plan_submitted_date} (date on the plan)")
    for r in f.reopenings:
        print(f"Reopened:        {r.get('on')} from {L.status_label(r.get('from'))}: "
              f"{r.get('reason')}")
    education = L.education_text({"education_judgement": f.education_judgement})
    if education:
        print(f"Education:       {education}")


def _history(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        entries = history_service.history(store, args.record_id)
        me = store.device.author_id
    if args.json:
        print_json(entries)
        return 0
    for e in entries:
        flags = (("deleted " if e.deleted else "") + ("head " if e.is_head else "")
                 + ("" if e.signed else "unsigned"))
        who = history_service.author_label(e, me)
        print(f"{e.when}  {e.rev_id[:12]}  {who}  device {short_id(e.device_id)}  {flags}".rstrip())
        print(f"    changed: {', '.join(e.changed) or 'no field'}")
    return 0


def _plain(text: Highlighted) -> str:
    """The text with [brackets] around each matched span."""
    return text.wrap("[", "]")


def _search(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        hits: list[SearchHit] = search_service.search(store, args.query, limit=args.limit)
    if args.json:
        print_json([{**to_plain(h), "title": _plain(h.title), "snippet": _plain(h.snippet)}
                    for h in hits])
        return 0
    for h in hits:
        print(f"{h.entity_id}  [{h.kind}]  {_plain(h.title)}")
        # One line per hit: a snippet across paragraphs (a document page) kept its line
        # breaks and ran on at the left margin, where it read as the next hit.
        print(f"    {' '.join(_plain(h.snippet).split())}")
    if not hits:
        print("no results")
    return 0

"""`hmip status` (the inspection's life cycle) and `hmip education` (Ofsted's or Estyn's own
judgement of education, recorded with the purposeful activity section)."""

from __future__ import annotations

import argparse

from hmip_desktop.cli.common import add_file, add_json, date_arg, open_store, print_json
from hmip_desktop.cli.json_out import to_plain
from hmip_desktop.domain import lifecycle as L
from hmip_desktop.domain.review_of_progress import publication_due_text
from hmip_desktop.services.lifecycle import LifecycleService, LifecycleView

STATES = ", ".join(k.replace("_", "-") for k in L.STATUSES)


def register(sub: argparse._SubParsersAction) -> None:
    """Add the life-cycle and education-judgement commands."""
    p = sub.add_parser("status", help="the inspection's life cycle (fieldwork … published)",
                       description="Status runs fieldwork → drafting → factual accuracy check → "
                       "published (with the publication date) → action plan received. It only "
                       "moves forward; the team leader can reopen with a reason. A published "
                       "inspection is read-only except for action-plan tracking.")
    status = p.add_subparsers(dest="status_command", metavar="ACTION", required=True)
    s = status.add_parser("show", help="the status, its dates and any reopenings")
    add_file(s)
    add_json(s)
    s.set_defaults(func=_show)
    s = status.add_parser("set", help="move the status forward",
                          description=f"Move the status forward. STATE is one of: {STATES} "
                          "(snake_case works too). Publishing needs the team leader; its "
                          "--date defaults to today.")
    add_file(s)
    s.add_argument("state", help=STATES)
    s.add_argument("--date", type=date_arg,
                   help="YYYY-MM-DD: the publication date, or when the action plan arrived")
    s.add_argument("--despite-readiness", action="store_true",
                   help="move to the factual accuracy check or publish although readiness "
                        "still reports items that block the report (the team leader's call)")
    add_json(s)
    s.set_defaults(func=_set)
    s = status.add_parser("reopen", help="team leader: reopen with a reason (kept in history)",
                          description="Take the status back to an earlier state (drafting by "
                          "default) so the inspection can be changed again. The reason is "
                          "kept in the inspection record's history.")
    add_file(s)
    s.add_argument("--reason", required=True, help="why it is reopened")
    s.add_argument("--to", dest="to", help="the status to go back to (default: drafting)")
    add_json(s)
    s.set_defaults(func=_reopen)

    p = sub.add_parser("education", help="Ofsted's or Estyn's own education judgement",
                       description="Ofsted's (England) or Estyn's (Wales) own judgement of "
                       "education, skills and work, recorded with the purposeful activity "
                       "section and reported beside its healthy prison score.")
    edu = p.add_subparsers(dest="education_command", metavar="ACTION", required=True)
    s = edu.add_parser("show", help="the judgement, the grades on offer and the agreed score")
    add_file(s)
    add_json(s)
    s.set_defaults(func=_edu_show)
    s = edu.add_parser("set", help="record the judgement",
                       description="GRADE: Ofsted outstanding, good, requires-improvement, "
                       "inadequate; Estyn excellent, good, adequate, unsatisfactory.")
    add_file(s)
    s.add_argument("grade")
    s.set_defaults(func=_edu_set)
    s = edu.add_parser("clear", help="remove the recorded judgement")
    add_file(s)
    s.set_defaults(func=_edu_clear)


def _print_view(v: LifecycleView) -> None:
    line = f"Status:          {v.status_label}"
    if v.publication_date:
        line += f" (published {v.publication_date})"
    if v.action_plan_received_date:
        line += f"; action plan received {v.action_plan_received_date}"
    print(line)
    if v.publication_due is not None:
        print(f"Report due:      {publication_due_text(v.publication_due)}")
    if v.read_only:
        print("Read-only:       yes, except for action-plan tracking")
    print("Next:            " + (", ".join(k.replace("_", "-") for k in v.next_statuses)
                                 or "none"))
    for r in v.reopenings:
        print(f"Reopened:        {r.get('on')} from {L.status_label(r.get('from'))} to "
              f"{L.status_label(r.get('to'))} by {r.get('by') or 'unknown'}: {r.get('reason')}")


def _show(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        view = LifecycleService(store).view()
    if args.json:
        print_json(view)
    else:
        _print_view(view)
    return 0


def _set(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        service = LifecycleService(store)
        changes = service.set_status(args.state, args.date,
                                     despite_readiness=args.despite_readiness)
        view = service.view()
    if args.json:
        print_json({**to_plain(view), "changed": bool(changes.ids)})
    elif not changes.ids:
        print(f"status unchanged: {view.status_label}")
    else:
        _print_view(view)
    return 0


def _reopen(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        service = LifecycleService(store)
        service.reopen(args.reason, args.to)
        view = service.view()
    if args.json:
        print_json(view)
    else:
        print(f"reopened: status {view.status_label}; the reason is kept in the history")
    return 0


def _edu_show(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        v = LifecycleService(store).education()
    if args.json:
        print_json(v)
        return 0
    print(f"Inspectorate:    {v.inspectorate_label}"
          + ("" if v.verified else f" ({L.NOT_VERIFIED_NOTE})"))
    print(f"Judgement:       {v.grade_label or 'not recorded'}")
    if v.section_label is not None:
        print(f"{v.section_label} agreed score: {v.agreed_label or 'not agreed yet'}")
    print("Grades:          " + ", ".join(f"{k.replace('_', '-')} ({label})"
                                          for k, label in v.grades))
    return 0


def _edu_set(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        service = LifecycleService(store)
        changes = service.set_education_judgement(args.grade)
        v = service.education()
    note = "" if v.verified else f" ({L.NOT_VERIFIED_NOTE})"
    print(f"{v.inspectorate_label}'s judgement: {v.grade_label}"
          + ("" if changes.ids else " (unchanged)") + note)
    return 0


def _edu_clear(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        changes = LifecycleService(store).set_education_judgement(None)
    print("education judgement removed" if changes.ids else "no education judgement recorded")
    return 0

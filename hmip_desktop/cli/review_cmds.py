"""`hmip previous import | add | list`, `hmip progress set`, `hmip un set | show`,
`hmip readiness`."""

from __future__ import annotations

import argparse

from hmip_desktop.cli.common import add_file, add_json, date_arg, key_arg, open_store, print_json
from hmip_desktop.cli.json_out import to_plain
from hmip_desktop.domain import action_plan as AP
from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.domain.people_words import DEFAULT_PEOPLE
from hmip_desktop.domain.wording import plural
from hmip_desktop.services.previous import PreviousItemView, PreviousService, plan_summary
from hmip_desktop.services.readiness import readiness_report
from hmip_desktop.services.urgent_notification import UrgentNotificationService, load_process

EXIT_BLOCKED = 1


def register(sub: argparse._SubParsersAction) -> None:
    """Add the previous, progress, un and readiness commands."""
    prev = sub.add_parser("previous", help="the previous inspection's concerns or "
                          "recommendations", description="Import or type in the previous "
                          "inspection's concerns or recommendations to follow up.")
    psub = prev.add_subparsers(dest="previous_command", metavar="ACTION", required=True)
    p = psub.add_parser("import", help="import from a CSV file with columns "
                        "ref,title,text[,section]")
    add_file(p)
    p.add_argument("csv")
    p.set_defaults(func=_import)
    p = psub.add_parser("add", help="type in one item; prints its id")
    add_file(p)
    p.add_argument("--ref", required=True, help="reference in the previous report, e.g. S12")
    p.add_argument("--title", required=True)
    p.add_argument("--text", required=True)
    p.add_argument("--section", type=key_arg, help="section key it belongs to (optional)")
    p.set_defaults(func=_prev_add)
    p = psub.add_parser("list", help="list items with their progress judgements")
    add_file(p)
    add_json(p)
    p.set_defaults(func=_prev_list)
    score = psub.add_parser("score", help="the previous inspection's agreed scores (for the "
                            "report's outcomes chart)")
    ssub = score.add_subparsers(dest="score_command", metavar="ACTION", required=True)
    p = ssub.add_parser("set", help="record the previous agreed score of one test")
    add_file(p)
    p.add_argument("--test", required=True, type=key_arg, metavar="KEY")
    p.add_argument("--score", required=True, help="level key, label, short form or value")
    p.add_argument("--year", required=True, type=int, help="year of the previous inspection")
    p.set_defaults(func=_prev_score_set)

    prog = sub.add_parser("progress", help="progress on previous items",
                          description="Judge progress on a previous concern or "
                          "recommendation on the framework's progress scale.")
    gsub = prog.add_subparsers(dest="progress_command", metavar="ACTION", required=True)
    p = gsub.add_parser("set", help="record the progress judgement on one item")
    add_file(p)
    p.add_argument("--previous", required=True, metavar="ID",
                   help="id or reference of the previous item")
    p.add_argument("--judgement", required=True, metavar="LEVEL",
                   help="a level of the review's follow-up scale, e.g. reasonable-progress "
                   "(or achieved / partially-achieved / not-achieved for a pre-2022 report)")
    p.add_argument("--rationale", required=True)
    p.add_argument("--evidence", action="extend", nargs="+", default=[], metavar="ID")
    p.set_defaults(func=_progress_set)

    un = sub.add_parser("un", help="Urgent Notification",
                        description="Flag an Urgent Notification with its reasons and "
                        "criteria; shows the letter and response due dates.")
    usub = un.add_subparsers(dest="un_command", metavar="ACTION", required=True)
    p = usub.add_parser("set", help="flag or update the Urgent Notification (or --clear it)")
    add_file(p)
    p.add_argument("--reason", action="extend", nargs="+", metavar="TEXT", dest="reasons",
                   help="a reason (repeatable); replaces the recorded reasons")
    p.add_argument("--criterion", type=key_arg, action="extend", nargs="+", metavar="KEY",
                   dest="criteria",
                   help="a criterion key from the checklist (repeatable); replaces the "
                   f"ticks. Keys: {_criterion_keys()}")
    p.add_argument("--letter-date", type=date_arg, help="date of the letter, YYYY-MM-DD")
    p.add_argument("--response-date", type=date_arg,
                   help="date the Secretary of State's response and action plan arrived, "
                   "YYYY-MM-DD (stops the countdown)")
    p.add_argument("--clear", action="store_true", help="remove the Urgent Notification")
    p.set_defaults(func=_un_set)
    p = usub.add_parser("show", help="reasons, criteria, due dates and days remaining")
    add_file(p)
    add_json(p)
    p.set_defaults(func=_un_show)

    p = sub.add_parser("readiness", help="what still blocks a draft report",
                       description="Per section coverage, triangulation, findings and scores, "
                       "the concern rules and the blockers. Exits 0 only when nothing blocks.")
    add_file(p)
    add_json(p)
    p.set_defaults(func=_readiness)


def _criterion_keys() -> str:
    """The checklist's keys with their meaning, for --help (from the process data, so a
    changed protocol lists its own)."""
    try:
        criteria = load_process().criteria_for(DEFAULT_PEOPLE)  # no inspection: neutral words
    except ValidationError:
        return "see 'hmip un show'"
    return "; ".join(f"{c.key} ({c.label})" for c in criteria)


def _import(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        result = PreviousService(store).import_csv(args.csv)
    print(f"imported: {result.added} added, {result.updated} updated, "
          f"{result.unchanged} unchanged")
    return 0


def _prev_score_set(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        label = PreviousService(store).set_previous_score(args.test, args.score, args.year).label
    print(f"previous score ({args.year}): {label}")
    return 0


def _prev_add(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        item_id = PreviousService(store).add(ref=args.ref, title=args.title, text=args.text,
                                             section=args.section)
    print(item_id)
    return 0


def _plan_text(item: PreviousItemView, start_date: str | None) -> str:
    """'Partly agreed, 2 steps, 1 overdue; part agreed: Wing C; the last due 2027-03-31': the
    Scoring page's words for the plan (services.previous.plan_summary), then the detail."""
    parts = [plan_summary(item, start_date)]
    response = AP.read(item.action_plan)
    if response is not None and response.explanation:
        name = AP.EXPLANATION_NAMES[response.response].lower()
        parts.append(f"{name}: {response.explanation}")
    dates = sorted(s.target_date for s in response.steps if s.target_date) if response else []
    if dates:
        parts.append(f"the last due {dates[-1]}")
    return "; ".join(p for p in parts if p)


def _plain_item(item: PreviousItemView, start_date: str | None) -> dict:
    """An item for --json, with what the text output says of its plan: the summary, and
    each step's `overdue` by the Scoring screen's rule (Step.due_before the visit's start)."""
    out = to_plain(item)
    out["action_plan_summary"] = plan_summary(item, start_date)
    response = AP.read(item.action_plan)
    if out.get("action_plan") and response is not None:
        for plain_step, step in zip(out["action_plan"]["steps"], response.steps, strict=True):
            plain_step["overdue"] = step.due_before(start_date)
    return out


def _prev_list(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        service = PreviousService(store)
        items = service.list()
        start = service.visit_start()
    if args.json:
        print_json([_plain_item(i, start) for i in items])
        return 0
    for i in items:
        judged = i.progress.level_label if i.progress else "not judged"
        skipped = "" if i.followed_up else "  (not followed up)"
        print(f"{i.id}  {i.ref:<8} {i.title}  -> {judged}{skipped}")
        plan = _plan_text(i, start)
        if plan:
            print(f"    action plan: {plan}")
        response = AP.read(i.action_plan)
        for n, step in enumerate(response.steps if response else (), start=1):
            if step.due_before(start):  # the Scoring screen's and the report's rule
                print(f"    step {n}: target date {step.target_date} — {AP.OVERDUE_WORDS}")
    if not items:
        print("no previous items")
    return 0


def _progress_set(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        view = PreviousService(store).set_progress(args.previous, args.judgement,
                                                   args.rationale, args.evidence)
    print(f"progress: {view.level_label}")
    return 0


def _un_set(args: argparse.Namespace) -> int:
    if args.clear and (args.reasons or args.criteria or args.letter_date
                       or args.response_date):
        raise ValidationError("--clear takes no reasons, criteria or dates.")
    with open_store(args.file) as store:
        service = UrgentNotificationService(store)
        if args.clear:
            changes = service.clear()
        else:
            kwargs = {k: v for k, v in (("letter_date", args.letter_date),
                                        ("response_date", args.response_date)) if v}
            changes = service.set(reasons=args.reasons, criteria=args.criteria, **kwargs)
    print("updated" if changes.ids else "unchanged")
    return 0


def _un_show(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        status = UrgentNotificationService(store).status()
    if args.json:
        print_json(status)
        return 0
    if not status.active:
        print("no Urgent Notification" if status.allowed else
              f"no Urgent Notification: {status.refusal}")
        return 0
    print("Urgent Notification" + ("  (conflicting edits)" if status.conflicted else ""))
    if status.addressee:
        print(f"  to: {status.addressee}")
    if status.needs_agreement_of:
        print(f"  needs the agreement of: {' and '.join(status.needs_agreement_of)}")
    for reason in status.reasons:
        print(f"  reason: {reason}")
    for c in status.criteria:
        print(f"  [{'x' if c.key in status.ticked else ' '}] {c.label}")
    d = status.dates
    if d is None or d.letter_due is None:
        print("  due dates: record the inspection end date first")
        return 0
    if d.letter_date:
        late = (f"; late by {plural((d.letter_date - d.letter_due).days, 'day')}" if status.late
                else "")
        print(f"  {status.letter_label}: sent {d.letter_date} (was due {d.letter_due}{late})")
    else:
        print(f"  {status.letter_label}: due {d.letter_due} ({_days(d.letter_days_remaining)})")
    if d.response_date:
        print(f"  {status.response_label}: received on {d.response_date} "
              f"(was due {d.response_due})")
    else:
        print(f"  {status.response_label}: due {d.response_due} "
              f"({_days(d.response_days_remaining)})")
    return 0


def _days(n: int | None) -> str:
    if n is None:
        return "-"
    if n < 0:
        return f"{plural(-n, 'day')} overdue"
    return "due today" if n == 0 else f"{plural(n, 'day')} left"


def _readiness(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        report = readiness_report(store)
    if args.json:
        print_json(report)
        return 0 if report.ready else EXIT_BLOCKED
    print(report.verdict)
    print(f"{'section':<34} {'covered':>9} {'triang.':>9} {'prov.':>6} {'agreed':<6} findings")
    for s in report.sections:
        agreed = "yes" if s.agreed else ("-" if not s.judged else "no")
        # No expectation numbers loaded reads as such, never "0/0" (which looks finished).
        covered, triang = (
            (f"{s.expectations_covered:>4}/{s.expectations_total:<4}",
             f"{s.expectations_triangulated:>4}/{s.expectations_total:<4}")
            if s.expectations_total else (f"{'not loaded':>9}", f"{'-':>9}"))
        # The findings in the Readiness tab's words: areas, and the section as a whole.
        print(f"{s.label[:34]:<34} {covered} {triang} {s.provisional_scores:>6} {agreed:<6} "
              f"{s.findings_summary}")
    print(f"concerns: {report.concerns_summary}")
    if report.previous_total:
        print(f"previous items: {report.previous_judged} of {report.previous_total} judged")
    for item in report.blockers:
        print(f"blocking: {item.message}")
    for item in report.warnings:
        print(f"warning: {item.message}")
    return 0 if report.ready else EXIT_BLOCKED

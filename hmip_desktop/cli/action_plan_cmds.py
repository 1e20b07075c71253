"""`hmip report action-plan` and `hmip report action-plan-import`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hmip_desktop.cli.common import add_file, open_store
from hmip_desktop.domain.plan_received import ReceivedStatus
from hmip_desktop.domain.wording import plural
from hmip_desktop.services.action_plan import ActionPlanService
from hmip_desktop.services.report import DisclosureBlocked

EXIT_BAD_ROWS = 2


def register(rsub: argparse._SubParsersAction) -> None:
    """Add the action-plan actions to the report group."""
    p = rsub.add_parser(
        "action-plan", help="export the action plan workbook (.xlsx) for the establishment",
        description="Write an Excel workbook restating every concern with its report "
        "reference (priority concerns first) and columns for the response (Agreed, Partly "
        "agreed, Not agreed), the part agreed or the reasons, and the steps: one row per "
        "step, each with an action, owner, target date and status. The header gives the "
        "date the report was published (once it is) and a cell for the date the plan is "
        "submitted. Responses already imported are filled in. The file is NOT encrypted.")
    add_file(p)
    p.add_argument("--out", required=True, metavar="PATH.xlsx", help="workbook to write")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--redact", action="store_true",
                     help="replace every disclosure hit with [redacted]")
    how.add_argument("--allow-disclosure", action="store_true",
                     help="export the hits as they are (you have checked them)")
    p.set_defaults(func=_export)

    p = rsub.add_parser(
        "action-plan-import", help="store the responses of a returned action plan",
        description="Read a returned action plan workbook (this version's, or one exported by "
        "the single-action version); every row is checked first and nothing is stored unless "
        "all rows are good (exit 2 names each bad row). Rows under a concern with its "
        "reference repeated or empty are further steps; concerns with no response are "
        "skipped. Answers the method finds incomplete (agreed or partly agreed with no step "
        "that has an action, owner and target date, or a step missing one; partly agreed "
        "without the part agreed; not agreed without reasons) are stored as sent and listed "
        "as warnings, unless --strict. The returned plan is what the status 'action plan "
        "received' records: on a published inspection, --mark-received moves it there in "
        "the same step (without it, a hint says how).")
    add_file(p)
    p.add_argument("workbook", metavar="PATH.xlsx")
    p.add_argument("--strict", action="store_true",
                   help="refuse the plan (exit 2, nothing stored) when an answer is "
                   "incomplete, to send it back to the establishment")
    p.add_argument("--mark-received", action="store_true",
                   help="when the inspection is published, also move its status to action "
                   "plan received, on the workbook's date submitted (today when that is "
                   "missing, before publication or after today); without it a hint says how")
    p.set_defaults(func=_import)


def _export(args: argparse.Namespace) -> int:
    with open_store(args.file) as store:
        try:
            count = ActionPlanService(store).export(Path(args.out), redact=args.redact,
                                                    allow_disclosure=args.allow_disclosure)
        except DisclosureBlocked as exc:
            for hit in exc.hits:
                print(f"hmip: disclosure: {hit.describe()}", file=sys.stderr)
            raise
    print(f"wrote the action plan with {plural(count, 'concern')} to {args.out}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from hmip_desktop.report.action_plan_xlsx import ActionPlanRowsError

    with open_store(args.file) as store:
        try:
            result = ActionPlanService(store).import_(Path(args.workbook), strict=args.strict,
                                                      mark_received=args.mark_received)
        except ActionPlanRowsError as exc:
            # One line per bad row; the exit code says nothing was stored.
            for problem in exc.problems:
                print(f"hmip: {problem}", file=sys.stderr)
            return EXIT_BAD_ROWS
    print(f"stored {plural(result.stored, 'response')}")
    if result.submitted_date:
        print(f"date submitted: {result.submitted_date}")
    for line in result.incomplete:
        print(f"hmip: warning: incomplete: {line}", file=sys.stderr)
    if result.incomplete:
        print(f"hmip: warning: {plural(len(result.incomplete), 'gap')} stored as sent; ask the "
              "establishment for what is missing", file=sys.stderr)
    _say_status(args, result.received)
    return 0


def _say_status(args: argparse.Namespace, received: ReceivedStatus) -> None:
    """The status move made, or how to make it (a hint, on stderr like the warnings)."""
    if received.moved:
        print(f"status: Published → Action plan received, on {received.on} "
              f"({received.basis})")
    elif received.can_mark:
        print(f"hmip: hint: the status is still Published; to record the plan as received on "
              f"{received.on} ({received.basis}), import with --mark-received or run "
              f"'hmip status set {args.file} action-plan-received --date {received.on}'",
              file=sys.stderr)
    elif args.mark_received and received.reason:
        print(f"hmip: note: the status was not moved: {received.reason}", file=sys.stderr)

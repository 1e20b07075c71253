"""Independent reviews of progress as hmip-method.md §11 describes them, from data: announced;
held 8–12 months after the inspection they follow and 2.5 days on site (guidance: warned, never
refused); the report due 25 working days after the visit (England and Wales bank holidays
left out); no Urgent Notification (a review is not an inspection); no scored sections."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import docx
import pytest

from hmip_desktop.domain import review_of_progress as RP
from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.domain.working_days import add_working_days, parse_calendar
from hmip_desktop.paths import resource_path
from hmip_desktop.services import review_process
from hmip_desktop.services.urgent_notification import UrgentNotificationService
from tests.report.support import cli_runner

D = dt.date.fromisoformat


@pytest.fixture
def run(capsys):  # type: ignore[no-untyped-def]
    return cli_runner(capsys)


def _due(end: str, published: str | None = None, today: str = "2026-12-04") -> RP.PublicationDue:
    due = review_process.publication_due("irp", end, published, D(today))
    assert due is not None
    return due


# -- data and working days ------------------------------------------------------------------
def test_bank_holidays_are_weekdays_in_range_and_include_the_one_offs() -> None:
    data = json.loads(resource_path("process", "bank_holidays.json").read_text("utf-8"))
    days = [D(h["date"]) for h in data["holidays"]]
    assert days == sorted(set(days)) and all(d.weekday() < 5 for d in days)
    calendar = review_process.load_holidays()
    # VE Day moved the early May holiday; the Platinum Jubilee, the Queen's funeral and the
    # coronation were extra days; Boxing Day 2026 (a Saturday) moves to Monday 28 December.
    for day in ("2020-05-08", "2022-06-02", "2022-06-03", "2022-09-19", "2023-05-08",
                "2026-12-28"):
        assert D(day) in calendar.holidays
    assert D("2020-05-04") not in calendar.holidays and D("2026-12-26") not in \
        calendar.holidays


def test_working_days_leave_out_weekends_and_bank_holidays() -> None:
    calendar = review_process.load_holidays()
    assert add_working_days(D("2024-06-03"), 25, calendar).day == D("2024-07-08")
    # Christmas, Boxing Day and New Year's Day 2025 push the date from 24 to 29 January.
    assert add_working_days(D("2024-12-20"), 25, calendar).day == D("2025-01-29")
    assert add_working_days(D("2024-03-22"), 25, calendar).day == D("2024-04-30")  # Easter
    late = add_working_days(D("2028-12-20"), 25, calendar)
    assert not late.known and add_working_days(D("2028-11-01"), 25, calendar).known
    with pytest.raises(ValidationError, match="malformed"):
        parse_calendar({"first_day": "2024-01-01", "last_day": "2024-12-31",
                        "holidays": [{"date": "2025-01-01"}]})


def test_publication_due_counts_and_words() -> None:
    due = _due("2024-06-03", today="2024-07-01")
    assert (due.due, due.days_remaining, due.working_days) == (D("2024-07-08"), 7, 25)
    text = RP.publication_due_text(due)
    assert "published by 2024-07-08 (25 working days after the visit ended on 2024-06-03)" \
        in text and "7 days remaining" in text
    late = _due("2024-06-03", published="2024-07-10")
    assert late.late and late.days_remaining is None and "after the due date" in \
        RP.publication_due_text(late)
    assert "record the last day on site" in RP.publication_due_text(_due(""))
    assert "not known to this version" in RP.publication_due_text(_due("2028-12-20"))
    assert review_process.publication_due("full", "2024-06-03", None) is None


def test_visit_warnings_are_guidance_from_data() -> None:
    warn = review_process.visit_warnings
    followed = "2024-05-02"
    assert warn("irp", start="2025-02-03", end="2025-02-05", announced=True,
                followed_end=followed) == ()
    early = warn("irp", start="2024-06-01", end="2024-06-03", followed_end=followed)
    assert len(early) == 1 and "less than a month" in early[0] and "8–12 months" in early[0]
    late = warn("irp", start="2026-09-01", end="2026-09-20", followed_end=followed)
    assert "27 months" in late[0] and "2025-01-02 and 2025-05-02" in late[0]
    assert "on site for 20 days" in late[1] and "2.5 days" in late[1]
    assert "announced" in warn("irp", start=None, end=None, announced=False)[0]
    assert warn("full", start="2024-06-01", end="2024-06-30", announced=False) == ()
    assert review_process.default_announced("irp") and not \
        review_process.default_announced("full")


# -- the CLI --------------------------------------------------------------------------------
def _inspection(run, folder: Path) -> Path:  # type: ignore[no-untyped-def]
    path = folder / "w.hmip"
    assert run("new", path, "--establishment", "HMP Wandsworth", "--type", "mens-prison",
               "--start", "2024-04-22", "--end", "2024-05-02").code == 0
    return path


def test_new_review_warns_outside_the_usual_and_is_announced(run, tmp_path: Path) -> None:
    first = _inspection(run, tmp_path)
    soon = run("new", tmp_path / "soon.hmip", "--kind", "irp", "--follows", first,
               "--start", "2024-06-01", "--end", "2024-06-03")
    assert soon.code == 0 and (tmp_path / "soon.hmip").exists()
    assert soon.err.count("hmip: warning:") == 1 and "8–12 months" in soon.err
    assert "created" in soon.out
    info = run("info", tmp_path / "soon.hmip")
    assert "Notice:          Announced" in info.out
    long = run("new", tmp_path / "long.hmip", "--kind", "irp", "--follows", first,
               "--start", "2026-09-01", "--end", "2026-09-20")
    assert long.code == 0 and long.err.count("hmip: warning:") == 2
    assert "27 months" in long.err and "on site for 20 days" in long.err
    usual = run("new", tmp_path / "usual.hmip", "--kind", "irp", "--follows", first,
                "--start", "2025-02-03", "--end", "2025-02-05")
    assert usual.code == 0 and usual.err == ""
    told = run("new", tmp_path / "told.hmip", "--kind", "irp", "--follows", first,
               "--start", "2025-02-03", "--end", "2025-02-05", "--unannounced")
    assert told.code == 0 and "recorded as unannounced" in told.err
    assert "Notice:          Unannounced" in run("info", tmp_path / "told.hmip").out
    assert "Notice:          Unannounced" in run("info", first).out


def test_report_due_in_status_and_info(run, tmp_path: Path) -> None:
    first = _inspection(run, tmp_path)
    review = tmp_path / "irp.hmip"
    assert run("new", review, "--kind", "irp", "--follows", first, "--start", "2024-12-18",
               "--end", "2024-12-20").code == 0
    line = ("Report due:      Sent to the Secretary of State and published by 2025-01-29 "
            "(25 working days after the visit ended on 2024-12-20)")
    assert line in run("status", "show", review).out
    assert line in run("info", review).out
    shown = json.loads(run("status", "show", review, "--json").out)["publication_due"]
    assert shown["due"] == "2025-01-29" and shown["working_days"] == 25
    assert json.loads(run("info", review, "--json").out)["publication_due"]["due"] == \
        "2025-01-29"
    assert "Report due" not in run("status", "show", first).out
    assert "Report due" not in run("info", first).out


def test_no_urgent_notification_on_a_review(run, tmp_path: Path) -> None:
    first = _inspection(run, tmp_path)
    review = tmp_path / "irp.hmip"
    assert run("new", review, "--kind", "irp", "--follows", first, "--start", "2025-02-03",
               "--end", "2025-02-05").code == 0
    refused = run("un", "set", review, "--reason", "x")
    assert refused.code == 2 and "not an inspection" in refused.err
    assert "Traceback" not in refused.err and refused.out == ""
    shown = run("un", "show", review)
    assert shown.out.startswith("no Urgent Notification: ") and "not an inspection" in shown.out
    data = json.loads(run("un", "show", review, "--json").out)
    assert data["active"] is False and data["allowed"] is False and data["dates"] is None
    assert run("un", "set", first, "--reason", "Poor safety").code == 0  # inspections still can


def test_urgent_notification_service_refuses_a_review(irp_store) -> None:  # type: ignore[no-untyped-def]
    service = UrgentNotificationService(irp_store)
    with pytest.raises(ValidationError, match="not an inspection"):
        service.set(reasons=["Poor safety"])
    status = service.status()
    assert not status.active and not status.allowed and "not an inspection" in status.refusal


def test_info_and_report_say_what_a_review_is(run, tmp_path: Path) -> None:
    first = _inspection(run, tmp_path)
    review = tmp_path / "irp.hmip"
    assert run("new", review, "--kind", "irp", "--follows", first, "--start", "2025-02-03",
               "--end", "2025-02-05").code == 0
    info = run("info", review).out
    assert "(scored)" not in info and "not an inspection" in info
    assert "Sections:        none scored at a review of progress" in info
    sections = json.loads(run("info", review, "--json").out)["sections"]
    assert sections and not any(s["scored"] for s in sections)
    assert "Safety (scored)" in run("info", first).out
    out = tmp_path / "irp.docx"
    assert run("report", "docx", review, "--out", out).code == 0
    d = docx.Document(str(out))
    text = "\n".join([p.text for p in d.paragraphs]
                     + [c.text for t in d.tables for r in t.rows for c in r.cells])
    assert "This is an independent review of progress (IRP)" in text
    assert "An IRP is not an inspection: it gives no new healthy prison test scores" in text
    assert "a independent" not in text and "Inspectors judged the establishment" not in text
    assert "Kind of visit" in text and "Kind of inspection" not in text


def test_a_review_shows_the_action_plan_response_it_follows_up(run, tmp_path: Path) -> None:
    """`new --follows` copies each concern's action-plan response into the previous item;
    `previous list` (text and --json) shows it, since progress is judged against what was
    promised (it was copied, then shown nowhere): first in the Scoring page's words (a step
    due before the review began is overdue; a concern without a plan has none received)."""
    from hmip_desktop.cli.common import open_store
    from hmip_desktop.services.concerns import ConcernService

    first = _inspection(run, tmp_path)
    concern = run("concern", "add", first, "--title", "Reception unsafe", "--body",
                  "New arrivals waited without water.", "--test", "safety").out.strip()
    with open_store(str(first)) as store:
        ConcernService(store).edit(concern, action_plan={
            "response": "partly_agreed", "explanation": "Water agreed; staffing not",
            "steps": [{"action": "Install dispensers", "owner": "Head of residence",
                       "target_date": "2025-03-31", "status": "In progress"},
                      {"action": "Recruit officers", "owner": "Governor",
                       "target_date": "2025-01-31", "status": "In progress"}]})
    assert run("concern", "add", first, "--title", "Showers broken", "--body", "On B wing.",
               "--test", "respect").code == 0
    review = tmp_path / "r.hmip"
    assert run("new", review, "--kind", "irp", "--follows", first, "--start", "2025-02-03",
               "--end", "2025-02-05").code == 0
    text = run("previous", "list", review).out
    assert ("    action plan: Partly agreed, 2 steps, 1 overdue; part agreed: Water agreed; "
            "staffing not; the last due 2025-03-31") in text
    assert "    action plan: None received" in text
    item, _showers = json.loads(run("previous", "list", review, "--json").out)
    assert item["action_plan"]["response"] == "partly_agreed"
    assert item["action_plan"]["steps"][0]["owner"] == "Head of residence"

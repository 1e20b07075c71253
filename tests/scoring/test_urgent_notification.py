"""Urgent Notification: the checklist and timeline as data, and the due dates."""

from __future__ import annotations

import datetime as dt

import pytest

from hmip_desktop.domain import urgent_notification as U
from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.services import history
from hmip_desktop.services.inspections import update_inspection
from hmip_desktop.services.urgent_notification import UrgentNotificationService, load_process

D = dt.date.fromisoformat


def test_the_process_file_holds_the_five_criteria_and_the_timeline() -> None:
    """Criteria and day counts are data (hmip-method.md §10)."""
    process = load_process()
    assert [c.key for c in process.criteria] == [
        "healthy_prison_scores", "establishment_type_and_risk", "vulnerability",
        "previous_concerns_not_addressed", "capacity_to_change"]
    assert (process.letter_days, process.response_days) == (7, 28)


@pytest.mark.parametrize(("end", "letter_due", "response_due"), [
    ("2024-02-26", "2024-03-04", "2024-04-01"),  # leap February
    ("2023-02-26", "2023-03-05", "2023-04-02"),  # common February
    ("2026-01-28", "2026-02-04", "2026-03-04"),
    ("2024-05-02", "2024-05-09", "2024-06-06"),  # Wandsworth: letter 9 May, plan by 6 June
    ("2025-12-28", "2026-01-04", "2026-02-01"),  # year end
    ("2024-04-24", "2024-05-01", "2024-05-29"),  # 30-day month
])
def test_due_dates_across_month_ends(end: str, letter_due: str, response_due: str) -> None:
    """Letter 7 calendar days after the end; response 28 days after the letter's due date."""
    dates = U.due_dates(load_process(), end, None, D(end))
    assert (dates.letter_due, dates.response_due) == (D(letter_due), D(response_due))
    assert dates.response_basis == U.RESPONSE_FROM_DUE
    assert dates.letter_days_remaining == 7
    assert dates.response_days_remaining == (D(response_due) - D(end)).days


@pytest.mark.parametrize(("letter", "response_due"), [
    ("2024-02-29", "2024-03-28"),
    ("2024-05-09", "2024-06-06"),
    ("2026-01-31", "2026-02-28"),
])
def test_response_counts_from_the_recorded_letter(letter: str, response_due: str) -> None:
    """Once the letter date is known, the response is due 28 days after it."""
    dates = U.due_dates(load_process(), "2024-02-26", letter, D("2024-03-01"))
    assert dates.response_due == D(response_due)
    assert dates.response_basis == U.RESPONSE_FROM_LETTER
    assert dates.letter_days_remaining is None  # sent: no longer counting down


@pytest.mark.parametrize(("today", "remaining"), [
    ("2026-01-28", 7), ("2026-02-03", 1), ("2026-02-04", 0), ("2026-02-10", -6),
])
def test_days_remaining_relative_to_today(today: str, remaining: int) -> None:
    """Days remaining count down to zero and go negative when overdue."""
    dates = U.due_dates(load_process(), "2026-01-28", None, D(today))
    assert dates.letter_days_remaining == remaining
    assert dates.response_days_remaining == remaining + 28


def test_timeline_is_data() -> None:
    """Another protocol with other day counts gives other dates."""
    process = U.parse_process({"criteria": [{"key": "k", "label": "K"}],
                               "timeline": {"letter_due_calendar_days_after_end": 10,
                                            "response_due_calendar_days_after_letter": 20}})
    dates = U.due_dates(process, "2024-02-26", None, D("2024-02-26"))
    assert (dates.letter_due, dates.response_due) == (D("2024-03-07"), D("2024-03-27"))
    with pytest.raises(ValidationError):
        U.parse_process({"criteria": [], "timeline": {}})


def test_set_show_and_clear(full_store) -> None:
    """The flag keeps reasons and ticked criteria; clearing is a tombstone in history."""
    service = UrgentNotificationService(full_store)
    assert not service.status().active
    service.set(reasons=["Violence had risen sharply", " "],
                criteria=["vulnerability", "healthy_prison_scores"])
    status = service.status(today=D("2026-02-01"))
    assert status.active and status.reasons == ("Violence had risen sharply",)
    assert status.ticked == ("healthy_prison_scores", "vulnerability")  # checklist order
    assert status.dates is not None and status.dates.letter_due == D("2026-02-04")
    assert status.dates.letter_days_remaining == 3
    service.set(letter_date="2026-02-03")
    status = service.status(today=D("2026-02-05"))
    assert status.reasons == ("Violence had risen sharply",)  # kept
    assert status.dates is not None and status.dates.response_due == D("2026-03-03")
    assert service.set(letter_date="2026-02-03").ids == frozenset()  # unchanged: no revision
    service.clear()
    assert not service.status().active
    assert [e.deleted for e in history.history(full_store, service.record_id)] == [
        False, False, True]


def test_refusals(full_store) -> None:
    """A new flag needs a reason; unknown criteria and bad dates are refused."""
    service = UrgentNotificationService(full_store)
    with pytest.raises(ValidationError, match="reason"):
        service.set(reasons=[], criteria=["vulnerability"])
    with pytest.raises(ValidationError, match="criterion"):
        service.set(reasons=["r"], criteria=["weather"])
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        service.set(reasons=["r"], letter_date="4 Feb 2026")


def test_no_end_date_means_no_due_dates(full_store) -> None:
    """Without the inspection's end date the dates cannot be derived yet."""
    update_inspection(full_store, end_date=None)
    service = UrgentNotificationService(full_store)
    service.set(reasons=["r"])
    dates = service.status().dates
    assert dates is not None and dates.letter_due is None and dates.response_due is None

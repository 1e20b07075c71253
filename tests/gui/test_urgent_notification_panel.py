"""The Urgent Notification panel: flag, criteria and reasons by keyboard; dates across month
ends with the days remaining; letter date; clearing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from hmip_desktop.domain.date_words import day_and_date
from hmip_desktop.services.urgent_notification import UrgentNotificationService
from hmip_desktop.ui.overview.urgent_notification_panel import UrgentNotificationPanel, remaining
from tests.gui.keyboard import focused, make_store, open_page, press, tab_to, type_text

K = Qt.Key
ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def store(tmp_path: Path):
    """A full inspection ending Wednesday 28 January 2026."""
    s = make_store(tmp_path)
    yield s
    s.close()


def _panel(qtbot, store, today: dt.date) -> UrgentNotificationPanel:  # type: ignore[no-untyped-def]
    def build(ctx):  # type: ignore[no-untyped-def]
        panel = UrgentNotificationPanel(ctx)
        panel.today = lambda: today
        return panel
    panel = open_page(qtbot, build, store)
    assert isinstance(panel, UrgentNotificationPanel)
    return panel


def test_flag_by_keyboard_and_dates_across_month_ends(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    """End 28 Jan: letter due 4 Feb, response 28 days later on 4 Mar, with days remaining."""
    panel = _panel(qtbot, store, dt.date(2026, 1, 30))
    assert not panel.flag.isChecked() and not panel.reasons.isEnabled()
    assert panel.letter_due.text() == ""
    press(qtbot, K.Key_U, ALT)
    qtbot.waitUntil(lambda: panel.flag.isChecked())
    assert panel.reasons.isEnabled()
    # The criteria follow the flag in the tab order; Space ticks one.
    press(qtbot, K.Key_Tab)
    first = list(panel.criteria.values())[0]
    assert focused() is first
    press(qtbot, K.Key_Space)
    press(qtbot, K.Key_Return, CTRL)  # no reason yet: refused beside the field
    assert panel.reasons_error.isVisible()
    assert focused() is panel.reasons
    type_text(qtbot, "Repeated poor safety assessments")
    press(qtbot, K.Key_Return)
    type_text(qtbot, "Self-harm at a record level")
    press(qtbot, K.Key_Return, CTRL)
    status = UrgentNotificationService(store).status(dt.date(2026, 1, 30))
    assert status.active and status.reasons == ("Repeated poor safety assessments",
                                                "Self-harm at a record level")
    assert status.ticked == (list(panel.criteria)[0],)
    assert panel.letter_due.text() == ("Letter to the Secretary of State for Justice: due "
                                       "Wednesday 4 February 2026 — 5 days remaining.")
    assert panel.response_due.text().startswith(
        "Secretary of State's public response and action plan: due Wednesday 4 March 2026 "
        "(28 days after the letter's due date")
    assert panel.response_due.text().endswith("— 33 days remaining.")

    # The letter is sent on 2 February: the response is counted from it.
    press(qtbot, K.Key_L, ALT)
    type_text(qtbot, "2026-02-30")
    press(qtbot, K.Key_Return, CTRL)
    assert panel.letter_error.isVisible() and "YYYY-MM-DD" in panel.letter_error.text()
    press(qtbot, K.Key_A, CTRL)
    type_text(qtbot, "2026-02-02")
    press(qtbot, K.Key_Return, CTRL)
    assert not panel.letter_error.isVisible()
    assert panel.letter_due.text().endswith("sent Monday 2 February 2026 (was due Wednesday "
                                            "4 February 2026).")
    assert panel.response_due.text() == (
        "Secretary of State's public response and action plan: due Monday 2 March 2026 "
        "(28 days after the letter) — 31 days remaining.")


def test_overdue_letter_and_clearing(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    """Past the due date the letter shows as overdue; unticking the flag removes it."""
    UrgentNotificationService(store).set(reasons=["Poor outcomes"])
    panel = _panel(qtbot, store, dt.date(2026, 2, 6))
    assert panel.flag.isChecked()
    assert panel.letter_due.text().endswith("— 2 days overdue.")
    tab_to(qtbot, panel.flag)
    press(qtbot, K.Key_Space)
    press(qtbot, K.Key_Return, CTRL)
    assert not UrgentNotificationService(store).status().active
    assert panel.status.text() == "Urgent Notification removed."
    assert panel.letter_due.text() == ""


def test_words_for_dates_and_days() -> None:
    """Dates in full, days remaining in words."""
    assert day_and_date(dt.date(2028, 2, 29)) == "Tuesday 29 February 2028"
    assert [remaining(n) for n in (2, 1, 0, -1, -3)] == [
        "2 days remaining", "1 day remaining", "due today", "1 day overdue", "3 days overdue"]


def _inspection(tmp_path: Path, etype: str):  # type: ignore[no-untyped-def]
    """Wandsworth 2024's dates (22 Apr–2 May 2024) on an establishment of the given type."""
    from hmip_desktop.services.inspections import create_inspection
    from tests.factories import scored_framework

    return create_inspection(tmp_path / f"{etype}.hmip", establishment_name="Testfield",
                             establishment_type=etype, framework=scored_framework(),
                             start_date="2024-04-22", end_date="2024-05-02")


def test_wandsworth_letter_before_start_late_and_response(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Refused before the start; a letter after 9 May is late in words; the response date
    stops the countdown."""
    store = _inspection(tmp_path, "mens_prison")
    try:
        UrgentNotificationService(store).set(reasons=["Safety and respect were poor"])
        panel = _panel(qtbot, store, dt.date(2024, 5, 13))
        assert panel.scope.text() == "The letter goes to The Secretary of State for Justice."
        press(qtbot, K.Key_L, ALT)
        type_text(qtbot, "2024-04-21")
        press(qtbot, K.Key_Return, CTRL)
        assert panel.letter_error.isVisible()
        assert "cannot be before the inspection's start date" in panel.letter_error.text()
        press(qtbot, K.Key_A, CTRL)
        type_text(qtbot, "2024-05-10")
        press(qtbot, K.Key_Return, CTRL)
        assert not panel.letter_error.isVisible()
        assert panel.letter_due.text().endswith(
            "sent Friday 10 May 2024 (was due Thursday 9 May 2024) — late by 1 day.")
        assert UrgentNotificationService(store).status().late
        press(qtbot, K.Key_P, ALT)
        assert focused() is panel.response_date
        type_text(qtbot, "2024-06-06")
        press(qtbot, K.Key_Return, CTRL)
        assert panel.response_due.text() == (
            "Secretary of State's public response and action plan: received on Thursday "
            "6 June 2024 (was due Friday 7 June 2024).")
        status = UrgentNotificationService(store).status()
        assert status.dates is not None and status.dates.response_days_remaining is None
    finally:
        store.close()


def test_not_used_for_an_irc(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The flag cannot be ticked; the panel says why in words, naming the type."""
    store = _inspection(tmp_path, "irc")
    try:
        panel = _panel(qtbot, store, dt.date(2024, 5, 3))
        assert not panel.flag.isEnabled()
        assert panel.scope.text() == ("Urgent Notifications are not used after inspections of "
                                      "this type of establishment (Immigration removal "
                                      "centre); they follow inspections of prisons, young "
                                      "offender institutions and secure training centres.")
    finally:
        store.close()


def test_stc_notes_that_ofsted_must_agree(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = _inspection(tmp_path, "stc")
    try:
        panel = _panel(qtbot, store, dt.date(2024, 5, 3))
        assert panel.flag.isEnabled()
        assert "needs the agreement of Ofsted's Chief Inspector" in panel.scope.text()
        assert panel.draft_letter.text() == "Draft the letter on the Reports page…"
    finally:
        store.close()


@pytest.mark.parametrize(("etype", "words"), [("mens_prison", "How vulnerable the prisoners are"),
                                              ("stc", "How vulnerable the children are")])
def test_criteria_name_the_people_the_establishment_holds(qtbot, tmp_path: Path, etype: str,  # type: ignore[no-untyped-def]
                                                          words: str) -> None:
    """The checklist says prisoners or children as the type does, not "prisoners or
    detainees" (the {people} placeholder of urgent_notification.json)."""
    store = _inspection(tmp_path, etype)
    try:
        panel = _panel(qtbot, store, dt.date(2024, 5, 3))
        assert panel.criteria["vulnerability"].text() == words
        assert not any("detainee" in box.text() for box in panel.criteria.values())
    finally:
        store.close()

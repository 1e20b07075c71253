"""The Reports page's action-plan import: "Refuse incomplete answers" asks for the strict
import; after importing the plan of a published inspection the page asks whether to mark it
received, and Yes moves the status (one service call)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtWidgets import QFileDialog

from hmip_desktop.domain import lifecycle as L
from hmip_desktop.domain.date_words import long_date
from hmip_desktop.report import action_plan_xlsx as X
from hmip_desktop.services.action_plan import ActionPlanService
from hmip_desktop.services.concerns import ConcernService
from hmip_desktop.services.lifecycle import LifecycleService
from hmip_desktop.ui.reports import report_dialogs
from hmip_desktop.ui.reports.reports_page import ReportsPage
from tests.gui.keyboard import make_store, open_page

FIRST = X.HEADER_ROW + 1
# make_store's inspection ended 2026-01-28; both dates are before any day these tests run.
PUBLISHED_ON, SUBMITTED = "2026-02-20", "2026-03-10"


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    s = make_store(tmp_path)
    ConcernService(s).add(title="Healthcare waits", body="Long waits.", sections=["safety"])
    yield s
    s.close()


@pytest.fixture
def page(qtbot, store) -> ReportsPage:  # type: ignore[no-untyped-def]
    p = open_page(qtbot, ReportsPage, store)
    assert isinstance(p, ReportsPage)
    return p


@pytest.fixture
def asked(monkeypatch) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Answer the mark-received question with `answer`; records what was asked."""
    state: dict[str, Any] = {"answer": True, "asked": []}

    def ask(_parent: Any, received: Any) -> bool:
        state["asked"].append(received)
        return state["answer"]

    monkeypatch.setattr(report_dialogs, "ask_mark_received", ask)
    return state


def _returned(store, tmp_path: Path, monkeypatch, *, owner: str | None = "Governor") -> Path:
    """A returned plan (one answer, the date submitted), chosen in the open dialog."""
    plan = tmp_path / "returned.xlsx"
    ActionPlanService(store).export(plan)
    wb = openpyxl.load_workbook(plan)
    ws = wb[X.SHEET_PLAN]
    col = {c.value: c.column for c in ws[X.HEADER_ROW]}
    ws.cell(X.SUBMITTED_ROW, X.DATE_VALUE_COLUMN).value = SUBMITTED
    for heading, value in (("Response", "Agreed"), ("Action", "Hire nurses"),
                           ("Owner", owner), ("Target date", "2027-06-01")):
        ws.cell(FIRST, col[heading]).value = value
    wb.save(plan)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a: (str(plan), ""))
    return plan


def _publish(store) -> None:
    LifecycleService(store).set_status("published", PUBLISHED_ON, despite_readiness=True)


def test_refuse_incomplete_answers_stores_nothing(page, store, tmp_path, monkeypatch,  # type: ignore[no-untyped-def]
                                                  shown_errors, asked) -> None:
    _returned(store, tmp_path, monkeypatch, owner=None)
    box = page.export.strict_box
    assert box.isEnabled() and not box.isChecked()
    box.setChecked(True)
    page.export.import_button.click()
    assert page.status.text() == "Nothing was written or stored."
    assert len(shown_errors) == 1 and "has a step with no owner" in shown_errors[0]
    assert [c.action_plan for c in ConcernService(store).list()] == [None]
    # Unticked, the same plan is stored as sent and its gap listed (as before).
    box.setChecked(False)
    page.export.import_button.click()
    assert page.status.text().splitlines()[1].startswith("Incomplete, stored as sent (1 gap")
    assert ConcernService(store).list()[0].action_plan["response"] == "agreed"
    assert asked["asked"] == []  # not published: no question


def test_published_import_asks_and_yes_marks_the_plan_received(page, store, tmp_path,  # type: ignore[no-untyped-def]
                                                               monkeypatch, asked) -> None:
    _publish(store)
    _returned(store, tmp_path, monkeypatch)
    page.export.import_button.click()
    assert [(r.on, r.basis) for r in asked["asked"]] == [
        (SUBMITTED, "the date submitted in the workbook")]
    view = LifecycleService(store).view()
    assert (view.status, view.action_plan_received_date) == (L.ACTION_PLAN_RECEIVED, SUBMITTED)
    assert page.status.text().splitlines()[-1] == \
        f"Status: Action plan received on {long_date(SUBMITTED)}."
    # A re-import asks nothing more.
    page.export.import_button.click()
    assert len(asked["asked"]) == 1


def test_published_import_answered_no_keeps_published(page, store, tmp_path, monkeypatch,  # type: ignore[no-untyped-def]
                                                      asked) -> None:
    _publish(store)
    _returned(store, tmp_path, monkeypatch)
    asked["answer"] = False
    page.export.import_button.click()
    assert len(asked["asked"]) == 1
    assert LifecycleService(store).view().status == L.PUBLISHED
    assert page.status.text().splitlines()[-1].startswith("Status: still Published")
    assert ConcernService(store).list()[0].action_plan["response"] == "agreed"

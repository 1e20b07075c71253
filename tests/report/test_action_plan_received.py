"""Importing the returned action plan of a published inspection moves the status to action plan
received when asked (`--mark-received`, or `mark_received()` after the Reports page asks), on
the workbook's date submitted; without asking, the CLI says how. Unpublished or already
received inspections do not move."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from hmip_desktop.domain import lifecycle as L
from hmip_desktop.domain import plan_received as PR
from hmip_desktop.domain import records as R
from hmip_desktop.report import action_plan_xlsx as X
from hmip_desktop.services.action_plan import ActionPlanService
from hmip_desktop.services.concerns import ConcernService
from hmip_desktop.services.lifecycle import LifecycleService
from tests.report.support import cli_runner

FIRST = X.HEADER_ROW + 1
TODAY = dt.date(2027, 5, 1)
PUBLISHED_ON = "2027-02-20"


@pytest.fixture
def concern(store):
    return ConcernService(store).add(title="Cells", body="Cells were dirty.",
                                     sections=["respect"])


def _publish(store, on: str = PUBLISHED_ON) -> None:
    LifecycleService(store, today=lambda: TODAY).set_status("published", on,
                                                            despite_readiness=True)


def _returned(store, path: Path, submitted: str | None, *, answered: bool = True) -> Path:
    """The plan as the establishment sends it back: one complete answer, the date submitted."""
    ActionPlanService(store).export(path)
    wb = openpyxl.load_workbook(path)
    ws = wb[X.SHEET_PLAN]
    col = {c.value: c.column for c in ws[X.HEADER_ROW]}
    ws.cell(X.SUBMITTED_ROW, X.DATE_VALUE_COLUMN).value = submitted
    if answered:
        for heading, value in (("Response", "Agreed"), ("Action", "Deep clean"),
                               ("Owner", "Governor"), ("Target date", "2027-09-01")):
            ws.cell(FIRST, col[heading]).value = value
    wb.save(path)
    return path


def _status(store) -> tuple[str, str | None]:
    v = LifecycleService(store).view()
    return v.status, v.action_plan_received_date


def test_published_import_offers_the_move_and_mark_received_makes_it(store, concern, tmp_path):
    _publish(store)
    plan = _returned(store, tmp_path / "plan.xlsx", "2027-04-02")
    svc = ActionPlanService(store, today=lambda: TODAY)
    result = svc.import_(plan)
    assert result.received == PR.ReceivedStatus(L.PUBLISHED, on="2027-04-02",
                                                basis=PR.FROM_WORKBOOK)
    assert result.received.can_mark and _status(store) == (L.PUBLISHED, None)
    marked = svc.mark_received(result.received.on)
    assert marked.changes.touches(R.INSPECTION) and marked.received.moved
    assert _status(store) == (L.ACTION_PLAN_RECEIVED, "2027-04-02")
    # A re-import, or marking again, changes nothing.
    again = svc.import_(plan, mark_received=True)
    assert again.changes.empty and not again.received.moved and not again.received.can_mark
    assert "already Action plan received (on 2027-04-02)" in again.received.reason
    assert svc.mark_received().changes.empty
    assert _status(store) == (L.ACTION_PLAN_RECEIVED, "2027-04-02")


def test_mark_received_in_the_import_is_one_revision(store, concern, tmp_path):
    _publish(store)
    plan = _returned(store, tmp_path / "plan.xlsx", "2027-04-02")
    result = ActionPlanService(store, today=lambda: TODAY).import_(plan, mark_received=True)
    assert result.stored == 1 and result.received.moved
    assert result.changes.touches(R.INSPECTION) and result.changes.touches(R.CONCERN)
    assert _status(store) == (L.ACTION_PLAN_RECEIVED, "2027-04-02")
    with store.uow() as tx:
        record = tx.records.get(store.inspection_id)
        assert record is not None
        assert record.payload["action_plan_submitted_date"] == "2027-04-02"
        assert record.payload["status_change"]["to"] == L.ACTION_PLAN_RECEIVED


def test_strict_refusal_moves_nothing(store, concern, tmp_path):
    _publish(store)
    plan = _returned(store, tmp_path / "plan.xlsx", "2027-04-02")
    wb = openpyxl.load_workbook(plan)
    ws = wb[X.SHEET_PLAN]
    col = {c.value: c.column for c in ws[X.HEADER_ROW]}
    ws.cell(FIRST, col["Owner"]).value = None
    wb.save(plan)
    with pytest.raises(X.ActionPlanRowsError):
        ActionPlanService(store, today=lambda: TODAY).import_(plan, strict=True,
                                                              mark_received=True)
    assert _status(store) == (L.PUBLISHED, None)


def test_not_published_moves_nothing(store, concern, tmp_path):
    plan = _returned(store, tmp_path / "plan.xlsx", "2027-04-02")
    svc = ActionPlanService(store, today=lambda: TODAY)
    result = svc.import_(plan, mark_received=True)
    assert result.stored == 1 and not result.received.can_mark and not result.received.moved
    assert "not published (its status is Fieldwork)" in result.received.reason
    assert svc.mark_received().changes.empty and _status(store) == (L.FIELDWORK, None)


def test_a_workbook_with_no_response_is_no_plan_received(store, concern, tmp_path):
    """The team's own blank export, imported back, moves nothing."""
    _publish(store)
    blank = _returned(store, tmp_path / "blank.xlsx", None, answered=False)
    svc = ActionPlanService(store, today=lambda: TODAY)
    result = svc.import_(blank, mark_received=True)
    assert result.received.reason == "the workbook holds no response"
    assert not result.received.can_mark and svc.mark_received().changes.empty
    assert _status(store) == (L.PUBLISHED, None)


@pytest.mark.parametrize(("submitted", "day", "why"), [
    ("2027-04-02", "2027-04-02", PR.FROM_WORKBOOK),
    (None, "2027-05-01", "today: the workbook gives no date submitted"),
    ("2027-02-01", "2027-05-01", "today: the date submitted (2027-02-01) is before the report "
     "was published (2027-02-20)"),
    ("2027-06-01", "2027-05-01", "today: the date submitted (2027-06-01) is after today"),
])
def test_the_received_date_is_the_date_submitted_when_it_can_be(submitted, day, why):
    payload = {"status": L.PUBLISHED, "publication_date": PUBLISHED_ON,
               "action_plan_submitted_date": submitted}
    assert PR.received_date(payload, TODAY) == (dt.date.fromisoformat(day), why)
    move, received = PR.plan_received(payload, answered=True, today=TODAY)
    assert move is not None and move.fields["action_plan_received_date"] == day
    assert received.can_mark and received.on == day


def test_a_publication_after_today_leaves_nothing_to_mark():
    payload = {"status": L.PUBLISHED, "publication_date": "2027-06-01"}
    move, received = PR.plan_received(payload, answered=True, today=TODAY)
    assert move is None and not received.can_mark
    assert "before the report was published" in received.reason


def test_cli_hints_without_the_flag_and_moves_with_it(capsys, tmp_path):
    run = cli_runner(capsys)
    # Dates before the real today: the CLI records today when the date submitted is later.
    today = dt.date.today()
    end, published, submitted = (str(today - dt.timedelta(days=n)) for n in (40, 20, 5))
    path = tmp_path / "insp.hmip"
    assert run("new", path, "--establishment", "HMP Testfield", "--type", "mens_prison",
               "--start", str(today - dt.timedelta(days=50)), "--end", end).code == 0
    assert run("concern", "add", path, "--title", "Cells", "--body", "Dirty.",
               "--test", "respect").code == 0
    assert run("status", "set", path, "published", "--date", published,
               "--despite-readiness").code == 0
    plan = tmp_path / "plan.xlsx"
    assert run("report", "action-plan", path, "--out", plan).code == 0
    wb = openpyxl.load_workbook(plan)
    ws = wb[X.SHEET_PLAN]
    col = {c.value: c.column for c in ws[X.HEADER_ROW]}
    ws.cell(X.SUBMITTED_ROW, X.DATE_VALUE_COLUMN).value = submitted
    for heading, value in (("Response", "Agreed"), ("Action", "Deep clean"),
                           ("Owner", "Governor"), ("Target date", "2027-09-01")):
        ws.cell(FIRST, col[heading]).value = value
    wb.save(plan)

    first = run("report", "action-plan-import", path, plan)
    assert first.code == 0 and "status:" not in first.out
    assert first.err.splitlines() == [
        f"hmip: hint: the status is still Published; to record the plan as received on "
        f"{submitted} ({PR.FROM_WORKBOOK}), import with --mark-received or run "
        f"'hmip status set {path} action-plan-received --date {submitted}'"]
    assert "Published" in run("status", "show", path).out

    second = run("report", "action-plan-import", path, plan, "--mark-received")
    assert second.code == 0 and second.err == ""
    assert (f"status: Published → Action plan received, on {submitted} "
            f"({PR.FROM_WORKBOOK})") in second.out.splitlines()
    assert f"action plan received {submitted}" in run("status", "show", path).out

    third = run("report", "action-plan-import", path, plan, "--mark-received")
    assert third.code == 0 and "status:" not in third.out
    assert third.err == ("hmip: note: the status was not moved: the status is already Action "
                         f"plan received (on {submitted})\n")

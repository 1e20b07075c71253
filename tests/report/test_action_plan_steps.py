"""The action plan as the method asks (hmip-method.md §8): several steps per concern, each with
an owner and a target date; the part agreed or the reasons; incomplete answers stored and
named (or refused with --strict); the date submitted and the publication date in the header;
workbooks and payloads of the single-action version still read."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest

from hmip_desktop.cli.main import main
from hmip_desktop.domain import action_plan as AP
from hmip_desktop.domain import lifecycle as L
from hmip_desktop.domain import records as R
from hmip_desktop.domain.payload_rules import PayloadProblem, check_payload
from hmip_desktop.report import action_plan_read as reader
from hmip_desktop.report import action_plan_xlsx as X
from hmip_desktop.report.build_outcomes import _response
from hmip_desktop.services.action_plan import ActionPlanService
from hmip_desktop.services.concerns import ConcernService
from hmip_desktop.services.inspections import facts, update_inspection
from hmip_desktop.services.lifecycle import LifecycleService

FIRST = X.HEADER_ROW + 1
# The stored shape of the single-action version (what a teammate still running it writes).
OLD_AGREED = {"response": "agreed", "action": "Body cameras", "owner": "Governor",
              "target_date": "2027-03-01", "status": "In progress"}
OLD_NOT_AGREED = {"response": "not_agreed", "action": "No money", "owner": "",
                  "target_date": None, "status": ""}


@pytest.fixture
def refs(store):
    """Two concerns; the report numbers the priority one 1."""
    svc = ConcernService(store)
    b = svc.add(title="Cells", body="Cells were dirty.", sections=["respect"])
    a = svc.add(title="Violence", body="Violence was high.", sections=["safety"], priority=True)
    return {"1": a, "2": b}


def _export(store, path: Path) -> Path:
    ActionPlanService(store).export(path)
    return path


def _edit(path: Path, cells: dict[tuple[int, str], object], *, insert_at: int | None = None,
          append: list[dict[str, object]] = ()) -> None:
    """Type into the plan like an establishment: cells by (row, heading); insert an empty row
    (Excel's Insert row) before `insert_at`; append rows at the end."""
    wb = openpyxl.load_workbook(path)
    ws = wb[X.SHEET_PLAN]
    col = {c.value: c.column for c in ws[X.HEADER_ROW]}
    if insert_at is not None:
        ws.insert_rows(insert_at)
    for (row, heading), value in cells.items():
        X.put(ws.cell(row, col[heading] if heading in col else heading), value)
    for extra in append:
        r = ws.max_row + 1
        for heading, value in extra.items():
            X.put(ws.cell(r, col[heading]), value)
    wb.save(path)


def _plan(store, cid: str) -> AP.Response | None:
    return AP.read(ConcernService(store).get(cid).action_plan)


def _sheet(path: Path) -> list[tuple]:
    ws = openpyxl.load_workbook(path)[X.SHEET_PLAN]
    return list(ws.iter_rows(min_row=FIRST, max_col=len(X.COLUMNS) - 1, values_only=True))


# ---------------------------------------------------------------- several steps


def test_several_steps_per_concern_round_trip(store, refs, tmp_path):
    """Steps as rows under the concern (reference empty), or anywhere with it repeated."""
    out = _export(store, tmp_path / "plan.xlsx")
    # The audit's case: a second row for concern 1, with its response repeated, was refused
    # ("concern 1 is already answered in row 5"); an empty-reference row was dropped.
    _edit(out, {(FIRST, "Response"): "Agreed", (FIRST, "Action"): "Body cameras",
                (FIRST, "Owner"): "Governor", (FIRST, "Target date"): dt.datetime(2027, 3, 1),
                (FIRST, "Status"): "In progress",
                (FIRST + 1, "Action"): "Train staff", (FIRST + 1, "Owner"): "Head of safety",
                (FIRST + 1, "Target date"): "30/04/2027",
                (FIRST + 2, "Response"): "Not agreed",
                (FIRST + 2, "Part agreed or reasons"): "Cells are cleaned daily."},
          insert_at=FIRST + 1,
          append=[{"Reference": 1, "Response": "Agreed", "Action": "Audit use of force",
                   "Owner": "Deputy governor", "Target date": "2027-06-30"}])
    result = ActionPlanService(store).import_(out)
    assert result.stored == 2 and result.incomplete == ()
    plan = _plan(store, refs["1"])
    assert plan == AP.Response("agreed", "", (
        AP.Step("Body cameras", "Governor", "2027-03-01", "In progress"),
        AP.Step("Train staff", "Head of safety", "2027-04-30"),
        AP.Step("Audit use of force", "Deputy governor", "2027-06-30")))
    assert _plan(store, refs["2"]) == AP.Response("not_agreed", "Cells are cleaned daily.")

    # Exported again: one row per step, the reference repeated so sorting keeps them together.
    again = _export(store, tmp_path / "again.xlsx")
    rows = _sheet(again)
    assert [(r[0], r[2], r[5], r[7], r[8]) for r in rows[:4]] == [
        (1, "Violence", "Agreed", "Body cameras", "Governor"),
        (1, None, None, "Train staff", "Head of safety"),
        (1, None, None, "Audit use of force", "Deputy governor"),
        (2, "Cells", "Not agreed", None, None)]
    assert rows[3][6] == "Cells are cleaned daily."
    # Read back unchanged: nothing to store; nor with a step moved away from its concern.
    assert ActionPlanService(store).import_(again).changes.empty
    wb = openpyxl.load_workbook(again)
    ws = wb[X.SHEET_PLAN]
    ws.move_range(f"A{FIRST + 2}:L{FIRST + 2}", rows=3)  # step 3 of concern 1 below concern 2
    wb.save(again)
    assert ActionPlanService(store).import_(again).changes.empty


def test_step_rows_of_an_unanswered_concern_are_skipped(store, refs, tmp_path):
    out = _export(store, tmp_path / "plan.xlsx")
    _edit(out, {(FIRST, "Action"): "Draft only", (FIRST, "Target date"): "soon"},
          append=[{"Reference": 2, "Action": "Another draft"}])
    result = ActionPlanService(store).import_(out)
    assert result.stored == 0 and result.changes.empty


def test_two_responses_or_a_step_with_no_concern_are_refused(store, refs, tmp_path):
    out = _export(store, tmp_path / "plan.xlsx")
    _edit(out, {(FIRST, "Response"): "Agreed"},
          append=[{"Reference": 1, "Response": "Partly agreed", "Action": "x"}])
    with pytest.raises(X.ActionPlanRowsError) as info:
        ActionPlanService(store).import_(out)
    assert info.value.problems == [
        f"row {FIRST + 2}: concern 1 already has the response 'Agreed' in row {FIRST}; give "
        "one response per concern"]

    out = _export(store, tmp_path / "orphan.xlsx")
    _edit(out, {(FIRST, "Response"): "Agreed", (FIRST, "Action"): "Orphan"}, insert_at=FIRST)
    with pytest.raises(X.ActionPlanRowsError, match=f"row {FIRST}: no concern reference"):
        ActionPlanService(store).import_(out)
    assert all(c.action_plan is None for c in ConcernService(store).list())


def test_steps_per_concern_limit_is_named(store, refs, tmp_path, monkeypatch):
    out = _export(store, tmp_path / "plan.xlsx")
    step = {"Reference": 1, "Action": "a", "Owner": "o", "Target date": "2027-01-01"}
    _edit(out, {(FIRST, "Response"): "Agreed"}, append=[step, step, step])
    monkeypatch.setattr(reader, "MAX_STEPS", 2)
    with pytest.raises(X.ActionPlanRowsError,
                       match="concern 1 has 3 steps: over the limit of 2 steps per concern"):
        ActionPlanService(store).import_(out)


# ---------------------------------------------------------------- incomplete answers


INCOMPLETE = {  # the audit's case: Agreed with nothing else was stored silently
    (FIRST, "Response"): "Agreed",
    (FIRST + 1, "Response"): "Partly agreed", (FIRST + 1, "Action"): "Clean C wing",
    (FIRST + 1, "Target date"): "2027-05-01",
}


def test_incomplete_answers_are_stored_and_named(store, refs, tmp_path):
    out = _export(store, tmp_path / "plan.xlsx")
    _edit(out, INCOMPLETE)
    result = ActionPlanService(store).import_(out)
    assert result.stored == 2
    assert list(result.incomplete) == [
        f"row {FIRST}: concern 1 (Agreed) has no action with an owner and a target date; add "
        "a step with Action, Owner and Target date",
        f"row {FIRST + 1}: concern 2 (Partly agreed) does not say which part is agreed; say so "
        "in 'Part agreed or reasons'",
        f"row {FIRST + 1}: concern 2 (Partly agreed) has a step with no owner; fill in Owner"]
    plan = _plan(store, refs["1"])
    assert plan is not None and [g.text() for g in plan.gaps()] == [
        "no action with an owner and a target date"]
    assert not _plan(store, refs["2"]).complete


def test_strict_import_refuses_incomplete_answers(store, refs, tmp_path, capsys):
    out = _export(store, tmp_path / "plan.xlsx")
    _edit(out, INCOMPLETE)
    assert main(["report", "action-plan-import", str(store.path), str(out), "--strict"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3 and err[0].startswith(f"hmip: row {FIRST}: concern 1 (Agreed) has no")
    assert all(c.action_plan is None for c in ConcernService(store).list())
    # Without --strict the same plan is stored, and each gap is a warning.
    assert main(["report", "action-plan-import", str(store.path), str(out)]) == 0
    captured = capsys.readouterr()
    assert "stored 2 responses" in captured.out
    assert captured.err.count("hmip: warning: incomplete: row") == 3
    assert main(["concern", "list", str(store.path), "--json"]) == 0
    listed = {c["id"]: c["action_plan"] for c in json.loads(capsys.readouterr().out)["concerns"]}
    assert listed[refs["1"]]["complete"] is False and listed[refs["1"]]["steps"] == []


# ---------------------------------------------------------------- header dates


def test_header_dates_submitted_is_read_and_stored(store, refs, tmp_path):
    out = _export(store, tmp_path / "plan.xlsx")
    ws = openpyxl.load_workbook(out)[X.SHEET_PLAN]
    assert ws.cell(X.PUBLISHED_ROW, 1).value == "Report published"
    assert ws.cell(X.SUBMITTED_ROW, 1).value == "Date submitted"
    value = X.DATE_VALUE_COLUMN
    assert ws.cell(X.PUBLISHED_ROW, value).value is None  # not published: left to fill
    assert ws.cell(X.SUBMITTED_ROW, value).value is None

    _edit(out, {(X.SUBMITTED_ROW, value): "31/02/2027"})
    with pytest.raises(X.ActionPlanRowsError) as info:
        ActionPlanService(store).import_(out)
    assert info.value.problems == [f"row {X.SUBMITTED_ROW}: date submitted '31/02/2027' is not "
                                   "a date; use a date, YYYY-MM-DD or DD/MM/YYYY"]

    _edit(out, {(X.SUBMITTED_ROW, value): dt.datetime(2027, 3, 30),
                (FIRST, "Response"): "Not agreed", (FIRST, "Part agreed or reasons"): "No."})
    result = ActionPlanService(store).import_(out)
    assert result.submitted_date == "2027-03-30" and result.changes.touches(R.INSPECTION)
    assert facts(store).action_plan_submitted_date == "2027-03-30"
    again = openpyxl.load_workbook(_export(store, tmp_path / "again.xlsx"))[X.SHEET_PLAN]
    assert again.cell(X.SUBMITTED_ROW, value).value == dt.datetime(2027, 3, 30)
    # An empty cell keeps the stored date.
    _edit(out, {(X.SUBMITTED_ROW, value): None})
    assert ActionPlanService(store).import_(out).changes.empty
    assert facts(store).action_plan_submitted_date == "2027-03-30"


def test_published_inspection_gives_its_date_and_still_takes_the_plan(store, refs, tmp_path):
    LifecycleService(store, today=lambda: dt.date(2027, 3, 1)).set_status(
        "published", "2027-02-20", despite_readiness=True)
    out = _export(store, tmp_path / "plan.xlsx")
    ws = openpyxl.load_workbook(out)[X.SHEET_PLAN]
    assert ws.cell(X.PUBLISHED_ROW, X.DATE_VALUE_COLUMN).value == dt.datetime(2027, 2, 20)
    _edit(out, {(X.SUBMITTED_ROW, X.DATE_VALUE_COLUMN): "2027-04-02",
                (FIRST, "Response"): "Agreed", (FIRST, "Action"): "Cameras",
                (FIRST, "Owner"): "Governor", (FIRST, "Target date"): "2027-09-01"})
    result = ActionPlanService(store).import_(out)  # action-plan tracking: accepted
    assert result.stored == 1 and facts(store).action_plan_submitted_date == "2027-04-02"
    with pytest.raises(L.PublishedReadOnlyError):  # the rest stays locked
        update_inspection(store, establishment_name="HMP Elsewhere")


# ---------------------------------------------------------------- the single-action version


def _old_workbook(path: Path, cids: dict[str, str]) -> None:
    """A plan as the single-action version wrote it (headings in row 4, no part/reasons
    column, no dates) and as an establishment filled it in."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = X.SHEET_PLAN
    ws["A1"], ws["A2"] = "Action plan: HMP Testfield", "A response to the HMIP inspection"
    ws.append([])
    ws.append(["Reference", "Priority or key", "Title", "Concern", "Addressed to", "Response",
               "Action", "Owner", "Target date", "Status", "Record id"])
    ws.append([1, "Priority concern", "Violence", "…", "", "Agreed", "Body cameras",
               "Governor", dt.datetime(2027, 3, 1), "In progress", cids["1"]])
    ws.append([2, "Key concern", "Cells", "…", "", "Not agreed", "Cleaned daily", None, None,
               None, cids["2"]])
    wb.save(path)


def test_reads_a_workbook_of_the_single_action_version(store, refs, tmp_path):
    out = tmp_path / "old.xlsx"
    _old_workbook(out, refs)
    result = ActionPlanService(store).import_(out)
    assert result.stored == 2 and result.incomplete == () and result.submitted_date is None
    assert _plan(store, refs["1"]) == AP.Response("agreed", "", (
        AP.Step("Body cameras", "Governor", "2027-03-01", "In progress"),))
    # That version's sheet asked for the reasons in the Action column.
    assert _plan(store, refs["2"]) == AP.Response("not_agreed", "Cleaned daily")


def test_single_action_payloads_read_as_one_step(store, refs, tmp_path):
    """Records written by the single-action version (also as merged from its bundles)."""
    with store.uow(write=True) as tx:
        for ref, old in (("1", OLD_AGREED), ("2", OLD_NOT_AGREED)):
            current = tx.records.get(refs[ref])
            check_payload(R.CONCERN, 1, {**current.payload, "action_plan": old})
            store.put(tx, R.CONCERN, refs[ref], {**current.payload, "action_plan": old})
    assert _plan(store, refs["1"]) == AP.Response("agreed", "", (
        AP.Step("Body cameras", "Governor", "2027-03-01", "In progress"),))
    assert _plan(store, refs["2"]) == AP.Response("not_agreed", "No money")
    rows = _sheet(_export(store, tmp_path / "plan.xlsx"))
    assert rows[0][5:10] == ("Agreed", None, "Body cameras", "Governor", dt.datetime(2027, 3, 1))
    assert rows[1][5:7] == ("Not agreed", "No money")
    # Editing the concern keeps the answer (now in the current shape).
    ConcernService(store).edit(refs["1"], title="Violence (2)")
    assert _plan(store, refs["1"]).steps[0].owner == "Governor"
    # The service still takes the old shape, and a list of steps.
    ConcernService(store).edit(refs["2"], action_plan={
        "response": "partly_agreed", "explanation": "Wing C only",
        "steps": [{"action": "Paint", "owner": "Works", "target_date": "2027-08-01"}]})
    assert _plan(store, refs["2"]).complete


def test_new_payloads_keep_the_first_step_where_the_single_action_version_reads_it():
    answer = AP.Response("partly_agreed", "Wing C only", (
        AP.Step("Paint", "Works", "2027-08-01"), AP.Step("Check", "Governor", "2027-09-01")))
    stored = answer.payload()
    check_payload(R.CONCERN, 1, {"title": "T", "action_plan": stored})
    assert (stored["action"], stored["owner"], stored["target_date"]) == (
        "Paint", "Works", "2027-08-01")
    assert AP.read(stored) == answer
    # What that version keeps when it rewrites the answer: the first step, read as one.
    kept = {k: stored[k] for k in ("response", "action", "owner", "target_date", "status")}
    assert AP.read(kept).steps == answer.steps[:1]
    reasons = AP.Response("not_agreed", "No money").payload()
    assert reasons["action"] == "No money" and AP.read({**reasons, "steps": None}) == \
        AP.Response("not_agreed", "No money")
    with pytest.raises(PayloadProblem, match="action_plan.steps"):
        check_payload(R.CONCERN, 1, {"title": "T", "action_plan": {**stored, "steps": "x"}})
    # Whatever else a bundle carries is read without failing.
    assert AP.read({"response": "agreed", "steps": [1, {"action": 2, "target_date": "soon"},
                                                    {"action": "a"}]}).steps == (AP.Step("a"),)


# ---------------------------------------------------------------- what is shown


def test_report_and_concerns_page_show_every_step(store, refs):
    from hmip_desktop.ui.concerns.concerns_page import action_plan_text, action_plan_tip

    answer = AP.Response("partly_agreed", "Wing C only", (
        AP.Step("Paint", "Works", "2027-08-01", "Not started"), AP.Step("Check", "", None)))
    texts = [b.text for b in _response(answer.payload(), "Previous item 1")]
    assert texts == ["Action plan response: Partly agreed. Part agreed: Wing C only",
                     "Step 1: Paint (owner Works, by 1 August 2027)", "Step 2: Check"]
    ConcernService(store).edit(refs["1"], action_plan=answer.payload())
    view = ConcernService(store).get(refs["1"])
    assert action_plan_text(view) == "Partly agreed, 2 steps, incomplete"
    assert action_plan_tip(view).splitlines() == [
        "Partly agreed: Wing C only", "1. Paint (Works, by 2027-08-01, Not started)",
        "2. Check", "Missing: step 2 has no owner or target date"]


def test_bundles_carry_both_shapes_between_versions(tmp_path):
    """A teammate's bundle with a single-action answer reads as one step; the plan imported
    here travels back with its steps, its first step where that version reads it, and the
    date submitted."""
    from tests.sync.conftest import TeamKit, acting

    kit = TeamKit(tmp_path / "team")
    try:
        lead, alice = kit.team("lead", "alice")
        with acting(alice):
            cid = ConcernService(alice.store).add(title="Violence", body="High.",
                                                  sections=["safety"], priority=True)
            with alice.store.uow(write=True) as tx:  # as the single-action version stores it
                current = tx.records.get(cid)
                alice.store.put(tx, R.CONCERN, cid, {**current.payload,
                                                     "action_plan": OLD_AGREED})
        kit.import_(lead, [kit.export(alice)])
        with acting(lead):
            assert _plan(lead.store, cid).steps == (
                AP.Step("Body cameras", "Governor", "2027-03-01", "In progress"),)
            out = _export(lead.store, tmp_path / "plan.xlsx")
            _edit(out, {(X.SUBMITTED_ROW, X.DATE_VALUE_COLUMN): "2027-04-02",
                        (FIRST + 1, "Action"): "Train staff", (FIRST + 1, "Owner"): "Head",
                        (FIRST + 1, "Target date"): "2027-05-01"}, insert_at=FIRST + 1)
            assert ActionPlanService(lead.store).import_(out).stored == 1
        kit.import_(alice, [kit.export(lead)])
        with alice.store.uow() as tx:
            stored = tx.records.get(cid).payload["action_plan"]
            inspection = tx.records.get(alice.store.inspection_id).payload
        assert len(stored["steps"]) == 2 and stored["owner"] == "Governor"
        assert inspection["action_plan_submitted_date"] == "2027-04-02"
    finally:
        kit.close()

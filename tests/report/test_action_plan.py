"""The action plan workbook: export, fill in, import; bad rows, formula injection, limits, CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import zipfile
from pathlib import Path

import openpyxl
import pytest

from hmip_desktop.cli.json_out import to_plain
from hmip_desktop.cli.main import main
from hmip_desktop.domain import concerns as C
from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.report import action_plan_read as reader
from hmip_desktop.report import action_plan_xlsx as X
from hmip_desktop.services.action_plan import ActionPlanService
from hmip_desktop.services.concerns import ConcernService
from hmip_desktop.services.inspections import update_inspection

SECRET = "Mr Smith on C wing"  # concern text that must never appear in an error


@pytest.fixture
def concerns(store):
    """Three concerns: register order A, B (priority), C; the report numbers B 1, A 2, C 3."""
    svc = ConcernService(store)
    a = svc.add(title=f"Concern A about {SECRET}", body="Body A", sections=["safety"],
                addressee="hmpps")
    b = svc.add(title="Concern B", body="Body B", sections=["safety"], priority=True,
                addressee="establishment_leaders")
    c = svc.add(title="Concern C", body="Body C", sections=["respect"])
    return {"1": b, "2": a, "3": c}


def _export(store, tmp_path: Path, name: str = "plan.xlsx") -> Path:
    out = tmp_path / name
    ActionPlanService(store).export(out)
    return out


def _rows(path: Path) -> dict[int, dict[str, object]]:
    """Data rows by reference, as {header: value}."""
    ws = openpyxl.load_workbook(path)[X.SHEET_PLAN]
    headers = [c.value for c in ws[X.HEADER_ROW]]
    out = {}
    for row in ws.iter_rows(min_row=X.HEADER_ROW + 1, values_only=True):
        if row[0] is not None:
            out[row[0]] = dict(zip(headers, row, strict=False))
    return out


def _fill(path: Path, answers: dict[object, dict[str, object]],
          extra_rows: list[list[object]] | None = None) -> None:
    """Fill the plan as an establishment would, with openpyxl."""
    wb = openpyxl.load_workbook(path)
    ws = wb[X.SHEET_PLAN]
    headers = {c.value: c.column for c in ws[X.HEADER_ROW]}
    for r in range(X.HEADER_ROW + 1, ws.max_row + 1):
        ref = ws.cell(r, headers[X.H_REFERENCE]).value
        for key, value in answers.get(ref, {}).items():
            X.put(ws.cell(r, headers[key]), value)  # text typed as text (as '=1+1 in Excel)
    for extra in extra_rows or []:
        ws.append(extra)
    wb.save(path)


def _plans(store) -> dict[str, dict | None]:
    return {c.id: c.action_plan for c in ConcernService(store).list()}


# ---------------------------------------------------------------- export


def test_export_restates_concerns_in_report_order(store, concerns, tmp_path):
    out = _export(store, tmp_path)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [X.SHEET_PLAN, X.SHEET_CATEGORIES]
    ws = wb[X.SHEET_PLAN]
    assert [c.value for c in ws[X.HEADER_ROW]][:11] == [
        "Reference", "Priority or key", "Title", "Concern", "Addressed to", "Response",
        "Part agreed or reasons", "Action", "Owner", "Target date", "Status"]
    assert ws.freeze_panes == f"A{X.HEADER_ROW + 1}"
    assert "HMP Testfield" in ws["A1"].value
    assert "16 November 2026 to 27 November 2026" in ws["A2"].value
    assert "HMP Testfield" in wb.properties.title
    rows = _rows(out)
    assert list(rows) == [1, 2, 3]
    assert rows[1]["Priority or key"] == "Priority concern"
    assert rows[1]["Title"] == "Concern B"
    assert rows[1]["Addressed to"] == "The establishment's leaders"
    assert rows[2]["Priority or key"] == "Key concern" and rows[2]["Addressed to"] == "HMPPS"
    assert rows[2]["Concern"] == "Body A"
    assert rows[3]["Record id"] == concerns["3"]
    # Same numbering as the report model.
    svc = ConcernService(store)
    order = C.report_order([(c.id, c.priority, c.order) for c in svc.list()])
    assert {ref: cid for cid, ref in order} == concerns
    validations = {str(v.sqref): v for v in ws.data_validations.dataValidation}
    # The lists reach below the last concern, for steps added at the end.
    last = X.HEADER_ROW + 3 + X.SPARE_ROWS
    response = validations[f"F{X.HEADER_ROW + 1}:F{last}"]
    assert response.type == "list" and response.formula1 == '"Agreed,Partly agreed,Not agreed"'
    assert validations[f"J{X.HEADER_ROW + 1}:J{last}"].type == "date"
    assert ws.cell(X.HEADER_ROW + 1, 10).number_format == X.DATE_FORMAT
    cats = wb[X.SHEET_CATEGORIES]
    texts = [c.value for c in cats["A"] if c.value]
    assert {"Agreed", "Partly agreed", "Not agreed"} <= set(texts)


def test_failed_export_leaves_nothing(store, concerns, tmp_path, monkeypatch):
    def boom(self, filename):  # noqa: ANN001
        Path(filename).write_bytes(b"partial")
        raise RuntimeError("disk trouble")

    monkeypatch.setattr(openpyxl.Workbook, "save", boom)
    with pytest.raises(RuntimeError):
        _export(store, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir() if "xlsx" in p.name or ".part" in p.name) == []


# ---------------------------------------------------------------- round trip


def test_round_trip_stores_responses_and_prefills_reexport(store, concerns, tmp_path):
    out = _export(store, tmp_path)
    _fill(out, {
        1: {"Response": "Agreed", "Action": "Review reception screening", "Owner": "Head of "
            "safety", "Target date": dt.datetime(2027, 3, 31), "Status": "In progress"},
        2: {"Response": "partly agreed", "Action": "Part", "Owner": "Governor",
            "Target date": "30/06/2027", "Status": "Not started",
            "Part agreed or reasons": "Screening only"},
        3: {"Response": None, "Action": "ignored: not yet answered"},
    })
    result = ActionPlanService(store).import_(out)
    assert result.changes.ids == frozenset({concerns["1"], concerns["2"]})
    assert result.stored == 2 and result.incomplete == () and result.submitted_date is None
    plans = _plans(store)
    step = {"action": "Review reception screening", "owner": "Head of safety",
            "target_date": "2027-03-31", "status": "In progress"}
    # The first step is repeated at the top for the single-action version.
    assert plans[concerns["1"]] == {"response": "agreed", "explanation": "", "steps": [step],
                                    **step}
    assert plans[concerns["2"]]["response"] == "partly_agreed"
    assert plans[concerns["2"]]["target_date"] == "2027-06-30"
    assert plans[concerns["3"]] is None

    # Importing the same plan again writes nothing.
    assert ActionPlanService(store).import_(out).changes.ids == frozenset()

    # Editing a concern keeps its response; the JSON view carries it.
    svc = ConcernService(store)
    svc.edit(concerns["1"], title="Concern B (2)")
    view = svc.get(concerns["1"])
    assert view.action_plan["owner"] == "Head of safety"
    assert json.loads(json.dumps(to_plain(view)))["action_plan"]["response"] == "agreed"

    again = _rows(_export(store, tmp_path, "again.xlsx"))
    assert again[1]["Response"] == "Agreed" and again[1]["Owner"] == "Head of safety"
    assert again[1]["Target date"] == dt.datetime(2027, 3, 31)
    assert again[2]["Response"] == "Partly agreed" and again[2]["Status"] == "Not started"
    assert again[3]["Response"] is None


def test_import_accepts_iso_text_dates_and_no_date(store, concerns, tmp_path):
    out = _export(store, tmp_path)
    _fill(out, {1: {"Response": "Agreed", "Target date": "2027-01-05"},
                3: {"Response": "Not agreed", "Part agreed or reasons": "Reasons"}})
    ActionPlanService(store).import_(out)
    plans = _plans(store)
    assert plans[concerns["1"]]["steps"][0]["target_date"] == "2027-01-05"
    assert plans[concerns["3"]] == {"response": "not_agreed", "explanation": "Reasons",
                                    "steps": [], "action": "Reasons", "owner": "",
                                    "target_date": None, "status": ""}


def test_service_edit_checks_the_action_plan_shape(store, concerns):
    svc = ConcernService(store)
    with pytest.raises(ValidationError):
        svc.edit(concerns["1"], action_plan={"response": "yes"})
    with pytest.raises(ValidationError):
        svc.edit(concerns["1"], action_plan={"response": "agreed", "target_date": "soon"})
    svc.edit(concerns["1"], action_plan={"response": "agreed", "target_date": "2027-01-01"})
    assert svc.get(concerns["1"]).action_plan["target_date"] == "2027-01-01"


# ---------------------------------------------------------------- bad rows


def test_bad_rows_are_each_named_and_nothing_is_stored(store, concerns, tmp_path):
    out = _export(store, tmp_path)
    first = X.HEADER_ROW + 1
    _fill(out, {
        1: {"Response": "Agreed", "Target date": "2027-02-01"},  # good, but not stored
        2: {"Response": "Yes"},
        3: {"Response": "Agreed", "Target date": "next week"},
    }, extra_rows=[[99, None, None, None, None, "Agreed"]])
    with pytest.raises(X.ActionPlanRowsError) as info:
        ActionPlanService(store).import_(out)
    problems = info.value.problems
    assert problems == [
        f"row {first + 1}: unknown response 'Yes'; use Agreed, Partly agreed or Not agreed",
        f"row {first + 2}: target date 'next week' is not a date; use a date, YYYY-MM-DD or "
        "DD/MM/YYYY",
        f"row {first + 3}: unknown concern reference '99'; this inspection's concerns are "
        "numbered 1 to 3",
    ]
    assert isinstance(info.value, ValidationError)
    assert SECRET not in str(info.value) and "Concern B" not in str(info.value)
    assert all(p is None for p in _plans(store).values())


def test_duplicate_and_moved_rows_are_refused(store, concerns, tmp_path):
    out = _export(store, tmp_path)
    _fill(out, {1: {"Response": "Agreed"}},
          extra_rows=[[1, None, None, None, None, "Not agreed"]])
    with pytest.raises(X.ActionPlanRowsError,
                       match="concern 1 already has the response 'Agreed' in row"):
        ActionPlanService(store).import_(out)

    out = _export(store, tmp_path, "moved.xlsx")
    _fill(out, {2: {"Response": "Agreed"}})
    # Another concern becomes priority: reference 2 now names a different concern.
    ConcernService(store).set_priority(concerns["3"], True)
    with pytest.raises(X.ActionPlanRowsError, match="export the action plan again"):
        ActionPlanService(store).import_(out)
    assert all(p is None for p in _plans(store).values())


def test_missing_sheet_or_not_a_workbook(store, concerns, tmp_path):
    bogus = tmp_path / "bogus.xlsx"
    bogus.write_text("not a zip", encoding="utf-8")
    with pytest.raises(ValidationError, match="not an Excel workbook"):
        ActionPlanService(store).import_(bogus)
    other = tmp_path / "other.xlsx"
    openpyxl.Workbook().save(other)
    with pytest.raises(ValidationError, match="no sheet named 'Action plan'"):
        ActionPlanService(store).import_(other)


# ---------------------------------------------------------------- formula injection

DANGEROUS = ["=HYPERLINK(\"http://evil.test\",\"x\")", "+SUM(1,2)", "-2+3", "@cmd",
             "\t=1+1", "\r=1+1", "=cmd|' /C calc'!A0", "#N/A"]


def test_formula_injection_is_neutralised(store, tmp_path):
    update_inspection(store, establishment_name="=HMP Evil()")
    svc = ConcernService(store)
    for i, text in enumerate(DANGEROUS):
        svc.add(title=text, body=text, sections=["safety"], priority=i < 3)
    out = _export(store, tmp_path)
    _fill(out, {1: {"Response": "Agreed", "Action": "=1+1", "Owner": "@owner",
                    "Status": "-done"}})
    ActionPlanService(store).import_(out)  # imported text is kept as text
    out = _export(store, tmp_path, "again.xlsx")

    with zipfile.ZipFile(out) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in zf.read(name) and b"<f " not in zf.read(name)
    ws = openpyxl.load_workbook(out)[X.SHEET_PLAN]
    assert ws["A1"].data_type == "s" and ws["A1"].value == "Action plan: =HMP Evil()"
    seen = set()
    for row in ws.iter_rows(min_row=X.HEADER_ROW + 1):
        for cell in row:
            if isinstance(cell.value, str):
                assert cell.data_type == "s"
                if cell.value.startswith(("=", "+", "-", "@", "\t", "\r")):
                    assert cell.quotePrefix, cell.coordinate
                seen.add(cell.value)
    assert set(DANGEROUS) <= seen
    assert {"=1+1", "@owner", "-done"} <= seen
    # And what was imported reads back exactly.
    plan = next(c.action_plan for c in svc.list() if c.action_plan)
    assert plan["action"] == "=1+1" and plan["owner"] == "@owner"


# ---------------------------------------------------------------- limits


def test_file_size_limit_is_named(store, concerns, tmp_path, monkeypatch):
    out = _export(store, tmp_path)
    monkeypatch.setattr(reader, "MAX_FILE_BYTES", 1024)
    with pytest.raises(ValidationError, match="over the file size limit of 1 KiB"):
        ActionPlanService(store).import_(out)


def test_decompressed_size_limit_is_named(store, concerns, tmp_path, monkeypatch):
    out = _export(store, tmp_path)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("xl/padding.bin", b"\0" * (3 * 1024 * 1024))
    assert bomb.stat().st_size < 100 * 1024
    monkeypatch.setattr(reader, "MAX_UNZIPPED_BYTES", 2 * 1024 * 1024)
    with pytest.raises(ValidationError, match="decompressed size limit of 2 MiB"):
        ActionPlanService(store).import_(bomb)


def test_row_column_and_cell_limits_are_named(store, concerns, tmp_path, monkeypatch):
    out = _export(store, tmp_path)
    _fill(out, {1: {"Response": "Agreed", "Action": "x" * 200}})
    monkeypatch.setattr(reader, "MAX_CELL_CHARS", 100)
    with pytest.raises(ValidationError, match="cell length limit of 100"):
        ActionPlanService(store).import_(out)
    monkeypatch.setattr(reader, "MAX_CELL_CHARS", 10_000)
    monkeypatch.setattr(reader, "MAX_ROWS", X.HEADER_ROW + 1)
    with pytest.raises(ValidationError, match="row limit"):
        ActionPlanService(store).import_(out)
    monkeypatch.setattr(reader, "MAX_ROWS", 1000)
    monkeypatch.setattr(reader, "MAX_COLUMNS", 5)
    with pytest.raises(ValidationError, match="column limit of 5"):
        ActionPlanService(store).import_(out)


# ---------------------------------------------------------------- CLI


def test_cli_export_import_and_list(store, concerns, tmp_path, capsys):
    out = tmp_path / "cli-plan.xlsx"
    assert main(["report", "action-plan", str(store.path), "--out", str(out)]) == 0
    assert "3 concerns" in capsys.readouterr().out
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600

    _fill(out, {1: {"Response": "Maybe"}, 2: {"Response": "Agreed", "Target date": "31/02/2027"}})
    assert main(["report", "action-plan-import", str(store.path), str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2
    assert err[0].startswith(f"hmip: row {X.HEADER_ROW + 1}: unknown response 'Maybe'")
    assert err[1].startswith(f"hmip: row {X.HEADER_ROW + 2}: target date")
    assert all(p is None for p in _plans(store).values())

    _fill(out, {1: {"Response": "Not agreed"},
                2: {"Response": "Agreed", "Target date": "28/02/2027", "Owner": "Governor"}})
    assert main(["report", "action-plan-import", str(store.path), str(out)]) == 0
    printed = capsys.readouterr()
    assert "stored 2 responses" in printed.out
    # Stored as sent, and what is missing is named (both answers are incomplete).
    assert printed.err.splitlines() == [
        f"hmip: warning: incomplete: row {X.HEADER_ROW + 1}: concern 1 (Not agreed) gives no "
        "reasons; give them in 'Part agreed or reasons'",
        f"hmip: warning: incomplete: row {X.HEADER_ROW + 2}: concern 2 (Agreed) has a step with "
        "no action; fill in Action",
        "hmip: warning: 2 gaps stored as sent; ask the establishment for what is missing"]

    assert main(["concern", "list", str(store.path), "--json"]) == 0
    listed = {c["id"]: c for c in json.loads(capsys.readouterr().out)["concerns"]}
    assert listed[concerns["1"]]["action_plan"]["response"] == "not_agreed"
    step = {"action": "", "owner": "Governor", "target_date": "2027-02-28", "status": ""}
    assert listed[concerns["2"]]["action_plan"] == {
        "response": "agreed", "explanation": "", "steps": [step], **step, "complete": False,
        "gaps": ["step 1 has no action"]}
    assert listed[concerns["3"]]["action_plan"] is None


def test_concerns_page_shows_the_response_read_only(store, concerns, tmp_path):
    from hmip_desktop.ui.concerns.concerns_page import action_plan_text

    out = _export(store, tmp_path)
    _fill(out, {1: {"Response": "Partly agreed", "Owner": "Governor", "Action": "Screen",
                    "Target date": "2027-04-01", "Status": "In progress",
                    "Part agreed or reasons": "Screening"}})
    ActionPlanService(store).import_(out)
    views = {c.id: c for c in ConcernService(store).list()}
    assert action_plan_text(views[concerns["1"]]) == (
        "Partly agreed, owner Governor, by 2027-04-01, In progress")
    assert action_plan_text(views[concerns["2"]]) == ""


def test_disclosure_check_guards_the_workbook(store, tmp_path, capsys):
    from hmip_desktop.services.report import DisclosureBlocked
    from hmip_desktop.services.report_writing import ReportWritingService

    ConcernService(store).add(title="Escorts", body="A1234BC missed court; Mr Pryce agreed.",
                              sections=["safety"])
    ReportWritingService(store).add_terms(["Mr Pryce"])
    out = tmp_path / "plan.xlsx"
    with pytest.raises(DisclosureBlocked) as caught:
        ActionPlanService(store).export(out)
    assert sorted(h.kind for h in caught.value.hits) == ["prison_number", "term"]
    assert all(h.where.startswith("Action plan › concern 1") for h in caught.value.hits)
    assert not out.exists()
    code = main(["report", "action-plan", str(store.path), "--out", str(out)])
    assert code == 2 and "A1234BC" in capsys.readouterr().err and not out.exists()
    assert main(["report", "action-plan", str(store.path), "--out", str(out), "--redact"]) == 0
    body = next(iter(_rows(out).values()))["Concern"]
    assert body == "[redacted] missed court; [redacted] agreed."


def test_a_long_concern_restated_in_full_reads_back(store, tmp_path):
    # A key concern of ~12,000 characters is written whole into the Concern column; the
    # returned plan must not be refused for the text the export itself put there.
    body = "Staff shortages meant prisoners were locked up for too long. " * 200
    cid = ConcernService(store).add(title="Long", body=body, sections=["safety"])
    out = _export(store, tmp_path)
    assert _rows(out)[1][X.H_CONCERN] == body
    _fill(out, {1: {"Response": "Agreed", "Action": "Recruit staff"}})
    ActionPlanService(store).import_(out)
    assert _plans(store)[cid]["action"] == "Recruit staff"


def test_characters_xml_cannot_carry_do_not_break_the_workbook(store, tmp_path):
    # U+FFFE/U+FFFF pass openpyxl's own filter, and lxml then refused to save: exit 70.
    update_inspection(store, establishment_name="HMP \uffffTestfield\ufffe")
    ConcernService(store).add(title="Cells\uffff \x0bdamp", body="Damp\ufffe walls\x00",
                              sections=["safety"])
    out = _export(store, tmp_path)
    wb = openpyxl.load_workbook(out)
    assert wb[X.SHEET_PLAN]["A1"].value == "Action plan: HMP Testfield"
    assert wb.properties.title == "Action plan: HMP Testfield"
    row = _rows(out)[1]
    assert (row[X.H_TITLE], row[X.H_CONCERN]) == ("Cells damp", "Damp walls")


def test_export_needs_an_xlsx_name(store, concerns, tmp_path, capsys):
    # "--out plan.pdf" wrote a workbook under a PDF's name, which nothing then opens.
    for name in ("plan.pdf", "plan", "plan.xls"):
        assert main(["report", "action-plan", str(store.path), "--out",
                     str(tmp_path / name)]) == 2
        assert "a file ending in .xlsx" in capsys.readouterr().err
    assert not any((tmp_path / name).exists() for name in ("plan.pdf", "plan", "plan.xls"))
    assert main(["report", "action-plan", str(store.path), "--out",
                 str(tmp_path / "PLAN.XLSX")]) == 0


def test_dates_are_written_in_english_whatever_the_locale(store, tmp_path, monkeypatch):
    # Qt sets the C library's locale from the desktop, and %B follows it; this date class
    # stands in for a cy_GB desktop (the test machine need not have that locale).
    class WelshLocaleDate(dt.date):
        def __format__(self, spec: str) -> str:
            return super().__format__(spec.replace("%B", "Tachwedd"))

    fake_dt = type("fake_dt", (), {"date": WelshLocaleDate, "datetime": dt.datetime})
    monkeypatch.setattr(X, "dt", fake_dt)
    out = _export(store, tmp_path)
    subtitle = openpyxl.load_workbook(out)[X.SHEET_PLAN]["A2"].value
    assert "16 November 2026 to 27 November 2026" in subtitle and "Tachwedd" not in subtitle

"""A returned action plan whose sheet XML is damaged or padded: a clear refusal (exit 2),
nothing stored, nothing of the cell in the message or the log; padded rows cost their cells."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import pytest

from hmip_desktop.cli.main import main
from hmip_desktop.domain.errors import Cancelled, ValidationError
from hmip_desktop.report import action_plan_read as reader
from hmip_desktop.report import action_plan_xlsx as X
from hmip_desktop.services.action_plan import ActionPlanService
from hmip_desktop.services.concerns import ConcernService
from tests.hostile_xlsx import CELL, LOL, bad_cells

# Cells openpyxl cannot read, each in a row below the plan's rows.
BAD_CELLS = bad_cells("A")


@pytest.fixture
def plan(store, tmp_path: Path) -> Path:
    ConcernService(store).add(title="Concern A", body="Body A", sections=["safety"])
    out = tmp_path / "plan.xlsx"
    ActionPlanService(store).export(out)
    return out


def _rewrite_sheet(src: Path, out: Path, rows: str, prolog: str = "") -> Path:
    """`src` with `rows` added at the end of every worksheet's data (and `prolog` before
    its root element)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                text = data.decode()
                text = text.replace("</sheetData>", rows + "</sheetData>", 1)
                if prolog:
                    text = text.replace("<worksheet", prolog + "<worksheet", 1)
                data = text.encode()
            zout.writestr(info, data)
    return out


def _plans(store) -> list[object]:
    return [c.action_plan for c in ConcernService(store).list()]


@pytest.mark.parametrize("kind", sorted(BAD_CELLS))
def test_a_damaged_cell_is_refused_in_words(store, plan, tmp_path, kind, capsys, caplog):
    row = f'<row r="40">{BAD_CELLS[kind].format(r=40)}</row>'
    bad = _rewrite_sheet(plan, tmp_path / "bad.xlsx", row,
                         LOL if kind == "entity_expansion" else "")
    with pytest.raises(ValidationError, match="damaged") as caught:
        ActionPlanService(store).import_(bad)
    assert "save it again" in str(caught.value)
    assert CELL not in str(caught.value) and "2020-13-45" not in str(caught.value)
    assert _plans(store) == [None]

    caplog.set_level(logging.DEBUG)
    assert main(["report", "action-plan-import", str(store.path), str(bad)]) == 2
    err = capsys.readouterr().err
    assert "damaged" in err and CELL not in err and "Traceback" not in err
    assert CELL not in caplog.text and "Traceback" not in caplog.text
    assert _plans(store) == [None]


def test_rows_padded_to_column_xfd_cost_their_cells(plan, tmp_path, monkeypatch):
    # One empty cell in column XFD per row: openpyxl's iter_rows made each row 16,384 values.
    rows = "".join(f'<row r="{k}"><c r="XFD{k}"/></row>' for k in range(40, 2040))
    padded = _rewrite_sheet(plan, tmp_path / "padded.xlsx", rows)
    looked = 0
    blank = reader._blank

    def counting(value: object) -> bool:
        nonlocal looked
        looked += 1
        return blank(value)

    monkeypatch.setattr(reader, "_blank", counting)
    assert reader.read_action_plan(padded).answers == []
    assert looked < 50_000  # a few per cell written, not 16,384 per row


def test_cancel_stops_the_read_itself(store, plan, tmp_path, monkeypatch):
    rows = "".join(f'<row r="{k}"><c r="A{k}"/></row>' for k in range(40, 3040))
    long = _rewrite_sheet(plan, tmp_path / "long.xlsx", rows)
    asked = []

    def parse(*_args: object) -> None:
        raise AssertionError("the whole workbook was read before Cancel was looked at")

    monkeypatch.setattr(reader, "_parse", parse)
    with pytest.raises(Cancelled):
        ActionPlanService(store).import_(long, cancel=lambda: not asked.append(1))
    assert asked
    assert _plans(store) == [None]


def test_the_exported_plan_still_reads(store, plan):
    assert reader.read_action_plan(plan).answers == []
    assert X.SHEET_PLAN

"""XLSX extracts and documents whose sheet XML is damaged or padded: ImportFormatError (exit 2
in the CLI) naming no cell content, never an internal error; padded rows cost their cells."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from hmip_desktop.domain.errors import ImportFormatError, ValidationError
from hmip_desktop.domain.mime import MIME_XLSX
from hmip_desktop.ingest import xlsx
from hmip_desktop.ingest.documents import extract_text
from hmip_desktop.ingest.tabular import iter_rows, sniff
from tests.hostile_xlsx import CELL, LOL, bad_cells

BAD_CELLS = bad_cells("B")


def _workbook(path: Path, rows: int, extra: str = "", prolog: str = "") -> Path:
    """name/count rows 2..rows+1, then the raw XML `extra` before the end of the sheet data."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["name", "count"])
    for k in range(rows):
        ws.append([f"n{k}", k])
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode().replace("</sheetData>", extra + "</sheetData>", 1)
                if prolog:
                    text = text.replace("<worksheet", prolog + "<worksheet", 1)
                data = text.encode()
            zout.writestr(info, data)
    return path


def _bad(tmp_path: Path, kind: str, row: int) -> Path:
    extra = f'<row r="{row}"><c r="A{row}" t="inlineStr"><is><t>x</t></is></c>' \
            f'{BAD_CELLS[kind].format(r=row)}</row>'
    return _workbook(tmp_path / "bad.xlsx", row - 2, extra,
                     LOL if kind == "entity_expansion" else "")


def _assert_refused(caught: pytest.ExceptionInfo) -> None:
    text = str(caught.value)
    assert "damaged" in text and "save it again" in text
    assert CELL not in text and "2020-13-45" not in text


@pytest.mark.parametrize("kind", sorted(BAD_CELLS))
def test_a_damaged_cell_in_the_sample_is_refused(tmp_path, kind):
    path = _bad(tmp_path, kind, 4)
    with pytest.raises(ImportFormatError) as caught:
        sniff(path)
    _assert_refused(caught)


@pytest.mark.parametrize("kind", sorted(BAD_CELLS))
def test_a_damaged_cell_past_the_sample_is_refused(tmp_path, kind):
    path = _bad(tmp_path, kind, 60)
    found = sniff(path, sample_rows=10)
    with pytest.raises(ImportFormatError) as caught:
        for _batch in iter_rows(path, found, batch_size=7):
            pass
    _assert_refused(caught)


@pytest.mark.parametrize("kind", sorted(BAD_CELLS))
def test_a_damaged_cell_in_a_document_is_refused(tmp_path, kind):
    with pytest.raises(ValidationError) as caught:
        extract_text(_bad(tmp_path, kind, 4), MIME_XLSX)
    _assert_refused(caught)


def _padded(tmp_path: Path, rows: int) -> Path:
    # One empty cell in column XFD per row: openpyxl's iter_rows made each row 16,384 values.
    extra = "".join(f'<row r="{k}"><c r="XFD{k}"/></row>' for k in range(4, 4 + rows))
    return _workbook(tmp_path / "padded.xlsx", 2, extra)


def test_rows_padded_to_column_xfd_cost_their_cells(tmp_path, monkeypatch):
    path = _padded(tmp_path, 1000)
    looked = 0
    blank = xlsx._blank

    def counting(value: object) -> bool:
        nonlocal looked
        looked += 1
        return blank(value)

    monkeypatch.setattr(xlsx, "_blank", counting)
    found = sniff(path)
    assert [r for batch in iter_rows(path, found) for r in batch] == [("n0", 0), ("n1", 1)]
    assert looked < 50_000  # a few per cell written, not 16,384 per row


def test_padded_rows_cost_their_cells_in_a_document(tmp_path, monkeypatch):
    path = _padded(tmp_path, 1000)
    converted = 0
    to_text = xlsx.to_text

    def counting(value: object) -> str | None:
        nonlocal converted
        converted += 1
        return to_text(value)

    monkeypatch.setattr(xlsx, "to_text", counting)
    assert extract_text(path, MIME_XLSX) == ["name\tcount\nn0\t0\nn1\t1"]
    assert converted < 50_000


def test_a_value_far_right_is_still_refused_as_a_ragged_row(tmp_path):
    path = _workbook(tmp_path / "far.xlsx", 2, '<row r="9"><c r="XFD9" t="n"><v>5</v></c></row>')
    found = sniff(path, sample_rows=2)
    with pytest.raises(ImportFormatError, match="16384|16,384"):
        for _batch in iter_rows(path, found):
            pass
    with pytest.raises(ImportFormatError, match="limit: columns"):
        sniff(path)

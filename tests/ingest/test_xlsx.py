"""XLSX extracts: sniffing, types from cell values, merged cells, streaming and errors."""

from __future__ import annotations

import threading
import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from hmip_desktop.domain.errors import Cancelled, ImportFormatError
from hmip_desktop.ingest.merged import merged_ranges
from hmip_desktop.ingest.tabular import ColumnSpec, iter_rows, sniff

SECRET = "Smith-Confidential"
HEADER = ["Prison number", "Date", "Minutes", "Staff", "Stamp", "Note"]
ROWS = [
    ["A1234BC", datetime(2024, 1, 31), 12.5, 3, datetime(2024, 1, 31, 14, 5), "planned"],
    ["A2345CD", date(2024, 2, 1), 7, None, datetime(2024, 2, 1, 9, 30), None],
    ["A3456DE", "03/02/2024", None, 2.0, None, True],
]


def test_sniff_reads_types_from_cell_values(write_xlsx):
    found = sniff(write_xlsx("uof.xlsx", {"Data": [HEADER, *ROWS]}))
    assert (found.kind, found.sheet, found.has_header) == ("xlsx", "Data", True)
    assert found.encoding is None and found.delimiter is None
    assert found.columns == [
        ColumnSpec("Prison number", "text"),
        ColumnSpec("Date", "date"),
        ColumnSpec("Minutes", "decimal"),
        ColumnSpec("Staff", "integer"),
        ColumnSpec("Stamp", "text"),
        ColumnSpec("Note", "text"),
    ]
    assert found.sample[0] == [
        "A1234BC",
        "2024-01-31",
        "12.5",
        "3",
        "2024-01-31 14:05:00",
        "planned",
    ]
    assert found.sample[2][5] == "TRUE"


def test_rows_are_converted(write_xlsx, read_all):
    path = write_xlsx("uof.xlsx", {"Data": [HEADER, *ROWS]})
    assert read_all(path) == [
        ("A1234BC", "2024-01-31", "12.5", 3, "2024-01-31 14:05:00", "planned"),
        ("A2345CD", "2024-02-01", "7", None, "2024-02-01 09:30:00", None),
        ("A3456DE", "2024-02-03", None, 2, None, "TRUE"),
    ]


def test_sheet_can_be_chosen(write_xlsx):
    path = write_xlsx("two.xlsx", {"Notes": [["Read me"], ["x"]], "Data": [["n"], [1], [2]]})
    assert sniff(path).sheet == "Notes"
    found = sniff(path, sheet="Data")
    assert found.columns == [ColumnSpec("n", "integer")]
    assert [r for b in iter_rows(path, found) for r in b] == [(1,), (2,)]
    with pytest.raises(ImportFormatError, match="'Notes', 'Data'"):
        sniff(path, sheet="Missing")


def test_blank_rows_are_skipped_and_rows_keep_sheet_numbers(write_xlsx):
    path = write_xlsx(
        "gap.xlsx", {"S": [["n", "t"], [1, "a"], [None, None], [None], [2, "b"], [SECRET, "c"]]}
    )
    found = sniff(path, sample_rows=2)
    assert found.columns[0].type == "integer"
    with pytest.raises(ImportFormatError) as caught:
        for _ in iter_rows(path, found):
            pass
    err = caught.value
    assert (err.row, err.column) == (6, "n")
    assert "integer" in str(err) and SECRET not in str(err)


def test_user_corrected_types(write_xlsx):
    path = write_xlsx("t.xlsx", {"S": [["code", "when"], ["007", datetime(2024, 1, 31)]]})
    found = sniff(path)
    assert [c.type for c in found.columns] == ["text", "date"]
    found.columns = [ColumnSpec("code", "integer"), ColumnSpec("when", "text")]
    assert [r for b in iter_rows(path, found) for r in b] == [(7, "2024-01-31")]


def test_value_beyond_last_heading_is_ragged(write_xlsx):
    path = write_xlsx("r.xlsx", {"S": [["a", "b"], [1, 2], [3, 4, SECRET]]})
    with pytest.raises(ImportFormatError) as caught:
        sniff(path)
    assert caught.value.row == 3 and SECRET not in str(caught.value)
    found = sniff(write_xlsx("ok.xlsx", {"S": [["a", "b"], [1, 2]]}))
    with pytest.raises(ImportFormatError) as caught:
        for _ in iter_rows(path, found):
            pass
    assert caught.value.row == 3


def test_merged_header_cells_are_refused(write_xlsx):
    rows = [["Incident", None, "Date"], ["a", "b", datetime(2024, 1, 1)]]
    path = write_xlsx("m.xlsx", {"S": rows}, merges=("A1:B1",))
    with pytest.raises(ImportFormatError) as caught:
        sniff(path)
    assert "A1:B1" in str(caught.value) and "header" in str(caught.value)
    assert caught.value.row == 1


def test_merged_data_cells_are_refused(write_xlsx):
    rows = [["a", "b"], [1, 2], [3, None], [5, 6]]
    path = write_xlsx("m.xlsx", {"S": rows}, merges=("B3:B4", "A4:A5"))
    with pytest.raises(ImportFormatError) as caught:
        sniff(path)
    assert "B3:B4" in str(caught.value) and "A4:A5" in str(caught.value)


def test_merged_ranges_found_past_a_large_sheet(tmp_path):
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Big")
    for i in range(30_000):
        sheet.append([i, f"text {i} with <angle> & mergeCell words", 1.5])
    workbook.save(tmp_path / "big.xlsx")
    with (tmp_path / "big.xlsx").open("rb") as stream:
        assert merged_ranges(stream, "Big") == []
    edit = openpyxl.load_workbook(tmp_path / "big.xlsx")
    edit["Big"].merge_cells("C29000:D29001")
    edit.save(tmp_path / "big.xlsx")
    with (tmp_path / "big.xlsx").open("rb") as stream:
        assert merged_ranges(stream, "Big") == ["C29000:D29001"]


def test_header_problems(write_xlsx):
    with pytest.raises(ImportFormatError, match="columns 1 and 2"):
        sniff(write_xlsx("d.xlsx", {"S": [["Wing", "wing "], [1, 2]]}))
    with pytest.raises(ImportFormatError, match="column 2 has no heading"):
        sniff(write_xlsx("b.xlsx", {"S": [["Wing", None, "Date"], [1, 2, 3]]}))
    with pytest.raises(ImportFormatError, match="no data rows"):
        sniff(write_xlsx("h.xlsx", {"S": [["Wing", "Date"]]}))
    with pytest.raises(ImportFormatError, match="empty"):
        sniff(write_xlsx("e.xlsx", {"S": []}))


def test_headerless_sheet(write_xlsx):
    found = sniff(write_xlsx("n.xlsx", {"S": [[1, datetime(2024, 1, 1), "x"], [2, None, "y"]]}))
    assert not found.has_header
    assert [(c.name, c.type) for c in found.columns] == [
        ("column_1", "integer"),
        ("column_2", "date"),
        ("column_3", "text"),
    ]


def test_progress_and_cancel(write_xlsx):
    path = write_xlsx("n.xlsx", {"S": [["n"], *([i] for i in range(50))]})
    found = sniff(path)
    seen: list[tuple[int, int]] = []
    batches = list(iter_rows(path, found, batch_size=20, progress=lambda d, t: seen.append((d, t))))
    assert [len(b) for b in batches] == [20, 20, 10]
    total = path.stat().st_size
    assert seen[-1] == (total, total)
    assert [d for d, _t in seen] == sorted(d for d, _t in seen)
    cancel = threading.Event()
    reader = iter_rows(path, found, batch_size=20, cancel=cancel)
    next(reader)
    cancel.set()
    with pytest.raises(Cancelled):
        next(reader)


def test_damaged_workbook(tmp_path):
    path = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(path, "w") as archive:  # looks like an .xlsx, but is not one
        archive.writestr("xl/workbook.xml", "<not-a-workbook")
    with pytest.raises(ImportFormatError, match="damaged"):
        sniff(path)

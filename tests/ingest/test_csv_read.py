"""Streaming CSV rows: conversion, user-corrected types, every error path, cancel and memory."""

from __future__ import annotations

import dataclasses
import threading
import tracemalloc

import pytest

from hmip_desktop.domain.errors import Cancelled, ImportFormatError
from hmip_desktop.ingest.tabular import ColumnSpec, iter_rows, sniff

SECRET = "Smith-Confidential"  # a cell value that no error message may repeat


def _error(path, found=None, **kwargs) -> ImportFormatError:
    """Read the whole file and return the ImportFormatError it raises."""
    found = found or sniff(path)
    with pytest.raises(ImportFormatError) as caught:
        for _batch in iter_rows(path, found, **kwargs):
            pass
    return caught.value


def test_rows_are_converted(write_text, read_all):
    path = write_text(
        "uof.csv",
        "id,when,minutes,wing,note\n"
        '1,31/01/2024,12.50,A,"restraint, planned"\n'
        '"1,002",2024-02-01,"1,300.5",B,\n'
        '3,1 Mar 2024,,C,"two\nlines"\n',
    )
    assert read_all(path) == [
        (1, "2024-01-31", "12.50", "A", "restraint, planned"),
        (1002, "2024-02-01", "1300.5", "B", None),
        (3, "2024-03-01", None, "C", "two\nlines"),
    ]


def test_user_corrected_types_are_applied(write_text):
    path = write_text("d.csv", "code,when\n0123,31/01/2024\n0456,01/02/2024\n")
    found = sniff(path)
    assert [c.type for c in found.columns] == ["text", "date"]
    found.columns = [ColumnSpec("code", "integer"), ColumnSpec("when", "text")]
    rows = [row for batch in iter_rows(path, found) for row in batch]
    assert rows == [(123, "31/01/2024"), (456, "01/02/2024")]


def test_blank_lines_are_skipped_but_counted(write_text):
    path = write_text("d.csv", "n,t\n1,a\n\n,\n2,b\n3,x\n")
    found = sniff(path)
    assert [row for batch in iter_rows(path, found) for row in batch] == [
        (1, "a"),
        (2, "b"),
        (3, "x"),
    ]
    found.columns[1] = ColumnSpec("t", "integer")
    err = _error(path, found)
    assert (err.row, err.column) == (2, "t")


def test_batches_and_progress(write_text):
    path = write_text("n.csv", "n\n" + "".join(f"{i}\n" for i in range(25)))
    seen: list[tuple[int, int]] = []
    batches = list(
        iter_rows(path, sniff(path), batch_size=10, progress=lambda d, t: seen.append((d, t)))
    )
    assert [len(b) for b in batches] == [10, 10, 5]
    total = path.stat().st_size
    assert seen[-1] == (total, total)
    assert all(0 <= done <= total for done, _t in seen)


def test_bad_value_names_row_column_and_type_but_not_the_value(write_text):
    path = write_text("d.csv", f"id,name\n1,a\n2,b\n{SECRET},c\n")
    found = sniff(path, sample_rows=2)
    assert found.columns[0].type == "integer"
    err = _error(path, found)
    assert (err.row, err.column) == (4, "id")
    message = str(err)
    assert "integer" in message and "text" in message and "row 4" in message
    assert SECRET not in message


def test_bad_value_in_a_later_batch(write_text):
    rows = "".join(f"{i},31/01/2024\n" for i in range(1, 30)) + f"30,{SECRET}\n"
    path = write_text("d.csv", "n,when\n" + rows)
    err = _error(path, sniff(path, sample_rows=5), batch_size=7)
    assert (err.row, err.column) == (31, "when")
    assert "date" in str(err) and SECRET not in str(err)


@pytest.mark.parametrize(
    ("body", "row"),
    [("1,2,3\n4,5\n", 3), ("1,2,3\n4,5,6,7\n", 3)],
)
def test_ragged_rows(write_text, body, row):
    path = write_text("d.csv", f"a,b,c\n{body}")
    err = _error(path, sniff(path, sample_rows=1))
    assert err.row == row
    assert "columns" in str(err) and "comma" in str(err)


def test_ragged_row_in_sample_is_reported_by_sniff(write_text):
    path = write_text("d.csv", f"a,b\n1,2\n3,{SECRET},9\n")
    with pytest.raises(ImportFormatError) as caught:
        sniff(path)
    assert caught.value.row == 3
    assert SECRET not in str(caught.value)


def test_undecodable_bytes_name_the_row(tmp_path):
    good = "".join(f"{i},ok\n" for i in range(1, 100_000)).encode()
    path = tmp_path / "d.csv"
    # A cp1252 byte deep in a UTF-8 file, beyond what sniff samples and beyond a batch.
    head = "n,t\n0,café\n".encode()
    path.write_bytes(head + good * 2 + b"9,caf\xe9 " + SECRET.encode() + b"\n1,ok\n")
    found = sniff(path)
    assert found.encoding == "utf-8"
    err = _error(path, found)
    assert err.row == 2 + 2 * 99_999 + 1
    assert "utf-8" in str(err) and SECRET not in str(err)


def test_encoding_decided_by_first_non_ascii_byte_past_the_sample(tmp_path):
    good = "".join(f"{i},ok\n" for i in range(1, 200_000)).encode()
    path = tmp_path / "d.csv"
    path.write_bytes(b"n,t\n" + good + b"9,caf\xe9 \xa35\n")
    found = sniff(path)
    assert found.encoding == "cp1252"
    rows = [row for batch in iter_rows(path, found) for row in batch]
    assert rows[-1] == (9, "café £5")


def test_empty_file(write_text):
    for text in ("", "\n\n", "\ufeff"):
        path = write_text("e.csv", text)
        with pytest.raises(ImportFormatError, match="the file is empty"):
            sniff(path)


def test_header_only_file(write_text):
    path = write_text("h.csv", "a,b,c\n")
    with pytest.raises(ImportFormatError, match="no data rows"):
        sniff(path)
    found = sniff(write_text("ok.csv", "a,b,c\n1,2,3\n"))
    err = _error(path, found)
    assert "no data rows" in str(err)


def test_duplicate_header(write_text):
    path = write_text("d.csv", "Wing,Date,wing\nA,1,B\n")
    with pytest.raises(ImportFormatError) as caught:
        sniff(path)
    err = caught.value
    assert (err.row, err.column) == (1, "wing")
    assert "columns 1 and 3" in str(err)


def test_blank_header(write_text):
    path = write_text("d.csv", "Wing,,Date\nA,x,31/01/2024\n")
    with pytest.raises(ImportFormatError) as caught:
        sniff(path)
    assert caught.value.row == 1
    assert "column 2" in str(caught.value)


def test_user_made_duplicate_names_are_refused(write_text):
    path = write_text("d.csv", "a,b\n1,2\n")
    found = dataclasses.replace(sniff(path), columns=[ColumnSpec("x", "text")] * 2)
    err = _error(path, found)
    assert err.column == "x"


def test_unclosed_quote_names_the_row(write_text):
    path = write_text("d.csv", 'a,b\n1,2\n3,"never closed\n')
    found = sniff(write_text("ok.csv", "a,b\n1,2\n"))
    with pytest.raises(ImportFormatError) as caught:
        for _ in iter_rows(path, found):
            pass
    assert caught.value.row == 3


def test_cancel_before_and_during(write_text):
    path = write_text("n.csv", "n\n" + "".join(f"{i}\n" for i in range(100)))
    found = sniff(path)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        next(iter_rows(path, found, cancel=cancel))
    cancel.clear()
    reader = iter_rows(path, found, cancel=cancel, batch_size=10)
    assert len(next(reader)) == 10
    cancel.set()
    with pytest.raises(Cancelled):
        next(reader)


def test_streaming_memory_is_flat(tmp_path):
    path = tmp_path / "big.csv"
    line = "{0},A{0:06d}BC,31/01/2024,12.5,restraint used on wing A\n"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("id,prison_no,date,minutes,note\n")
        out.writelines(line.format(i) for i in range(200_000))
    found = sniff(path)
    tracemalloc.start()
    try:
        count = 0
        for batch in iter_rows(path, found):
            count += len(batch)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 200_000
    # Holding all 200,000 converted rows at once would exceed this limit.
    assert peak < 30 * 1024 * 1024


def test_a_giant_line_is_refused_without_holding_it(tmp_path, write_text, monkeypatch):
    """A line longer than its cells can be is refused while it is read (before, it was held
    whole, several times over), naming the row and the limit."""
    from hmip_desktop.ingest import coltypes

    found = sniff(write_text("ok.csv", "name\nok\n"))
    path = tmp_path / "g.csv"
    path.write_bytes(b"name\nok\n" + b"x" * 3_000_000 + b"\nlast\n")
    monkeypatch.setattr(coltypes, "MAX_CELL_CHARS", 1000)
    tracemalloc.start()
    try:
        err = _error(path, found)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert err.row == 3
    assert "longer than 2,005 characters" in str(err) and "limit: cell size" in str(err)
    assert peak < 1024 * 1024

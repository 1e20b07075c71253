"""The fast loader's reader and its judge of cells (rawcsv).

Property: for any text, encoding, delimiter, header setting, block size and batch size,
`raw_batches` gives the rows csv.reader over a TextIOWrapper gives (empty lines dropped), or
both refuse the input (NotForFastPath). PlainCells names the statement a batch may take;
that the statements then store what the careful reader stores is tests/evidence'
test_extract_fastpath.
"""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from hmip_desktop.ingest import rawcsv
from hmip_desktop.ingest.coltypes import ColumnSpec, TableSniff
from hmip_desktop.ingest.rawcsv import (
    CLEAN,
    PLAIN,
    QUICK,
    NotForFastPath,
    PlainCells,
    raw_batches,
)

PIECES = ["a", "b7", ",", ";", "\t", '"', '""', "\r", "\n", "\r\n", " ", "\u00e9", "\x00",
          "\u3000", "\u20ac"]


def _reference(data: bytes, sniff: TableSniff) -> list[list[str]] | None:
    """What csv.reader gives (the reading raw_batches had before it split text itself)."""
    assert sniff.encoding is not None and sniff.delimiter is not None
    text = io.TextIOWrapper(io.BytesIO(data), encoding=sniff.encoding, newline="")
    reader = csv.reader(text, delimiter=sniff.delimiter, strict=True)
    try:
        if sniff.has_header:
            header = next(reader, None)
            if header is None or len(header) != len(sniff.columns) or \
                    all(not c or c.isspace() for c in header):
                return None
        return [row for row in reader if row]
    except (UnicodeDecodeError, csv.Error):
        return None


def _fast(data: bytes, sniff: TableSniff, batch_size: int) -> list[list[str]] | None:
    try:
        batches = list(raw_batches(io.BytesIO(data), sniff, total=len(data),
                                   batch_size=batch_size))
    except NotForFastPath:
        return None
    assert all(batches), "no empty batch is handed to the loader"
    return [row for batch in batches for row in batch]


@settings(max_examples=400, deadline=None)
@given(text=st.lists(st.sampled_from(PIECES), max_size=40).map("".join),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
       cut=st.booleans(), delimiter=st.sampled_from([",", ";", "\t"]),
       has_header=st.booleans(), width=st.integers(1, 3), block=st.sampled_from([1, 2, 5, 64]),
       batch_size=st.integers(1, 4), limit=st.sampled_from([4, 1 << 20]))
@example(text="a,b\r\n\r\nc,d\r", encoding="utf-8", cut=False, delimiter=",",
         has_header=True, width=2, block=3, batch_size=2, limit=1 << 20)
def test_split_reader_gives_csv_records(text: str, encoding: str, cut: bool, delimiter: str,
                                        has_header: bool, width: int, block: int,
                                        batch_size: int, limit: int) -> None:
    """Same records as csv.reader, or both refuse; small blocks cut lines and characters."""
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    if cut:
        data = data[:-1]  # may end inside a character
    sniff = TableSniff(kind="csv", encoding=encoding, delimiter=delimiter, has_header=has_header,
                       columns=[ColumnSpec(f"c{i}", "text") for i in range(width)])
    old_limit = csv.field_size_limit(limit)
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(rawcsv, "BLOCK_BYTES", block)
            assert _fast(data, sniff, batch_size) == _reference(data, sniff)
    finally:
        csv.field_size_limit(old_limit)


def test_a_long_line_is_read_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """A line longer than many blocks is one record (and is not copied once per block)."""
    monkeypatch.setattr(rawcsv, "BLOCK_BYTES", 16)
    long_cell = "x" * 5000
    data = f"h1,h2\n{long_cell},y\nz,w\n".encode()
    sniff = TableSniff(kind="csv", encoding="utf-8", delimiter=",", has_header=True,
                       columns=[ColumnSpec("h1", "text"), ColumnSpec("h2", "text")])
    assert _fast(data, sniff, 10) == [[long_cell, "y"], ["z", "w"]]


def test_a_line_too_long_for_any_record_is_refused_before_it_is_held(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """One column of at most N characters makes no line longer than about 2N: reading stops
    there (the careful reader then words the refusal), not after the whole line."""
    from hmip_desktop.ingest import coltypes

    monkeypatch.setattr(rawcsv, "BLOCK_BYTES", 256)
    monkeypatch.setattr(coltypes, "MAX_CELL_CHARS", 1000)
    stream = io.BytesIO(b"h\n" + b"x" * 200_000 + b"\nlast\n")
    sniff = TableSniff(kind="csv", encoding="utf-8", delimiter=",", has_header=True,
                       columns=[ColumnSpec("h", "text")])
    with pytest.raises(NotForFastPath):
        list(raw_batches(stream, sniff, total=len(stream.getvalue())))
    assert stream.tell() < 4000


def test_lone_carriage_returns_end_pieces_so_old_mac_files_are_not_one_line(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A CR-only file is cut at its line breaks like any other (and never inside a CRLF)."""
    monkeypatch.setattr(rawcsv, "BLOCK_BYTES", 16)
    monkeypatch.setattr(rawcsv, "max_line_chars", lambda width: 64)
    text = "n,v\r" + "".join(f"r{i},{i}\r" for i in range(200))
    sniff = TableSniff(kind="csv", encoding="utf-8", delimiter=",", has_header=True,
                       columns=[ColumnSpec("n", "text"), ColumnSpec("v", "text")])
    assert _fast(text.encode(), sniff, 50) == [[f"r{i}", str(i)] for i in range(200)]
    crlf = text.replace("\r", "\r\n")
    assert _fast(crlf.encode(), sniff, 50) == [[f"r{i}", str(i)] for i in range(200)]


COLUMNS = [ColumnSpec("i", "integer"), ColumnSpec("d", "decimal"), ColumnSpec("t", "date"),
           ColumnSpec("x", "text")]
GOOD = ["12", "3.50", "2024-01-05", "abc"]


@pytest.mark.parametrize(("column", "cell", "level"), [
    (None, None, CLEAN),
    (3, "\u00d3scar", CLEAN), (3, " lead", CLEAN), (3, "", CLEAN), (3, "\u3000", CLEAN),
    (0, "1.0", PLAIN), (0, "1e3", PLAIN), (0, "1E3", PLAIN), (0, "7\x00", PLAIN),
    (0, "", PLAIN), (0, "007", CLEAN), (0, " 7", CLEAN), (0, "1_000", CLEAN), (0, "x", CLEAN),
    (1, "", PLAIN), (1, "1e5", QUICK), (1, "+1.5", QUICK), (1, "007.5", QUICK),
    (1, "1,234.50", QUICK), (1, "1.2\n3", QUICK),
    (2, "", PLAIN), (2, "05/02/2024", QUICK), (2, "2023-02-29", QUICK),
])
def test_plain_cells_levels(column: int | None, cell: str | None, level: int) -> None:
    """The level of a batch is that of its least plain cell."""
    row = list(GOOD)
    if column is not None:
        row[column] = cell  # type: ignore[call-overload]
    assert PlainCells(COLUMNS)([GOOD, row, GOOD]) == level


def test_plain_cells_refuse_ragged_batches_and_rows_of_text_only() -> None:
    """Rows of other widths go to the quick statement; with only text columns, a batch is
    PLAIN at most (the clean statement would store a row of empty cells)."""
    assert PlainCells(COLUMNS)([GOOD, GOOD[:3]]) == QUICK
    assert PlainCells(COLUMNS)([GOOD + ["x"]]) == QUICK
    texts = [ColumnSpec("a", "text"), ColumnSpec("b", "text")]
    assert PlainCells(texts)([["a", "b"]]) == PLAIN
    assert PlainCells(texts)([["a", "b"], ["", ""]]) == PLAIN

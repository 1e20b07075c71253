"""The SQL fast loader gives exactly what the ingest reader gives, or defers to it.

Property: for any CSV, importing it (fast path first) and importing it with the fast path
disabled either both fail with the same row and column, or both store the same rows.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hmip_desktop.domain.errors import ImportFormatError
from hmip_desktop.ingest.rawcsv import NotForFastPath
from hmip_desktop.services import extract_import
from hmip_desktop.services.extracts import ExtractService

# Cells the ingest converters accept, per column type (some only after stripping, with
# thousands separators or in other date forms), and cells they refuse.
VALID = {
    "integer": ["1", "-5", "0", "-0", "007", "+5", " 7", "7 ", "1,234", "", " ", "\xa0",
                "9223372036854775807", "\u0661"],
    "decimal": ["12.5", "12.50", "-0.0", ".5", "5.", "007.5", "1,234.50", "+1.5", "", " ",
                "100", "0.30000000000000004", " 3.5 ", "-12.125", "0.00001",
                "123456789012345678901234567890.5"],
    "date": ["2024-01-05", "2024-02-29", "05/02/2024", "05-02-2024", "3 Mar 2024",
             "2024-01-05 00:00", "2024-1-5", "", " ", "9999-12-31"],
    "text": ["abc", " lead", "trail ", "\u00d3scar", "\u201cq\u201d", "\u3000", "\xa0", " ",
             "", "\t", "x\u2028y", "\u200bzero", "~", "\x7f"],
}
INVALID = {
    "integer": ["1.0", "1e3", "9223372036854775808", "-", "12abc"],
    "decimal": ["1e5", "1.2.3", "-", "1.5e0"],
    "date": ["2023-02-29", "0000-01-01", "31/02/2024", "2024-13-01"],
    "text": [],
}
TYPES = ("integer", "decimal", "date", "text")


def _csv(rows: list[list[str]], crlf: bool, bom: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(["i", "d", "t", "x"])
    writer.writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


def _import(store, path: Path, *, fast: bool, monkeypatch):  # type: ignore[no-untyped-def]
    """(rows, None) or (None, (row, column)) for one import."""
    if not fast:
        def refuse(*_a, **_k):  # type: ignore[no-untyped-def]
            raise NotForFastPath

        monkeypatch.setattr(extract_import, "raw_batches", refuse)
    try:
        service = ExtractService(store)
        view = service.import_file(path, column_types=dict(enumerate(TYPES)))
        return service.rows(view.id, limit=1000), None
    except ImportFormatError as exc:
        return None, (exc.row, exc.column, str(exc))
    finally:
        monkeypatch.undo()


valid_row = st.tuples(*(st.sampled_from(VALID[t]) for t in TYPES)).map(list)
any_row = st.tuples(*(st.sampled_from(VALID[t] + INVALID[t]) for t in TYPES)).map(list)


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.one_of(st.lists(valid_row, min_size=1, max_size=8),
                     st.lists(any_row, min_size=1, max_size=8)), crlf=st.booleans(),
       bom=st.booleans())
# Found by this test: a row blank but for an ideographic space was kept (as all-empty) by the
# careful reader's shortcut and dropped by the fast path.
@example(rows=[["1", "12.5", "2024-01-05", "abc"], ["", "", "", "\u3000"]], crlf=False,
         bom=False)
def test_fast_path_equals_careful_reader(store, tmp_path, monkeypatch, rows, crlf,
                                         bom) -> None:
    """Same rows or the same error, whichever path does the work."""
    path = tmp_path / "cells.csv"
    path.write_bytes(_csv(rows, crlf, bom))
    with pytest.MonkeyPatch.context() as mp:
        fast = _import(store, path, fast=True, monkeypatch=mp)
    with pytest.MonkeyPatch.context() as mp:
        careful = _import(store, path, fast=False, monkeypatch=mp)
    assert fast == careful


@pytest.mark.parametrize("body", [
    "i,d,t,x\n1,12.50,05/02/2024, lead\n2,.5,2024-02-29,\u00d3scar\n,,,\n\n3,-0.0,,\xa0\n",
    "i,d,t,x\r\n" + "".join(f"{n},{n}.10,2024-01-{1 + n % 28:02d}, spaced {n}\r\n"
                            for n in range(300)),
])
def test_unusual_cells_stay_on_the_fast_path(store, tmp_path, monkeypatch, body) -> None:
    """Leading spaces, non-ASCII starts, UK dates, trailing zeros and blank rows are handled
    in SQL (row by row when needed), without falling back to the ingest reader."""
    path = tmp_path / "f.csv"
    path.write_text(body, encoding="utf-8")

    def no_fallback(*_a, **_k):  # type: ignore[no-untyped-def]
        raise AssertionError("fell back to the ingest reader")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(extract_import, "iter_rows", no_fallback)
        fast = ExtractService(store).import_file(path, column_types=dict(enumerate(TYPES)))
        fast_rows = ExtractService(store).rows(fast.id, limit=1000)
    with pytest.MonkeyPatch.context() as mp:
        careful = _import(store, path, fast=False, monkeypatch=mp)
    assert (fast_rows, None) == careful


CLEAN_ROW = ["12", "3.50", "2024-01-05", "abc"]  # SQL checks only its text cell


@pytest.mark.parametrize(("column", "cell"), [
    (j, cell) for j, kind in enumerate(TYPES) for cell in VALID[kind] + INVALID[kind]])
def test_one_odd_cell_among_clean_rows(store, tmp_path, column, cell) -> None:
    """Batches that are all but one cell in stored form (rawcsv.PlainCells' levels) store
    what the careful reader stores, or fail as it does."""
    rows = [list(CLEAN_ROW) for _ in range(5)]
    rows[2][column] = cell
    path = tmp_path / "odd.csv"
    path.write_bytes(_csv(rows, crlf=False, bom=False))
    with pytest.MonkeyPatch.context() as mp:
        fast = _import(store, path, fast=True, monkeypatch=mp)
    with pytest.MonkeyPatch.context() as mp:
        careful = _import(store, path, fast=False, monkeypatch=mp)
    assert fast == careful

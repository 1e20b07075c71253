"""Sniffing and streaming XLSX extracts with openpyxl in read-only mode, refusing merged cells."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, BinaryIO

from hmip_desktop.domain.errors import Cancelled, ImportFormatError
from hmip_desktop.ingest.coltypes import (
    DATE,
    DECIMAL,
    INT_MAX,
    INT_MIN,
    INTEGER,
    TEXT,
    ColumnSpec,
    ConversionError,
    TableSniff,
    check_column_count,
    check_column_types,
    choose_type,
    float_to_text,
    is_blank,
    looks_like_heading,
    str_candidates,
    str_to_date,
    str_to_decimal,
    str_to_int,
)
from hmip_desktop.ingest.csvread import check_header, ragged_error, value_error
from hmip_desktop.ingest.merged import check_merged
from hmip_desktop.ingest.zipbounds import MAX_SHARED_STRINGS_BYTES, check_zip_bounds
from hmip_desktop.xlsx_cells import last_column, sheet_rows, spread

_NUMBERS = frozenset((INTEGER, DECIMAL))
_DECIMAL_ONLY = frozenset((DECIMAL,))
_DATE_ONLY = frozenset((DATE,))
_NOTHING: frozenset[str] = frozenset()
_MIDNIGHT = time(0)


# ---------------------------------------------------------------- cell values


def _blank(value: Any) -> bool:
    """True for an empty cell."""
    return value is None or (isinstance(value, str) and is_blank(value))


def _candidates(value: Any) -> frozenset[str]:
    """The typed column types a non-blank cell value fits."""
    kind = type(value)
    if kind is str:
        return str_candidates(value)
    if kind is int:
        return _NUMBERS if INT_MIN <= value <= INT_MAX else _DECIMAL_ONLY
    if kind is float:
        return _NUMBERS if value.is_integer() and INT_MIN <= value <= INT_MAX else _DECIMAL_ONLY
    if kind is datetime:
        # A timestamp with a time of day stays text; midnight means "just a date".
        return _DATE_ONLY if value.time() == _MIDNIGHT else _NOTHING
    if kind is date:
        return _DATE_ONLY
    return _NOTHING  # booleans, times, durations


def to_int(value: Any) -> int | None:
    """A cell as an int."""
    kind = type(value)
    if value is None:
        return None
    if kind is int and INT_MIN <= value <= INT_MAX:
        return value
    if kind is float and value.is_integer() and INT_MIN <= value <= INT_MAX:
        return int(value)
    if kind is str:
        return str_to_int(value)
    raise ConversionError(INTEGER)


def to_decimal(value: Any) -> str | None:
    """A cell as canonical decimal text."""
    kind = type(value)
    if value is None:
        return None
    if kind is int:
        return str(value)
    if kind is float:
        return float_to_text(value)
    if kind is str:
        return str_to_decimal(value)
    raise ConversionError(DECIMAL)


def to_date(value: Any) -> str | None:
    """A cell as 'YYYY-MM-DD'."""
    kind = type(value)
    if value is None:
        return None
    if kind is datetime and value.time() == _MIDNIGHT:
        return value.date().isoformat()
    if kind is date:
        return value.isoformat()
    if kind is str:
        return str_to_date(value)
    raise ConversionError(DATE)


def to_text(value: Any) -> str | None:
    """A cell as text, written the way an inspector would expect to read it."""
    kind = type(value)
    if value is None:
        return None
    if kind is str:
        return None if is_blank(value) else value
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if kind is float:
        return float_to_text(value)
    if kind is datetime:
        if value.time() == _MIDNIGHT:
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if kind in (date, time):
        return value.isoformat()
    return str(value)


CELL_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    INTEGER: to_int,
    DECIMAL: to_decimal,
    DATE: to_date,
    TEXT: to_text,
}


# ---------------------------------------------------------------- reading


MAX_ROWS = 1_048_576  # Excel's own limit
SHEETS = "xl/worksheets/"  # where the parts openpyxl streams live


def check_workbook_bounds(raw: BinaryIO) -> None:
    """Refuse a workbook whose parts would inflate beyond the limits (a "ZIP bomb")."""
    check_zip_bounds(raw, "workbook", "sharedstrings.xml", MAX_SHARED_STRINGS_BYTES,
                     "shared strings size", streamed=SHEETS)


@contextmanager
def open_sheet(path: Path, sheet: str | None) -> Iterator[tuple[Any, BinaryIO]]:
    """Open a workbook read-only and yield (worksheet, the binary file it streams from)."""
    with path.open("rb") as raw:
        check_workbook_bounds(raw)
        try:
            import openpyxl  # here: merges and CSV imports load this module, not openpyxl

            workbook = openpyxl.load_workbook(raw, read_only=True, data_only=True, keep_links=False)
        except Exception as exc:  # openpyxl raises many types for a damaged file
            raise ImportFormatError(
                "the workbook is damaged or cannot be read; open it in Excel and save it again "
                "as .xlsx"
            ) from exc
        try:
            sheets = workbook.worksheets
            if not sheets:
                raise ImportFormatError("the workbook has no worksheets")
            if sheet is None:
                worksheet = sheets[0]
            else:
                worksheet = next((s for s in sheets if s.title == sheet), None)
                if worksheet is None:
                    names = ", ".join(f"'{s.title}'" for s in sheets)
                    raise ImportFormatError(
                        f"the workbook has no sheet named '{sheet}'; its sheets are {names}"
                    )
            # Many writers store a wrong size ("A1"); read-only mode would then cut rows short.
            worksheet.reset_dimensions()
            yield worksheet, raw
        finally:
            workbook.close()


def sheet_names(path: Path) -> list[str]:
    """The workbook's worksheet names in order (bounded as any read of it is)."""
    with open_sheet(path, None) as (worksheet, _raw):
        return [s.title for s in worksheet.parent.worksheets]


def _header_names(row: tuple) -> list[str]:
    """Headings as text."""
    return [(to_text(value) or "").strip() for value in row]


def sniff_xlsx(
    path: Path, *, sample_rows: int, sheet: str | None, has_header: bool | None
) -> TableSniff:
    """Detect sheet, header and column types of an XLSX from its first rows."""
    with open_sheet(path, sheet) as (worksheet, raw):
        title = worksheet.title
        rows: list[tuple[int, tuple]] = []
        for number, cells in sheet_rows(worksheet):
            if number > 1 and not rows:
                rows.append((1, ()))  # the sheet XML has no row 1: it is blank
            end = last_column(cells, _blank)
            if number == 1 or end:
                check_column_count(end)
                rows.append((number, spread(cells, end)))
            if len(rows) > sample_rows:
                break
        check_merged(raw, title)
    if not rows or not rows[0][1]:
        if len(rows) <= 1:
            raise ImportFormatError(f"sheet '{title}' is empty")
        raise ImportFormatError(
            "the first row is blank; delete empty rows above the column headings", row=1
        )
    first = rows[0][1]
    if has_header is None:
        has_header = all(_blank(v) or (isinstance(v, str) and looks_like_heading(v)) for v in first)
    if has_header:
        names = _header_names(first)
        check_header(names)
        data = rows[1:]
        if not data:
            # Named: a data request often opens on a cover sheet, and only the first sheet is read
            # unless another is chosen.
            raise ImportFormatError(f"sheet '{title}' has a header row but no data rows")
    else:
        data = rows[:sample_rows]
        width = max(len(values) for _n, values in data)
        names = [f"column_{i}" for i in range(1, width + 1)]
    width = len(names)
    check_column_count(width)
    for number, values in data:
        if len(values) > width:
            raise ragged_error(len(values), width, number, None)
    padded = [values + (None,) * (width - len(values)) for _n, values in data]
    columns = [
        ColumnSpec(name, choose_type(_candidates(row[j]) for row in padded if not _blank(row[j])))
        for j, name in enumerate(names)
    ]
    sample = [[to_text(value) for value in row] for row in padded]
    return TableSniff(
        kind="xlsx",
        encoding=None,
        delimiter=None,
        has_header=has_header,
        columns=columns,
        sample=sample,
        sheet=title,
    )


def iter_xlsx(
    path: Path,
    sniff: TableSniff,
    *,
    progress: Callable[[int, int], None] | None,
    cancel: threading.Event | None,
    batch_size: int,
) -> Iterator[list[tuple]]:
    """Stream an XLSX sheet as converted batches of tuples (see tabular.iter_rows)."""
    check_column_types(sniff.columns)
    check_header([c.name for c in sniff.columns])
    columns, width = sniff.columns, len(sniff.columns)
    converters = [CELL_CONVERTERS[c.type] for c in columns]
    total = path.stat().st_size
    done = 0
    produced = 0
    with open_sheet(path, sniff.sheet) as (worksheet, raw):
        check_merged(raw, worksheet.title)
        rows = sheet_rows(worksheet, None if cancel is None else cancel.is_set)
        if sniff.has_header:
            number, cells = next(rows, (1, {}))
            found = last_column(cells, _blank) if number == 1 else 0
            if found != width:
                raise ImportFormatError(
                    f"the header row has {found} columns, not {width} as when the "
                    "file was checked; check the file again",
                    row=1,
                )
        batch: list[tuple] = []
        for number, cells in rows:
            if number > MAX_ROWS:
                raise ImportFormatError(f"the sheet has more than {MAX_ROWS:,} rows (limit: rows)")
            end = last_column(cells, _blank)
            if end == 0:
                continue
            if end > width:
                raise ragged_error(end, width, number, None)
            values = spread(cells, width)
            try:
                batch.append(tuple([conv(v) for conv, v in zip(converters, values, strict=True)]))
            except ConversionError:
                for column, convert, value in zip(columns, converters, values, strict=True):
                    try:
                        convert(value)
                    except ConversionError:
                        raise value_error(column, number) from None
                raise
            if len(batch) >= batch_size:
                if progress is not None:
                    # The zip reader advances the shared file as it inflates the sheet.
                    done = max(done, min(raw.tell(), total))
                    progress(done, total)
                produced += len(batch)
                yield batch
                batch = []
                if cancel is not None and cancel.is_set():
                    raise Cancelled("the import was cancelled")
        if batch:
            produced += len(batch)
            yield batch
    if produced == 0:
        raise ImportFormatError("the sheet has no data rows")
    if progress is not None:
        progress(total, total)

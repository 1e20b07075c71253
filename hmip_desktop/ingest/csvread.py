"""Sniffing and streaming CSV extracts: csv.reader over a TextIOWrapper, converted by column."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from hmip_desktop.domain.errors import Cancelled, ImportFormatError
from hmip_desktop.ingest.coltypes import (
    DATE,
    DECIMAL,
    INT_MAX,
    INT_MIN,
    INTEGER,
    MAX_CELL_CHARS,
    TEXT,
    TYPE_LABELS,
    ColumnSpec,
    ConversionError,
    LineTooLong,
    TableSniff,
    bounded_lines,
    check_column_count,
    check_column_types,
    infer_str_column,
    is_blank,
    looks_like_heading,
    str_to_date,
    str_to_decimal,
    str_to_int,
)
from hmip_desktop.ingest.sniffing import (
    decode_sample,
    detect_delimiter,
    detect_encoding,
    later_text_sample,
)

SAMPLE_BYTES = 1024 * 1024
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe (|)"}

# Decoding errors are only located on a second pass; this handler marks the bad bytes with a
# lone surrogate, which no valid decoding can produce, so the row holding them can be named.
_MARK = "\udcff"
_MARK_HANDLER = "hmip_desktop.ingest.mark"
codecs.register_error(_MARK_HANDLER, lambda exc: (_MARK, exc.end))  # type: ignore[arg-type,return-value]

ProgressFn = Callable[[int, int], None]

# Process-wide in the csv module: raised, never lowered (another reader may need more).
csv.field_size_limit(max(csv.field_size_limit(), MAX_CELL_CHARS))
# strict: a quote left open at the end of the file is an error, not one enormous last cell.
STRICT = True


def csv_problem(exc: csv.Error) -> str:
    """What a csv.Error means, in the user's words (never quoting the file)."""
    if isinstance(exc, LineTooLong):
        return exc.problem
    text = str(exc)
    if "field larger" in text:
        return f"a cell is longer than {MAX_CELL_CHARS:,} characters (limit: cell size)"
    if "unexpected end of data" in text:
        return "a quote is not closed before the end of the file"
    if "expected after" in text:
        return "a quote is misplaced inside a cell"
    return "a quote may not be closed"


class _BadCell(Exception):
    """Internal: the position of the first cell of a column that failed to convert."""

    def __init__(self, index: int):
        super().__init__(index)
        self.index = index


def _row_is_blank(row: Sequence[str]) -> bool:
    """True for a blank line or a row of empty cells (a trailing ',,,' line from Excel)."""
    return all(is_blank(cell) for cell in row)


def _check_names(names: list[str]) -> None:
    """Refuse blank or duplicated headings, naming the column position."""
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if not name:
            raise ImportFormatError(
                f"column {position} has no heading in the first row; give every column a name",
                row=1,
            )
        # Case-insensitive because the columns may become SQL column names.
        key = name.casefold()
        if key in seen:
            raise ImportFormatError(
                f"columns {seen[key]} and {position} have the same heading; "
                "give each column a different name",
                row=1,
                column=name,
            )
        seen[key] = position


def check_header(names: list[str]) -> None:
    """Public wrapper used by the XLSX reader and by iter_rows for user-edited names."""
    _check_names([name.strip() for name in names])


def ragged_error(found: int, expected: int, row: int, delimiter: str | None) -> ImportFormatError:
    """The error for a row with more or fewer cells than there are columns."""
    hint = ""
    if delimiter:
        name = _DELIMITER_NAMES.get(delimiter, repr(delimiter))
        hint = f"; look for a missing or extra {name}, or a {name} inside a cell without quotes"
    return ImportFormatError(
        f"this row has {found} cells but the file has {expected} columns{hint}", row=row
    )


# ---------------------------------------------------------------- sniffing


def _sample_records(text: str, delimiter: str, at_eof: bool) -> list[list[str]]:
    """Parse the sample text into records, dropping one that the sample cut may have split."""
    records: list[list[str]] = []
    # newline="": a lone CR ends a line too (old Mac files), as it does for the reader.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=STRICT)
    try:
        for record in reader:
            records.append(record)
    except csv.Error as exc:
        if at_eof or "field larger" in str(exc):
            raise ImportFormatError(
                f"the file cannot be read as CSV ({csv_problem(exc)})",
                row=len(records) + 1,
            ) from None
    if not at_eof and records:
        records.pop()
    return records


def sniff_csv(
    path: Path,
    *,
    sample_rows: int,
    has_header: bool | None,
    encoding: str | None,
    delimiter: str | None,
) -> TableSniff:
    """Detect encoding, delimiter, header and column types of a CSV from its first rows."""
    size = path.stat().st_size
    with path.open("rb") as raw:
        head = raw.read(SAMPLE_BYTES)
        at_eof = len(head) >= size
        if encoding is None:
            encoding = detect_encoding(head, at_eof=at_eof)
            if encoding == "utf-8" and head.isascii() and not at_eof:
                later = later_text_sample(raw, len(head))
                if later is not None:
                    encoding = detect_encoding(later, at_eof=False) or encoding
    if encoding is None:
        raise ImportFormatError("this file is not a text CSV file (it contains binary data)")
    try:
        text = decode_sample(head, encoding, at_eof=at_eof)
    except UnicodeDecodeError:
        raise ImportFormatError(
            f"the start of the file cannot be read as {encoding} text; "
            "save the file again as 'CSV UTF-8' and import that"
        ) from None
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ImportFormatError("the file is empty")
    delimiter = delimiter or detect_delimiter(text)
    records = _sample_records(text, delimiter, at_eof)
    partial = not records and not at_eof
    if not records:
        # A single record longer than the sample: read what we can as one row.
        records = _sample_records(text, delimiter, True)
    first = records[0]
    if _row_is_blank(first):
        raise ImportFormatError(
            "the first row is blank; delete empty rows above the column headings", row=1
        )
    if has_header is None:
        has_header = all(looks_like_heading(c) or is_blank(c) for c in first)
    check_column_count(len(first), at_least=partial)  # a cut row has more cells than seen
    if has_header:
        names = [cell.strip() for cell in first]
        _check_names(names)
        numbered = list(enumerate(records[1:], start=2))
    else:
        names = [f"column_{i}" for i in range(1, len(first) + 1)]
        numbered = list(enumerate(records, start=1))
    data = [(num, row) for num, row in numbered if not _row_is_blank(row)][:sample_rows]
    if not data and at_eof:
        raise ImportFormatError("the file has a header row but no data rows")
    for num, row in data:
        if len(row) != len(names):
            raise ragged_error(len(row), len(names), num, delimiter)
    sample = [[None if is_blank(cell) else cell for cell in row] for _num, row in data]
    columns = [
        ColumnSpec(name, infer_str_column(row[j] for row in sample)) for j, name in enumerate(names)
    ]
    return TableSniff(
        kind="csv",
        encoding=encoding,
        delimiter=delimiter,
        has_header=has_header,
        columns=columns,
        sample=sample,
    )


# ---------------------------------------------------------------- converting a batch


def _each(column: Sequence[str], convert: Callable[[str], object]) -> list[object]:
    """Convert cell by cell; on failure report which cell."""
    try:
        return [convert(value) for value in column]
    except ConversionError:
        for index, value in enumerate(column):
            try:
                convert(value)
            except ConversionError:
                raise _BadCell(index) from None
        raise


def _ints(column: Sequence[str]) -> list[object]:
    """Integers: map(int) in C for clean columns, the careful converter otherwise."""
    try:
        out = list(map(int, column))
    except ValueError:
        return _each(column, str_to_int)
    if out and (min(out) < INT_MIN or max(out) > INT_MAX):
        return _each(column, str_to_int)
    return out


def _by_distinct(column: Sequence[str], convert: Callable[[str], object]) -> list[object]:
    """Convert each distinct value once: extracts repeat dates and amounts a great deal."""
    distinct = set(column)
    if len(distinct) * 2 > len(column):
        return _each(column, convert)
    try:
        mapping = {value: convert(value) for value in distinct}
    except ConversionError:
        return _each(column, convert)  # again, cell by cell, to find the row
    return list(map(mapping.__getitem__, column))


def _decimals(column: Sequence[str]) -> list[object]:
    """Decimals as canonical text (SQLite has no decimal type; text keeps every digit)."""
    return _by_distinct(column, str_to_decimal)


def _dates(column: Sequence[str]) -> list[object]:
    """Dates as 'YYYY-MM-DD'."""
    return _by_distinct(column, str_to_date)


def _texts(column: Sequence[str]) -> list[object]:
    """Text as it is; blank cells become None."""
    return [None if not v or v.isspace() else v for v in column]


COLUMN_CONVERTERS: dict[str, Callable[[Sequence[str]], list[object]]] = {
    INTEGER: _ints,
    DECIMAL: _decimals,
    DATE: _dates,
    TEXT: _texts,
}


def convert_batch(
    batch: list[list[str]], first_row: int, columns: list[ColumnSpec], delimiter: str | None
) -> list[tuple]:
    """Check widths, drop blank rows and convert a batch; `first_row` numbers batch[0]."""
    width = len(columns)
    row_numbers: list[int] | None = None
    # Fast case: no blank row. A row of whitespace-only cells ("\u3000") is blank too, so
    # `any(row)` (non-empty strings) is not enough.
    if set(map(len, batch)) == {width} and not any(map(_row_is_blank, batch)):
        rows = batch
    else:
        rows, row_numbers = [], []
        for index, row in enumerate(batch):
            if _row_is_blank(row):
                continue
            if len(row) != width:
                raise ragged_error(len(row), width, first_row + index, delimiter)
            rows.append(row)
            row_numbers.append(first_row + index)
        if not rows:
            return []
    converted = []
    for column, cells in zip(columns, zip(*rows, strict=True), strict=True):
        try:
            converted.append(COLUMN_CONVERTERS[column.type](cells))
        except _BadCell as bad:
            row = row_numbers[bad.index] if row_numbers else first_row + bad.index
            raise value_error(column, row) from None
    return list(zip(*converted, strict=True))


def value_error(column: ColumnSpec, row: int) -> ImportFormatError:
    """The error for a cell that does not fit its column's type (never quoting the cell)."""
    return ImportFormatError(
        f"a cell does not fit the column type {TYPE_LABELS[column.type]}; correct the cell "
        "in the file, or change the column's type to text",
        row=row,
        column=column.name,
    )


# ---------------------------------------------------------------- streaming


def _locate_bad_row(path: Path, sniff: TableSniff, cancel: threading.Event | None) -> int | None:
    """Second pass after a decoding or CSV error: the spreadsheet row number where it happens."""
    assert sniff.encoding is not None and sniff.delimiter is not None
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding=sniff.encoding, errors=_MARK_HANDLER, newline="")
        reader = csv.reader(bounded_lines(text, len(sniff.columns)),
                            delimiter=sniff.delimiter, strict=STRICT)
        row = 0
        try:
            for row, record in enumerate(reader, start=1):
                if row % 10_000 == 0 and cancel is not None and cancel.is_set():
                    raise Cancelled("the import was cancelled")
                if any(_MARK in cell for cell in record):
                    return row
        except csv.Error:
            return row + 1
    return None


def iter_csv(
    path: Path,
    sniff: TableSniff,
    *,
    progress: ProgressFn | None,
    cancel: threading.Event | None,
    batch_size: int,
) -> Iterator[list[tuple]]:
    """Stream a CSV as converted batches of tuples (see tabular.iter_rows)."""
    if sniff.encoding is None or sniff.delimiter is None:
        raise ValueError("a CSV sniff needs an encoding and a delimiter")
    check_column_types(sniff.columns)
    check_column_count(len(sniff.columns))
    check_header([c.name for c in sniff.columns])
    columns, width = sniff.columns, len(sniff.columns)
    total = path.stat().st_size
    if total == 0:
        raise ImportFormatError("the file is empty")
    produced = 0
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding=sniff.encoding, errors="strict", newline="")
        # Lines bounded as they are read: csv's cell limit acts only on a line held whole.
        reader = csv.reader(bounded_lines(text, width), delimiter=sniff.delimiter,
                            strict=STRICT)
        consumed = 0  # records read so far, i.e. the spreadsheet row number of the last one
        try:
            if sniff.has_header:
                header = next(reader, None)
                if header is None or _row_is_blank(header):
                    raise ImportFormatError("the file is empty")
                consumed = 1
                if len(header) != width:
                    raise ImportFormatError(
                        f"the header row has {len(header)} columns, not {width} as when the "
                        "file was checked; check the file again",
                        row=1,
                    )
            while True:
                if cancel is not None and cancel.is_set():
                    raise Cancelled("the import was cancelled")
                batch = list(itertools.islice(reader, batch_size))
                if not batch:
                    break
                rows = convert_batch(batch, consumed + 1, columns, sniff.delimiter)
                consumed += len(batch)
                if progress is not None:
                    progress(min(raw.tell(), total), total)
                if rows:
                    produced += len(rows)
                    yield rows
        except UnicodeDecodeError:
            row = _locate_bad_row(path, sniff, cancel)
            raise ImportFormatError(
                f"the file has bytes that cannot be read as {sniff.encoding} text; save the file "
                "again as 'CSV UTF-8' and import that",
                row=row,
            ) from None
        except csv.Error as exc:
            row = _locate_bad_row(path, sniff, cancel)
            raise ImportFormatError(f"this row cannot be read as CSV ({csv_problem(exc)})",
                                    row=row) from None
        finally:
            text.detach()  # the `with` closes the binary file
    if produced == 0:
        raise ImportFormatError(
            "the file has a header row but no data rows"
            if sniff.has_header
            else "the file has no data rows"
        )
    if progress is not None:
        progress(total, total)

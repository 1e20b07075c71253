"""Public API for data extracts: sniff a CSV/XLSX file, then stream its rows as typed tuples.

Typical use::

    found = sniff(path)                       # show found.columns / found.sample to the user
    found.columns[2] = ColumnSpec("Age", "text")   # the user may correct a type
    for batch in iter_rows(path, found, progress=cb, cancel=event):
        store(batch)                          # lists of tuples, one value per column
"""

from __future__ import annotations

import codecs
import hashlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from hmip_desktop.domain.errors import Cancelled, ImportFormatError
from hmip_desktop.ingest import sniffing
from hmip_desktop.ingest.coltypes import (
    COLUMN_TYPES,
    DATE,
    DECIMAL,
    INTEGER,
    TEXT,
    ColumnSpec,
    ColumnType,
    TableSniff,
)
from hmip_desktop.ingest.csvread import iter_csv, sniff_csv
from hmip_desktop.ingest.xlsx import iter_xlsx, sniff_xlsx
from hmip_desktop.ingest.xlsx import sheet_names as xlsx_sheet_names

__all__ = [
    "COLUMN_TYPES",
    "DATE",
    "DECIMAL",
    "INTEGER",
    "TEXT",
    "ColumnSpec",
    "ColumnType",
    "FileFingerprint",
    "TableSniff",
    "file_fingerprint",
    "iter_rows",
    "sha256_file",
    "sniff",
    "table_kind",
]

CSV_EXTENSIONS = frozenset((".csv", ".tsv", ".txt"))
XLSX_EXTENSIONS = frozenset((".xlsx", ".xlsm"))
_FIXES = {
    sniffing.XLSX: "rename it to end in .xlsx and import it again",
    sniffing.TEXT: "if it is a CSV export, rename it to end in .csv and import it again",
    sniffing.OLE: "open it in Excel, remove any password, and save it as .xlsx (Excel Workbook)",
}
_ONLY = "only CSV files and Excel workbooks (.xlsx) can be imported as data"


def table_kind(path: Path) -> str:
    """'csv' or 'xlsx' for a data extract, refusing a file whose bytes contradict its name."""
    extension = path.suffix.lower()
    if extension in CSV_EXTENSIONS:
        expected, wanted = "csv", sniffing.TEXT
    elif extension in XLSX_EXTENSIONS:
        expected, wanted = "xlsx", sniffing.XLSX
    else:
        shown = f"'{extension}'" if extension else "without an extension"
        raise ImportFormatError(f"files {shown} cannot be imported; {_ONLY}")
    if path.stat().st_size == 0:
        raise ImportFormatError("the file is empty")
    with path.open("rb") as stream:
        actual = sniffing.content_kind(stream)
    if actual == sniffing.DAMAGED_ZIP:
        raise ImportFormatError(sniffing.DAMAGED_ZIP_MESSAGE)
    if actual != wanted:
        label = sniffing.KIND_LABELS[actual]
        fix = _FIXES.get(actual, _ONLY)
        raise ImportFormatError(f"this file is named {extension} but it is really {label}; {fix}")
    return expected


def sheet_names(path: Path) -> list[str]:
    """An XLSX workbook's sheets in order; [] for a CSV file (it has none)."""
    path = Path(path)
    return xlsx_sheet_names(path) if table_kind(path) == "xlsx" else []


def sniff(
    path: Path,
    *,
    sample_rows: int = 200,
    sheet: str | None = None,
    has_header: bool | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> TableSniff:
    """Look at the start of a CSV/XLSX extract: kind, encoding, delimiter, header, column types.

    `sheet` picks an XLSX sheet (default: the first); `has_header`, `encoding` and `delimiter`
    override detection when the user corrects it (column types are then inferred again).
    """
    path = Path(path)
    if table_kind(path) == "xlsx":
        return sniff_xlsx(path, sample_rows=sample_rows, sheet=sheet, has_header=has_header)
    if delimiter is not None and (len(delimiter) != 1 or delimiter not in sniffing.DELIMITERS):
        raise ImportFormatError("the delimiter must be a comma, semicolon, tab or pipe (|)")
    if encoding is not None:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            raise ImportFormatError(f"'{encoding}' is not a known text encoding") from None
    return sniff_csv(
        path,
        sample_rows=sample_rows,
        has_header=has_header,
        encoding=encoding,
        delimiter=delimiter,
    )


def iter_rows(
    path: Path,
    sniff: TableSniff,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
    batch_size: int = 10_000,
) -> Iterator[list[tuple]]:
    """Stream all data rows as batches of tuples converted to the sniff's column types.

    Values are int (integer), canonical decimal text such as "1234.5" (decimal), 'YYYY-MM-DD'
    (date), str (text) or None (blank cell). Blank rows are skipped. `progress(done, total)`
    is called with bytes after each batch; a set `cancel` raises Cancelled. Malformed input
    raises ImportFormatError naming the spreadsheet row (header = row 1) and column.
    """
    path = Path(path)
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if cancel is not None and cancel.is_set():
        raise Cancelled("the import was cancelled")
    kind = table_kind(path)
    if kind != sniff.kind:
        raise ImportFormatError("the file has changed since it was checked; check it again")
    if kind == "xlsx":
        reader = iter_xlsx(path, sniff, progress=progress, cancel=cancel, batch_size=batch_size)
    else:
        reader = iter_csv(path, sniff, progress=progress, cancel=cancel, batch_size=batch_size)
    yield from reader


class Primed:
    """Batches of rows with the first already read: the reader has opened its file and
    checked it. Iterating gives that batch, then the rest; `close()` closes the reader."""

    def __init__(self, rows: Iterator[list[tuple]]) -> None:
        self._rows = rows
        self._first = next(rows, None)

    def __iter__(self) -> Primed:
        return self

    def __next__(self) -> list[tuple]:
        if self._first is not None:
            first, self._first = self._first, None
            return first
        return next(self._rows)

    def close(self) -> None:
        """Close the reader (a generator's file) whether or not it was read to the end."""
        close = getattr(self._rows, "close", None)
        if close is not None:
            close()


# ---------------------------------------------------------------- fingerprints


@dataclass(frozen=True)
class FileFingerprint:
    """Identity of an imported file's content: SHA-256 (hex) and size in bytes."""

    sha256: str
    size: int

    def __str__(self) -> str:
        """Compact form for storage and logs, e.g. 'sha256:ab12...:1024'."""
        return f"sha256:{self.sha256}:{self.size}"


def sha256_file(path: Path, *, cancel: threading.Event | None = None) -> str:
    """SHA-256 of a file as lowercase hex, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as stream:
        for chunk in iter(lambda: stream.read(1024 * 1024), b""):
            if cancel is not None and cancel.is_set():
                raise Cancelled("hashing the file was cancelled")
            digest.update(chunk)
    return digest.hexdigest()


def file_fingerprint(path: Path, *, cancel: threading.Event | None = None) -> FileFingerprint:
    """Content fingerprint of a file (to spot the same extract imported twice)."""
    path = Path(path)
    size = path.stat().st_size
    return FileFingerprint(sha256=sha256_file(path, cancel=cancel), size=size)

"""Unconverted CSV batches for the fast extract loader, read exactly as `csvread.iter_csv` reads.

Anything unusual (a header of the wrong width, undecodable bytes, a CSV syntax error) raises
`NotForFastPath`: the caller then falls back to `tabular.iter_rows`, which is authoritative and
names the row and column of a problem. Fully empty lines are dropped (as the reader does).
"""

from __future__ import annotations

import csv
import io
import itertools
import operator
import re
import threading
from collections.abc import Callable, Iterator
from typing import BinaryIO

from hmip_desktop.domain.errors import Cancelled
from hmip_desktop.ingest.coltypes import (
    DATE,
    DECIMAL,
    ColumnSpec,
    ConversionError,
    TableSniff,
    is_blank,
    str_to_date,
)


class NotForFastPath(Exception):
    """The fast path cannot read this input; use the careful reader."""


def raw_batches(stream: BinaryIO, sniff: TableSniff, *, total: int,
                progress: Callable[[int, int], None] | None = None,
                cancel: threading.Event | None = None,
                batch_size: int = 10_000) -> Iterator[list[list[str]]]:
    """Batches of raw string rows; `stream.tell()` drives progress(done, total) in bytes."""
    if sniff.kind != "csv" or sniff.encoding is None or sniff.delimiter is None:
        raise NotForFastPath
    width = len(sniff.columns)
    reader_text = io.TextIOWrapper(stream, encoding=sniff.encoding, errors="strict", newline="")
    reader = csv.reader(reader_text, delimiter=sniff.delimiter, strict=True)
    try:
        if sniff.has_header:
            header = next(reader, None)
            if header is None or len(header) != width or all(map(is_blank, header)):
                raise NotForFastPath
        while True:
            if cancel is not None and cancel.is_set():
                raise Cancelled("the import was cancelled")
            batch = list(itertools.islice(reader, batch_size))
            if not batch:
                break
            if not all(batch):  # csv gives [] for an empty line; checked in C, rarely true
                batch = [row for row in batch if row]
            if progress is not None:
                progress(min(stream.tell(), total), total)
            yield batch
    except (UnicodeDecodeError, csv.Error):
        raise NotForFastPath from None
    finally:
        reader_text.detach()  # the caller closes the binary stream


# Canonical decimal text as str_to_decimal returns it unchanged ("-0" is not: it becomes "0").
_DECIMAL = r"(?:-(?:0\.\d+|[1-9]\d*(?:\.\d+)?)|(?:0|[1-9]\d*)(?:\.\d+)?)"
_DECIMAL_LINES = re.compile(f"(?:{_DECIMAL})?(?:\n(?:{_DECIMAL})?)*", re.ASCII)


class PlainCells:
    """Tells whether a batch's date and decimal cells are already in stored form.

    Such a batch can go to SQLite as raw text with no conversion at all. Dates repeat, so
    their distinct values are checked (and remembered across batches); amounts rarely
    repeat, so a decimal column is joined into one string and matched by one regular
    expression. Either way the work is done in C, not per cell in Python.
    """

    MAX_REMEMBERED = 100_000

    def __init__(self, columns: list[ColumnSpec]) -> None:
        self._dates = [i for i, c in enumerate(columns) if c.type == DATE]
        self._decimals = [i for i, c in enumerate(columns) if c.type == DECIMAL]
        self._good: list[set[str]] = [{""} for _ in self._dates]

    def __call__(self, batch: list[list[str]]) -> bool:
        """True when every date and decimal cell is blank ('') or in canonical form."""
        try:
            return (all(self._dates_plain(i, good, batch)
                        for i, good in zip(self._dates, self._good, strict=True))
                    and all(self._decimals_plain(i, batch) for i in self._decimals))
        except IndexError:  # a short row: the careful statements will say so
            return False

    def _dates_plain(self, index: int, good: set[str], batch: list[list[str]]) -> bool:
        new = set(map(operator.itemgetter(index), batch)) - good
        for value in new:
            try:
                if str_to_date(value) != value:
                    return False
            except ConversionError:
                return False
        if len(good) + len(new) > self.MAX_REMEMBERED:
            good.clear()
            good.add("")
        good.update(new)
        return True

    @staticmethod
    def _decimals_plain(index: int, batch: list[list[str]]) -> bool:
        joined = "\n".join(map(operator.itemgetter(index), batch))
        # A cell holding a line break would look like two cells: count them first.
        return (joined.count("\n") == len(batch) - 1
                and _DECIMAL_LINES.fullmatch(joined) is not None)

"""Unconverted CSV batches for the fast extract loader, read exactly as `csvread.iter_csv` reads.

Anything unusual (a header of the wrong width, undecodable bytes, a CSV syntax error) raises
`NotForFastPath`: the caller then falls back to `tabular.iter_rows`, which is authoritative and
names the row and column of a problem. Fully empty lines are dropped (as the reader does).

Most extracts have no quotes at all, and for text without a quote, a lone carriage return or
an over-long line, csv.reader's records are exactly the lines split at the delimiter.
`str.split` does that about twice as fast as csv.reader (which builds each cell character by
character), and parsing was a quarter of a large import. So the text is decoded in blocks cut
after a line break, each block is split when it is that simple, and from the first block that
is not, csv.reader reads the rest of the file (a quoted cell may span lines and blocks).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

from hmip_desktop.domain.errors import Cancelled
from hmip_desktop.ingest.coltypes import (
    DATE,
    DECIMAL,
    INTEGER,
    ColumnSpec,
    ConversionError,
    LineTooLong,
    TableSniff,
    is_blank,
    max_line_chars,
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
    pending: list[list[str]] = []
    header_due = sniff.has_header
    try:
        for rows in _record_lists(stream, sniff.encoding, sniff.delimiter, width):
            if header_due:
                if not rows:
                    continue
                header, rows = rows[0], rows[1:]
                header_due = False
                if len(header) != width or all(map(is_blank, header)):
                    raise NotForFastPath
            pending += rows
            while len(pending) >= batch_size:
                batch = pending[:batch_size]
                del pending[:batch_size]
                if out := _ready(batch, cancel):
                    if progress is not None:
                        progress(min(stream.tell(), total), total)
                    yield out
        if header_due:
            raise NotForFastPath  # no header row at all
        if out := _ready(pending, cancel):
            if progress is not None:
                progress(min(stream.tell(), total), total)
            yield out
    except (UnicodeDecodeError, csv.Error):
        raise NotForFastPath from None


def _ready(batch: list[list[str]], cancel: threading.Event | None) -> list[list[str]]:
    """The batch without empty lines (csv gives [] for them; checked in C, rarely true)."""
    if cancel is not None and cancel.is_set():
        raise Cancelled("the import was cancelled")
    return batch if all(batch) else [row for row in batch if row]


BLOCK_BYTES = 64 * 1024  # small blocks stay in the CPU cache while they are split (measured)


def _texts(stream: BinaryIO, encoding: str, width: int) -> Iterator[str]:
    """The stream decoded (strictly, as a TextIOWrapper would) in pieces that each end with a
    line break, but the last: a line feed, or a lone CR (old Mac files) that is not the start
    of a CRLF. The incremental decoder keeps a character cut by a block end.

    A line longer than max_line_chars(width) raises LineTooLong before it is held whole (a
    few blocks early at worst: the careful reader then words the refusal exactly)."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    limit = max_line_chars(width)
    carry: list[str] = []  # the start of a line (a list: a very long line is copied once)
    carried = 0
    while True:
        block = stream.read(BLOCK_BYTES)
        text = decoder.decode(block, final=not block)
        if carried and carried + len(text) > limit:
            raise LineTooLong(limit, width)
        if not block:
            if rest := "".join(carry) + text:
                yield rest
            return
        # A CR at the very end may be the first half of a CRLF: it stays for the next block.
        cut = max(text.rfind("\n"), text.rfind("\r", 0, len(text) - 1)) + 1
        if not cut:
            carry.append(text)
            carried += len(text)
            continue
        yield "".join(carry) + text[:cut] if carry else text[:cut]
        carry = [text[cut:]]
        carried = len(carry[0])


def _split(text: str, delimiter: str) -> list[list[str]] | None:
    """csv.reader's records of `text`, when splitting gives exactly those; None otherwise.

    Splitting is exact when the text has no quote character, its line breaks are all LF or
    all CRLF (csv also ends a record at a lone CR), and no cell can exceed csv's field size
    limit (the whole text is within it). An empty line is [], as csv gives it.
    """
    if '"' in text or len(text) > csv.field_size_limit():
        return None
    if "\r" in text:
        lines = text.split("\r\n")
        # Any CR or LF left in a line is a lone one. (Joined and searched, not counted:
        # `in` uses memchr, str.count is several times slower.)
        rest = "".join(lines)
        if "\r" in rest or "\n" in rest:
            return None
    else:
        lines = text.split("\n")
    if not lines[-1]:
        lines.pop()  # what follows the last line break (the last text may have none)
    return [line.split(delimiter) if line else [] for line in lines]


def _record_lists(stream: BinaryIO, encoding: str, delimiter: str,
                  width: int) -> Iterator[list[list[str]]]:
    """Lists of records, split while the text is simple (see `_split`), then csv.reader's."""
    texts = _texts(stream, encoding, width)
    for text in texts:
        rows = _split(text, delimiter)
        if rows is None:
            # Lines exactly as a TextIOWrapper with newline="" gives them: every piece ends
            # with a line break, and never between the CR and LF of a CRLF.
            lines: Iterable[str] = itertools.chain.from_iterable(
                io.StringIO(piece, newline="") for piece in itertools.chain((text,), texts))
            reader = csv.reader(lines, delimiter=delimiter, strict=True)
            while rows := list(itertools.islice(reader, 4096)):
                yield rows
            return
        yield rows


# Canonical decimal text as str_to_decimal returns it unchanged ("-0" is not: it becomes "0").
_DECIMAL = r"(?:-(?:0\.\d+|[1-9]\d*(?:\.\d+)?)|(?:0|[1-9]\d*)(?:\.\d+)?)"
_DECIMAL_LINES = re.compile(f"(?:{_DECIMAL})?(?:\n(?:{_DECIMAL})?)*", re.ASCII)


# How much of a batch is already in stored form (PlainCells), i.e. which INSERT may take it.
QUICK, PLAIN, CLEAN = 0, 1, 2


class PlainCells:
    """Tells how much of a batch SQL still has to check, so that it checks as little as it can
    (each CASE costs the insert about 0.02-0.07 µs per cell: a large share of its time).

    PLAIN: every date and decimal cell is empty or in canonical form, so SQLite may store it
    as it is. CLEAN: PLAIN, and no integer, date or decimal cell is empty, and no integer cell
    holds '.', 'e', 'E' or NUL. For such a cell a STRICT INTEGER column either stores exactly
    what int() gives or refuses it (SQLite also reads '1.0' and '1e3' as whole numbers and
    stops at a NUL, which int() refuses), so integers need no check in SQL either. Text
    cells are still checked in SQL (blank ones become NULL): proving them non-blank here
    cost as much time as it saved there (measured).

    Dates repeat, so their distinct values are checked (and remembered across batches);
    amounts rarely repeat, so a decimal column is joined into one string and matched by one
    regular expression; integer cells are joined and searched. Either way the work is done
    in C, not per cell in Python.
    """

    MAX_REMEMBERED = 100_000

    def __init__(self, columns: list[ColumnSpec]) -> None:
        self._width = len(columns)
        self._dates = [i for i, c in enumerate(columns) if c.type == DATE]
        self._decimals = [i for i, c in enumerate(columns) if c.type == DECIMAL]
        self._ints = [i for i, c in enumerate(columns) if c.type == INTEGER]
        self._good: list[set[str]] = [{""} for _ in self._dates]

    def __call__(self, batch: list[list[str]]) -> int:
        """QUICK, PLAIN or CLEAN (see the class docstring)."""
        # Columns once (in C) rather than itemgetter over the rows for each checked column.
        try:
            columns = list(zip(*batch, strict=True))
        except ValueError:  # rows of different widths: the careful statements will say so
            return QUICK
        if len(columns) != self._width:
            return QUICK
        level = CLEAN
        for index, good in zip(self._dates, self._good, strict=True):
            level = min(level, self._dates_plain(columns[index], good))
            if level == QUICK:
                return QUICK
        for index in self._decimals:
            level = min(level, self._decimals_plain(columns[index]))
            if level == QUICK:
                return QUICK
        if level == CLEAN and not self._ints_clean(columns):
            return PLAIN
        if level == CLEAN and not (self._dates or self._decimals or self._ints):
            # The clean statement checks text cells only: a row of empty cells would be
            # stored as NULLs, not refused (the exact statement skips blank rows).
            return PLAIN
        return level

    def _dates_plain(self, column: tuple[str, ...], good: set[str]) -> int:
        values = set(column)
        new = values - good
        for value in new:
            try:
                if str_to_date(value) != value:
                    return QUICK
            except ConversionError:
                return QUICK
        if len(good) + len(new) > self.MAX_REMEMBERED:
            good.clear()
            good.add("")
        good.update(new)
        return PLAIN if "" in values else CLEAN

    @staticmethod
    def _decimals_plain(column: tuple[str, ...]) -> int:
        joined = "\n".join(column)
        # A cell holding a line break would look like two cells: count them first.
        if joined.count("\n") != len(column) - 1 or _DECIMAL_LINES.fullmatch(joined) is None:
            return QUICK
        return CLEAN if _no_empty_line(joined) else PLAIN

    def _ints_clean(self, columns: list[tuple[str, ...]]) -> bool:
        if not self._ints:
            return True
        joined = "\n".join(itertools.chain.from_iterable(map(columns.__getitem__, self._ints)))
        return (joined.count("\n") == len(columns[0]) * len(self._ints) - 1
                and _no_empty_line(joined)
                and not ("." in joined or "e" in joined or "E" in joined or "\x00" in joined))


def _no_empty_line(joined: str) -> bool:
    """True when no cell of a column joined with line feeds is empty."""
    return bool(joined) and joined[0] != "\n" and joined[-1] != "\n" and "\n\n" not in joined

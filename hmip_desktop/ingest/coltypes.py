"""Column types of data extracts: the sniff result classes, converters and type inference."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Literal, TextIO

from hmip_desktop.domain.errors import ImportFormatError
from hmip_desktop.domain.wording import plural

ColumnType = Literal["integer", "decimal", "date", "text"]
INTEGER: ColumnType = "integer"
DECIMAL: ColumnType = "decimal"
DATE: ColumnType = "date"
TEXT: ColumnType = "text"
COLUMN_TYPES: tuple[ColumnType, ...] = (INTEGER, DECIMAL, DATE, TEXT)

# What each type means to an inspector, for error messages.
TYPE_LABELS: dict[str, str] = {
    INTEGER: "integer (a whole number)",
    DECIMAL: "decimal (a number such as 12.5)",
    DATE: "date (2024-03-31, 31/03/2024, 31-03-2024 or 31 Mar 2024)",
    TEXT: "text",
}

# SQLite stores integers in 64 bits; anything larger must stay text.
INT_MIN, INT_MAX = -(2**63), 2**63 - 1

# Bounds on every extract, checked before or while reading (refusals name the limit).
MAX_COLUMNS = 500  # SQLite's expression depth (1000) is reached by the loader near 1,000
MAX_CELL_CHARS = 1_048_576  # one cell; csv's own default (131,072) is raised to this
MAX_LINE_CHARS = 32 * MAX_CELL_CHARS  # one line of a CSV file, however many columns it has


def max_line_chars(width: int) -> int:
    """The longest line a CSV file of `width` columns may have. No line of a valid record is
    longer (each cell at most MAX_CELL_CHARS, every character a doubled quote, with its two
    quotes and a delimiter, then a line break), and none may pass MAX_LINE_CHARS."""
    return min(max(width, 1) * (2 * MAX_CELL_CHARS + 3) + 2, MAX_LINE_CHARS)


class LineTooLong(csv.Error):
    """A line longer than max_line_chars(width), found before it was held whole (csv.reader
    applies its cell limit only to a line it has been given, however long)."""

    def __init__(self, limit: int, width: int) -> None:
        if limit >= MAX_LINE_CHARS:
            problem = f"a line is longer than {limit:,} characters (limit: line length)"
        else:
            problem = (f"a line is longer than {limit:,} characters: more than "
                       f"{plural(width, 'cell')} of at most {MAX_CELL_CHARS:,} characters "
                       "can hold (limit: cell size)")
        super().__init__(problem)
        self.problem = problem


def bounded_lines(text: TextIO, width: int) -> Iterator[str]:
    """The lines of `text` as iterating it gives them, refusing a line longer than
    max_line_chars(width) once that much is read (readline(size) stops there)."""
    limit = max_line_chars(width)
    read = text.readline
    while line := read(limit + 1):
        if len(line) > limit:
            raise LineTooLong(limit, width)
        yield line


def check_column_count(count: int, *, at_least: bool = False) -> None:
    """Refuse a table wider than MAX_COLUMNS, naming the limit. `at_least`: only part of the
    row was read (a header longer than the sample), so `count` is not the whole width."""
    if count > MAX_COLUMNS:
        found = f"more than {MAX_COLUMNS:,}" if at_least else f"{count:,}"
        raise ImportFormatError(f"the file has {found} columns; at most {MAX_COLUMNS:,} can "
                                "be imported (limit: columns). Remove the columns you do not "
                                "need, then import it again")


@dataclass(frozen=True)
class ColumnSpec:
    """One column of an extract: its name and the type its cells are converted to."""

    name: str
    type: ColumnType


@dataclass
class TableSniff:
    """What `sniff` found out about a data extract; the UI may correct column types."""

    kind: Literal["csv", "xlsx"]
    encoding: str | None
    delimiter: str | None
    has_header: bool
    columns: list[ColumnSpec]
    sample: list[list[str | None]] = field(default_factory=list)
    sheet: str | None = None


class ConversionError(ValueError):
    """A cell that does not fit its column's type (internal; callers get ImportFormatError)."""


def is_blank(value: str | None) -> bool:
    """True for a cell that counts as null: missing, empty or only whitespace."""
    return not value or value.isspace()


# ---------------------------------------------------------------- integers and decimals

_THOUSANDS_INT = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+")
_PLAIN_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_THOUSANDS_DECIMAL = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_CANONICAL_DECIMAL = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?", re.ASCII)


def str_to_int(value: str) -> int | None:
    """Convert "1234", " -12 " or "1,234" to an int; blank gives None."""
    try:
        number = int(value)
    except ValueError:
        stripped = value.strip()
        if not stripped:
            return None
        if not _THOUSANDS_INT.fullmatch(stripped):
            raise ConversionError(INTEGER) from None
        number = int(stripped.replace(",", ""))
    if not INT_MIN <= number <= INT_MAX:
        raise ConversionError(INTEGER)
    return number


def normalise_decimal(text: str) -> str:
    """Canonical decimal text: no thousands separators, no leading '+' or zeros, no exponent."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ConversionError(DECIMAL) from None
    if not number.is_finite():
        raise ConversionError(DECIMAL)
    out = format(number, "f")
    # Decimal keeps "-0"; a signed zero means nothing to an inspector.
    return "0" if out in ("-0", "+0") else out


def str_to_decimal(value: str) -> str | None:
    """Convert "12.5", "-0.25", "1,234.50" to canonical decimal text; blank gives None."""
    if _CANONICAL_DECIMAL.fullmatch(value) and value != "-0":
        return value  # already canonical: skip the costly Decimal round trip
    stripped = value.strip()
    if not stripped:
        return None
    if _PLAIN_DECIMAL.fullmatch(stripped):
        return normalise_decimal(stripped)
    if _THOUSANDS_DECIMAL.fullmatch(stripped):
        return normalise_decimal(stripped.replace(",", ""))
    raise ConversionError(DECIMAL)


def float_to_text(number: float) -> str:
    """Plain decimal text for a spreadsheet float (repr is exact enough; no exponent)."""
    if number.is_integer():
        return str(int(number))
    return normalise_decimal(repr(number))


# ---------------------------------------------------------------- dates

_MONTHS = {
    name: index
    for index, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
# A time of day is only allowed when it is midnight: exports often stamp pure dates that way,
# while a real time means the column is a timestamp, which stays text.
_MIDNIGHT = r"(?:[ T]00:00(?::00(?:\.0+)?)?Z?)?"
_DATE_RE = re.compile(
    r"(?:(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})"
    r"|(?P<ud>\d{1,2})(?P<sep>[/-])(?P<um>\d{1,2})(?P=sep)(?P<uy>\d{4})"
    r"|(?P<nd>\d{1,2})[ -](?P<nm>[A-Za-z]{3,9})\.?[ -](?P<ny>\d{4}))" + _MIDNIGHT,
    re.ASCII,
)


def str_to_date(value: str) -> str | None:
    """Convert an ISO, UK (dd/mm/yyyy, dd-mm-yyyy) or "d Mon yyyy" date to 'YYYY-MM-DD'."""
    if len(value) == 10 and value.isascii():
        # Fast paths for the two commonest forms: ISO is already the stored form, and
        # dd/mm/yyyy only needs its parts swapping once the date is known to exist.
        if value[4] == "-" and value[7] == "-":
            try:
                date.fromisoformat(value)
            except ValueError:
                raise ConversionError(DATE) from None
            return value
        if value[2] == value[5] and value[2] in "/-":
            day, month, year = value[:2], value[3:5], value[6:]
            if (day + month + year).isdigit():
                try:
                    date(int(year), int(month), int(day))
                except ValueError:
                    raise ConversionError(DATE) from None
                return f"{year}-{month}-{day}"
    stripped = value.strip()
    if not stripped:
        return None
    match = _DATE_RE.fullmatch(stripped)
    if match is None:
        raise ConversionError(DATE)
    parts = match.groupdict()
    try:
        if parts["iy"]:
            day = date(int(parts["iy"]), int(parts["im"]), int(parts["id"]))
        elif parts["uy"]:
            day = date(int(parts["uy"]), int(parts["um"]), int(parts["ud"]))
        else:
            month = _MONTHS.get(parts["nm"].lower())
            if month is None:
                raise ConversionError(DATE)
            day = date(int(parts["ny"]), month, int(parts["nd"]))
    except ValueError:
        raise ConversionError(DATE) from None
    return day.isoformat()


def str_to_text(value: str) -> str | None:
    """Keep text as it is; blank gives None."""
    return None if not value or value.isspace() else value


STR_CONVERTERS: dict[str, Callable[[str], object]] = {
    INTEGER: str_to_int,
    DECIMAL: str_to_decimal,
    DATE: str_to_date,
    TEXT: str_to_text,
}


# ---------------------------------------------------------------- inference

_ALL_TYPED = frozenset((INTEGER, DECIMAL, DATE))
_NUMBERS = frozenset((INTEGER, DECIMAL))


def _has_leading_zero(text: str) -> bool:
    """True for "007" or "-01.5": such codes lose their zeros as numbers, so they stay text."""
    digits = text.strip().lstrip("+-")
    return len(digits) > 1 and digits[0] == "0" and digits[1].isdigit()


def str_candidates(value: str) -> frozenset[str]:
    """The typed column types (integer, decimal, date) that a non-blank string fits."""
    fits = set()
    for kind in (INTEGER, DECIMAL, DATE):
        try:
            STR_CONVERTERS[kind](value)
        except ConversionError:
            continue
        fits.add(kind)
    if fits & _NUMBERS and _has_leading_zero(value):
        fits -= _NUMBERS
    return frozenset(fits)


def choose_type(candidate_sets: Iterable[frozenset[str]]) -> ColumnType:
    """Pick the narrowest type every non-null value fits; an all-null column is text."""
    common = _ALL_TYPED
    seen = False
    for fits in candidate_sets:
        seen = True
        common = common & fits
        if not common:
            return TEXT
    if not seen:
        return TEXT
    for kind in (INTEGER, DECIMAL, DATE):
        if kind in common:
            return kind
    return TEXT


def infer_str_column(values: Iterable[str | None]) -> ColumnType:
    """Infer a column's type from its sample strings; blanks don't decide."""
    return choose_type(str_candidates(v) for v in values if not is_blank(v))


def looks_like_heading(value: str) -> bool:
    """True when a first-row cell reads as a heading: non-blank and neither number nor date."""
    return not is_blank(value) and not str_candidates(value)


def check_column_types(columns: Iterable[ColumnSpec]) -> None:
    """Reject a column type the reader does not know (a programming error, not a user one)."""
    for column in columns:
        if column.type not in COLUMN_TYPES:
            raise ValueError(f"unknown column type {column.type!r} for column {column.name!r}")

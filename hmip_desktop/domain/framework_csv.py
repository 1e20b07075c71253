"""CSV import and export of a framework's content. Standard library only.

Format (one row per expectation, header required, UTF-8 with or without BOM):

    test, area, sub-area, number, title, outcome, indicators

- Rows are numbered as a spreadsheet shows them: the header is row 1.
- `indicators` holds every indicator of the expectation joined with " | ". A "|" inside an
  indicator is written "\\|" (and a backslash "\\\\").
- `test`, `area` and `sub-area` hold the label, optionally followed by the stable key in square
  brackets, e.g. "Care [respect]". Export adds the key only when it differs from the key the
  label would give on its own ("Early days in custody" -> early_days_in_custody).
- A row with only `test` declares a section with no areas yet; a row with `test` and `area`
  (and optionally `sub-area`) but no number, title, outcome or indicators declares an area or
  sub-area with no expectations yet. Export writes such rows so structure round-trips.
- `number` (e.g. 5, 72.1) and `title` are required on an expectation row; numbers are unique.

Reading collects every problem (for previews); callers that import raise the first one.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from hmip_desktop.domain.csv_safety import restore_cell, safe_row
from hmip_desktop.domain.errors import ImportFormatError
from hmip_desktop.domain.framework import KEY_RE, NUMBER_RE, Framework, slugify

COLUMNS = ("test", "area", "sub-area", "number", "title", "outcome", "indicators")
INDICATOR_SEPARATOR = " | "
_LABEL_KEY_RE = re.compile(r"^(.*?)\s*\[([a-z][a-z0-9_]*)\]$")
_EXPECTATION_COLUMNS = ("number", "title", "outcome", "indicators")
# Rows of one framework CSV (blank rows aside), checked while reading: a real framework has a
# few hundred expectations, and every row becomes objects, checks and JSON (a file of
# 150,000 rows made a framework file too large to read back).
MAX_CSV_ROWS = 5_000
MAX_INDICATORS = 200  # of one expectation (a real one has a handful); each becomes a JSON value


@dataclass(frozen=True)
class ImportProblem:
    """One fault in an import file: row (header = 1) and column when known, and what is wrong."""

    row: int | None
    column: str | None
    message: str

    def to_error(self) -> ImportFormatError:
        """The exception an import raises for this problem."""
        return ImportFormatError(self.message, row=self.row, column=self.column)

    def __str__(self) -> str:
        return str(self.to_error())


@dataclass(frozen=True)
class CsvLabel:
    """A label cell: the text and, when written "Label [key]", the explicit key."""

    label: str
    key: str | None = None

    @property
    def resolved_key(self) -> str:
        """The explicit key, or the key the label gives on its own."""
        return self.key or slugify(self.label)


@dataclass(frozen=True)
class CsvRow:
    """One parsed data row; an empty `area` declares a section, an empty `number` an area."""

    row: int
    test: CsvLabel
    area: CsvLabel | None
    sub_area: CsvLabel | None
    number: str
    title: str
    outcome: str
    indicators: tuple[str, ...]


@dataclass(frozen=True)
class CsvContent:
    """Every valid row of a CSV file and every problem found, in file order."""

    rows: tuple[CsvRow, ...]
    problems: tuple[ImportProblem, ...]


def parse_label(cell: str) -> CsvLabel:
    """Read "Label" or "Label [key]"."""
    match = _LABEL_KEY_RE.match(cell)
    if match and KEY_RE.match(match.group(2)):
        return CsvLabel(match.group(1).strip(), match.group(2))
    return CsvLabel(cell)


def format_label(label: str, key: str) -> str:
    """Write a label, adding "[key]" only when the label alone would give another key."""
    return label if slugify(label) == key else f"{label} [{key}]"


def join_indicators(indicators: Iterable[str]) -> str:
    """Join indicators into one cell, escaping "|" and backslash inside them."""
    return INDICATOR_SEPARATOR.join(
        i.replace("\\", "\\\\").replace("|", "\\|") for i in indicators
    )


def split_indicators(cell: str) -> tuple[str, ...]:
    """Split an indicators cell on unescaped "|"; empty pieces are dropped."""
    items: list[str] = []
    current: list[str] = []
    chars = iter(cell)
    for ch in chars:
        if ch == "\\":
            current.append(next(chars, "\\"))
        elif ch == "|":
            items.append("".join(current))
            current = []
        else:
            current.append(ch)
    items.append("".join(current))
    return tuple(s.strip() for s in items if s.strip())


def _decode_problem(data: bytes, exc: UnicodeDecodeError) -> ImportProblem:
    """Locate where decoding failed, as a spreadsheet row and column."""
    prefix = data[: exc.start].decode("utf-8", errors="replace")
    try:
        records = list(csv.reader(io.StringIO(prefix, newline="")))
    except csv.Error:
        records = []
    if not records or prefix.endswith(("\n", "\r")):
        row, index = len(records) + 1, 0
    else:
        row, index = len(records), len(records[-1]) - 1
    header = [c.strip().lstrip("\ufeff").lower() for c in records[0]] if records else []
    column = header[index] if row > 1 and index < len(header) else None
    return ImportProblem(row, column, "the file is not UTF-8 text; save it as 'CSV UTF-8' "
                         f"(undecodable byte at offset {exc.start})")


def read_csv(data: bytes) -> CsvContent:
    """Parse a framework CSV, collecting every problem (never raises for bad content)."""
    empty_message = ("the file is empty; a header row with the columns "
                     f"{', '.join(COLUMNS)} is required")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return CsvContent((), (_decode_problem(data, exc),))
    if not text.strip():
        return CsvContent((), (ImportProblem(1, None, empty_message),))
    records: list[list[str]] = []
    filled = 0  # rows with a cell that is not blank
    try:
        for record in csv.reader(io.StringIO(text, newline=""), strict=True):
            records.append(record)
            if any(c.strip() for c in record):
                filled += 1
                if filled > MAX_CSV_ROWS + 1:  # the header is not counted
                    return CsvContent((), (ImportProblem(len(records), None, _too_many_rows()),))
    except csv.Error as exc:
        problem = ImportProblem(len(records) + 1, None, f"not a valid CSV file: {exc}")
        return CsvContent((), (problem,))
    return _read_records(records)


def _too_many_rows() -> str:
    return (f"the file has more than {MAX_CSV_ROWS:,} rows (limit: rows in a framework CSV; "
            "a framework has a few hundred expectations)")


def _read_records(records: list[list[str]]) -> CsvContent:
    """Check the header, then every data row."""
    problems: list[ImportProblem] = []
    header = [c.strip().lower() for c in records[0]]
    for name in COLUMNS:
        if name not in header:
            problems.append(ImportProblem(1, name, "missing column"))
    for name in header:
        if name not in COLUMNS:
            problems.append(ImportProblem(1, name or None, "unknown column; the columns are "
                                          f"exactly {', '.join(COLUMNS)}"))
        elif header.count(name) > 1:
            problems.append(ImportProblem(1, name, "column appears more than once"))
    if problems:
        return CsvContent((), tuple(dict.fromkeys(problems)))
    index = {name: header.index(name) for name in COLUMNS}
    rows: list[CsvRow] = []
    first_use: dict[str, int] = {}
    for row_number, record in enumerate(records[1:], start=2):
        cells = [restore_cell(c.strip()) for c in record]
        if not any(cells):
            continue  # spreadsheets leave blank rows at the end; they carry nothing
        if len(cells) > len(header) and any(cells[len(header):]):
            problems.append(ImportProblem(row_number, None, "more cells than columns"))
            continue
        cells += [""] * (len(header) - len(cells))
        get = {name: cells[index[name]] for name in COLUMNS}
        row_problems = _check_row(row_number, get, first_use)
        problems.extend(row_problems)
        if row_problems:
            continue
        indicators = split_indicators(get["indicators"])
        if len(indicators) > MAX_INDICATORS:
            problems.append(ImportProblem(row_number, "indicators", "more than "
                                          f"{MAX_INDICATORS} indicators (limit: indicators "
                                          "of one expectation)"))
            continue
        if get["number"]:
            first_use[get["number"]] = row_number
        rows.append(CsvRow(
            row=row_number,
            test=parse_label(get["test"]),
            area=parse_label(get["area"]) if get["area"] else None,
            sub_area=parse_label(get["sub-area"]) if get["sub-area"] else None,
            number=get["number"], title=get["title"], outcome=get["outcome"],
            indicators=indicators,
        ))
    if not rows and not problems:
        problems.append(ImportProblem(2, None, "no data rows: the file has only a header"))
    return CsvContent(tuple(rows), tuple(problems))


def _check_row(row: int, get: dict[str, str], first_use: dict[str, int]) -> list[ImportProblem]:
    """The problems of one data row (empty required cells, bad or duplicate number)."""
    found: list[ImportProblem] = []
    is_expectation = any(get[c] for c in _EXPECTATION_COLUMNS)
    if not get["test"]:
        found.append(ImportProblem(row, "test", "empty required cell"))
    if not get["area"] and (is_expectation or get["sub-area"]):
        found.append(ImportProblem(row, "area", "empty required cell"))
    if is_expectation:
        number = get["number"]
        if not number:
            found.append(ImportProblem(row, "number", "empty required cell"))
        elif not NUMBER_RE.match(number):
            found.append(ImportProblem(row, "number", "number must look like 12 or 72.1"))
        elif number in first_use:
            found.append(ImportProblem(row, "number", f"duplicate expectation number {number} "
                                       f"(first used in row {first_use[number]})"))
        if not get["title"]:
            found.append(ImportProblem(row, "title", "empty required cell"))
    return found


def write_csv(framework: Framework) -> str:
    """The framework's content as CSV text (see the module docstring for the format)."""
    out = io.StringIO(newline="")
    plain = csv.writer(out, lineterminator="\r\n")

    class _Safe:  # every cell that could start a formula is neutralised (csv_safety)
        @staticmethod
        def writerow(cells: list[str]) -> None:
            plain.writerow(safe_row(cells))

    writer = _Safe()
    writer.writerow(COLUMNS)
    for section in framework.sections:
        test = format_label(section.label, section.key)
        if not section.areas:
            writer.writerow([test, "", "", "", "", "", ""])
        for area in section.areas:
            area_cell = format_label(area.label, area.key)
            subs = {s.key: format_label(s.label, s.key) for s in area.sub_areas}
            used = list(dict.fromkeys(e.sub_area for e in area.expectations if e.sub_area))
            # Sub-areas are read back in order of first appearance, so declare them up front
            # whenever the expectations alone would not reproduce the order.
            if used != [s.key for s in area.sub_areas]:
                for sub in area.sub_areas:
                    writer.writerow([test, area_cell, subs[sub.key], "", "", "", ""])
            if not area.expectations and not area.sub_areas:
                writer.writerow([test, area_cell, "", "", "", "", ""])
            for exp in area.expectations:
                writer.writerow([
                    test, area_cell, subs.get(exp.sub_area or "", ""), exp.number, exp.title,
                    exp.outcome, join_indicators(exp.indicators),
                ])
    return out.getvalue()

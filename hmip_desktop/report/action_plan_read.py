"""Read a returned action plan workbook, bounded before openpyxl opens it.

Sizes (file, unpacked parts), rows, columns and cell length are checked first and each
refusal names its limit; every row is then validated and all bad rows are reported together
(nothing is stored unless every row is good). Messages name rows, never concern text.

Rows are grouped by concern: a row with a reference belongs to that concern (wherever it
is: a sorted sheet still reads), a row with the reference left empty to the concern above
it. A concern's response is given once (repeating the same one is fine); each row with an
action, owner, target date or status is one step. A concern with no response is not yet
answered and is skipped with all its rows. Workbooks of the single-action version (no
'Part agreed or reasons' column, no date submitted) read as before: one step per concern,
and a not-agreed concern's action text is its reasons, as that version's sheet asked.

What is malformed (an unknown reference or response, a date that is not a date, two
responses for one concern) is refused; what is merely incomplete by the method (no step
with an owner and a target date, no part agreed, no reasons) is read and reported by
`ReturnedPlan.incomplete`, so the caller decides.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl

from hmip_desktop.domain import action_plan as AP
from hmip_desktop.domain.errors import ValidationError, echo
from hmip_desktop.domain.wording import and_list
from hmip_desktop.report.action_plan_xlsx import (
    EXCEL_MAX_CELL_CHARS,
    H_ACTION,
    H_DETAIL,
    H_OWNER,
    H_RECORD,
    H_REFERENCE,
    H_RESPONSE,
    H_STATUS,
    H_TARGET,
    L_SUBMITTED,
    RESPONSES,
    SHEET_PLAN,
    ActionPlanRowsError,
)
from hmip_desktop.xlsx_cells import DamagedSheet, last_column, sheet_rows, spread

# Limits checked before (and while) reading a returned plan. Module constants so tests can
# lower them; a plan has at most a few dozen rows.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
MAX_ZIP_MEMBERS = 500
MAX_ROWS = 1000
MAX_COLUMNS = 40
# What one Excel cell can hold, which is also what the export writes: a concern restated
# in full must read back.
MAX_CELL_CHARS = EXCEL_MAX_CELL_CHARS
HEADER_SEARCH_ROWS = 20
MAX_STEPS = 50  # steps of one concern


@dataclass(frozen=True)
class ConcernAnswer:
    """One concern's response read back from a returned plan: `row` is where the response
    is, `step_rows` where each step is (same order as response.steps)."""

    reference: str
    record_id: str | None
    row: int
    response: AP.Response
    step_rows: tuple[int, ...] = ()

    def gap_messages(self) -> list[str]:
        """What the method asks for and this answer lacks, one line each, naming rows."""
        out = []
        for gap in self.response.gaps():
            row = self.step_rows[gap.step] if gap.step is not None else self.row
            out.append(f"row {row}: concern {self.reference} ({self.response.label}) "
                       f"{_gap_words(gap)}")
        return out


_COLUMN_OF = {"action": H_ACTION, "owner": H_OWNER, "target date": H_TARGET}


def _gap_words(gap: AP.Gap) -> str:
    """The gap in words, with the column to fill in."""
    if gap.kind == AP.NO_STEPS:
        return f"has {gap.text()}; add a step with {H_ACTION}, {H_OWNER} and {H_TARGET}"
    if gap.kind == AP.STEP_INCOMPLETE:
        names = [_COLUMN_OF[m] for m in gap.missing]
        fill = and_list(names)
        return f"has a step with no {AP.either(gap.missing)}; fill in {fill}"
    if gap.kind == AP.NO_PART:
        return f"{gap.text()}; say so in '{H_DETAIL}'"
    return f"{gap.text()}; give them in '{H_DETAIL}'"


@dataclass(frozen=True)
class ReturnedPlan:
    """What a returned plan says: the answered concerns and the date it was submitted."""

    answers: Sequence[ConcernAnswer]
    submitted_date: str | None = None  # YYYY-MM-DD; None when the cell is empty or absent

    def incomplete(self) -> list[str]:
        """Every gap of every answer, naming rows (empty when the plan is complete)."""
        return [m for a in self.answers for m in a.gap_messages()]


def _mib(n: int) -> str:
    """A size for a message: whole MiB or KiB when exact, else one decimal."""
    for unit, size in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if n >= size:
            return f"{n // size} {unit}" if n % size == 0 else f"{n / size:.1f} {unit}"
    return f"{n} bytes"


def _check_container(path: Path) -> None:
    """Refuse oversized files and zip bombs before openpyxl inflates anything."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ValidationError(f"No such file: '{path.name}'.") from None
    if size > MAX_FILE_BYTES:
        raise ValidationError(f"The action plan file is {_mib(size)}: over the file size limit "
                              f"of {_mib(MAX_FILE_BYTES)}.")
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, OSError):
        raise ValidationError("The action plan is not an Excel workbook (.xlsx); save it from "
                              "Excel as .xlsx and import it again.") from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise ValidationError(f"The action plan workbook has {len(members)} parts: over the "
                              f"limit of {MAX_ZIP_MEMBERS} zip members.")
    unzipped = sum(m.file_size for m in members)
    if unzipped > MAX_UNZIPPED_BYTES:
        raise ValidationError(f"The action plan workbook unpacks to {_mib(unzipped)}: over the "
                              f"decompressed size limit of {_mib(MAX_UNZIPPED_BYTES)}.")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    """A cell as trimmed text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return (value.date().isoformat() if value.time() == dt.time(0)
                else value.isoformat(sep=" ", timespec="minutes"))
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


def _echo(value: Any) -> str:
    """A short, single-line echo of what was typed in a category or date cell."""
    return echo(_text(value), 30)


def _reference(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _text(value)


_RESPONSE_BY_TEXT = {**{label.lower(): key for key, label in RESPONSES.items()},
                     **{key: key for key in RESPONSES},
                     **{key.replace("_", " "): key for key in RESPONSES}}


def _response(value: Any) -> str | None:
    return _RESPONSE_BY_TEXT.get(" ".join(_text(value).lower().split()))


def _date(value: Any) -> str | None:
    """YYYY-MM-DD from an Excel date or YYYY-MM-DD / DD/MM/YYYY text; raises ValueError."""
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(text, fmt).date().isoformat()
            except ValueError:
                continue
    raise ValueError("not a date")


def _find_header(rows: Sequence[tuple[int, tuple]]) -> tuple[int, dict[str, int]] | None:
    for number, values in rows:
        names = {_text(v).lower(): i for i, v in enumerate(values) if not _blank(v)}
        if H_REFERENCE.lower() in names:
            return number, names
    return None


def read_action_plan(path: Path, known: Mapping[str, str] | None = None, *,
                     cancel: Callable[[], bool] | None = None) -> ReturnedPlan:
    """The answered concerns of a returned plan and its date submitted, every row checked.

    `known` maps each live concern reference to its record id; when given, unknown
    references (and rows whose hidden record id names another concern) are errors too.
    Any bad row raises ActionPlanRowsError naming every bad row, and nothing is returned.
    `cancel` is asked while the rows are read and raises Cancelled.
    """
    path = Path(path)
    _check_container(path)
    with path.open("rb") as raw:
        try:
            wb = openpyxl.load_workbook(raw, read_only=True, data_only=True, keep_links=False)
        except Exception:  # openpyxl raises many types for a damaged file
            raise ValidationError(DAMAGED) from None
        try:
            if SHEET_PLAN not in wb.sheetnames:
                raise ValidationError(f"The workbook has no sheet named '{SHEET_PLAN}'; import "
                                      "the plan exported by hmip_desktop.")
            ws = wb[SHEET_PLAN]
            if not hasattr(ws, "_get_source"):  # a chart sheet has no cells
                raise ValidationError(DAMAGED)
            rows = _bounded_rows(ws, cancel)
        except DamagedSheet as exc:
            raise ValidationError(DAMAGED.replace("cannot be read", f"cannot be read{exc.where}", 1)
                                  ) from None
        finally:
            wb.close()
    return _parse(rows, known)


DAMAGED = ("The action plan workbook is damaged or cannot be read; open it in Excel and save "
           "it again as .xlsx.")


def _bounded_rows(ws: Any, cancel: Callable[[], bool] | None) -> list[tuple[int, tuple]]:
    """Every row up to its last filled column; cells are read as the XML holds them, so
    a row padded to column XFD costs what its few cells cost."""
    out: list[tuple[int, tuple]] = []
    for number, cells in sheet_rows(ws, cancel):
        end = last_column(cells, _blank)
        if number > MAX_ROWS:
            if not end:
                continue
            raise ValidationError(f"The action plan has more than {MAX_ROWS} rows: over the "
                                  "row limit for an action plan.")
        if end > MAX_COLUMNS:
            raise ValidationError(f"Row {number} of the action plan has {end} columns: over the "
                                  f"column limit of {MAX_COLUMNS}.")
        values = spread(cells, end)
        for v in values:
            if isinstance(v, str) and len(v) > MAX_CELL_CHARS:
                raise ValidationError(f"A cell in row {number} of the action plan has "
                                      f"{len(v)} characters: over the cell length limit of "
                                      f"{MAX_CELL_CHARS}.")
        out.append((number, values))
    return out


def _submitted(rows: list[tuple[int, tuple]], header_row: int,
               problems: list[tuple[int, str]]) -> str | None:
    """The date submitted: the cell after a 'Date submitted' label above the headings."""
    for number, values in rows:
        if number >= header_row:
            break
        filled = [v for v in values if not _blank(v)]
        if not filled or _text(filled[0]).rstrip(":").strip().lower() != L_SUBMITTED.lower():
            continue
        if len(filled) < 2:
            return None
        try:
            return _date(filled[1])
        except ValueError:
            problems.append((number, f"{L_SUBMITTED.lower()} '{_echo(filled[1])}' is not a "
                                     "date; use a date, YYYY-MM-DD or DD/MM/YYYY"))
            return None
    return None


@dataclass
class _Row:
    number: int
    response: str | None  # a RESPONSES key; None when empty or unknown
    answered: bool  # something is in the Response cell
    detail: str
    step: AP.Step
    issues: list[str]


def _parse(rows: list[tuple[int, tuple]], known: Mapping[str, str] | None) -> ReturnedPlan:
    found = _find_header([r for r in rows[:HEADER_SEARCH_ROWS] if r[0] <= HEADER_SEARCH_ROWS])
    if found is None:
        raise ValidationError(f"No '{H_REFERENCE}' column heading was found in the first "
                              f"{HEADER_SEARCH_ROWS} rows of the action plan sheet.")
    header_row, cols = found
    if H_RESPONSE.lower() not in cols:
        raise ValidationError(f"The action plan has no '{H_RESPONSE}' column.")
    legacy = H_DETAIL.lower() not in cols  # written by the single-action version

    def cell(values: tuple, header: str) -> Any:
        i = cols.get(header.lower())
        return values[i] if i is not None and i < len(values) else None

    problems: list[tuple[int, str]] = []
    submitted = _submitted(rows, header_row, problems)
    span = (f"; this inspection's concerns are numbered 1 to {len(known)}" if known
            else "; this inspection has no concerns" if known is not None else "")
    groups: dict[str, list[_Row]] = {}  # by reference, in the order first seen
    current: str | None = None
    for number, values in rows:
        if number <= header_row or all(map(_blank, values)):
            continue
        row = _read_row(number, values, cell)
        reference = _reference(cell(values, H_REFERENCE))
        if not reference:
            if current is None:  # nothing above to belong to
                if row.answered:
                    problems.append((number, "no concern reference; copy it from the "
                                             "exported plan"))
                continue
            reference = current
        elif known is not None and reference not in known:
            if row.answered:  # a row of a concern not yet answered was always skipped
                problems.append((number, f"unknown concern reference '{_echo(reference)}'"
                                         f"{span}"))
            current = None
            continue
        current = reference
        record_id = _text(cell(values, H_RECORD)) or None
        if known is not None and record_id and known[reference] != record_id:
            row.issues.insert(0, f"concern {reference} is not the concern it was when the plan "
                              "was exported (the register changed); export the action plan "
                              "again")
        groups.setdefault(reference, []).append(row)
    answers = [a for ref, group in groups.items()
               if (a := _answer(ref, group, known, legacy, problems)) is not None]
    if problems:
        raise ActionPlanRowsError([f"row {n}: {text}" for n, text in sorted(problems)])
    return ReturnedPlan(answers, submitted)


def _read_row(number: int, values: tuple, cell: Any) -> _Row:
    issues: list[str] = []
    raw_response = cell(values, H_RESPONSE)
    response = None if _blank(raw_response) else _response(raw_response)
    if response is None and not _blank(raw_response):
        issues.append(f"unknown response '{_echo(raw_response)}'; use Agreed, Partly agreed "
                      "or Not agreed")
    raw_date = cell(values, H_TARGET)
    target: str | None = None
    try:
        target = _date(raw_date)
    except ValueError:
        issues.append(f"target date '{_echo(raw_date)}' is not a date; use a date, "
                      "YYYY-MM-DD or DD/MM/YYYY")
    step = AP.Step(_text(cell(values, H_ACTION)), _text(cell(values, H_OWNER)), target,
                   _text(cell(values, H_STATUS)))
    return _Row(number, response, not _blank(raw_response), _text(cell(values, H_DETAIL)),
                step, issues)


def _answer(reference: str, group: list[_Row], known: Mapping[str, str] | None, legacy: bool,
            problems: list[tuple[int, str]]) -> ConcernAnswer | None:
    """One concern's rows as its answer; None (problems added) when they are wrong, or
    when the concern is not answered at all."""
    given = [r for r in group if r.answered]
    if not given:
        return None  # not yet answered: its rows are skipped whatever they hold
    bad = len(problems)
    problems += [(r.number, ". ".join(r.issues)) for r in group if r.issues]
    first = next((r for r in given if r.response is not None), None)
    for r in given:
        if first is not None and r.response not in (None, first.response):
            problems.append((r.number, f"concern {reference} already has the response "
                                       f"'{RESPONSES[first.response or '']}' in row "
                                       f"{first.number}; give one response per concern"))
    stepped = [r for r in group if not r.step.empty]
    if len(stepped) > MAX_STEPS:
        problems.append((group[0].number, f"concern {reference} has {len(stepped)} steps: over "
                                          f"the limit of {MAX_STEPS} steps per concern"))
    if len(problems) > bad or first is None:
        return None
    response = first.response or ""
    details = list(dict.fromkeys(r.detail for r in group if r.detail))
    if legacy and response == AP.NOT_AGREED:
        # The single-action sheet asked for the reasons in the Action column.
        details += [r.step.action for r in stepped if not (r.step.owner or r.step.target_date)]
        stepped = [r for r in stepped if r.step.owner or r.step.target_date]
    record_id = known.get(reference) if known is not None else None
    return ConcernAnswer(reference, record_id, first.number,
                         AP.Response(response, "\n".join(d for d in details if d),
                                     tuple(r.step for r in stepped)),
                         tuple(r.number for r in stepped))

"""Read a returned action plan workbook, bounded before openpyxl opens it.

Sizes (file, unpacked parts), rows, columns and cell length are checked first and each
refusal names its limit; every row is then validated and all bad rows are reported together
(nothing is stored unless every row is good). Messages name rows, never concern text.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl

from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.report.action_plan_xlsx import (
    EXCEL_MAX_CELL_CHARS,
    H_ACTION,
    H_OWNER,
    H_RECORD,
    H_REFERENCE,
    H_RESPONSE,
    H_STATUS,
    H_TARGET,
    RESPONSES,
    SHEET_PLAN,
    ActionPlanRowsError,
    ResponseRow,
)

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


_ECHO_RE = re.compile(r"[\x00-\x1f\x7f]")


def _echo(value: Any) -> str:
    """A short, single-line echo of what was typed in a category or date cell."""
    text = _ECHO_RE.sub(" ", _text(value))
    return text if len(text) <= 30 else text[:29] + "…"


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


def read_action_plan(path: Path,
                     known: Mapping[str, str] | None = None) -> list[ResponseRow]:
    """The answered rows of a returned plan, every row checked first.

    `known` maps each live concern reference to its record id; when given, unknown
    references (and rows whose hidden record id names another concern) are errors too.
    Rows with no response are skipped (not yet answered). Any bad row raises
    ActionPlanRowsError naming every bad row, and nothing is returned.
    """
    path = Path(path)
    _check_container(path)
    with path.open("rb") as raw:
        try:
            wb = openpyxl.load_workbook(raw, read_only=True, data_only=True, keep_links=False)
        except Exception:  # openpyxl raises many types for a damaged file
            raise ValidationError("The action plan workbook is damaged or cannot be read; open "
                                  "it in Excel and save it again as .xlsx.") from None
        try:
            if SHEET_PLAN not in wb.sheetnames:
                raise ValidationError(f"The workbook has no sheet named '{SHEET_PLAN}'; import "
                                      "the plan exported by hmip_desktop.")
            ws = wb[SHEET_PLAN]
            ws.reset_dimensions()
            rows = _bounded_rows(ws)
        finally:
            wb.close()
    return _parse(rows, known)


def _bounded_rows(ws: Any) -> list[tuple[int, tuple]]:
    out: list[tuple[int, tuple]] = []
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        if number > MAX_ROWS:
            if all(map(_blank, values)):
                continue
            raise ValidationError(f"The action plan has more than {MAX_ROWS} rows: over the "
                                  "row limit for an action plan.")
        end = len(values)
        while end and _blank(values[end - 1]):
            end -= 1
        if end > MAX_COLUMNS:
            raise ValidationError(f"Row {number} of the action plan has {end} columns: over the "
                                  f"column limit of {MAX_COLUMNS}.")
        values = values[:end]
        for v in values:
            if isinstance(v, str) and len(v) > MAX_CELL_CHARS:
                raise ValidationError(f"A cell in row {number} of the action plan has "
                                      f"{len(v)} characters: over the cell length limit of "
                                      f"{MAX_CELL_CHARS}.")
        out.append((number, values))
    return out


def _parse(rows: list[tuple[int, tuple]],
           known: Mapping[str, str] | None) -> list[ResponseRow]:
    found = _find_header(rows[:HEADER_SEARCH_ROWS])
    if found is None:
        raise ValidationError(f"No '{H_REFERENCE}' column heading was found in the first "
                              f"{HEADER_SEARCH_ROWS} rows of the action plan sheet.")
    header_row, cols = found
    if H_RESPONSE.lower() not in cols:
        raise ValidationError(f"The action plan has no '{H_RESPONSE}' column.")

    def cell(values: tuple, header: str) -> Any:
        i = cols.get(header.lower())
        return values[i] if i is not None and i < len(values) else None

    span = (f"; this inspection's concerns are numbered 1 to {len(known)}" if known
            else "; this inspection has no concerns" if known is not None else "")
    problems: list[str] = []
    out: list[ResponseRow] = []
    seen: dict[str, int] = {}
    for number, values in rows:
        if number <= header_row or all(map(_blank, values)):
            continue
        raw_response = cell(values, H_RESPONSE)
        if _blank(raw_response):
            continue  # not yet answered
        issues: list[str] = []
        reference = _reference(cell(values, H_REFERENCE))
        record_id = _text(cell(values, H_RECORD)) or None
        if not reference:
            issues.append("no concern reference; copy it from the exported plan")
        elif known is not None and reference not in known:
            issues.append(f"unknown concern reference '{_echo(reference)}'{span}")
        elif reference in seen:
            issues.append(f"concern {reference} is already answered in row {seen[reference]}")
        elif known is not None and record_id and known[reference] != record_id:
            issues.append(f"concern {reference} is not the concern it was when the plan was "
                          "exported (the register changed); export the action plan again")
        if reference and reference not in seen:
            seen[reference] = number
        response = _response(raw_response)
        if response is None:
            issues.append(f"unknown response '{_echo(raw_response)}'; use Agreed, Partly "
                          "agreed or Not agreed")
        target: str | None = None
        raw_date = cell(values, H_TARGET)
        try:
            target = _date(raw_date)
        except ValueError:
            issues.append(f"target date '{_echo(raw_date)}' is not a date; use a date, "
                          "YYYY-MM-DD or DD/MM/YYYY")
        if issues:
            problems.append(f"row {number}: " + ". ".join(issues))
            continue
        assert response is not None
        out.append(ResponseRow(number, reference, record_id, response,
                               _text(cell(values, H_ACTION)), _text(cell(values, H_OWNER)),
                               target, _text(cell(values, H_STATUS))))
    if problems:
        raise ActionPlanRowsError(problems)
    return out

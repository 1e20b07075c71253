"""The action plan workbook as written for the establishment to fill in (and the shapes that
`action_plan_read` reads back when it is returned).

hmip-method.md §8: after an inspection HMPPS (or the Home Office) answers each concern with a
response category (Agreed / Partly agreed / Not agreed) and, for agreed and partly agreed
items, actions with an owner and a timescale. The workbook restates every concern with the
reference the report gives it ("1", "2", … priority concerns first) and leaves the response
columns to fill in; responses already imported are pre-filled when it is exported again.

Writing: every text cell is a literal string (never a formula, whatever it starts with), the
file is written through `atomic_output` (mode 0600, nothing left behind on failure).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from hmip_desktop.domain.concerns import ACTION_PLAN_RESPONSES
from hmip_desktop.domain.errors import Cancelled, ValidationError
from hmip_desktop.report.atomic import atomic_output
from hmip_desktop.report.dates import long_date
from hmip_desktop.report.xml_text import xml_text

SHEET_PLAN = "Action plan"
SHEET_CATEGORIES = "Categories"

RESPONSES = ACTION_PLAN_RESPONSES
# A suggested list for Status; other wording is accepted (the list only warns in Excel).
STATUSES = ("Not started", "In progress", "Complete")

CATEGORY_MEANINGS: tuple[tuple[str, str], ...] = (
    ("Agreed", "All of the concern is agreed, and the work to address it is achievable and "
     "affordable. Give specific (SMART) actions, each with an owner and a target date."),
    ("Partly agreed", "Only part of the concern will be addressed (for commissioning, policy, "
     "operational or affordability reasons). Say which part will be done and why the rest "
     "will not, and give actions with an owner and a target date for the part agreed."),
    ("Not agreed", "The concern is not accepted. Give the reasons in the Action column."),
)

# Columns of the plan sheet: (header, width). The last one is hidden and ties a row to its
# concern record, so a plan filled in after the register was reordered is caught.
H_REFERENCE, H_KIND, H_TITLE, H_CONCERN, H_ADDRESSEE = (
    "Reference", "Priority or key", "Title", "Concern", "Addressed to")
H_RESPONSE, H_ACTION, H_OWNER, H_TARGET, H_STATUS, H_RECORD = (
    "Response", "Action", "Owner", "Target date", "Status", "Record id")
COLUMNS: tuple[tuple[str, float], ...] = (
    (H_REFERENCE, 11), (H_KIND, 16), (H_TITLE, 32), (H_CONCERN, 60), (H_ADDRESSEE, 24),
    (H_RESPONSE, 15), (H_ACTION, 50), (H_OWNER, 22), (H_TARGET, 13), (H_STATUS, 14),
    (H_RECORD, 38),
)
PRIORITY_LABEL, KEY_LABEL = "Priority concern", "Key concern"
DATE_FORMAT = "DD/MM/YYYY"
HEADER_ROW = 4  # rows 1-2 name the inspection, row 3 is blank


EXCEL_MAX_CELL_CHARS = 32_767
# A cell starting with one of these would be taken as a formula (or DDE) when edited.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# ---------------------------------------------------------------- data


@dataclass(frozen=True)
class ActionPlanRow:
    """One concern as the exported plan restates it, with any response already stored."""

    reference: str
    priority: bool
    title: str
    body: str
    addressee_label: str
    record_id: str
    response: str | None = None  # a RESPONSES key
    action: str = ""
    owner: str = ""
    target_date: str | None = None  # YYYY-MM-DD
    status: str = ""


@dataclass(frozen=True)
class ActionPlanDocument:
    """Everything the workbook shows."""

    establishment_name: str
    start_date: str | None
    end_date: str | None
    owner_label: str  # who returns the plan (empty when the report model does not say)
    rows: Sequence[ActionPlanRow]


@dataclass(frozen=True)
class ResponseRow:
    """One answered row read back from a returned plan."""

    row: int
    reference: str
    record_id: str | None
    response: str  # a RESPONSES key
    action: str
    owner: str
    target_date: str | None  # YYYY-MM-DD
    status: str

    def action_plan(self) -> dict[str, Any]:
        """The `action_plan` field stored on the concern."""
        return {"response": self.response, "action": self.action, "owner": self.owner,
                "target_date": self.target_date, "status": self.status}


class ActionPlanRowsError(ValidationError):
    """Some rows of a returned plan are wrong; `problems` has one line per bad row."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(f"The action plan was not imported: {len(self.problems)} row(s) need "
                         "fixing.\n" + "\n".join(self.problems))


# ---------------------------------------------------------------- writing


def _safe_text(value: str) -> str:
    # openpyxl's own filter lets U+FFFE/U+FFFF through, and lxml then refuses to save.
    text = xml_text(value)
    if len(text) > EXCEL_MAX_CELL_CHARS:
        text = text[:EXCEL_MAX_CELL_CHARS - 1] + "…"
    return text


def put(cell: Any, value: Any) -> None:
    """Set a cell; text is always a literal string, never a formula."""
    if isinstance(value, str):
        text = _safe_text(value)
        cell.value = text
        cell.data_type = "s"  # openpyxl makes any "=..." a formula; undo that
        if text.startswith(_FORMULA_STARTS):
            cell.quotePrefix = True  # Excel keeps it text even when the cell is edited
    else:
        cell.value = value


def _long_date(iso: str | None) -> str:
    # The report's month names: strftime's %B follows the C library's locale, which Qt sets
    # from the desktop's (a cy_GB desktop wrote "Tachwedd" into an English workbook).
    return long_date(iso) or (iso or "")


def _dates_line(start: str | None, end: str | None) -> str:
    if start and end and start != end:
        return f"{_long_date(start)} to {_long_date(end)}"
    return _long_date(start or end) or "dates not recorded"


def write_action_plan(doc: ActionPlanDocument, path: Path, *,
                      progress: Callable[[int, int], None] | None = None,
                      cancel: Callable[[], bool] | None = None) -> None:
    """Write the workbook to `path` (atomically, mode 0600); `progress` hears the rows
    written, and `cancel` stops it with nothing left at `path` (as the report's export)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET_PLAN
    title = f"Action plan: {doc.establishment_name}".strip()
    subtitle = f"A response to the HMIP inspection: {_dates_line(doc.start_date, doc.end_date)}"
    if doc.owner_label:
        subtitle += f". To be completed by: {doc.owner_label}"
    wb.properties.title = _safe_text(title)
    wb.properties.subject = _safe_text(subtitle)
    wb.properties.creator = "hmip_desktop"
    put(ws.cell(1, 1), title)
    ws.cell(1, 1).font = Font(bold=True, size=14)
    put(ws.cell(2, 1), subtitle)

    wrap = Alignment(wrap_text=True, vertical="top")
    header_fill = PatternFill("solid", fgColor="DDE5F0")
    answer_fill = PatternFill("solid", fgColor="FFF8E1")
    for col, (header, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(HEADER_ROW, col)
        put(cell, header)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = wrap
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.column_dimensions[get_column_letter(len(COLUMNS))].hidden = True
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)

    first = HEADER_ROW + 1
    for i, row in enumerate(doc.rows):
        _stop_if(cancel)
        if progress is not None:
            progress(i, len(doc.rows) + 1)  # the last step: saving the workbook
        r = first + i
        values: list[Any] = [
            int(row.reference) if row.reference.isdigit() else row.reference,
            PRIORITY_LABEL if row.priority else KEY_LABEL, row.title, row.body,
            row.addressee_label, RESPONSES.get(row.response or "", ""), row.action, row.owner,
            _iso_to_date(row.target_date), row.status, row.record_id,
        ]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(r, col)
            put(cell, value)
            cell.alignment = wrap
            if COLUMNS[col - 1][0] in (H_RESPONSE, H_ACTION, H_OWNER, H_TARGET, H_STATUS):
                cell.fill = answer_fill
        ws.cell(r, _col(H_TARGET)).number_format = DATE_FORMAT

    if doc.rows:
        last = first + len(doc.rows) - 1
        _validations(ws, first, last)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(COLUMNS) - 1)}{HEADER_ROW}"
    _categories_sheet(wb.create_sheet(SHEET_CATEGORIES))
    _stop_if(cancel)
    with atomic_output(Path(path)) as tmp:
        wb.save(tmp)
        _stop_if(cancel)  # inside: the temporary file is removed, the target never written
    if progress is not None:
        progress(len(doc.rows) + 1, len(doc.rows) + 1)


def _stop_if(cancel: Callable[[], bool] | None) -> None:
    if cancel is not None and cancel():
        raise Cancelled("action plan export cancelled")


def _col(header: str) -> int:
    return next(i for i, (h, _w) in enumerate(COLUMNS, start=1) if h == header)


def _range(header: str, first: int, last: int) -> str:
    letter = get_column_letter(_col(header))
    return f"{letter}{first}:{letter}{last}"


def _iso_to_date(iso: str | None) -> dt.date | None:
    if not iso:
        return None
    try:
        return dt.date.fromisoformat(iso)
    except ValueError:
        return None


def _validations(ws: Any, first: int, last: int) -> None:
    responses = DataValidation(
        type="list", formula1='"' + ",".join(RESPONSES.values()) + '"', allow_blank=True,
        showErrorMessage=True, errorTitle="Response",
        error="Choose Agreed, Partly agreed or Not agreed (see the Categories sheet).",
        showInputMessage=True, promptTitle="Response",
        prompt="Agreed, Partly agreed or Not agreed (see the Categories sheet).")
    responses.add(_range(H_RESPONSE, first, last))
    dates = DataValidation(
        type="date", operator="greaterThanOrEqual", formula1="36526",  # 1 January 2000
        allow_blank=True, showErrorMessage=True, errorTitle="Target date",
        error="Enter a date, for example 31/03/2027.")
    dates.add(_range(H_TARGET, first, last))
    # Status: a suggested list; errorStyle "warning" lets other wording through.
    statuses = DataValidation(
        type="list", formula1='"' + ",".join(STATUSES) + '"', allow_blank=True,
        showErrorMessage=True, errorStyle="warning", errorTitle="Status",
        error="Not one of the suggested statuses; keep it anyway?")
    statuses.add(_range(H_STATUS, first, last))
    for v in (responses, dates, statuses):
        ws.add_data_validation(v)


def _categories_sheet(ws: Any) -> None:
    wrap = Alignment(wrap_text=True, vertical="top")
    put(ws.cell(1, 1), "Response categories")
    ws.cell(1, 1).font = Font(bold=True, size=14)
    put(ws.cell(3, 1), "Category")
    put(ws.cell(3, 2), "Meaning")
    for c in (ws.cell(3, 1), ws.cell(3, 2)):
        c.font = Font(bold=True)
    for i, (label, meaning) in enumerate(CATEGORY_MEANINGS, start=4):
        put(ws.cell(i, 1), label)
        put(ws.cell(i, 2), meaning)
        ws.cell(i, 2).alignment = wrap
    notes = (
        "Fill in Response, Action, Owner, Target date and Status on the Action plan sheet. "
        "Leave Response empty for a concern not yet answered. Do not change the Reference "
        "column: it is how each response finds its concern when the plan is imported.",
        "Status is free text; Not started, In progress and Complete are suggested.",
    )
    for i, note in enumerate(notes, start=5 + len(CATEGORY_MEANINGS)):
        put(ws.cell(i, 1), note)
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=2)
        ws.cell(i, 1).alignment = wrap
        ws.row_dimensions[i].height = 45
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 90

"""The action plan workbook as written for the establishment to fill in (and the shapes that
`action_plan_read` reads back when it is returned).

hmip-method.md §8: the header names the establishment, the inspection's dates, the date the
report was published (filled in when the inspection is published, else left to fill) and the
date the plan is submitted (the establishment fills it). Every concern is restated with the
reference the report gives it ("1", "2", … priority concerns first) and columns for the
response (Agreed / Partly agreed / Not agreed), which part is agreed or why not, and the
steps: one row per step, each with an action, an owner, a target date and a status. A
concern's further steps are rows under it, with its reference repeated (so sorting or
filtering keeps them with their concern) or left empty. Responses already imported are
pre-filled when it is exported again.

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

from hmip_desktop.domain import action_plan as AP
from hmip_desktop.domain.concerns import ACTION_PLAN_RESPONSES
from hmip_desktop.domain.date_words import long_date
from hmip_desktop.domain.errors import Cancelled, ValidationError
from hmip_desktop.domain.wording import plural
from hmip_desktop.report.atomic import atomic_output
from hmip_desktop.report.xml_text import xml_text

SHEET_PLAN = "Action plan"
SHEET_CATEGORIES = "Categories"

RESPONSES = ACTION_PLAN_RESPONSES
# A suggested list for Status; other wording is accepted (the list only warns in Excel).
STATUSES = ("Not started", "In progress", "Complete")

CATEGORY_MEANINGS: tuple[tuple[str, str], ...] = (
    ("Agreed", "All of the concern is agreed, and the work to address it is achievable and "
     "affordable. Give specific (SMART) actions, one row per step, each with an owner and a "
     "target date."),
    ("Partly agreed", "Only part of the concern will be addressed (for commissioning, policy, "
     "operational or affordability reasons). Say in the 'Part agreed or reasons' column which "
     "part will be done and why the rest will not, and give each step of the part agreed its "
     "own row with an owner and a target date."),
    ("Not agreed", "The concern is not accepted. Give the reasons in the 'Part agreed or "
     "reasons' column."),
)

# Columns of the plan sheet: (header, width). The last one is hidden and ties a row to its
# concern record, so a plan filled in after the register was reordered is caught.
H_REFERENCE, H_KIND, H_TITLE, H_CONCERN, H_ADDRESSEE = (
    "Reference", "Priority or key", "Title", "Concern", "Addressed to")
H_RESPONSE, H_DETAIL, H_ACTION, H_OWNER, H_TARGET, H_STATUS, H_RECORD = (
    "Response", "Part agreed or reasons", "Action", "Owner", "Target date", "Status",
    "Record id")
COLUMNS: tuple[tuple[str, float], ...] = (
    (H_REFERENCE, 11), (H_KIND, 16), (H_TITLE, 32), (H_CONCERN, 60), (H_ADDRESSEE, 24),
    (H_RESPONSE, 15), (H_DETAIL, 40), (H_ACTION, 50), (H_OWNER, 22), (H_TARGET, 13),
    (H_STATUS, 14), (H_RECORD, 38),
)
ANSWER_COLUMNS = (H_RESPONSE, H_DETAIL, H_ACTION, H_OWNER, H_TARGET, H_STATUS)
PRIORITY_LABEL, KEY_LABEL = "Priority concern", "Key concern"
DATE_FORMAT = "DD/MM/YYYY"
# Rows 1-2 name the inspection; rows 3-4 are the two dates of the header (label in A,
# value in C); row 5 says how to give several steps; the column headings follow.
# (The single-action version put its headings in row 4 and had no dates: the reader finds
# the headings and the labels wherever they are.)
L_PUBLISHED, L_SUBMITTED = "Report published", "Date submitted"
PUBLISHED_ROW, SUBMITTED_ROW, NOTE_ROW, HEADER_ROW = 3, 4, 5, 6
DATE_VALUE_COLUMN = 3
STEPS_NOTE = ("One row per step: to add a step, insert a row under the concern, repeat its "
              "Reference (or leave it empty) and fill in Action, Owner, Target date and Status. "
              "Give the Response once, on the concern's first row.")
# Rows below the last concern that keep the drop-down lists, for steps added at the end.
SPARE_ROWS = 100


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
    response: AP.Response | None = None


@dataclass(frozen=True)
class ActionPlanDocument:
    """Everything the workbook shows."""

    establishment_name: str
    start_date: str | None
    end_date: str | None
    owner_label: str  # who returns the plan (empty when the report model does not say)
    rows: Sequence[ActionPlanRow]
    publication_date: str | None = None  # YYYY-MM-DD once the report is published
    submitted_date: str | None = None  # YYYY-MM-DD, from a plan already imported


class ActionPlanRowsError(ValidationError):
    """Some rows of a returned plan are wrong; `problems` has one line per bad row."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        n = len(self.problems)
        super().__init__(f"The action plan was not imported: {plural(n, 'row')} "
                         f"{'needs' if n == 1 else 'need'} fixing.\n" + "\n".join(self.problems))


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
    answer_fill = PatternFill("solid", fgColor="FFF8E1")
    _header_dates(ws, doc, answer_fill)
    put(ws.cell(NOTE_ROW, 1), STEPS_NOTE)
    ws.cell(NOTE_ROW, 1).font = Font(italic=True)
    header_fill = PatternFill("solid", fgColor="DDE5F0")
    for col, (header, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(HEADER_ROW, col)
        put(cell, header)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = wrap
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.column_dimensions[get_column_letter(len(COLUMNS))].hidden = True
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)

    r = HEADER_ROW
    for i, row in enumerate(doc.rows):
        _stop_if(cancel)
        if progress is not None:
            progress(i, len(doc.rows) + 1)  # the last step: saving the workbook
        for values in _lines(row):
            r += 1
            for col, value in enumerate(values, start=1):
                cell = ws.cell(r, col)
                put(cell, value)
                cell.alignment = wrap
                if COLUMNS[col - 1][0] in ANSWER_COLUMNS:
                    cell.fill = answer_fill
            ws.cell(r, _col(H_TARGET)).number_format = DATE_FORMAT

    if doc.rows:
        _validations(ws, HEADER_ROW + 1, r + SPARE_ROWS)
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


def _lines(row: ActionPlanRow) -> list[list[Any]]:
    """The sheet rows of one concern: the concern with its response and first step, then one
    row per further step (reference and kind repeated, so sorting keeps them together)."""
    reference: Any = int(row.reference) if row.reference.isdigit() else row.reference
    kind = PRIORITY_LABEL if row.priority else KEY_LABEL
    answer = row.response
    steps = (answer.steps if answer is not None else ()) or (AP.Step(),)
    out = []
    for i, step in enumerate(steps):
        head: list[Any] = ([row.title, row.body, row.addressee_label,
                            answer.label if answer is not None else "",
                            answer.explanation if answer is not None else ""]
                           if i == 0 else ["", "", "", "", ""])
        out.append([reference, kind, *head, step.action, step.owner,
                    _iso_to_date(step.target_date), step.status, row.record_id])
    return out


def _header_dates(ws: Any, doc: ActionPlanDocument, fill: PatternFill) -> None:
    """The publication date (left to fill until the inspection is published) and the date
    the plan is submitted (the establishment fills it)."""
    for row, label, value in ((PUBLISHED_ROW, L_PUBLISHED, doc.publication_date),
                              (SUBMITTED_ROW, L_SUBMITTED, doc.submitted_date)):
        put(ws.cell(row, 1), label)
        ws.cell(row, 1).font = Font(bold=True)
        ws.merge_cells(start_row=row, start_column=1, end_row=row,
                       end_column=DATE_VALUE_COLUMN - 1)
        cell = ws.cell(row, DATE_VALUE_COLUMN)
        cell.value = _iso_to_date(value)
        cell.number_format = DATE_FORMAT
        cell.alignment = Alignment(horizontal="left")
        if row == SUBMITTED_ROW or value is None:
            cell.fill = fill
    dates = DataValidation(
        type="date", operator="greaterThanOrEqual", formula1="36526",  # 1 January 2000
        allow_blank=True, showErrorMessage=True, errorTitle="Date",
        error="Enter a date, for example 31/03/2027.")
    letter = get_column_letter(DATE_VALUE_COLUMN)
    dates.add(f"{letter}{PUBLISHED_ROW}:{letter}{SUBMITTED_ROW}")
    ws.add_data_validation(dates)


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
        f"Fill in {L_SUBMITTED} at the top of the Action plan sheet, and Response, Part agreed "
        "or reasons, Action, Owner, Target date and Status for each concern. Leave Response "
        "empty for a concern not yet answered. Do not change the Reference column: it is how "
        "each response finds its concern when the plan is imported.",
        STEPS_NOTE,
        "Status is free text; Not started, In progress and Complete are suggested.",
    )
    for i, note in enumerate(notes, start=5 + len(CATEGORY_MEANINGS)):
        put(ws.cell(i, 1), note)
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=2)
        ws.cell(i, 1).alignment = wrap
        ws.row_dimensions[i].height = 45
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 90

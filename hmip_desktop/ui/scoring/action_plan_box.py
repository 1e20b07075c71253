"""The establishment's action-plan response to a previous concern, read-only.

A review judges progress against what the establishment promised after the inspection, so
the response, the part agreed or the reasons, and each step (action, owner, target date) sit
beside the progress judgement. A step due before this visit began is called overdue in words
(and marked in red, apart from the amber of an item not yet judged): colour is never the only
signal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import QGroupBox, QVBoxLayout

from hmip_desktop.domain import action_plan as AP
from hmip_desktop.domain.date_words import long_date
from hmip_desktop.ui.widgets.forms import status_label, table_view
from hmip_desktop.ui.widgets.rows_model import OVERDUE, Column, RowsTableModel

AP_STEP, AP_ACTION, AP_OWNER, AP_TARGET, AP_OVERDUE, AP_STATUS = range(6)
OWNER_CHARS = 40  # the owner column fits up to this many characters before eliding
_MAX_ROWS_SHOWN = 6  # the table grows to this many steps; more scroll inside it


@dataclass(frozen=True)
class StepRow:
    """One step as the table shows it."""

    number: int
    step: AP.Step
    overdue: bool


def response_text(answer: AP.Response) -> str:
    """'Partly agreed. Part agreed: Wing C only.' and, when incomplete, what is missing."""
    text = answer.label + "."
    if answer.explanation:
        text += f" {AP.EXPLANATION_NAMES[answer.response]}: {answer.explanation}"
        text += "" if text.endswith((".", "!", "?")) else "."
    if not answer.steps:
        text += " No steps were given."
    gaps = answer.gaps()
    if gaps:
        text += " Missing: " + "; ".join(g.text() for g in gaps) + "."
    return text


def target_text(row: StepRow) -> str:
    """'30 April 2027' or 'not given'."""
    return long_date(row.step.target_date) if row.step.target_date else "not given"


class ActionPlanBox(QGroupBox):
    """The response, part agreed or reasons, and the steps of one previous item's plan."""

    def __init__(self) -> None:
        super().__init__("Establishment's action plan (read-only)")
        self.setAccessibleName("Establishment's action plan")
        self.visit = "review"  # the noun for this visit: "review" or "inspection"
        self._start: str | None = None
        self.response = status_label("Action plan response")
        self.overdue = status_label("Overdue action plan steps")
        # The same red as the overdue rows below.
        self.overdue.setStyleSheet(f"color: {OVERDUE.foreground.name()}; font-weight: bold;")
        self.model = RowsTableModel((
            Column("Step", lambda r: str(r.number)),
            Column("Action", lambda r: r.step.action or "(no action given)"),
            Column("Owner", lambda r: r.step.owner or "not given"),
            Column("Target date", target_text),
            # Its own column, in words: a longer date cell would elide the word away.
            Column("Overdue", self._overdue_cell, self._overdue_tip),
            Column("Status", lambda r: r.step.status),
        ), highlight=lambda r: r.overdue, mark=OVERDUE)
        # An owner is a job title ("Head of residential services"), longer than most cells.
        self.steps = table_view(self.model, "Action plan steps", stretch=AP_ACTION,
                                caps={AP_OWNER: OWNER_CHARS})
        layout = QVBoxLayout(self)
        layout.addWidget(self.response)
        layout.addWidget(self.overdue)
        layout.addWidget(self.steps)
        self.setVisible(False)

    def _overdue_cell(self, row: StepRow) -> str:
        # Unknown (not "no") when the visit has no start date or the step no target date.
        if not (self._start and row.step.target_date):
            return ""
        return "yes" if row.overdue else "no"

    def _overdue_tip(self, row: StepRow) -> str:
        if not (self._start and row.step.target_date):
            return "No target date or no start date for this visit"
        before = "before" if row.overdue else "not before"
        return f"Due {target_text(row)}: {before} this {self.visit} began on " \
            f"{long_date(self._start)}"

    def _fit_height(self, rows: int) -> None:
        """As tall as its steps (up to a few), so the judgement form stays in view."""
        view = self.steps
        shown = max(1, min(rows, _MAX_ROWS_SHOWN))
        view.setFixedHeight(view.horizontalHeader().sizeHint().height()
                            + view.verticalHeader().defaultSectionSize() * shown
                            + 2 * view.frameWidth())

    def _overdue_text(self, late: list[StepRow], total: int) -> str:
        """'Overdue: step 1 (1 of 2) was due before this review began on 2 November 2026.'"""
        if not late:
            return ""
        numbers = ", ".join(str(r.number) for r in late)
        noun, verb = ("step", "was") if len(late) == 1 else ("steps", "were")
        return (f"Overdue: {noun} {numbers} ({len(late)} of {total}) {verb} due before this "
                f"{self.visit} began on {long_date(self._start)}.")

    def show_plan(self, plan: Any, start_date: str | None) -> None:
        """Show a stored `action_plan` (hidden when there is none); `start_date` is this
        visit's first day, against which target dates are overdue."""
        answer = AP.read(plan)
        self._start = start_date
        if answer is None:
            self.model.set_rows([])
            self.response.setText("")
            self.overdue.setText("")
            self.setVisible(False)
            return
        rows = [StepRow(n, s, s.due_before(start_date))
                for n, s in enumerate(answer.steps, start=1)]
        self.model.set_rows(rows)
        self._fit_height(len(rows))
        self.response.setText(f"Response: {response_text(answer)}")
        late = [r for r in rows if r.overdue]
        self.overdue.setText(self._overdue_text(late, len(rows)))
        self.overdue.setVisible(bool(late))
        self.steps.setVisible(bool(rows))
        self.setVisible(True)

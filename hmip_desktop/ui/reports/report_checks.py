"""What the export would meet now: readiness (ready, or what blocks the draft report) and the
disclosure check's hits, each listed in words (where, what kind, the text found)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QHeaderView, QLabel, QVBoxLayout, QWidget

from hmip_desktop.domain.concerns import BLOCKING
from hmip_desktop.domain.disclosure import Hit
from hmip_desktop.domain.readiness import ReadinessReport
from hmip_desktop.domain.wording import plural
from hmip_desktop.ui.widgets.forms import buddy_label, status_label, table_view
from hmip_desktop.ui.widgets.rows_model import Column, RowsTableModel

IT_SEVERITY, IT_WHAT = range(2)
ITEM_COLUMNS = (
    Column("Blocks?", lambda i: "blocks" if i.severity == BLOCKING else "warning"),
    Column("What", lambda i: i.message),
)
HIT_WHERE, HIT_KIND, HIT_TEXT = range(3)
HIT_COLUMNS = (
    Column("Where", lambda h: h.where),
    Column("Kind", lambda h: h.kind_label),
    Column("Text found", lambda h: h.text, lambda h: h.describe()),
)
ACTION_PLAN_NOTE = ("The action plan workbook is checked when it is written: the same rules "
                    "look at each concern's title and text, and the action, owner and status "
                    "already returned.")


def readiness_text(report: ReadinessReport) -> str:
    """One line: readiness's own verdict (the Readiness tab's), and that a draft can still be
    exported when something blocks."""
    return report.verdict if report.ready else f"{report.verdict} You can still export a draft."


def hits_text(hits: Sequence[Hit]) -> str:
    """One line: what the disclosure check found."""
    if not hits:
        return "Disclosure check: nothing found that must not leave the inspection."
    return (f"Disclosure check: {plural(len(hits), 'item')} found that must not leave the "
            "inspection. Edit the text, add terms, or choose to redact when exporting.")


class ReportChecks(QWidget):
    """Readiness and disclosure hits of the document as it would be exported now."""

    def __init__(self) -> None:
        super().__init__()
        self.setAccessibleName("Checks before export")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.readiness = status_label("Readiness verdict")
        font = self.readiness.font()
        font.setBold(True)
        self.readiness.setFont(font)
        self.items_model = RowsTableModel(ITEM_COLUMNS, highlight=lambda i: i.severity == BLOCKING)
        self.items = table_view(self.items_model, "What blocks the draft report, and warnings",
                                stretch=IT_WHAT)
        self.items.horizontalHeader().setSectionResizeMode(
            IT_SEVERITY, QHeaderView.ResizeMode.ResizeToContents)
        self.items.setMinimumHeight(90)
        self.hits_summary = status_label("Disclosure check result")
        self.hits_summary.setFont(font)
        self.hits_model = RowsTableModel(HIT_COLUMNS)
        self.hits = table_view(self.hits_model, "Disclosure check hits", stretch=HIT_WHERE)
        for column in (HIT_KIND, HIT_TEXT):
            self.hits.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents)
        self.hits.setMinimumHeight(90)
        self.scope_note = QLabel(ACTION_PLAN_NOTE)
        self.scope_note.setAccessibleName("Disclosure check scope")
        self.scope_note.setWordWrap(True)
        self.scope_note.hide()
        layout.addWidget(self.readiness)
        layout.addWidget(buddy_label("What bloc&ks it, and warnings:", self.items))
        layout.addWidget(self.items, 1)
        layout.addWidget(self.hits_summary)
        layout.addWidget(self.scope_note)
        layout.addWidget(buddy_label("Items found by the &disclosure check:", self.hits))
        layout.addWidget(self.hits, 1)
        self.report: ReadinessReport | None = None

    def show_readiness(self, report: ReadinessReport) -> None:
        """Ready, or the blockers (then the warnings) listed."""
        self.report = report
        self.readiness.setText(readiness_text(report))
        self.items_model.set_rows([*report.blockers, *report.warnings])

    def show_hits(self, hits: Sequence[Hit]) -> None:
        """List every hit: where it is, what kind, the text found."""
        self.hits_summary.setText(hits_text(hits))
        self.hits_model.set_rows(list(hits))

    def set_action_plan_scope(self, action_plan: bool) -> None:
        """Say what the check covers while the action plan is the chosen export."""
        self.scope_note.setVisible(action_plan)

    def clear(self) -> None:
        """Forget the closed inspection."""
        self.report = None
        self.readiness.setText("No inspection is open.")
        self.hits_summary.setText("")
        self.items_model.set_rows([])
        self.hits_model.set_rows([])

"""Readiness for a draft report: per section coverage, findings, scores; concerns; blockers."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from hmip_desktop.domain.readiness import ReadinessReport, SectionReadiness
from hmip_desktop.services.coverage import NOT_LOADED
from hmip_desktop.services.readiness import readiness_report
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import present_error
from hmip_desktop.ui.widgets.forms import buddy_label, status_label, table_view
from hmip_desktop.ui.widgets.rows_model import Column, RowsTableModel


def _scores(s: SectionReadiness) -> str:
    if not s.judged:
        return "not scored"
    return f"{s.provisional_scores} provisional"


def _agreed(s: SectionReadiness) -> str:
    if not s.judged:
        return "—"
    if s.agreed_conflicted:
        return "in conflict"
    return "agreed" if s.agreed else "not yet"


RS_SECTION, RS_COVERAGE, RS_TRIANGULATED, RS_FINDINGS, RS_SCORES, RS_AGREED = range(6)
SECTION_COLUMNS = (
    Column("Section", lambda s: s.label),
    # "expectations not loaded", never "0 of 0" (which looks finished).
    Column("With evidence", lambda s: f"{s.expectations_covered} of {s.expectations_total}"
           if s.expectations_total else NOT_LOADED),
    Column("Triangulated", lambda s: f"{s.expectations_triangulated} of {s.expectations_total}"
           if s.expectations_total else "—"),
    Column("Findings drafted", lambda s: s.findings_summary),
    Column("Scores given", _scores),
    Column("Agreed score", _agreed),
)
ITEM_COLUMNS = (Column("What", lambda i: i.message),)


class ReadinessPanel(QWidget):
    """The readiness report: what is done per section and what still blocks a draft."""

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setAccessibleName("Readiness")
        self.verdict = QLabel("")
        self.verdict.setAccessibleName("Readiness verdict")
        self.verdict.setWordWrap(True)
        font = self.verdict.font()
        font.setBold(True)
        self.verdict.setFont(font)
        self.refresh = QPushButton("Check &again")
        self.refresh.clicked.connect(self._on_refresh_clicked)
        self.sections_model = RowsTableModel(SECTION_COLUMNS,
                                             highlight=lambda s: s.judged and not s.agreed)
        self.sections = table_view(self.sections_model, "Readiness per section",
                                   stretch=RS_SECTION)
        self.concerns = status_label("Concerns summary")
        self.previous = status_label("Previous items summary")
        self.blockers_model = RowsTableModel(ITEM_COLUMNS)
        self.blockers = table_view(self.blockers_model, "What blocks a draft report")
        self.warnings_model = RowsTableModel(ITEM_COLUMNS)
        self.warnings = table_view(self.warnings_model, "Warnings")
        top = QHBoxLayout()
        top.addWidget(self.verdict, 1)
        top.addWidget(self.refresh)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(buddy_label("Se&ctions:", self.sections))
        layout.addWidget(self.sections, 2)
        layout.addWidget(self.concerns)
        layout.addWidget(self.previous)
        layout.addWidget(buddy_label("What &blocks a draft report:", self.blockers))
        layout.addWidget(self.blockers, 1)
        layout.addWidget(buddy_label("Wa&rnings (do not block):", self.warnings))
        layout.addWidget(self.warnings, 1)
        self.report: ReadinessReport | None = None

    def reload(self) -> None:
        """Work the report out on the DB lane."""
        store = self.ctx.store
        if store is None:
            return
        self.refresh.setEnabled(False)
        self.ctx.tasks.submit(lambda: readiness_report(store), self._show, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.refresh.setEnabled(True)
        present_error(self, exc)

    def _show(self, report: ReadinessReport) -> None:
        self.refresh.setEnabled(True)
        self.report = report
        self.verdict.setText(report.verdict)
        self.sections_model.set_rows(report.sections)
        self.concerns.setText(f"Concerns: {report.concerns_summary}.")
        self.previous.setText(f"Previous concerns or recommendations: "
                              f"{report.previous_judged} of {report.previous_total} with a "
                              "progress judgement.")
        self.blockers_model.set_rows(report.blockers)
        self.warnings_model.set_rows(report.warnings)

    def clear(self) -> None:
        """Forget the closed inspection."""
        self.report = None
        self.verdict.setText("")
        for model in (self.sections_model, self.blockers_model, self.warnings_model):
            model.set_rows([])

    def _on_refresh_clicked(self) -> None:
        self.reload()

"""Reports: export the draft report (PDF to read, DOCX to edit), the Urgent Notification letter
and the action plan, after readiness and the disclosure check; write the report's own text
parts and keep the list of names and terms the check looks for.

Every read and write runs on the DB lane. An export runs with a progress bar and Cancel (the
page's export controls are disabled meanwhile); a PDF just written is shown in the app from
memory. Exported files are not encrypted, and the page says so plainly at all times.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QSplitter, QTabWidget, QVBoxLayout, QWidget

from hmip_desktop.domain import records as R
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.services.report import (
    NOT_ENCRYPTED,
    UN_LETTER,
    ExportOptions,
)
from hmip_desktop.services.report_state import ReportState, report_state
from hmip_desktop.services.report_writing import ReportWritingService
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import error_text, present_error
from hmip_desktop.ui.evidence.document_preview import DocumentPreview
from hmip_desktop.ui.page_base import Page, PageKey, heading
from hmip_desktop.ui.reports import report_dialogs
from hmip_desktop.ui.reports.report_checks import ReportChecks
from hmip_desktop.ui.reports.report_choices import ACTION_PLAN, STOP, ReportChoices
from hmip_desktop.ui.reports.report_export import ReportExport
from hmip_desktop.ui.reports.report_terms import ReportTerms
from hmip_desktop.ui.reports.text_parts_editor import ReportTextParts
from hmip_desktop.ui.widgets.forms import ColumnScrollArea

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore

NO_PDF = "Export a PDF to read it here. Nothing is shown until then."


class ReportsPage(Page):
    """Export choices and checks on the left; report text, terms and the PDF on the right."""

    title = PageKey.REPORTS

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self._stale = False
        self._previewing = False
        self._preview_again = False
        self.state: ReportState | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.title))
        self.not_encrypted = QLabel(NOT_ENCRYPTED)
        self.not_encrypted.setAccessibleName("Exported files are not encrypted")
        self.not_encrypted.setWordWrap(True)
        font = self.not_encrypted.font()
        font.setBold(True)
        self.not_encrypted.setFont(font)
        layout.addWidget(self.not_encrypted)

        # Left: what to export, how, Generate, progress, result and the checks (created first
        # so Tab follows the visual order, left column then the tabs on the right).
        left = QWidget()
        left_layout = QVBoxLayout(left)
        self.choices = ReportChoices()
        left_layout.addWidget(self.choices)
        # The export saves pending report text first (`flush`): the text editor on the right
        # is created after the left column, so Tab reaches it last.
        self.export = ReportExport(ctx, self.choices, self.flush)
        left_layout.addWidget(self.export)
        # Short names for what tests and the window touch most.
        self.generate_button = self.export.generate_button
        self.folder_button = self.export.folder_button
        self.progress = self.export.progress
        self.status = self.export.status
        self.checks = ReportChecks()
        left_layout.addWidget(self.checks, 1)
        # Scrolls down, never sideways, and takes the width its choices need (at 1024x640
        # a narrower column cut "Save marking" and the import's check box at its edge).
        self.left_scroll = ColumnScrollArea(left)
        self.left_scroll.setAccessibleName("Export choices and checks")

        # Right: the report's text parts, the disclosure terms, the PDF just written.
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Report text, disclosure terms and exported PDF")
        self.text_parts = ReportTextParts(ctx)
        self.terms = ReportTerms(ctx)
        self.preview = DocumentPreview()
        self.preview.setAccessibleName("Exported PDF")
        self.preview.picture_scroll.setAccessibleName("Exported PDF page")
        self.preview.clear(NO_PDF)
        self.tabs.addTab(self.text_parts, "Report &text")
        # Alt+C is the export's Cancel (left column): L and N moved along the choices for it.
        self.tabs.addTab(self.terms, "Disc&losure terms")
        self.tabs.addTab(self.preview, "E&xported PDF")

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setAccessibleName("Export and report text")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.left_scroll)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        # Proportions: the choices column needs about half at 1366x768 to show its options
        # without cutting them (seen in `make screenshots`).
        self.splitter.setSizes([560, 500])
        layout.addWidget(self.splitter, 1)

        self.choices.choice_changed.connect(self._on_choices_choice_changed)
        self.choices.options_changed.connect(self._on_choices_options_changed)
        self.choices.marking_save_requested.connect(self._on_choices_marking_save_requested)
        self.export.started.connect(self._on_export_started)
        self.export.pdf_written.connect(self._on_export_pdf_written)
        self.export.hits_found.connect(self.checks.show_hits)
        self.export.running_changed.connect(self._on_export_running_changed)
        self.checks.clear()
        self._set_enabled()

    # -- page life ---------------------------------------------------------------------------
    def wants(self, changes: ChangeSet) -> bool:
        """Almost anything the report shows can change readiness or what the check finds."""
        return changes.everything or bool(changes.types)

    def _on_changes(self, changes: ChangeSet) -> None:
        if self.ctx.store is None or not self.wants(changes):
            return
        if changes.everything or not self.isVisible():
            self.reload()
            return
        if changes.touches(R.REPORT_TEXT):
            self.text_parts.reload()
        if changes.touches(R.DISCLOSURE_TERM):
            self.terms.reload()
        self.refresh_preview()

    def reload(self) -> None:
        """Read the parts, the terms and the preview (deferred until the page is shown)."""
        if self.ctx.store is None:
            return
        if not self.isVisible():
            self._stale = True  # the preview builds the whole report: only when looked at
            return
        self._stale = False
        self._set_enabled()
        self.text_parts.reload()
        self.terms.reload()
        self.refresh_preview()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        """Catch up on what changed while the page was hidden."""
        super().showEvent(event)
        if self._stale:
            self.reload()

    def clear(self) -> None:
        """Forget the closed inspection (pending report text is saved first)."""
        self._stale = False
        self.state = None
        self.text_parts.clear()
        self.terms.clear()
        self.checks.clear()
        self.choices.set_un_available(False)
        self.preview.clear(NO_PDF)
        self.export.clear()
        self._set_enabled()

    def choose_un_letter(self) -> None:
        """Preselect the Urgent Notification letter (asked from the Overview's panel)."""
        self.choices.radios["un_pdf"].setEnabled(True)
        self.choices.radios["un_pdf"].setChecked(True)
        self.refresh_preview()

    def flush(self) -> None:
        """Save report text still waiting for its timer (the window calls this on close)."""
        self.text_parts.flush()

    def _set_enabled(self) -> None:
        self.export.set_enabled()
        self.choices.set_busy(self.ctx.store is None or self.export.running)

    # -- preview -----------------------------------------------------------------------------
    def refresh_preview(self) -> None:
        """Work out readiness and the disclosure hits again on the DB lane."""
        store = self.ctx.store
        if store is None:
            return
        if self._previewing:
            self._preview_again = True  # one more once this one is delivered
            return
        self._previewing = True
        self._preview_again = False
        options = self.choices.options(mode=STOP)
        self.ctx.tasks.submit(lambda: report_state(store, options),
                              lambda state: self._on_state_read(store, state),
                              lambda exc: self._on_state_failed(options, exc))

    def _on_state_read(self, store: InspectionStore, state: ReportState) -> None:
        self._previewing = False
        if store is self.ctx.store:  # not a file closed (or replaced) while it was read
            self.state = state
            self.choices.set_marking(state.marking)
            self.choices.set_un_available(state.preview.un_set)
            self.checks.show_readiness(state.preview.readiness)
            self.checks.show_hits(state.preview.hits)
            self.checks.set_action_plan_scope(self.choices.choice().document == ACTION_PLAN)
        if self._preview_again:
            self.refresh_preview()

    def _on_state_failed(self, options: ExportOptions, exc: BaseException) -> None:
        self._previewing = False
        if options.document == UN_LETTER and self.ctx.store is not None:
            self.choices.set_un_available(False)  # the notification was withdrawn meanwhile
            self.refresh_preview()
            return
        present_error(self.window(), exc)
        if self._preview_again:
            self.refresh_preview()

    # -- slots -------------------------------------------------------------------------------
    def _on_choices_choice_changed(self) -> None:
        self.refresh_preview()

    def _on_choices_options_changed(self) -> None:
        self.refresh_preview()

    def _on_choices_marking_save_requested(self, marking: str) -> None:
        store = self.ctx.store
        if store is None:
            return

        def saved(changes: ChangeSet) -> None:
            self.choices.marking_saved()
            self.status.setText("Protective marking saved.")

        def failed(exc: BaseException) -> None:
            self.status.setText(f"Protective marking NOT saved. {error_text(exc)}")
            present_error(self.window(), exc)

        self.ctx.write(lambda: ReportWritingService(store).set_marking(marking),
                       on_error=failed, before_broadcast=saved)

    def _on_export_running_changed(self, _running: bool) -> None:
        self._set_enabled()

    def _on_export_started(self) -> None:
        self.preview.clear(NO_PDF)

    def _on_export_pdf_written(self, path: Path, data: bytes) -> None:
        self.preview.show_document(report_dialogs.exported_pdf_view(path, data), [], data)
        self.preview.show_text.hide()  # the exported PDF has no separate text pages
        self.tabs.setCurrentWidget(self.preview)

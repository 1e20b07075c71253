"""Generate (and import the action plan's responses): ask for the file, write it on the DB lane
with a progress bar and Cancel, handle the disclosure check's refusal, say what was written
and offer to show its folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from hmip_desktop.domain.date_words import long_date
from hmip_desktop.domain.errors import Cancelled
from hmip_desktop.services.action_plan import ActionPlanImport, ActionPlanService, MarkedReceived
from hmip_desktop.services.report import (
    DisclosureBlocked,
    ExportOptions,
    ExportResult,
    NotReady,
    ReportService,
)
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import error_text, present_error
from hmip_desktop.ui.reports import report_dialogs
from hmip_desktop.ui.reports.report_checks import plural
from hmip_desktop.ui.reports.report_choices import (
    ACTION_PLAN,
    ALLOW,
    REDACT,
    STOP,
    ExportChoice,
    ReportChoices,
)
from hmip_desktop.ui.tasks import TaskControl
from hmip_desktop.ui.widgets.forms import status_label
from hmip_desktop.ui.widgets.task_progress import TaskProgress

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore


def export_document(store: InspectionStore, target: Path, options: ExportOptions,
                    control: TaskControl, *, keep_bytes: bool) -> tuple[ExportResult, bytes | None]:
    """Write the document (DB lane); with `keep_bytes`, read it back for the in-app viewer."""
    result = ReportService(store).export(target, options, progress=control.progress,
                                         cancel=control.cancel.is_set)
    return result, (result.path.read_bytes() if keep_bytes else None)


# Incomplete answers listed in the status line; the Concerns page shows every one.
SHOWN_GAPS = 5


def imported_text(result: ActionPlanImport) -> str:
    """What an action plan import stored, the date submitted, and what is incomplete."""
    n = result.stored
    lines = [f"Action plan imported: responses stored for {plural(n, 'concern')}." if n else
             "Action plan imported: nothing had changed."]
    if result.submitted_date:
        lines[0] += f" Date submitted: {long_date(result.submitted_date)}."
    gaps = result.incomplete
    if gaps:
        lines.append(f"Incomplete, stored as sent ({plural(len(gaps), 'gap')}; ask the "
                     "establishment for what is missing):")
        lines += gaps[:SHOWN_GAPS]
        if len(gaps) > SHOWN_GAPS:
            lines.append(f"… and {len(gaps) - SHOWN_GAPS} more (see the Concerns page).")
    return "\n".join(lines)


def written_text(result: ExportResult) -> str:
    """What an export wrote, in words."""
    parts = [f"Written: {result.path.name} (in {result.path.parent})."]
    if result.hits:
        n = plural(len(result.hits), "item")
        parts.append(f"{n} replaced with [redacted]." if result.redacted
                     else f"{n} found by the disclosure check exported as they are.")
    if result.blockers:
        parts.append(f"This is a draft: {plural(len(result.blockers), 'thing')} still "
                     "block the report.")
    if result.not_as_written:
        parts.append(f"The PDF cannot show some text as written "
                     f"({plural(len(result.not_as_written), 'place')}, first: "
                     f"{result.not_as_written[0]}): characters its fonts lack are printed as "
                     "[U+…] codes and right-to-left script reads left to right. The Word "
                     "export keeps the text as written.")
    return " ".join(parts)


class ReportExport(QWidget):
    """The Generate and Import buttons, the running export, and what the last one wrote."""

    started = Signal()  # a new export began: the previous PDF is no longer shown
    pdf_written = Signal(object, object)  # the Path and its bytes
    hits_found = Signal(object)  # the disclosure hits an export met
    running_changed = Signal(bool)

    def __init__(self, ctx: UiContext, choices: ReportChoices,
                 before_export: Callable[[], None]) -> None:
        super().__init__()
        self.ctx = ctx
        self.choices = choices
        self._before_export = before_export  # saves report text still being typed
        self._last_folder: Path | None = None
        self.last_path: Path | None = None  # the last file written
        self.last_result: ExportResult | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        self.generate_button = QPushButton("Ge&nerate…")
        self.generate_button.setAccessibleName("Generate the chosen document")
        self.import_button = QPushButton("&Import action plan responses…")
        self.import_button.setAccessibleName("Import the establishment's action plan responses")
        # The CLI's --strict: a plan with gaps is sent back rather than stored as sent.
        self.strict_box = QCheckBox("Ref&use incomplete answers")
        self.strict_box.setAccessibleName("Refuse an action plan with incomplete answers")
        self.strict_box.setToolTip(
            "Store nothing when an answer is incomplete (no step with an action, owner and "
            "target date; partly agreed without the part; not agreed without reasons), to "
            "send the plan back to the establishment. Unticked, gaps are stored as sent and "
            "listed.")
        buttons.addWidget(self.generate_button)
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        # Its own line, under the import it qualifies: beside the buttons it made the column
        # too wide for a small window.
        layout.addWidget(self.strict_box)
        self.progress = TaskProgress(ctx)
        layout.addWidget(self.progress)
        self.status = status_label("Export status")
        layout.addWidget(self.status)
        result_row = QHBoxLayout()
        self.folder_button = QPushButton("Show in f&older")
        self.folder_button.setAccessibleName("Show the exported file's folder")
        result_row.addWidget(self.folder_button)
        result_row.addStretch(1)
        layout.addLayout(result_row)
        self.generate_button.clicked.connect(self._on_generate_button_clicked)
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.folder_button.clicked.connect(self._on_folder_button_clicked)
        self.progress.running_changed.connect(self._on_progress_running_changed)
        self.set_enabled()

    @property
    def running(self) -> bool:
        """True while an export or import runs."""
        return self.progress.running

    def set_enabled(self) -> None:
        """Buttons usable only with an inspection open and nothing running."""
        has = self.ctx.store is not None and not self.progress.running
        self.generate_button.setEnabled(has)
        self.import_button.setEnabled(has and self.choices.action_plan_available)
        self.strict_box.setEnabled(self.import_button.isEnabled())
        self.folder_button.setEnabled(has and self.last_path is not None)

    def clear(self) -> None:
        """Forget the closed inspection's last export."""
        self.last_path = None
        self.last_result = None
        self.status.setText("")
        self.set_enabled()

    def start_folder(self) -> Path:
        """Where the save dialog opens: the last folder used, else the data dir's exports."""
        if self._last_folder is not None and self._last_folder.is_dir():
            return self._last_folder
        return report_dialogs.exports_folder()

    # -- report and letter -------------------------------------------------------------------
    def generate(self) -> None:
        """Ask for the file, then write the chosen document off the GUI thread."""
        if self.ctx.store is None or self.progress.running:
            return
        self._before_export()
        choice = self.choices.choice()
        target = report_dialogs.choose_target(self.window(), self.start_folder(), choice)
        if target is None:
            return
        self._last_folder = target.parent
        if choice.document == ACTION_PLAN:
            self.export_action_plan(target, self.choices.disclosure_mode())
        else:
            self.export_to(target, choice, self.choices.disclosure_mode())

    def export_to(self, target: Path, choice: ExportChoice, mode: str) -> None:
        """Write a report or letter to `target` with a disclosure mode (STOP, REDACT, ALLOW)."""
        store = self.ctx.store
        if store is None:
            return
        options = self.choices.options(mode=mode)
        self.started.emit()
        self.status.setText("")
        self.progress.run(
            f"Writing {target.name}…",
            lambda c: export_document(store, target, options, c, keep_bytes=choice.is_pdf),
            self._on_exported, lambda exc: self._on_export_failed(target, choice, exc))

    def _on_exported(self, outcome: tuple[ExportResult, bytes | None]) -> None:
        result, data = outcome
        self.last_result = result
        self.last_path = result.path
        self.status.setText(written_text(result))
        self.set_enabled()
        if result.hits:
            self.hits_found.emit(result.hits)
        if data is not None:
            self.pdf_written.emit(result.path, data)

    def _on_export_failed(self, target: Path, choice: ExportChoice,
                          exc: BaseException) -> None:
        if isinstance(exc, DisclosureBlocked):
            self._ask_about_hits(exc, lambda mode: self.export_to(target, choice, mode))
            return
        if isinstance(exc, Cancelled):
            self.status.setText("Cancelled. Nothing was written.")
            return
        if isinstance(exc, NotReady):
            self.status.setText(f"Nothing was written: {plural(len(exc.blockers), 'thing')} "
                                "still block the draft report (listed below).")
        else:
            self.status.setText(f"Nothing was written. {error_text(exc)}")
        present_error(self.window(), exc)

    # -- action plan -------------------------------------------------------------------------
    def export_action_plan(self, target: Path, mode: str = STOP) -> None:
        """Write the action plan workbook for the establishment to answer."""
        store = self.ctx.store
        if store is None:
            return
        self.started.emit()
        self.status.setText("")

        def done(count: Any) -> None:
            self.last_path = target
            self.last_result = None
            self.status.setText(f"Written: {target.name} (in {target.parent}), "
                                f"{plural(int(count), 'concern')}.")
            self.set_enabled()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, DisclosureBlocked):
                self._ask_about_hits(exc, lambda mode: self.export_action_plan(target, mode))
                return
            self._on_plan_failed(exc)

        self.progress.run(f"Writing {target.name}…",
                          lambda c: ActionPlanService(store).export(
                              target, redact=mode == REDACT, allow_disclosure=mode == ALLOW,
                              progress=c.progress, cancel=c.cancel.is_set),
                          done, failed)

    def import_action_plan(self, path: Path) -> None:
        """Store the establishment's responses from a returned workbook (refused whole when
        "Refuse incomplete answers" is ticked and one is); on a published inspection, then
        ask whether to mark the plan received."""
        store = self.ctx.store
        if store is None:
            return
        strict = self.strict_box.isChecked()

        def done(result: ActionPlanImport) -> None:
            self.status.setText(imported_text(result))

        self.progress.run(f"Reading {path.name}…",
                          lambda c: ActionPlanService(store).import_(
                              path, strict=strict, progress=c.progress, cancel=c.cancel.is_set),
                          self._offer_received,
                          self._on_plan_failed, write=True, before_broadcast=done)

    def _offer_received(self, result: ActionPlanImport) -> None:
        """Published: ask to move the status to action plan received (one service call)."""
        store = self.ctx.store
        received = result.received
        if store is None or not received.can_mark:
            return
        if not report_dialogs.ask_mark_received(self.window(), received):
            self._add_status("Status: still Published; mark the plan received on the "
                             "Overview page when ready.")
            return

        def marked(outcome: MarkedReceived) -> None:
            now = outcome.received
            self._add_status(f"Status: Action plan received on {long_date(now.on)}." if now.moved
                             else f"Status not moved: {now.reason}.")

        self.progress.run("Marking the action plan received…",
                          lambda _c: ActionPlanService(store).mark_received(received.on),
                          lambda _r: None, self._on_mark_failed, write=True,
                          before_broadcast=marked, cancellable=False)

    def _add_status(self, line: str) -> None:
        text = self.status.text()
        self.status.setText(f"{text}\n{line}" if text else line)

    def _on_mark_failed(self, exc: BaseException) -> None:
        self._add_status("The responses are stored; the status was not moved.")
        present_error(self.window(), exc)

    def _ask_about_hits(self, exc: DisclosureBlocked, retry: Callable[[str], None]) -> None:
        """Show what the check found and export again the way the person chooses."""
        self.hits_found.emit(exc.hits)
        self.status.setText(f"Nothing was written: the disclosure check found "
                            f"{plural(len(exc.hits), 'item')} (listed below).")
        answer = report_dialogs.ask_disclosure_choice(self.window(), exc.hits)
        if answer is not None:
            retry(answer)

    def _on_plan_failed(self, exc: BaseException) -> None:
        self.status.setText(error_text(exc) if isinstance(exc, Cancelled)
                            else "Nothing was written or stored.")
        present_error(self.window(), exc)

    # -- slots -------------------------------------------------------------------------------
    def _on_generate_button_clicked(self) -> None:
        self.generate()

    def _on_import_button_clicked(self) -> None:
        path = report_dialogs.choose_workbook(self.window(), self.start_folder())
        if path is not None:
            self.import_action_plan(path)

    def _on_folder_button_clicked(self) -> None:
        if self.last_path is not None and not report_dialogs.show_in_folder(self.last_path):
            self.status.setText(f"The folder could not be opened: {self.last_path.parent}")

    def _on_progress_running_changed(self, running: bool) -> None:
        self.set_enabled()
        self.running_changed.emit(running)

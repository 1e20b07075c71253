"""Team & sync: my identity card, the team roster, bundle export and import (with a preview of
each bundle, progress and Cancel), undo of the last merge, the conflict queue and the import
history.

Bundles move on a folder or a USB stick; their names reveal neither the establishment nor a
person. Bundles can be dropped onto the page. Every long task runs on the DB lane with a
progress bar and Cancel, and the page's controls are disabled while it runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.domain.errors import Cancelled
from hmip_desktop.services import bundles, inspections
from hmip_desktop.services.bundles import (
    BUNDLE_SUFFIX,
    BundlePreview,
    ExportReport,
    ImportLogEntry,
    ImportReport,
    UndoReport,
)
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import ask_yes_no, error_text, present_error
from hmip_desktop.ui.opening.key_gate import KeyGate
from hmip_desktop.ui.page_base import Page, PageKey, heading
from hmip_desktop.ui.team.bundle_preview_dialog import BundlePreviewDialog
from hmip_desktop.ui.team.conflict_queue import ConflictQueue
from hmip_desktop.ui.team.identity_panel import IdentityPanel
from hmip_desktop.ui.team.roster_panel import RosterPanel, fit_columns
from hmip_desktop.ui.team.sync_models import (
    bundle_file_name,
    export_summary,
    history_model,
    history_undoable,
    import_summary,
    plural,
)
from hmip_desktop.ui.widgets.file_drops import FileDrops
from hmip_desktop.ui.widgets.forms import status_label, table_view
from hmip_desktop.ui.widgets.task_progress import TaskProgress

if TYPE_CHECKING:
    from hmip_desktop.services.identity_keys import DeviceKeys

BUNDLE_FILTER = f"Sync bundles (*{BUNDLE_SUFFIX});;All files (*)"
NO_FILE = ("No inspection is open. You can still export your identity card; to join a team, "
           "use File ▸ Join inspection from invite….")


def bundle_paths(mime: QMimeData) -> list[Path]:
    """The local bundle files in dropped data (other files are ignored)."""
    if not mime.hasUrls():
        return []
    out = [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]
    return [p for p in out if p.suffix.lower() == BUNDLE_SUFFIX]


class TeamSyncPage(FileDrops, Page):
    """Identity, team, bundles, conflicts and history of the open inspection."""

    title = PageKey.TEAM_SYNC

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.gate = KeyGate(self, ctx)
        self.confirm: Callable[[str], bool] = lambda q: ask_yes_no(self, q)  # tests replace
        self.preview_dialog: BundlePreviewDialog | None = None
        self.last_report: ImportReport | None = None
        self._stale = False
        self._identity_loaded = False
        self.setAcceptDrops(True)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.title))
        bar = QHBoxLayout()
        self.export_button = QPushButton("&Export bundle…")
        self.export_button.setAccessibleName("Export bundle to a folder or USB stick")
        self.full_check = QCheckBox("Include a&ll attachments (full)")
        self.full_check.setAccessibleName("Full bundle: include every attachment again")
        self.full_check.setToolTip("Normally attachments travel once, and those the team "
                                   "leader sent are not sent back. Tick this for someone "
                                   "who is missing attachments.")
        self.import_button = QPushButton("&Import bundles…")
        self.import_button.setAccessibleName("Import bundles")
        self.undo_button = QPushButton("&Undo last merge…")
        self.undo_button.setAccessibleName("Undo last merge")
        for w in (self.export_button, self.full_check, self.import_button, self.undo_button):
            bar.addWidget(w)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.progress = TaskProgress(ctx)
        layout.addWidget(self.progress)
        self.status = status_label("Sync status")
        self.status.setText(NO_FILE)
        layout.addWidget(self.status)
        hint = QLabel(f"Tip: drop {BUNDLE_SUFFIX} files onto this page to import them.")
        hint.setAccessibleName("Drop hint")
        layout.addWidget(hint)
        self.tabs = QTabWidget()
        team_tab = QWidget()
        team_row = QHBoxLayout(team_tab)
        self.identity = IdentityPanel(ctx, self.gate)
        self.roster = RosterPanel(ctx, self.gate, self.progress)
        team_row.addWidget(self.identity, 2)
        team_row.addWidget(self.roster, 3)
        self.queue = ConflictQueue(ctx)
        self.history_model = history_model()
        self.history = table_view(self.history_model, "Import history")
        fit_columns(self.history)
        self.tabs.addTab(team_tab, "&Team")
        # Alt+C is the progress bar's Cancel, shown above these tabs.
        self.conflicts_tab = self.tabs.addTab(self.queue, "Conflict&s")
        self.tabs.addTab(self.history, "Im&port history")
        layout.addWidget(self.tabs, 1)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.undo_button.clicked.connect(self._on_undo_button_clicked)
        self.progress.running_changed.connect(self._on_progress_running_changed)
        self.queue.resolved.connect(self._on_queue_resolved)
        self.queue.count_changed.connect(self._on_queue_count_changed)
        self._set_enabled(True)

    # -- page life ---------------------------------------------------------------------------
    def wants(self, changes: ChangeSet) -> bool:
        """Any write may end "undo last merge"; merges and roster changes change the rest."""
        return True

    def reload(self) -> None:
        """Refresh roster, conflicts and history (deferred until the page is shown)."""
        if self.ctx.store is None:
            return
        if not self.isVisible():
            self._stale = True  # cheap when it matters: reload once the page is looked at
            return
        self._stale = False
        if self.status.text() == NO_FILE:
            self.status.setText("")
        self.roster.reload()
        self.queue.reload()
        self.reload_history()
        self._set_enabled(not self.progress.running)

    def reload_history(self) -> None:
        """Read the import history on the DB lane."""
        store = self.ctx.store
        if store is not None:
            self.ctx.tasks.submit(lambda: bundles.import_history(store), self._show_history,
                                  lambda e: present_error(self.window(), e))

    def _show_history(self, entries: list[ImportLogEntry]) -> None:
        self.history_model.set_rows(entries)
        self.undo_button.setEnabled(self._idle() and history_undoable(entries))

    def clear(self) -> None:
        """Forget the closed inspection."""
        self._stale = False
        self.roster.clear()
        self.queue.clear()
        self.history_model.set_rows([])
        self.status.setText(NO_FILE)
        self._set_enabled(True)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        """Load the identity card the first time, and anything that changed while hidden."""
        super().showEvent(event)
        if not self._identity_loaded:
            self._identity_loaded = True
            self.identity.refresh()
        if self._stale:
            self.reload()

    def _idle(self) -> bool:
        return not self.progress.running

    def _set_enabled(self, idle: bool) -> None:
        has = self.ctx.store is not None and idle
        self.export_button.setEnabled(has)
        self.full_check.setEnabled(has)
        self.import_button.setEnabled(has)
        self.undo_button.setEnabled(has and history_undoable(self.history_model.rows()))
        self.identity.export_button.setEnabled(idle)
        self.identity.save_button.setEnabled(idle)
        self.roster.set_enabled_state(idle)
        self.queue.set_busy(not idle)
        self.setAcceptDrops(idle)

    def _on_task_failed(self, exc: BaseException) -> None:
        if isinstance(exc, Cancelled):
            self.status.setText(error_text(exc))
        else:
            self.status.setText("")
            present_error(self.window(), exc)

    # -- export ------------------------------------------------------------------------------
    def export_to(self, target: Path) -> None:
        """Write a bundle into a folder (named so it reveals nothing) or to a chosen file."""
        store = self.ctx.store
        if store is None:
            return
        target = Path(target)
        path = target / bundle_file_name() if target.is_dir() else (
            target if target.suffix == BUNDLE_SUFFIX else
            target.with_name(target.name + BUNDLE_SUFFIX))
        full = self.full_check.isChecked()

        def run(keys: DeviceKeys) -> None:
            self.progress.run(
                "Writing the bundle…",
                lambda c: bundles.export_bundle(store, path, keys=keys, full=full,
                                                progress=c.progress, cancel=c.cancel),
                self._on_exported, self._on_task_failed, write=True)

        self.gate.with_keys(run)

    def _on_exported(self, report: ExportReport) -> None:
        # Nothing in the inspection changed; the status bar's "not yet exported" count did. The
        # report names no changes, so `UiContext.write` broadcast an empty ChangeSet.
        self.status.setText(export_summary(report))

    # -- import ------------------------------------------------------------------------------
    def import_paths(self, paths: Sequence[Path]) -> None:
        """Preview the bundles (manifests only), then let the person merge the ready ones."""
        store = self.ctx.store
        chosen = list(dict.fromkeys(Path(p) for p in paths))
        if store is None or not chosen or self.progress.running:
            return

        def preview(keys: DeviceKeys) -> None:
            self.ctx.tasks.submit(lambda: bundles.preview_bundles(store, chosen, keys=keys),
                                  lambda previews: self._show_preview(chosen, previews, keys),
                                  lambda e: present_error(self.window(), e))

        self.gate.with_keys(preview)

    def _show_preview(self, paths: list[Path], previews: Sequence[BundlePreview],
                      keys: DeviceKeys) -> None:
        dialog = BundlePreviewDialog(self, list(zip(paths, previews, strict=True)))
        dialog.accepted.connect(lambda: self.merge(dialog.ready_paths(), keys))
        self.preview_dialog = dialog
        dialog.open()  # window-modal without blocking: the merge starts from `accepted`

    def merge(self, paths: Sequence[Path], keys: DeviceKeys) -> None:
        """Import previewed bundles with progress and Cancel (refusals are reported)."""
        store = self.ctx.store
        if store is None or not paths:
            return
        chosen = list(paths)
        self.progress.run(
            f"Merging {plural(len(chosen), 'bundle')}…",
            lambda c: bundles.import_bundles(store, chosen, keys=keys, progress=c.progress,
                                             cancel=c.cancel, skip_refused=True),
            self._on_merged, self._on_task_failed, write=True)

    def _on_merged(self, report: ImportReport) -> None:
        self.last_report = report
        if report.changes.empty:  # nothing was broadcast, but this page lists the merge
            self.reload()
        self.status.setText(import_summary(report))
        if report.new_conflicts:
            self.tabs.setCurrentIndex(self.conflicts_tab)
            self.queue.select_record(report.new_conflicts[0])

    def drop_mime(self, mime: QMimeData) -> list[Path]:
        """Import the bundle files in dropped data; returns them."""
        paths = bundle_paths(mime)
        if paths:
            self.import_paths(paths)
        return paths

    def dropped_files(self, mime: QMimeData) -> list[Path]:
        """The dragged sync bundles, while a file is open."""
        return bundle_paths(mime) if self.ctx.store is not None else []

    def files_dropped(self, paths: list[Path]) -> None:
        """Preview the dropped bundles."""
        self.import_paths(paths)

    # -- undo --------------------------------------------------------------------------------
    def undo_last_merge(self) -> None:
        """Restore the file as it was before the last merge, after a confirmation."""
        store = self.ctx.store
        if store is None or self.progress.running or not self.confirm(
                "Undo the last merge? The inspection goes back to how it was before those "
                "bundles were merged. You can import them again later."):
            return
        # The copy back is one transaction: Cancel before its commit rolls it back and
        # leaves the file as it was, so the bar offers Cancel (1-2 s on a big file).
        self.status.setText("")  # the last merge's summary no longer describes the file
        self.progress.run("Undoing the last merge…",
                          lambda c: bundles.undo_last_merge(store, progress=c.progress,
                                                            cancel=c.cancel),
                          self._on_undone, self._on_task_failed, write=True)

    def _on_undone(self, report: UndoReport) -> None:
        n = len(report.bundle_ids)
        self.status.setText(f"Last merge undone: {plural(n, 'bundle')} taken back. You can "
                            f"import {'it' if n == 1 else 'them'} again later.")

    # -- slots -------------------------------------------------------------------------------
    def _on_export_button_clicked(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Folder or USB stick for the bundle",
                                                  str(inspections.default_folder()))
        if chosen:
            self.export_to(Path(chosen))

    def _on_import_button_clicked(self) -> None:
        chosen, _ = QFileDialog.getOpenFileNames(self, "Import bundles",
                                                 str(inspections.default_folder()),
                                                 BUNDLE_FILTER)
        if chosen:
            self.import_paths([Path(p) for p in chosen])

    def _on_undo_button_clicked(self) -> None:
        self.undo_last_merge()

    def _on_progress_running_changed(self, running: bool) -> None:
        self._set_enabled(not running)

    def _on_queue_resolved(self, _changes: ChangeSet) -> None:
        self.reload_history()  # a resolution is a write: the last merge can no longer be undone

    def _on_queue_count_changed(self, n: int) -> None:
        self.tabs.setTabText(self.conflicts_tab, f"Conflict&s ({n})" if n else "Conflict&s")

"""The conflict queue: records two people changed without seeing each other's change.

Selecting one shows its versions side by side. The team leader keeps one version, combines or
edits them, applies the field-by-field merge the service proposes (structured fields only), or
accepts every conflict whose versions changed different fields. Each resolution is a new
revision that names every version as parent, so nothing is lost and the conflict closes on
every laptop that later receives it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.domain import records as R
from hmip_desktop.services import conflicts
from hmip_desktop.services.conflicts import AutoResolveReport, ConflictView, ResolveResult
from hmip_desktop.services.lifecycle import leads
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import present_error
from hmip_desktop.ui.team.combine_dialog import CombineDialog
from hmip_desktop.ui.team.conflict_versions import ConflictVersions
from hmip_desktop.ui.team.roster_panel import fit_columns
from hmip_desktop.ui.team.sync_models import conflicts_model, plural
from hmip_desktop.ui.widgets.forms import current_row, select_row, status_label, table_view

NOT_LEADER_NOTE = ("Only the team leader resolves conflicts, so the buttons are disabled. You "
                   "can compare the versions here; the leader's resolution reaches you with "
                   "their next bundle.")
ROSTER_NOTE = ("Team roster entries are settled on the Team tab: add or remove the member "
               "again.")


class ConflictQueue(QWidget):
    """Conflicts above, the selected one's versions below, and the ways to resolve it."""

    resolved = Signal(object)  # the ChangeSet written
    count_changed = Signal(int)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.combine_dialog: CombineDialog | None = None
        self._busy = False
        self._leads = True  # until the first read says otherwise
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.summary = QLabel("No conflicts.")
        self.summary.setAccessibleName("Conflict count")
        self.accept_all_button = QPushButton("Accept all that do not &overlap")
        self.accept_all_button.setAccessibleName("Accept all conflicts that do not overlap")
        self.accept_all_button.setToolTip("Merge, field by field, every conflict whose versions "
                                          "changed different structured fields. Free text and "
                                          "deletions wait for you.")
        top.addWidget(self.summary, 1)
        top.addWidget(self.accept_all_button)
        layout.addLayout(top)
        self.leader_note = QLabel("")
        self.leader_note.setAccessibleName("Who resolves conflicts")
        self.leader_note.setWordWrap(True)
        self.leader_note.hide()
        layout.addWidget(self.leader_note)
        self.model = conflicts_model()
        self.table = table_view(self.model, "Conflicts")
        fit_columns(self.table)
        self.versions = ConflictVersions()
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.versions)
        split.setSizes([160, 420])
        layout.addWidget(split, 1)
        self.reason = QLabel("")
        self.reason.setAccessibleName("Why this needs a decision")
        self.reason.setWordWrap(True)
        layout.addWidget(self.reason)
        actions = QHBoxLayout()
        self.combine_button = QPushButton("Com&bine or edit…")
        self.combine_button.setAccessibleName("Combine or edit the versions")
        self.field_merge_button = QPushButton("&Apply field merge")
        self.field_merge_button.setAccessibleName("Apply the field by field merge")
        actions.addWidget(self.combine_button)
        actions.addWidget(self.field_merge_button)
        actions.addStretch(1)
        layout.addLayout(actions)
        self.status = status_label("Conflict queue status")
        layout.addWidget(self.status)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_row_changed)
        self.versions.keep_requested.connect(self._on_versions_keep_requested)
        self.combine_button.clicked.connect(self._on_combine_button_clicked)
        self.field_merge_button.clicked.connect(self._on_field_merge_button_clicked)
        self.accept_all_button.clicked.connect(self._on_accept_all_button_clicked)
        self._update_actions()

    # -- loading -----------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the queue on the DB lane; the selected record stays selected when it can."""
        store = self.ctx.store
        if store is not None:
            self.ctx.tasks.submit(lambda: (conflicts.list_conflicts(store), leads(store)),
                                  self._on_read, lambda e: present_error(self.window(), e))

    def _on_read(self, read: tuple[list[ConflictView], bool]) -> None:
        views, self._leads = read
        self.leader_note.setText("" if self._leads else NOT_LEADER_NOTE)
        self.leader_note.setVisible(not self._leads and bool(views))
        self._show(views)

    def _show(self, views: list[ConflictView]) -> None:
        keep = self.selected()
        self.model.set_rows(views)
        n = len(views)
        waiting = sum(1 for v in views if v.proposal is None)
        self.summary.setText("No conflicts." if n == 0 else
                             f"{plural(n, 'conflict')}: {waiting} "
                             f"{'needs' if waiting == 1 else 'need'} your decision, "
                             f"{n - waiting} can merge field by field.")
        row = self.model.row_of(lambda v: keep is not None and v.record_id == keep.record_id)
        select_row(self.table, row if row >= 0 else 0)
        self._on_table_row_changed()
        self.count_changed.emit(n)

    def clear(self) -> None:
        """Forget the closed inspection."""
        self.model.set_rows([])
        self.versions.show_conflict(None)
        self.summary.setText("No conflicts.")
        self.status.setText("")
        self.reason.setText("")
        self.leader_note.hide()
        self.count_changed.emit(0)
        self._update_actions()

    def selected(self) -> ConflictView | None:
        """The conflict on the current row."""
        row = current_row(self.table)
        return self.model.row_at(row) if 0 <= row < self.model.rowCount() else None

    def select_record(self, record_id: str) -> bool:
        """Make a conflicted record current; False when it is not in the queue."""
        row = self.model.row_of(lambda v: v.record_id == record_id)
        select_row(self.table, row)
        return row >= 0

    def set_busy(self, busy: bool) -> None:
        """Disable every action while the page runs a long task."""
        self._busy = busy
        self._update_actions()

    def _update_actions(self) -> None:
        view = self.selected()
        # Only the team leader resolves: for anyone else every action stays disabled.
        open_ = self.ctx.store is not None and not self._busy and self._leads
        resolvable = open_ and view is not None and view.record_type != R.TEAM_MEMBER
        self.versions.set_actions_enabled(resolvable)
        self.combine_button.setEnabled(resolvable and view is not None
                                       and any(not v.deleted for v in view.versions))
        self.field_merge_button.setEnabled(resolvable and view is not None
                                           and view.proposal is not None)
        self.accept_all_button.setEnabled(
            open_ and any(v.proposal is not None for v in self.model.rows()))

    # -- resolving ---------------------------------------------------------------------------
    def _resolve(self, work: Callable[[], Any], message: str) -> None:
        def done(result: ResolveResult) -> None:
            self.status.setText(message)
            self.resolved.emit(result.changes)

        self.ctx.write(work, lambda _r: self.reload(), lambda e: present_error(self.window(), e),
                       before_broadcast=done)

    def keep_version(self, rev_id: str) -> None:
        """Resolve the selected conflict by keeping one version as it is."""
        view, store = self.selected(), self.ctx.store
        if view is None or store is None:
            return
        version = next((v for v in view.versions if v.rev_id == rev_id), None)
        who = version.author_name if version and version.author_name else "the chosen"
        self._resolve(lambda: conflicts.resolve_take(store, view.record_id, rev_id),
                      f"“{view.label}”: kept {who}'s version. The others stay in its history.")

    def apply_field_merge(self) -> None:
        """Resolve with the service's field-by-field proposal."""
        view, store = self.selected(), self.ctx.store
        if view is None or store is None or view.proposal is None:
            return
        proposal = dict(view.proposal)
        self._resolve(lambda: conflicts.resolve_payload(store, view.record_id, proposal),
                      f"“{view.label}”: the versions' changes were merged field by field.")

    def open_combine(self) -> CombineDialog | None:
        """Open the combine editor for the selected conflict (window-modal, not blocking)."""
        view = self.selected()
        if view is None or self.ctx.store is None:
            return None
        dialog = CombineDialog(self, view)
        dialog.accepted.connect(lambda: self.save_combined(dialog))
        self.combine_dialog = dialog
        dialog.open()
        return dialog

    def save_combined(self, dialog: CombineDialog) -> None:
        """Write what the combine editor holds as the resolution."""
        store, view = self.ctx.store, dialog.view
        if store is None:
            return
        field = dialog.single_text_field()
        message = f"“{view.label}”: your combined version was saved."
        if field is not None:
            text = dialog.payload()[field]
            self._resolve(lambda: conflicts.resolve_text(store, view.record_id, text,
                                                         field=field), message)
        else:
            payload = dialog.payload()
            self._resolve(lambda: conflicts.resolve_payload(store, view.record_id, payload),
                          message)

    def accept_all_non_overlapping(self) -> None:
        """Merge every conflict whose versions changed different structured fields."""
        store = self.ctx.store
        if store is None:
            return

        def done(report: AutoResolveReport) -> None:
            self.status.setText(f"Merged {plural(len(report.resolved), 'conflict')} field by "
                                f"field; {len(report.remaining)} left for your decision.")
            self.resolved.emit(report.changes)

        self.ctx.write(lambda: conflicts.auto_resolve(store), lambda _r: self.reload(),
                       lambda e: present_error(self.window(), e), before_broadcast=done)

    # -- slots -------------------------------------------------------------------------------
    def _on_table_row_changed(self, *_: object) -> None:
        view = self.selected()
        self.versions.show_conflict(view)
        if view is None:
            self.reason.setText("")
        elif view.record_type == R.TEAM_MEMBER:
            self.reason.setText(ROSTER_NOTE)
        elif view.proposal is not None:
            self.reason.setText("The versions changed different fields: “Apply field merge” "
                                "keeps every change.")
        else:
            self.reason.setText(f"Why this needs you: {view.reason}." if view.reason else "")
        self._update_actions()

    def _on_versions_keep_requested(self, rev_id: str) -> None:
        self.keep_version(rev_id)

    def _on_combine_button_clicked(self) -> None:
        self.open_combine()

    def _on_field_merge_button_clicked(self) -> None:
        self.apply_field_merge()

    def _on_accept_all_button_clicked(self) -> None:
        self.accept_all_non_overlapping()

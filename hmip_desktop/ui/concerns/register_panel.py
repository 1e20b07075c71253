"""An ordered register (concerns, notable positive practice): table, reorder, add, edit, delete.

Rows are reordered by dragging or from the keyboard (Alt+Up / Alt+Down in the table, or the
Move buttons); the new order is written at once and the table reloads from the store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.services.concerns_snapshot import RegisterSnapshot, register_snapshot
from hmip_desktop.ui.concerns.register_editor import RegisterEditor
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import ask_yes_no, present_error
from hmip_desktop.ui.save_bases import SaveBases
from hmip_desktop.ui.unsaved import discard_question, quoted, refused
from hmip_desktop.ui.widgets.forms import (
    add_shortcuts,
    buddy_label,
    current_row,
    scrolled,
    select_row,
    table_view,
)
from hmip_desktop.ui.widgets.rows_model import Column, ReorderableRowsModel

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore

# Said when a save met a teammate's change to the same text (services.edit_base).
KEPT_BOTH = ("Saved beside a teammate's change to this {noun}: both versions are kept, to be "
             "resolved under Team & sync › Conflicts.")


class RegisterPanel(QWidget):
    """Table above, editor below; every write goes through the DB lane."""

    rows_shown = Signal()

    def __init__(self, ctx: UiContext, *, noun: str, nouns: str | None = None,
                 entity_type: str,
                 service: Callable[[InspectionStore], Any],
                 columns: Callable[[RegisterPanel], Sequence[Column]],
                 concern_fields: bool, stretch: int | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.noun = noun
        self.entity_type = entity_type
        self._service = service
        # By record id, the stored state the editor's fields started from: each save says so
        # (services.edit_base), so a teammate's change merged meanwhile is kept, not written
        # over; advanced on the DB lane by each save.
        self._bases = SaveBases()  # the state each record's next save starts from
        self.setAccessibleName(f"{noun.capitalize()} register")
        self.section_labels: dict[str, str] = {}
        self.model = ReorderableRowsModel(columns(self), row_id=lambda r: r.id)
        self.model.order_changed.connect(self._on_model_order_changed)
        self.table = table_view(self.model, f"{noun.capitalize()} register", stretch=stretch)
        self.table.setDragEnabled(True)
        self.table.setAcceptDrops(True)
        self.table.setDropIndicatorShown(True)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.table.setDragDropOverwriteMode(False)  # drop between rows, not onto one
        self.table.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)
        self.new_button = QPushButton(f"&New {noun}")
        self.new_button.clicked.connect(self._on_new_button_clicked)
        self.delete_button = QPushButton(f"&Delete {noun}")
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.up_button = QPushButton("Move &up (Alt+Up)")
        self.up_button.clicked.connect(self._on_up_button_clicked)
        self.down_button = QPushButton("Move do&wn (Alt+Down)")
        self.down_button.clicked.connect(self._on_down_button_clicked)
        add_shortcuts(self.table, ["Alt+Up"], self._on_up_button_clicked)
        add_shortcuts(self.table, ["Alt+Down"], self._on_down_button_clicked)
        self.editor = RegisterEditor(noun=noun, concern_fields=concern_fields)
        self.editor.save_requested.connect(self._on_editor_save_requested)
        buttons = QHBoxLayout()
        for b in (self.new_button, self.delete_button, self.up_button, self.down_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addWidget(buddy_label(
            f"{(nouns or noun + 's').capitalize()} in report &order (drag or Alt+Up/Alt+Down "
            "to reorder):", self.table))
        upper_layout.addWidget(self.table, 1)
        upper_layout.addLayout(buttons)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(upper)
        self.splitter.addWidget(scrolled(self.editor))
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)
        self._select_after: str | None = None
        self._loading = False
        self._options: tuple[Any, ...] | None = None  # what the editor offers now
        # Seam for tests: asked before a delete or before unsaved edits are dropped.
        self.confirm: Callable[[str], bool] = lambda question: ask_yes_no(self, question)
        self._update_buttons()

    # -- loading -----------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the register on the DB lane (the page reads both registers in one call)."""
        store, entity_type = self.ctx.store, self.entity_type
        if store is not None:
            self.ctx.tasks.submit(lambda: register_snapshot(store, entity_type), self.apply)

    def apply(self, snap: RegisterSnapshot) -> None:
        """Show a register read on the DB lane. Cheap when little changed: the table and the
        editor's lists (hundreds of evidence items) are rebuilt only when they differ, so a
        note saved elsewhere does not stall the window."""
        editing = self.editor.record.id if self.editor.record is not None else None
        wanted = self._select_after or editing
        self.section_labels = dict(snap.sections)
        self._loading = True
        if tuple(self.model.rows()) != snap.rows:
            self.model.set_rows(snap.rows)
        if snap.options != self._options:
            self.editor.set_options(snap.sections, snap.addressees, snap.evidence)
            self._options = snap.options
        row = self.model.row_of(lambda r: r.id == wanted) if wanted else -1
        if row >= 0:
            select_row(self.table, row)
        self._loading = False
        self._select_after = None
        record = self.model.row_at(row) if row >= 0 else None
        if record is not None and (not self.editor.dirty or record.id != editing):
            self._load(record)  # the stored version (a merge may have changed it)
        elif record is None and self.editor.record is not None:
            self.editor.load(None)  # what was edited is gone
        self._update_buttons()
        self.rows_shown.emit()

    def clear(self) -> None:
        """Forget the closed inspection."""
        self._options = None
        self.model.set_rows([])
        self.editor.load(None)
        self._update_buttons()

    def unsaved(self, what: str) -> str | None:
        """The record being edited or drafted, in words, when its changes are not saved."""
        editor = self.editor
        if not editor.dirty:
            return None
        if editor.record is not None:
            return f"your changes to the {what} {quoted(editor.record.title)}"
        title = editor.title.text()
        return f"the new {what} {quoted(title)}" if title.strip() else \
            f"a new {what} (no title yet)"

    def save_unsaved(self, what: str) -> str | None:
        """Save the editor's changes (see `unsaved`): None once saved, else why not."""
        name = self.unsaved(what)
        refusal = self.editor.save_now() if name is not None else None
        return None if refusal is None or name is None else refused(name, refusal)

    def _selected(self) -> Any:
        row = current_row(self.table)
        return self.model.row_at(row) if 0 <= row < self.model.rowCount() else None

    def _update_buttons(self) -> None:
        row, count = current_row(self.table), self.model.rowCount()
        open_ = self.ctx.store is not None
        self.new_button.setEnabled(open_)
        self.delete_button.setEnabled(open_ and 0 <= row < count)
        self.up_button.setEnabled(open_ and 0 < row < count)
        self.down_button.setEnabled(open_ and 0 <= row < count - 1)
        self.editor.setEnabled(open_)

    def _on_table_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        # The current row, not the selection: focus arriving by Tab makes a row current
        # without selecting it, and keyboard users act on what has the focus frame.
        self._update_buttons()
        if self._loading or not current.isValid():
            return
        if not self.table.selectionModel().isRowSelected(current.row()):
            self.table.selectRow(current.row())
        record = self.model.row_at(current.row())
        editing = self.editor.record
        if editing is not None and record.id == editing.id:
            return
        if self.editor.dirty and not self.confirm(discard_question(self.noun)):
            # Put the edited row back once the view has finished its own move.
            QTimer.singleShot(0, lambda: self._reselect(editing))
            return
        self._load(record)

    def _reselect(self, record: Any) -> None:
        self._loading = True
        row = self.model.row_of(lambda r: record is not None and r.id == record.id)
        if row >= 0:
            select_row(self.table, row)
        else:
            self.table.clearSelection()
        self._loading = False
        self._update_buttons()

    # -- writes ------------------------------------------------------------------------------
    def _on_new_button_clicked(self) -> None:
        if self.editor.dirty and not self.confirm(discard_question(self.noun)):
            return
        self._loading = True
        self.table.clearSelection()
        self.table.setCurrentIndex(self.model.index(-1, -1))
        self._loading = False
        self.editor.load(None)
        self._update_buttons()
        self.editor.title.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _load(self, record: Any) -> None:
        """Show a stored record; its state is what the next save starts from, unless a save
        of ours is still on the DB lane (that save's result is newer)."""
        self.editor.load(record)
        self._bases.shown(record.id, record.updated_hlc)

    def _on_editor_save_requested(self, fields: dict[str, Any]) -> None:
        store, record = self.ctx.store, self.editor.record
        if store is None:
            return
        service = self._service(store)

        def added(record_id: str) -> None:
            self.editor.save_succeeded(f"{self.noun.capitalize()} added.")
            self._select_after = record_id

        def edited(changes: ChangeSet) -> None:
            self.editor.save_succeeded(
                KEPT_BOTH.format(noun=self.noun) if getattr(changes, "kept_both", False)
                else f"{self.noun.capitalize()} saved." if changes.types
                else "No changes to save.")

        def landed(_r: object = None) -> None:
            self._bases.landed(record.id)

        def failed(exc: BaseException) -> None:
            landed()
            self.editor.save_failed(exc)

        if record is None:
            self.ctx.write(lambda: service.add(**fields), on_error=self.editor.save_failed,
                           before_broadcast=added)
        else:
            self._bases.started(record.id)
            self.ctx.write(self._bases.write(service.edit, record.id, fields), on_error=failed,
                           before_broadcast=edited, on_done=landed)

    def _on_delete_button_clicked(self) -> None:
        store, record = self.ctx.store, self._selected()
        if store is None or record is None:
            return
        if not self.confirm(f"Delete the {self.noun} “{record.title}”? Its history is kept."):
            return
        self.delete_button.setEnabled(False)

        def done(_changes: ChangeSet) -> None:
            self._update_buttons()
            self.editor.load(None)

        def failed(exc: BaseException) -> None:
            self._update_buttons()
            present_error(self, exc)

        self.ctx.write(lambda: self._service(store).delete(record.id), on_error=failed,
                       before_broadcast=done)

    def _move(self, delta: int) -> None:
        row = current_row(self.table)
        if not 0 <= row < self.model.rowCount():
            return
        target = row + delta
        if 0 <= target < self.model.rowCount() and self.editor.concern_fields and \
                self.model.row_at(row).priority != self.model.row_at(target).priority:
            # The report lists priority concerns first whatever their order: moving one past
            # the other kind would snap back on the next read.
            self.editor.status.setText("Priority concerns come first in the report: tick or "
                                       "untick Priority to move a concern between the two.")
            return
        # move_row takes the position to insert before: one past the target when moving down.
        self.model.move_row(row, row - 1 if delta < 0 else row + 2)

    def _on_up_button_clicked(self) -> None:
        self._move(-1)

    def _on_down_button_clicked(self) -> None:
        self._move(1)

    def _on_model_order_changed(self, ids: list[str]) -> None:
        store = self.ctx.store
        if store is None:
            return
        record = self._selected()
        self._select_after = record.id if record is not None else None
        for b in (self.up_button, self.down_button):
            b.setEnabled(False)

        def failed(exc: BaseException) -> None:
            present_error(self, exc)
            self.reload()  # put the stored order back

        self.ctx.write(lambda: self._service(store).reorder(ids),
                       lambda _changes: self._update_buttons(), failed)

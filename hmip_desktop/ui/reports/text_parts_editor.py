"""The report's text parts (introduction, fact page, …): a list of parts and an editor that
saves by itself shortly after typing stops, on the DB lane."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.services.report_writing import ReportWritingService, TextPartView
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import present_error
from hmip_desktop.ui.scoring.findings_editor import FindingsEditor
from hmip_desktop.ui.widgets.forms import buddy_label, status_label

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore

CONFLICT_NOTE = ("Conflict: team members wrote different versions of this part. Resolve it "
                 "on Team & sync ▸ Conflicts; typing here saves a new version over both.")


def item_text(part: TextPartView) -> str:
    """A part's line in the list: its label, and whether it is empty or in conflict."""
    state = " (conflict)" if part.conflicted else ("" if part.text.strip() else " (empty)")
    return part.label + state


class ReportTextParts(QWidget):
    """Choose a text part in the list; write it below (saved automatically)."""

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setAccessibleName("Report text parts")
        self._parts: dict[str, TextPartView] = {}
        self._store: InspectionStore | None = None  # the file whose parts are shown
        self.parts = QListWidget()
        self.parts.setAccessibleName("Report text parts list")
        # Five parts: a short list above the editor suits a narrow column.
        rows = self.parts.fontMetrics().lineSpacing()
        self.parts.setMaximumHeight(rows * 6 + 8)
        self.hint = QLabel("")
        self.hint.setAccessibleName("What this part holds")
        self.hint.setWordWrap(True)
        self.conflict = QLabel(CONFLICT_NOTE)
        self.conflict.setAccessibleName("Conflict note")
        self.conflict.setWordWrap(True)
        self.conflict.setStyleSheet("background: #ffe8a3; color: black; padding: 4px; "
                                    "border: 1px solid #b08800;")
        self.conflict.hide()
        self.editor = FindingsEditor("Report text")
        self.editor.setPlaceholderText("Choose a part above; the text is saved as you type.")
        self.status = status_label("Report text save status")
        layout = QVBoxLayout(self)
        layout.addWidget(buddy_label("Pa&rt:", self.parts))
        layout.addWidget(self.parts)
        layout.addWidget(self.hint)
        layout.addWidget(self.conflict)
        layout.addWidget(buddy_label("Text (sa&ved automatically):", self.editor))
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.status)
        self.parts.currentRowChanged.connect(self._on_parts_current_row_changed)
        self.editor.save_requested.connect(self._on_editor_save_requested)
        self.editor.setEnabled(False)

    # -- loading -----------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the parts on the DB lane."""
        store = self.ctx.store
        if store is None:
            return
        self.ctx.tasks.submit(lambda: ReportWritingService(store).text_parts(),
                              lambda parts: self._show(store, parts),
                              lambda e: present_error(self.window(), e))

    def _show(self, store: InspectionStore, parts: list[TextPartView]) -> None:
        if store is not self.ctx.store:
            return  # the file closed while the parts were read
        self._store = store
        current = self.editor.key
        self._parts = {p.key: p for p in parts}
        self.parts.blockSignals(True)
        self.parts.clear()
        for part in parts:
            item = QListWidgetItem(item_text(part))
            item.setData(Qt.ItemDataRole.UserRole, part.key)
            item.setToolTip(part.hint)
            self.parts.addItem(item)
        keys = [p.key for p in parts]
        row = keys.index(current) if current in keys else (0 if keys else -1)
        self.parts.setCurrentRow(row)
        self.parts.blockSignals(False)
        self._show_part(keys[row] if row >= 0 else None)

    def _show_part(self, key: str | None) -> None:
        part = self._parts.get(key) if key else None
        self.editor.setEnabled(part is not None)
        self.hint.setText(part.hint if part else "")
        self.conflict.setVisible(bool(part and part.conflicted))
        if part is None:
            self.editor.unload()
            return
        self.editor.setAccessibleName(f"Report text: {part.label}")
        self.editor.load(part.key, part.text)

    def select_part(self, key: str) -> None:
        """Show a part by its key."""
        for row in range(self.parts.count()):
            if self.parts.item(row).data(Qt.ItemDataRole.UserRole) == key:
                self.parts.setCurrentRow(row)
                return

    def flush(self) -> None:
        """Save typing that is still waiting for its timer."""
        self.editor.flush()

    def clear(self) -> None:
        """Save pending typing, then forget the closed inspection."""
        self.editor.unload()
        self._store = None
        self._parts = {}
        self.parts.clear()
        self.hint.setText("")
        self.conflict.hide()
        self.status.setText("")
        self.editor.setEnabled(False)

    # -- saving ------------------------------------------------------------------------------
    def _on_editor_save_requested(self, key: Any, text: str) -> None:
        store = self._store  # the file the text was typed in, even while it is closing
        if store is None:
            return
        self.status.setText("Saving…")

        def saved(_changes: ChangeSet) -> None:
            self.status.setText("Saved.")

        def failed(exc: BaseException) -> None:
            self.editor.save_failed(key)
            self.status.setText("NOT saved: the text is kept here; it is tried again when "
                                "you next type or leave the field.")
            present_error(self.window(), exc)

        self.ctx.write(lambda: ReportWritingService(store).set_text(str(key), text),
                       on_error=failed, before_broadcast=saved)

    def _on_parts_current_row_changed(self, row: int) -> None:
        item = self.parts.item(row) if row >= 0 else None
        self._show_part(item.data(Qt.ItemDataRole.UserRole) if item is not None else None)

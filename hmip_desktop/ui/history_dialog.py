"""Who changed a record, when, and what each revision held (read-only view of the log)."""

from __future__ import annotations

import json

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QListWidget,
    QPlainTextEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.services.history import HistoryEntry, author_label
from hmip_desktop.ui.widgets.times import approx_time


class HistoryDialog(QDialog):
    """Revisions oldest first; selecting one shows its content."""

    def __init__(self, parent: QWidget | None, entries: list[HistoryEntry],
                 own_author_id: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("History")
        self.resize(760, 460)
        layout = QVBoxLayout(self)
        split = QSplitter()
        self.list = QListWidget()
        self.list.setAccessibleName("Revisions")
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setAccessibleName("Revision content")
        split.addWidget(self.list)
        split.addWidget(self.detail)
        layout.addWidget(split, 1)
        self._entries = entries
        for e in entries:
            flags = ((" · deleted" if e.deleted else "") + (" · current" if e.is_head else "")
                     + ("" if e.signed else " · unsigned (older app)"))
            what = ", ".join(e.changed) if e.changed else "no field changed"
            self.list.addItem(f"{approx_time(e.when)} · "
                              f"{author_label(e, own_author_id)} · {what}{flags}")
        self.list.currentRowChanged.connect(self._on_list_row_changed)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if entries:
            self.list.setCurrentRow(len(entries) - 1)

    def _on_list_row_changed(self, row: int) -> None:
        if 0 <= row < len(self._entries):
            self.detail.setPlainText(json.dumps(self._entries[row].payload, indent=2,
                                                ensure_ascii=False))

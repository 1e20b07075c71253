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

from hmip_desktop.services.history import HistoryEntry


class HistoryDialog(QDialog):
    """Revisions oldest first; selecting one shows its content."""

    def __init__(self, parent: QWidget | None, entries: list[HistoryEntry],
                 names: dict[str, str]) -> None:
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
        previous: dict = {}
        for e in entries:
            changed = sorted(k for k in set(e.payload) | set(previous)
                             if e.payload.get(k) != previous.get(k))
            who = names.get(e.author_id, f"author {e.author_id[:8]}")
            flags = ((" · deleted" if e.deleted else "") + (" · current" if e.is_head else "")
                     + ("" if e.signed else " · unsigned (older app)"))
            what = ", ".join(changed) if changed else "no field changed"
            self.list.addItem(f"{e.when.replace('T', ' ')} (approx.) · {who} · {what}{flags}")
            previous = e.payload
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

"""The row of filters above the notes list: words, source kind, author, linked expectation
and date; `changed` whenever one of them does."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QWidget

from hmip_desktop.domain.records import SOURCE_KINDS


class NotesFilters(QWidget):
    """The filters; `values()` is what NotesFilterProxy.set_filters takes (less the notes
    linked to the chosen expectation, which the panel knows)."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Filter notes by words…")
        self.search.setAccessibleName("Filter notes")
        self.kind = QComboBox()
        self.kind.setAccessibleName("Filter by source kind")
        self.fill(self.kind, "All sources", list(SOURCE_KINDS.items()))  # the file's words later
        self.author = QComboBox()
        self.author.setAccessibleName("Filter by author")
        self.expectation = QComboBox()
        self.expectation.setAccessibleName("Filter by expectation")
        self.date = QLineEdit()
        self.date.setPlaceholderText("date, e.g. 2026-11-25")
        self.date.setAccessibleName("Filter by date")
        self.date.setMaximumWidth(150)
        for w in (self.search, self.kind, self.author, self.expectation, self.date):
            row.addWidget(w)
        self.search.textChanged.connect(self.changed)
        self.date.textChanged.connect(self.changed)
        for combo in (self.kind, self.author, self.expectation):
            combo.currentIndexChanged.connect(self.changed)

    @staticmethod
    def fill(combo: QComboBox, all_label: str, items: list[tuple[Any, str]]) -> None:
        """Offer "all" and these (key, label) choices, keeping the one chosen if still there."""
        keep = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(all_label, None)
        for key, label in items:
            combo.addItem(label, key)
        combo.setCurrentIndex(max(0, combo.findData(keep)))
        combo.blockSignals(False)

    def clear(self) -> None:
        """Show every note again (a note asked for is filtered out)."""
        self.search.clear()
        for combo in (self.kind, self.author, self.expectation):
            combo.setCurrentIndex(0)
        self.date.clear()

    def values(self) -> dict[str, Any]:
        """The text, kind, author and date prefix chosen."""
        return {"text": self.search.text(), "kind": self.kind.currentData(),
                "author": self.author.currentData(), "date_prefix": self.date.text()}

"""Typing in one concern or recommendation of the previous inspection."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.ui.widgets.forms import (
    SAVE_KEYS,
    add_shortcuts,
    error_label,
    prose_editor,
    show_error,
)


class PreviousItemDialog(QDialog):
    """Reference, title, text and (optionally) the section of a previous item."""

    def __init__(self, parent: QWidget | None, sections: Sequence[tuple[str, str]]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add previous concern or recommendation")
        self.setAccessibleName("Add previous concern or recommendation")
        self.ref = QLineEdit()
        self.ref.setAccessibleName("Reference")
        self.ref.setPlaceholderText("as in the previous report, e.g. 1.23 or KC4")
        self.item_title = QLineEdit()
        self.item_title.setAccessibleName("Title")
        self.text = prose_editor("Text", "The concern or recommendation as published.")
        self.section = QComboBox()
        self.section.setAccessibleName("Section")
        self.section.addItem("(no section)", "")
        for key, label in sections:
            self.section.addItem(label, key)
        self.error = error_label("Problem with the previous item")
        form = QFormLayout()
        form.addRow("&Reference:", self.ref)
        form.addRow("&Title:", self.item_title)
        form.addRow("Te&xt:", self.text)
        form.addRow("&Section:", self.section)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        add_shortcuts(self, SAVE_KEYS, self._on_buttons_accepted)

    def values(self) -> dict[str, Any]:
        """What was typed, ready for PreviousService.add."""
        return {"ref": self.ref.text().strip(), "title": self.item_title.text().strip(),
                "text": self.text.toPlainText().strip(),
                "section": self.section.currentData() or None}

    def _on_buttons_accepted(self) -> None:
        v = self.values()
        missing = [label for key, label in (("ref", "reference"), ("title", "title"),
                                            ("text", "text")) if not v[key]]
        if missing:
            show_error(self.error, f"Fill in the {', '.join(missing)}.")
            return
        self.accept()

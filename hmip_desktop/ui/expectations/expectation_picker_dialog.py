"""A searchable picker over the inspection's framework expectations (keyboard first)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.domain.framework import Framework


def expectation_choices(framework: Framework) -> list[tuple[str, str]]:
    """(number, label) for every expectation, in document order."""
    out = []
    for section, area, exp in framework.iter_expectations():
        out.append((exp.number, f"{exp.number}  {exp.title}  — {section.label} ▸ {area.label}"))
    return out


class ExpectationPickerDialog(QDialog):
    """Type to filter, arrows to move, Space to tick, Enter to accept."""

    def __init__(self, parent: QWidget | None, choices: list[tuple[str, str]],
                 *, multiple: bool = True) -> None:
        super().__init__(parent)
        self.setWindowTitle("Link to expectations")
        self.resize(640, 480)
        layout = QVBoxLayout(self)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by number or words…")
        self.filter.setAccessibleName("Filter expectations")
        layout.addWidget(self.filter)
        self.list = QListWidget()
        self.list.setAccessibleName("Expectations")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for number, label in choices:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, number)
            if multiple:
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
            self.list.addItem(item)
        layout.addWidget(self.list)
        if not choices:
            layout.addWidget(QLabel("This framework lists no expectations yet: import the "
                                    "official text on the Expectations page."))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.filter.textChanged.connect(self._on_filter_text_changed)
        self.filter.returnPressed.connect(self._on_filter_return)
        self._multiple = multiple
        if self.list.count():
            self.list.setCurrentRow(0)

    def _on_filter_text_changed(self, text: str) -> None:
        words = text.lower().split()
        first = None
        for i in range(self.list.count()):
            item = self.list.item(i)
            hide = not all(w in item.text().lower() for w in words)
            item.setHidden(hide)
            if not hide and first is None:
                first = i
        if first is not None:
            self.list.setCurrentRow(first)

    def _on_filter_return(self) -> None:
        item = self.list.currentItem()
        if item is not None and not item.isHidden() and self._multiple:
            item.setCheckState(Qt.CheckState.Checked)
        self.accept()

    def selected(self) -> list[str]:
        """Expectation numbers chosen (ticked, or the current one when none is ticked)."""
        ticked = [self.list.item(i).data(Qt.ItemDataRole.UserRole)
                  for i in range(self.list.count())
                  if self._multiple and self.list.item(i).checkState() == Qt.CheckState.Checked]
        if ticked:
            return ticked
        item = self.list.currentItem()
        return [item.data(Qt.ItemDataRole.UserRole)] if item and not item.isHidden() else []

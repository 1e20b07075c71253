"""The filter row of an extract: column, operator, value; the filters in force, removable."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.services.extracts import ExtractView, FilterSpec
from hmip_desktop.ui.widgets.forms import buddy_label

OPERATORS = (("=", "is"), ("!=", "is not"), ("<", "less than"), ("<=", "at most"),
             (">", "more than"), (">=", "at least"), ("contains", "contains"))
# Applies filters (SQL counts them); returns False when they were refused (message shown).
Applier = Callable[[list[FilterSpec]], bool]


def filter_text(view: ExtractView, spec: FilterSpec) -> str:
    """A filter as words."""
    column, op, value = spec
    name = view.columns[column].name if isinstance(column, int) else str(column)
    words = dict(OPERATORS).get(op, op)
    shown = "blank" if value is None or value == "" else f"'{value}'"
    return f"{name} {words} {shown}"


class ExtractFilterBar(QWidget):
    """Add filters one at a time (Enter in the value adds); Delete removes the selected one."""

    def __init__(self) -> None:
        super().__init__()
        self._view: ExtractView | None = None
        self._filters: list[FilterSpec] = []
        self.apply: Applier = lambda _f: True
        self.column = QComboBox()
        self.column.setAccessibleName("Filter column")
        self.op = QComboBox()
        self.op.setAccessibleName("Filter operator")
        for key, label in OPERATORS:
            self.op.addItem(label, key)
        self.value = QLineEdit()
        self.value.setAccessibleName("Filter value")
        self.value.setPlaceholderText("value (empty: blank)")
        self.add_button = QPushButton("&Add filter")
        self.remove_button = QPushButton("Remo&ve filter")
        self.clear_button = QPushButton("Clear filter&s")
        self.active = QListWidget()
        self.active.setAccessibleName("Filters in force")
        self.active.setMaximumHeight(70)
        row = QHBoxLayout()
        row.addWidget(buddy_label("&Where", self.column))
        for w in (self.column, self.op, self.value, self.add_button, self.remove_button,
                  self.clear_button):
            row.addWidget(w)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.active)
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.active)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self._on_remove_button_clicked)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.value.returnPressed.connect(self._on_add_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        self.set_extract(None)

    @property
    def filters(self) -> list[FilterSpec]:
        """The filters in force."""
        return list(self._filters)

    def set_extract(self, view: ExtractView | None) -> None:
        """Offer another extract's columns; its filters start empty."""
        self._view, self._filters = view, []
        self.column.clear()
        for col in view.columns if view else ():
            self.column.addItem(col.name, col.index)
        self.value.clear()
        self._refresh()

    def add(self, column: int, op: str, value: str | None) -> bool:
        """Add a filter (what the row does); False when refused."""
        wanted = [*self._filters, (column, op, value)]
        if not self.apply(wanted):
            return False
        self._filters = wanted
        self._refresh()
        return True

    def _refresh(self) -> None:
        self.active.clear()
        for spec in self._filters:
            self.active.addItem(filter_text(self._view, spec) if self._view else str(spec))
        has_view = self._view is not None
        for w in (self.column, self.op, self.value, self.add_button):
            w.setEnabled(has_view)
        self.remove_button.setEnabled(bool(self._filters))
        self.clear_button.setEnabled(bool(self._filters))
        self.active.setVisible(bool(self._filters))

    def _on_add_button_clicked(self) -> None:
        column = self.column.currentData()
        if column is None:
            return
        text = self.value.text().strip()
        if self.add(column, self.op.currentData(), text or None):
            self.value.clear()

    def _on_remove_button_clicked(self) -> None:
        row = self.active.currentRow()
        if not 0 <= row < len(self._filters):
            row = len(self._filters) - 1
        if row < 0:
            return
        wanted = self._filters[:row] + self._filters[row + 1:]
        if self.apply(wanted):
            self._filters = wanted
            self._refresh()

    def _on_clear_button_clicked(self) -> None:
        if self.apply([]):
            self._filters = []
            self._refresh()

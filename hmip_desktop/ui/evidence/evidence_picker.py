"""Choosing the evidence a judgement or a concern rests on: a checkable list of evidence.

A view over a small list model, not a QListWidget: an inspection offers thousands of pieces
of evidence, and a QListWidget makes one item object per piece on the GUI thread each time
the choices change (a note saved anywhere), which froze the window for hundreds of ms.
Offering new choices here is one model reset, whatever their number.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QListView

from hmip_desktop.services.evidence_choices import EvidenceChoice  # noqa: F401 - re-exported

ID_ROLE = int(Qt.ItemDataRole.UserRole) + 1
_CHECKED = Qt.CheckState.Checked
_UNCHECKED = Qt.CheckState.Unchecked
_Index = QModelIndex | QPersistentModelIndex


class CheckListModel(QAbstractListModel):
    """(id, label) rows and the set of ticked ids; ticking by the view says `ticked`."""

    ticked = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[tuple[str, str]] = []
        self._chosen: set[str] = set()

    def set_rows(self, rows: list[tuple[str, str]], chosen: Iterable[str]) -> None:
        """Offer these rows with these ticks (one reset)."""
        self.beginResetModel()
        self._rows = rows
        self._chosen = set(chosen)
        self.endResetModel()

    def set_chosen(self, ids: Iterable[str]) -> None:
        """Tick exactly these ids."""
        self._chosen = set(ids)
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1),
                                  [Qt.ItemDataRole.CheckStateRole])

    def chosen(self) -> list[str]:
        """The ticked ids in list order."""
        return [key for key, _ in self._rows if key in self._chosen]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt
        """Rows offered (a flat list: none under a row)."""
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Label, tick and id of a row."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        key, label = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return label
        if role == Qt.ItemDataRole.CheckStateRole:
            return _CHECKED if key in self._chosen else _UNCHECKED
        if role == ID_ROLE:
            return key
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        """Rows are ticked, not edited."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsUserCheckable)

    def setData(self, index: _Index, value: Any,  # noqa: N802 - Qt override
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        """A tick toggled by the view (Space or a click)."""
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid():
            return False
        key = self._rows[index.row()][0]
        state = value.value if isinstance(value, Qt.CheckState) else int(value)
        if state == _CHECKED.value:
            self._chosen.add(key)
        else:
            self._chosen.discard(key)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.ticked.emit()
        return True


class CheckList(QListView):
    """A checkable list of (id, label) items: Space ticks the current item, arrows move."""

    selection_edited = Signal()

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setAccessibleName(name)
        self.setMaximumHeight(120)
        self.setUniformItemSizes(True)  # no per-row size pass over thousands of rows
        self.check_model = CheckListModel()
        self.setModel(self.check_model)
        self.check_model.ticked.connect(self._on_ticked)

    def set_items(self, items: Sequence[tuple[str, str]], selected: Iterable[str] = ()) -> None:
        """Offer these items, ticking `selected`; unknown selected ids are kept, shown by id."""
        chosen = list(selected)
        offered = {key for key, _ in items}
        rows = list(items) + [(i, self.missing_label(i)) for i in chosen if i not in offered]
        current = self.currentIndex().row()
        self.check_model.set_rows(rows, chosen)
        if rows:
            self.setCurrentIndex(self.check_model.index(min(max(current, 0), len(rows) - 1)))

    def missing_label(self, key: str) -> str:
        """How a ticked id that is no longer offered is shown."""
        return key

    def count(self) -> int:
        """Items offered."""
        return self.check_model.rowCount()

    def set_selected(self, ids: Iterable[str]) -> None:
        """Tick exactly these ids."""
        self.check_model.set_chosen(ids)

    def selected_ids(self) -> list[str]:
        """The ticked ids in list order."""
        return self.check_model.chosen()

    def _on_ticked(self) -> None:
        if not self.signalsBlocked():
            self.selection_edited.emit()


class EvidencePicker(CheckList):
    """Pieces of evidence to tick."""

    def set_choices(self, choices: Sequence[EvidenceChoice], selected: Iterable[str] = ()) -> None:
        """Offer these pieces; ticked are `selected`."""
        self.set_items([(c.evidence_id, c.label) for c in choices], selected)

    def missing_label(self, key: str) -> str:
        """Evidence ticked before but no longer linked (or deleted) stays visible."""
        return f"{key} (no longer linked)"

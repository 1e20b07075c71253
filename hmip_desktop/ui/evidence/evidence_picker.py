"""Choosing the evidence a judgement or a concern rests on: a checkable list of evidence."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from hmip_desktop.services.evidence_choices import EvidenceChoice  # noqa: F401 - re-exported

ID_ROLE = int(Qt.ItemDataRole.UserRole) + 1


class CheckList(QListWidget):
    """A checkable list of (id, label) items: Space ticks the current item, arrows move."""

    selection_edited = Signal()

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setAccessibleName(name)
        self.setMaximumHeight(120)
        self.itemChanged.connect(self._on_list_item_changed)

    def set_items(self, items: Sequence[tuple[str, str]], selected: Iterable[str] = ()) -> None:
        """Offer these items, ticking `selected`; unknown selected ids are kept, shown by id."""
        chosen = list(selected)
        offered = {key for key, _ in items}
        rows = list(items) + [(i, self.missing_label(i)) for i in chosen if i not in offered]
        current = self.currentRow()
        self.blockSignals(True)
        self.clear()
        for key, label in rows:
            item = QListWidgetItem(label)
            item.setData(ID_ROLE, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if key in chosen
                               else Qt.CheckState.Unchecked)
            self.addItem(item)
        if self.count():
            self.setCurrentRow(min(max(current, 0), self.count() - 1))
        self.blockSignals(False)

    def missing_label(self, key: str) -> str:
        """How a ticked id that is no longer offered is shown."""
        return key

    def set_selected(self, ids: Iterable[str]) -> None:
        """Tick exactly these ids."""
        wanted = set(ids)
        self.blockSignals(True)
        for i in range(self.count()):
            item = self.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(ID_ROLE) in wanted
                               else Qt.CheckState.Unchecked)
        self.blockSignals(False)

    def selected_ids(self) -> list[str]:
        """The ticked ids in list order."""
        return [str(self.item(i).data(ID_ROLE)) for i in range(self.count())
                if self.item(i).checkState() == Qt.CheckState.Checked]

    def _on_list_item_changed(self, _item: QListWidgetItem) -> None:
        self.selection_edited.emit()


class EvidencePicker(CheckList):
    """Pieces of evidence to tick."""

    def set_choices(self, choices: Sequence[EvidenceChoice], selected: Iterable[str] = ()) -> None:
        """Offer these pieces; ticked are `selected`."""
        self.set_items([(c.evidence_id, c.label) for c in choices], selected)

    def missing_label(self, key: str) -> str:
        """Evidence ticked before but no longer linked (or deleted) stays visible."""
        return f"{key} (no longer linked)"

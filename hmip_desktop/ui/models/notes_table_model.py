"""The notes list: a thin table model over NoteView rows plus a filtering proxy."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from hmip_desktop.domain.records import NoteView
from hmip_desktop.services.labels import source_kind_label

Index = QModelIndex | QPersistentModelIndex


class NotesTableModel(QAbstractTableModel):
    """Rows are NoteView; the id travels in ID_ROLE."""

    COL_TITLE, COL_SOURCE, COL_WHEN, COL_WHERE, COL_UPDATED = range(5)
    HEADERS = ("Title", "Source", "When", "Where", "Saved")
    ID_ROLE = Qt.ItemDataRole.UserRole + 1
    NOTE_ROLE = Qt.ItemDataRole.UserRole + 2

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[NoteView] = []
        self._sort: tuple[int, Qt.SortOrder] = (4, Qt.SortOrder.DescendingOrder)

    def set_rows(self, rows: list[NoteView]) -> None:
        """Replace all rows (a model reset keeps views consistent), keeping the sort."""
        self.beginResetModel()
        self._rows = list(rows)
        key = self._SORT_KEYS.get(self._sort[0])
        if key is not None:
            self._rows.sort(key=key, reverse=self._sort[1] == Qt.SortOrder.DescendingOrder)
        self.endResetModel()

    _SORT_KEYS = {
        0: lambda n: n.title.lower(),
        1: lambda n: n.source_kind,
        2: lambda n: n.occurred_at or "",
        3: lambda n: (n.location or "").lower(),
        4: lambda n: n.updated,
    }

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the rows in Python (a proxy calling data() per comparison took a second at
        10,000 notes)."""
        key = self._SORT_KEYS.get(column)
        if key is None:
            return
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        old = {n.id: i for i, n in enumerate(self._rows)}
        self._rows.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        new = {n.id: i for i, n in enumerate(self._rows)}
        for persistent in self.persistentIndexList():
            row_id = persistent.data(self.ID_ROLE) if persistent.isValid() else None
            if row_id in new and row_id in old:
                self.changePersistentIndex(persistent, self.index(new[row_id],
                                                                  persistent.column()))
        self.layoutChanged.emit()

    def row_of(self, note_id: str) -> int:
        """Row number of a note, or -1."""
        return next((i for i, n in enumerate(self._rows) if n.id == note_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        """Number of notes."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        """Number of columns."""
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Column titles."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Cell text, the id, or the whole NoteView."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        note = self._rows[index.row()]
        if role == self.ID_ROLE:
            return note.id
        if role == self.NOTE_ROLE:
            return note
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            col = index.column()
            if col == self.COL_TITLE:
                return ("⚠ " if note.conflicted else "") + note.title
            if col == self.COL_SOURCE:
                return source_kind_label(note.source_kind)
            if col == self.COL_WHEN:
                return note.occurred_at or ""
            if col == self.COL_WHERE:
                return note.location or ""
            if col == self.COL_UPDATED:
                return note.updated.replace("T", " ")[:16]
        return None


class NotesFilterProxy(QSortFilterProxyModel):
    """Filters by text, source kind, author, linked expectation and date."""

    def __init__(self) -> None:
        super().__init__()
        self.text = ""
        self.kind: str | None = None
        self.author: str | None = None
        self.note_ids: set[str] | None = None  # notes linked to the chosen expectation
        self.date_prefix = ""
        self._active = False

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Let the source model sort itself; this proxy only filters, keeping its order."""
        self.sourceModel().sort(column, order)

    def set_filters(self, *, text: str = "", kind: str | None = None,
                    author: str | None = None, note_ids: set[str] | None = None,
                    date_prefix: str = "") -> None:
        """Apply all filters at once."""
        begin = getattr(self, "beginFilterChange", None)  # Qt >= 6.9
        if begin is not None:
            begin()
        self.text, self.kind, self.author = text.lower().strip(), kind, author
        self.note_ids, self.date_prefix = note_ids, date_prefix.strip()
        self._active = bool(self.text or kind or author or note_ids is not None
                            or self.date_prefix)
        if begin is not None:
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, row: int, parent: Index) -> bool:  # noqa: N802
        """True when the note passes every active filter."""
        if not self._active:
            return True
        note: NoteView = self.sourceModel().index(row, 0, parent).data(
            NotesTableModel.NOTE_ROLE)
        if note is None:
            return False
        if self.kind and note.source_kind != self.kind:
            return False
        if self.author and note.author_id != self.author:
            return False
        if self.note_ids is not None and note.id not in self.note_ids:
            return False
        if self.date_prefix and not ((note.occurred_at or "").startswith(self.date_prefix)
                                     or note.updated.startswith(self.date_prefix)):
            return False
        if self.text:
            hay = " ".join((note.title, note.body, note.location or "",
                            note.subject_ref or "")).lower()
            return all(word in hay for word in self.text.split())
        return True

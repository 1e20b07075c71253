"""The notes list: a thin table model over NoteView rows plus a filtering proxy."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from hmip_desktop.domain.records import SOURCE_KINDS, NoteView

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

    def set_rows(self, rows: list[NoteView]) -> None:
        """Replace all rows (a model reset keeps views consistent)."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

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
                return SOURCE_KINDS.get(note.source_kind, note.source_kind)
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
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_filters(self, *, text: str = "", kind: str | None = None,
                    author: str | None = None, note_ids: set[str] | None = None,
                    date_prefix: str = "") -> None:
        """Apply all filters at once."""
        begin = getattr(self, "beginFilterChange", None)  # Qt >= 6.9
        if begin is not None:
            begin()
        self.text, self.kind, self.author = text.lower().strip(), kind, author
        self.note_ids, self.date_prefix = note_ids, date_prefix.strip()
        if begin is not None:
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, row: int, parent: Index) -> bool:  # noqa: N802
        """True when the note passes every active filter."""
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

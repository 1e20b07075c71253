"""The notes list: a thin table model over NoteView rows plus a filtering proxy.

The model holds every note but shows them a page at a time (canFetchMore/fetchMore: the view
asks for more as it scrolls to the end), so setting 10,000 rows does not make the view and
its column fitting walk 10,000 rows on the GUI thread. While a filter is active every row is
shown (the proxy filters what the model shows), and asking for a note's row shows it.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from hmip_desktop.domain.date_words import short_stamp
from hmip_desktop.domain.records import NoteView
from hmip_desktop.services.labels import source_kind_label
from hmip_desktop.ui.widgets.times import local_minute
from hmip_desktop.ui.widgets.tips import literal_tip

Index = QModelIndex | QPersistentModelIndex
FETCH_ROWS = 100  # rows shown at first and added per fetchMore (a screenful and more)


class NotesTableModel(QAbstractTableModel):
    """Rows are NoteView; the id travels in ID_ROLE."""

    COL_TITLE, COL_SOURCE, COL_WHEN, COL_WHERE, COL_UPDATED = range(5)
    HEADERS = ("Title", "Source", "When", "Where", "Saved")
    ID_ROLE = Qt.ItemDataRole.UserRole + 1
    NOTE_ROLE = Qt.ItemDataRole.UserRole + 2
    _ROLES = frozenset({Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, ID_ROLE,
                        NOTE_ROLE})  # IntEnum: the ints Qt passes match

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[NoteView] = []
        self._shown = 0  # rows the views see: the first _shown of _rows
        self.show_all = False  # every row shown (a filter is active)
        self._sort: tuple[int, Qt.SortOrder] = (4, Qt.SortOrder.DescendingOrder)
        # The inspection's type: the Source column names the people held in its words.
        self._establishment_type: str | None = None

    def set_rows(self, rows: list[NoteView], establishment_type: str | None = None) -> None:
        """Replace all rows (a model reset keeps views consistent), keeping the sort; the
        Source column reads in the words of `establishment_type` ("Prisoner interview")."""
        self.beginResetModel()
        self._rows = list(rows)
        self._establishment_type = establishment_type
        key = self._SORT_KEYS.get(self._sort[0])
        if key is not None:
            self._rows.sort(key=key, reverse=self._sort[1] == Qt.SortOrder.DescendingOrder)
        self._shown = len(self._rows) if self.show_all else min(len(self._rows), FETCH_ROWS)
        self.endResetModel()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: N802, B008
        """True while some notes are not shown yet."""
        return not parent.isValid() and self._shown < len(self._rows)

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: N802, B008
        """Show the next page of notes (the view asks as it scrolls to the end)."""
        if not parent.isValid():
            self.show_through(self._shown + FETCH_ROWS - 1)

    def show_through(self, row: int) -> None:
        """Show every row up to `row` (inserting the ones not shown yet)."""
        last = min(row, len(self._rows) - 1)
        if last >= self._shown:
            self.beginInsertRows(QModelIndex(), self._shown, last)
            self._shown = last + 1
            self.endInsertRows()

    def set_show_all(self, show_all: bool) -> None:
        """Show every row (while filtering) or go back to paging (rows stay shown)."""
        self.show_all = show_all
        if show_all:
            self.show_through(len(self._rows) - 1)

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
        ordered = sorted(self._rows, key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        new = {n.id: i for i, n in enumerate(ordered)}
        # A row someone holds (the selection) must stay shown at its new place.
        held = [new.get(p.data(self.ID_ROLE), -1) for p in self.persistentIndexList()
                if p.isValid()]
        if held:
            self.show_through(max(held))
        self.layoutAboutToBeChanged.emit()
        old = {n.id: i for i, n in enumerate(self._rows)}
        self._rows = ordered
        for persistent in self.persistentIndexList():
            row_id = persistent.data(self.ID_ROLE) if persistent.isValid() else None
            if row_id in new and row_id in old:
                self.changePersistentIndex(persistent, self.index(new[row_id],
                                                                  persistent.column()))
        self.layoutChanged.emit()

    def row_of(self, note_id: str) -> int:
        """Row number of a note (shown from now on), or -1."""
        row = next((i for i, n in enumerate(self._rows) if n.id == note_id), -1)
        if row >= 0:
            self.show_through(row)
        return row

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        """Number of notes shown (all of them once scrolled through or filtered)."""
        return 0 if parent.isValid() else self._shown

    @property
    def total(self) -> int:
        """Number of notes, shown or not."""
        return len(self._rows)

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
        # The role first: views ask each cell for a dozen roles (font, colours, alignment…)
        # this model has nothing for, and fitting the columns asks every visible cell.
        if role not in self._ROLES or not index.isValid() or not 0 <= index.row() < self._shown:
            return None
        note = self._rows[index.row()]
        if role == self.ID_ROLE:
            return note.id
        if role == self.NOTE_ROLE:
            return note
        if role == Qt.ItemDataRole.ToolTipRole:
            col = index.column()
            if col in (self.COL_WHEN, self.COL_UPDATED):  # the list shortens them
                return literal_tip(note.occurred_at or "" if col == self.COL_WHEN
                                   else local_minute(note.updated))
            return literal_tip(self.data(index, Qt.ItemDataRole.DisplayRole))
        if role == Qt.ItemDataRole.DisplayRole:
            col = index.column()
            if col == self.COL_TITLE:
                return ("⚠ " if note.conflicted else "") + note.title
            if col == self.COL_SOURCE:
                return source_kind_label(note.source_kind, self._establishment_type)
            if col == self.COL_WHEN:
                return short_stamp(note.occurred_at)
            if col == self.COL_WHERE:
                return note.location or ""
            if col == self.COL_UPDATED:
                return short_stamp(local_minute(note.updated))
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
        """Apply all filters at once (every note is shown to the filter while one is on)."""
        active = bool(text.lower().strip() or kind or author or note_ids is not None
                      or date_prefix.strip())
        source = self.sourceModel()
        if isinstance(source, NotesTableModel) and active != source.show_all:
            source.set_show_all(active)  # filter every note, not only the pages shown
        begin = getattr(self, "beginFilterChange", None)  # Qt >= 6.9
        if begin is not None:
            begin()
        self.text, self.kind, self.author = text.lower().strip(), kind, author
        self.note_ids, self.date_prefix = note_ids, date_prefix.strip()
        self._active = active
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

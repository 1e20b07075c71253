"""The documents list: a thin table model over DocumentView rows (sorted by a proxy)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from hmip_desktop.domain.hlc import hlc_millis
from hmip_desktop.domain.mime import kind_label
from hmip_desktop.services.documents import DocumentView
from hmip_desktop.ui.widgets.tips import literal_tip

Index = QModelIndex | QPersistentModelIndex

def size_label(size: int) -> str:
    """Bytes as KB/MB text."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def added_label(stamp: str) -> str:
    """When a document was added, in local time."""
    try:
        when = dt.datetime.fromtimestamp(hlc_millis(stamp) / 1000)
    except ValueError:
        return ""
    return when.strftime("%Y-%m-%d %H:%M")


class DocumentsTableModel(QAbstractTableModel):
    """Rows are DocumentView; the id travels in ID_ROLE, sort keys in SORT_ROLE."""

    COL_TITLE, COL_KIND, COL_PAGES, COL_SIZE, COL_ADDED = range(5)
    HEADERS = ("Title", "Kind", "Pages", "Size", "Added")
    ID_ROLE = Qt.ItemDataRole.UserRole + 1
    DOCUMENT_ROLE = Qt.ItemDataRole.UserRole + 2
    SORT_ROLE = Qt.ItemDataRole.UserRole + 3

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[DocumentView] = []

    def set_rows(self, rows: list[DocumentView]) -> None:
        """Replace all rows."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_of(self, document_id: str) -> int:
        """Row number of a document, or -1."""
        return next((i for i, d in enumerate(self._rows) if d.id == document_id), -1)

    def document(self, row: int) -> DocumentView | None:
        """The document of a row."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        """Number of documents."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        """Number of columns."""
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Column titles."""
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.HEADERS)):
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Cell text, the id, the DocumentView or a sort key."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        doc = self._rows[index.row()]
        col = index.column()
        if role == self.ID_ROLE:
            return doc.id
        if role == self.DOCUMENT_ROLE:
            return doc
        if role == self.SORT_ROLE:
            return (doc.title.lower(), kind_label(doc.mime), doc.pages, doc.size,
                    doc.created_hlc)[col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (self.COL_PAGES, self.COL_SIZE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col == self.COL_TITLE:
            missing = "" if doc.available else " — content not on this computer yet"
            return literal_tip(f"{doc.filename}{missing}")
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.COL_TITLE:
                return ("⚠ " if doc.conflicted else "") + doc.title + (
                    "" if doc.available else " (waiting for content)")
            if col == self.COL_KIND:
                return kind_label(doc.mime)
            if col == self.COL_PAGES:
                return str(doc.pages) if doc.pages else "—"
            if col == self.COL_SIZE:
                return size_label(doc.size)
            if col == self.COL_ADDED:
                return added_label(doc.created_hlc)
        return None

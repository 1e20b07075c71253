"""A thin table model over frozen rows: column constants, `set_rows()` in a model reset.

Pages describe their columns as data (header, text, tooltip); the model knows nothing about
services. A row can be highlighted (a disagreement, a gap; or, in its own colours, a date
passed): the highlight is a background, a text colour and a bold font, and every page also
says it in words in a column, so colour is never the only signal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from hmip_desktop.ui.widgets.tips import literal_tip

ROW_ROLE = int(Qt.ItemDataRole.UserRole) + 1  # the row object itself
HIGHLIGHT_ROLE = int(Qt.ItemDataRole.UserRole) + 2  # True when the row is highlighted

# A pale amber that keeps black text readable (WCAG contrast well above 4.5:1).
HIGHLIGHT_COLOUR = QColor("#ffe8a3")

AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class RowMark:
    """How a highlighted row looks: its background and text colour (the text is bold)."""

    background: QColor
    foreground: QColor


# Needs attention (a gap, a disagreement, not judged yet): the amber, black text (17:1).
ATTENTION = RowMark(HIGHLIGHT_COLOUR, QColor("black"))
# Past its date (an overdue action-plan step): the error red of forms.error_label on a pale
# rose (6.5:1), so it does not read as the amber's "needs attention" beside it.
OVERDUE = RowMark(QColor("#fde4e4"), QColor("#a50e0e"))


@dataclass(frozen=True)
class Column:
    """One column: its header and how a row is shown in it."""

    header: str
    text: Callable[[Any], str]
    tooltip: Callable[[Any], str] | None = None


class RowsTableModel(QAbstractTableModel):
    """Rows of any frozen objects shown through column descriptions."""

    def __init__(self, columns: Sequence[Column], *,
                 highlight: Callable[[Any], bool] | None = None,
                 mark: RowMark = ATTENTION) -> None:
        super().__init__()
        self._columns = list(columns)
        self._rows: list[Any] = []
        self._highlight = highlight
        self._mark = mark

    # -- feeding -----------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[Any]) -> None:
        """Replace every row (a model reset: views drop their selection)."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[Any]:
        """The rows in display order."""
        return list(self._rows)

    def row_at(self, row: int) -> Any:
        """The row object at a position."""
        return self._rows[row]

    def row_of(self, predicate: Callable[[Any], bool]) -> int:
        """The position of the first row matching, or -1."""
        return next((i for i, r in enumerate(self._rows) if predicate(r)), -1)

    def is_highlighted(self, row: int) -> bool:
        """True when the row is highlighted."""
        return bool(self._highlight and self._highlight(self._rows[row]))

    # -- Qt model API ------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        """Rows of the table (a flat model: children have none)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        """Columns of the table."""
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Text, tooltip, highlight and the row object."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows) \
                or not 0 <= index.column() < len(self._columns):
            return None
        row = self._rows[index.row()]
        column = self._columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return column.text(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return literal_tip(column.tooltip(row) if column.tooltip else column.text(row))
        if role == ROW_ROLE:
            return row
        highlighted = self.is_highlighted(index.row())
        if role == HIGHLIGHT_ROLE:
            return highlighted
        if role == Qt.ItemDataRole.BackgroundRole and highlighted:
            return QBrush(self._mark.background)
        if role == Qt.ItemDataRole.ForegroundRole and highlighted:
            return QBrush(self._mark.foreground)
        if role == Qt.ItemDataRole.FontRole and highlighted:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Column headers; rows are numbered from 1."""
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self._columns):
                return self._columns[section].header
            return None
        return str(section + 1) if 0 <= section < len(self._rows) else None


ROW_MIME = "application/x-hmip-row"


class ReorderableRowsModel(RowsTableModel):
    """Rows the person can reorder by dragging or from the keyboard.

    The model moves the row at once (so the view follows) and emits `order_changed` with the
    new order of row ids; the page writes it and reloads, which puts the stored order back if
    the write fails.
    """

    order_changed = Signal(list)

    def __init__(self, columns: Sequence[Column], *, row_id: Callable[[Any], str],
                 highlight: Callable[[Any], bool] | None = None) -> None:
        super().__init__(columns, highlight=highlight)
        self._row_id = row_id

    def ids(self) -> list[str]:
        """The row ids in display order."""
        return [self._row_id(r) for r in self._rows]

    def move_row(self, source: int, before: int) -> bool:
        """Move one row so it sits before position `before` (rowCount for the end)."""
        count = len(self._rows)
        if not 0 <= source < count or not 0 <= before <= count or before in (source, source + 1):
            return False
        self.beginMoveRows(QModelIndex(), source, source, QModelIndex(), before)
        row = self._rows.pop(source)
        self._rows.insert(before - 1 if before > source else before, row)
        self.endMoveRows()
        self.order_changed.emit(self.ids())
        return True

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        """Rows drag; drops land between rows, never on one."""
        base = super().flags(index)
        if index.isValid():
            return base | Qt.ItemFlag.ItemIsDragEnabled
        return base | Qt.ItemFlag.ItemIsDropEnabled

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802
        """Only moves."""
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802
        """Only moves."""
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:  # noqa: N802
        """The private row format."""
        return [ROW_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:  # noqa: N802
        """The dragged row's position (one row at a time)."""
        data = QMimeData()
        rows = sorted({i.row() for i in indexes if i.isValid()})
        if rows:
            data.setData(ROW_MIME, str(rows[0]).encode("ascii"))
        return data

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int,  # noqa: N802
                        column: int, parent: AnyIndex) -> bool:
        """Only our own rows, moved."""
        return action == Qt.DropAction.MoveAction and data.hasFormat(ROW_MIME)

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int,  # noqa: N802
                     column: int, parent: AnyIndex) -> bool:
        """Move the dragged row; returns False so the view removes nothing afterwards."""
        if action == Qt.DropAction.IgnoreAction or not data.hasFormat(ROW_MIME):
            return False
        try:
            source = int(bytes(data.data(ROW_MIME).data()).decode("ascii"))
        except ValueError:
            return False
        if row < 0:
            row = parent.row() if parent.isValid() else len(self._rows)
        self.move_row(source, row)
        # The move is done here; a True result would make the view delete the source row.
        return False

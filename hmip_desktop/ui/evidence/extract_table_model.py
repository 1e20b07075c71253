"""A lazy table over one data extract: rows are fetched from SQL a page at a time.

rowCount is the extract's known row count, or with filters a COUNT query, which scans the
table (a million rows: about a second) and so runs on the DB lane through `count_runner`:
the table is empty ("Counting…") until the count arrives, then its rows appear (`counted`).
data() asks for the page holding a row the first time a view paints it and keeps the last
few pages (synchronous small reads). Sorting and filtering are SQL; the model never holds
more than CACHE_PAGES * PAGE_ROWS rows.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from hmip_desktop.domain.errors import HmipError
from hmip_desktop.services.extracts import ExtractService, ExtractView, FilterSpec
from hmip_desktop.ui.widgets.tips import literal_tip

Index = QModelIndex | QPersistentModelIndex
# Asked before a sort of a big extract: (column, then) prepares an index, then calls `then`.
SortPreparer = Callable[[int, Callable[[], None]], None]
# Runs a count off the GUI thread: (work, on_ok, on_error), e.g. TaskRunner.submit.
CountRunner = Callable[[Callable[[], int], Callable[[int], None],
                        Callable[[BaseException], None]], object]

PAGE_ROWS = 200
CACHE_PAGES = 6
NUMERIC = ("integer", "decimal")
TYPE_NAMES = {"integer": "whole number", "decimal": "decimal", "date": "date", "text": "text"}


class ExtractTableModel(QAbstractTableModel):
    """Rows of one extract, fetched on demand; counts its fetches (tests, diagnostics)."""

    counted = Signal()  # a filtered count arrived (or failed): the row total changed

    def __init__(self) -> None:
        super().__init__()
        self._service: ExtractService | None = None
        self._view: ExtractView | None = None
        self._filters: list[FilterSpec] = []
        self._sort: tuple[int, bool] | None = None  # (column, descending); None: file order
        self._count = 0
        self._pages: OrderedDict[int, list[tuple[Any, ...]]] = OrderedDict()
        self.fetches = 0
        self.failed: str | None = None  # the last read error, shown by the panel
        self.sort_preparer: SortPreparer | None = None
        self.count_runner: CountRunner | None = None  # None: count inline (tests, tools)
        self.counting = False  # a filtered count is on its way
        self._generation = 0  # which set_extract/set_filters a count answers

    # -- what is shown -----------------------------------------------------------------------
    @property
    def extract(self) -> ExtractView | None:
        """The extract shown."""
        return self._view

    @property
    def filters(self) -> list[FilterSpec]:
        """The filters in force, as (column index, operator, value)."""
        return list(self._filters)

    @property
    def sort_state(self) -> tuple[int, bool] | None:
        """(column, descending), or None for file order."""
        return self._sort

    def set_extract(self, service: ExtractService | None, view: ExtractView | None) -> None:
        """Show another extract (file order, no filters); None shows nothing."""
        self.beginResetModel()
        self._service, self._view = service, view
        self._filters, self._sort = [], None
        self._refresh_count()
        self.endResetModel()
        self._start_count()

    def set_filters(self, filters: Sequence[FilterSpec]) -> None:
        """Filter in SQL; a refused value raises ValidationError and changes nothing. The
        matching rows are counted through `count_runner` (inline without one)."""
        if self._service is not None and self._view is not None and filters:
            self._service.check_filters(self._view, list(filters))  # may refuse
        self.beginResetModel()
        self._filters = list(filters)
        self._refresh_count()
        self.endResetModel()
        self._start_count()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in SQL (column -1: file order), after `sort_preparer` indexes the column."""
        if self._view is None:
            return
        wanted = None if column < 0 or column >= len(self._view.columns) else (
            column, order == Qt.SortOrder.DescendingOrder)
        if wanted == self._sort:
            return
        if wanted is not None and self.sort_preparer is not None:
            self.sort_preparer(column, lambda: self._apply_sort(wanted))
        else:
            self._apply_sort(wanted)

    def _apply_sort(self, wanted: tuple[int, bool] | None) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = wanted
        self._pages.clear()
        # Rows are not tracked by identity across a re-sort: persistent indexes keep their
        # positions (a selection stays on the same row number).
        self.layoutChanged.emit()

    def reset_rows(self) -> None:
        """Forget cached pages and count again (the extract's rows were rebuilt)."""
        self.beginResetModel()
        self._refresh_count()
        self.endResetModel()
        self._start_count()

    def _refresh_count(self) -> None:
        """Called between begin/endResetModel: the count, or 0 until a filtered count (run
        on the DB lane by `count_runner`) arrives in `_on_counted`."""
        self._pages.clear()
        self.failed = None
        self._count = 0
        self._generation += 1
        self.counting = False
        if self._service is None or self._view is None:
            return
        if not self._filters:  # the record knows its row count: no COUNT over a million rows
            self._count = self._view.row_count
            return
        if self.count_runner is None:
            try:
                self._count = self._service.row_count(self._view.id, self._filters)
            except HmipError as exc:
                self.failed = str(exc)
            return
        self.counting = True

    def _start_count(self) -> None:
        """After endResetModel: hand the filtered count to the DB lane (a synchronous runner
        answers at once, so this must not run inside the reset)."""
        if not self.counting or self.count_runner is None:
            return
        assert self._service is not None and self._view is not None
        service, extract_id, filters = self._service, self._view.id, list(self._filters)
        generation = self._generation
        self.count_runner(lambda: service.row_count(extract_id, filters),
                          lambda n: self._on_counted(generation, n, None),
                          lambda exc: self._on_counted(generation, 0, exc))

    def _on_counted(self, generation: int, count: int, error: BaseException | None) -> None:
        """A count from the DB lane; ignored when the extract or filters changed since."""
        if generation != self._generation:
            return
        self.counting = False
        if error is not None:
            if not isinstance(error, HmipError):
                raise error
            self.failed = str(error)
        elif count > 0:
            self.beginInsertRows(QModelIndex(), 0, count - 1)
            self._count = count
            self.endInsertRows()
        self.counted.emit()

    def _page(self, number: int) -> list[tuple[Any, ...]]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        assert self._service is not None and self._view is not None
        column, descending = self._sort if self._sort else (None, False)
        self.fetches += 1
        try:
            page = self._service.rows(self._view.id, number * PAGE_ROWS, PAGE_ROWS,
                                      sort_column=column, descending=descending,
                                      filters=self._filters)
        except HmipError as exc:  # data() must never raise: the panel shows `failed`
            self.failed = str(exc)
            page = []
        self._pages[number] = page
        while len(self._pages) > CACHE_PAGES:
            self._pages.popitem(last=False)
        return page

    def row(self, row: int) -> tuple[Any, ...] | None:
        """One row's values (fetching its page when needed)."""
        if not 0 <= row < self._count:
            return None
        page = self._page(row // PAGE_ROWS)
        offset = row % PAGE_ROWS
        return page[offset] if offset < len(page) else None

    # -- Qt model ----------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        """Matching rows (a COUNT query when the extract or filters change)."""
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        """Columns of the extract."""
        if parent.isValid() or self._view is None:
            return 0
        return len(self._view.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Column names (type in the tooltip); row numbers down the side."""
        if self._view is None:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if role == Qt.ItemDataRole.DisplayRole else None
        if not 0 <= section < len(self._view.columns):
            return None
        col = self._view.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return literal_tip(f"{col.name}: {TYPE_NAMES.get(col.type, col.type)}")
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """A cell as text (blank for a missing value)."""
        if self._view is None or not index.isValid() or index.column() >= len(
                self._view.columns):
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if self._view.columns[index.column()].type in NUMERIC:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        values = self.row(index.row())
        if values is None or index.column() >= len(values):
            return None
        value = values[index.column()]
        text = "" if value is None else str(value)
        return literal_tip(text) if role == Qt.ItemDataRole.ToolTipRole else text

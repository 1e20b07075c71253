"""Tables people can read on a laptop screen.

The title column takes the free width; the other columns fit their header and contents (up to
a cap, in characters, so they follow the font size) until the person resizes them; long text is
elided with the full text in a tooltip; column widths and the sort are remembered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolTip,
    QTreeView,
)

from hmip_desktop.ui import ui_state
from hmip_desktop.ui.widgets.tips import literal_tip

CAP_CHARS = 24  # a fitted column is never wider than this many average characters
TITLE_CHARS = 24  # other columns shrink (eliding) before the title gets narrower than this
TEXT_MARGIN = 12  # the style's padding around a cell's text, roughly
# Rows a column is fitted to (Qt's default is 1,000): each row asks the Python model for its
# data, so a 10,000-note list took ~100 ms of the GUI thread each time its page was shown or
# resized. A screenful decides the width as well.
FIT_ROWS = 25


class ElidedTextDelegate(QStyledItemDelegate):
    """Shows the whole text as a tooltip when the cell is too narrow for it (the model's own
    tooltip, when it has one, wins)."""

    def helpEvent(self, event: QHelpEvent, view: QAbstractItemView,  # noqa: N802 - Qt override
                  option: QStyleOptionViewItem,
                  index: QModelIndex | QPersistentModelIndex) -> bool:
        if event.type() == QEvent.Type.ToolTip and index.isValid() \
                and index.data(Qt.ItemDataRole.ToolTipRole) in (None, ""):
            text = index.data(Qt.ItemDataRole.DisplayRole)
            if isinstance(text, str) and text and is_elided(text, option):
                QToolTip.showText(event.globalPos(), literal_tip(text), view.viewport(),
                                  option.rect)
                return True
            QToolTip.hideText()
            return True
        return super().helpEvent(event, view, option, index)


def is_elided(text: str, option: QStyleOptionViewItem) -> bool:
    """True when `text` does not fit the cell on one line."""
    return "\n" in text or \
        option.fontMetrics.horizontalAdvance(text) > option.rect.width() - TEXT_MARGIN


class _ColumnFitter(QObject):
    """Fits every column but the title to its contents after each reload, except the ones the
    person has sized (theirs are remembered instead)."""

    def __init__(self, view: QTableView | QTreeView, title: int, key: str,
                 caps: Mapping[int, int] | None = None, give_way: Iterable[int] = ()) -> None:
        super().__init__(view)
        self.view, self.title = view, title
        self.caps = dict(caps or {})  # column: its cap in characters, when not CAP_CHARS
        self.give_way = tuple(give_way)  # columns that narrow first on a narrow table
        self.user_sized: set[int] = set()
        self._fitting = False
        header = self._header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(title, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(header.fontMetrics().horizontalAdvance("M") * 3)
        header.setResizeContentsPrecision(FIT_ROWS)
        sized = ui_state.remember_header(header, key)
        self.restored = sized is not None
        self.user_sized = (sized or set()) - {title}
        self._publish()
        # A saved state carries the resize modes of its day: today's layout rules win.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(title, QHeaderView.ResizeMode.Stretch)
        header.sectionResized.connect(self._on_section_resized)
        model = view.model()
        model.modelReset.connect(self.fit)
        model.rowsInserted.connect(self.fit)
        # The header, not the viewport: the header is as wide as the viewport (both views lay
        # it out so), and asking PySide6 for the viewport Qt created makes it discover its
        # type through every QWidget subclass (~15 ms of a start, paid once).
        header.installEventFilter(self)
        self.fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Refit when the table's width changes (the splitter moved, the window resized)."""
        if event.type() == QEvent.Type.Resize and watched is self._header():
            old, new = event.oldSize().width(), event.size().width()  # type: ignore[attr-defined]
            if old != new:
                self.fit()
        return False

    def _header(self) -> QHeaderView:
        return self.view.horizontalHeader() if isinstance(self.view, QTableView) \
            else self.view.header()

    def _on_section_resized(self, logical: int, _old: int, _new: int) -> None:
        header = self._header()
        if not self._fitting and logical != self.title and logical not in self.user_sized \
                and header.sectionResizeMode(logical) == QHeaderView.ResizeMode.Interactive:
            self.user_sized.add(logical)
            self._publish()

    def _publish(self) -> None:
        self._header().setProperty("userSized", ",".join(map(str, sorted(self.user_sized))))

    def fit(self, *_args: object) -> None:
        """Size the columns nobody has sized to max(header, contents), capped."""
        header = self._header()
        char = header.fontMetrics().averageCharWidth()
        least = header.minimumSectionSize()
        widths: dict[int, int] = {}
        for col in range(header.count()):
            if col == self.title or col in self.user_sized or header.isSectionHidden(col) \
                    or header.sectionResizeMode(col) != QHeaderView.ResizeMode.Interactive:
                continue  # the title stretches; the person's widths and a caller's modes win
            wanted = max(header.sectionSizeFromContents(col).width(),
                         self.view.sizeHintForColumn(col))
            widths[col] = max(least, min(wanted, char * self.caps.get(col, CAP_CHARS)))
        # On a narrow table the fitted columns give way (eliding) so the title stays readable.
        fixed = sum(header.sectionSize(c) for c in sorted(self.user_sized)
                    if not header.isSectionHidden(c))
        room = header.width() - fixed - char * TITLE_CHARS
        total = sum(widths.values())
        for col in self.give_way:  # prose, elided anyway: it narrows before the others do
            if col in widths and 0 < room < total:
                cut = min(total - room, widths[col] - least)
                widths[col] -= cut
                total -= cut
        if widths and 0 < room < total:
            scale = room / total
            widths = {c: max(least, int(w * scale)) for c, w in widths.items()}
        elif widths and room <= 0:
            widths = dict.fromkeys(widths, least)
        self._fitting = True
        try:
            for col, width in widths.items():
                if header.sectionSize(col) != width:
                    header.resizeSection(col, width)
        finally:
            self._fitting = False


def make_readable(view: QTableView | QTreeView, *, title: int, key: str,
                  sort: tuple[int, Qt.SortOrder] | None = None,
                  caps: Mapping[int, int] | None = None, give_way: Iterable[int] = ()) -> None:
    """Title column stretches, others fit, text elides with a tooltip, widths remembered.

    `key` names the table in the remembered state; `sort` is its default order (only for
    views whose model sorts); `caps` lets a column whose text is usually longer (a job title,
    a summary in words) fit up to that many characters instead of CAP_CHARS; on a table too
    narrow for every column, the `give_way` columns (free prose, shown whole elsewhere) narrow
    first, the others only when that is not enough.
    """
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    if type(view.itemDelegate()) is QStyledItemDelegate:
        view.setItemDelegate(ElidedTextDelegate(view))
    fitter = _ColumnFitter(view, title, key, caps, give_way)
    if sort is not None:
        view.setSortingEnabled(True)
        header = fitter._header()
        if fitter.restored and 0 <= header.sortIndicatorSection() < header.count():
            sort = (header.sortIndicatorSection(), header.sortIndicatorOrder())
        view.sortByColumn(*sort)


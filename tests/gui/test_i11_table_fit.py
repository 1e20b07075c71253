"""Readable tables refit their columns when their width changes (issue 11 moved the watch
from the viewport to the header, which PySide6 hands out without a costly type discovery)."""

from __future__ import annotations

from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QTableView

from hmip_desktop.ui.widgets.tables import TITLE_CHARS, make_readable


def _table(qtbot, **fit) -> QTableView:  # type: ignore[no-untyped-def]
    model = QStandardItemModel(0, 3)
    model.setHorizontalHeaderLabels(["Kind", "Title", "Where it was seen"])
    for i in range(20):
        model.appendRow([QStandardItem(f"interview {i} with a long kind"),
                         QStandardItem(f"title {i}"),
                         QStandardItem(f"houseblock {i}, landing three, cell")])
    view = QTableView()
    view.setModel(model)
    qtbot.addWidget(view)
    make_readable(view, title=1, key="test-fit", **fit)
    return view


def test_columns_give_way_when_the_table_narrows_and_come_back(qtbot) -> None:
    view = _table(qtbot)
    view.resize(1400, 400)
    view.show()
    qtbot.waitExposed(view)
    header = view.horizontalHeader()
    wide = (header.sectionSize(0), header.sectionSize(2))
    assert min(wide) > header.minimumSectionSize()  # fitted to the contents
    view.resize(420, 400)
    qtbot.waitUntil(lambda: header.sectionSize(0) < wide[0])
    assert header.sectionSize(2) < wide[1]  # both fitted columns elide for the title
    view.resize(1400, 400)
    qtbot.waitUntil(lambda: (header.sectionSize(0), header.sectionSize(2)) == wide)


def test_a_give_way_column_narrows_first_and_a_cap_widens_one(qtbot) -> None:
    """On a table a little too narrow, the give-way column (prose) narrows and the other keeps
    its fitted width; a column's own cap lets a longer text fit than CAP_CHARS."""
    view = _table(qtbot, give_way=(2,), caps={0: 60})
    view.resize(1400, 400)
    view.show()
    qtbot.waitExposed(view)
    header = view.horizontalHeader()
    kind, where = header.sectionSize(0), header.sectionSize(2)
    assert kind >= view.sizeHintForColumn(0)  # "interview 19 with a long kind": over 24
    # 20 px short of room for both beside a title of TITLE_CHARS.
    title = header.fontMetrics().averageCharWidth() * TITLE_CHARS
    view.resize(view.width() - header.width() + kind + where + title - 20, 400)
    qtbot.waitUntil(lambda: header.sectionSize(2) < where)
    assert header.sectionSize(0) == kind

"""The framework as a tree (section → area → sub-area → expectation → indicator) with each
expectation's linked evidence, plus the filtering proxy of the Expectations page.

The tree is rebuilt (a model reset) only when the framework changes; new evidence changes
counts in place (`dataChanged`), so the view keeps its expansion and selection.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QIcon
from PySide6.QtWidgets import QApplication, QStyle

from hmip_desktop.domain.framework import Framework
from hmip_desktop.domain.readiness import TRIANGULATION_MIN_SOURCES
from hmip_desktop.services.coverage import NOT_LOADED
from hmip_desktop.services.evidence_snapshot import EvidenceRef
from hmip_desktop.services.scoring import ExpectationEvidence
from hmip_desktop.ui.expectations.expectation_nodes import (
    AREA,
    EXPECTATION,
    INCOMPLETE_TEXT,
    INDICATOR,
    SECTION,
    SUB_AREA,
    Node,
    adopted_text,
    build_tree,
    item_count,
    kind_counts_text,
    kinds_text,
)
from hmip_desktop.ui.widgets.tips import literal_tip

# Re-exported: the page and the detail pane read row kinds and flag texts from here.
__all__ = ["AREA", "EXPECTATION", "INCOMPLETE_TEXT", "INDICATOR", "SECTION", "SUB_AREA",
           "ExpectationsFilterProxy", "ExpectationsTreeModel", "Node", "adopted_text",
           "build_tree", "item_count", "kind_counts_text", "kinds_text"]

Index = QModelIndex | QPersistentModelIndex

GAP_COLOUR = QColor("#ffe8a3")  # pale amber: black text stays readable


class ExpectationsTreeModel(QAbstractItemModel):
    """Read-only tree of the pinned framework with evidence counts per expectation."""

    COL_NAME, COL_EVIDENCE, COL_SOURCES, COL_TRIANGULATED, COL_FLAGS = range(5)
    HEADERS = ("Expectation", "Evidence", "Source kinds", "Triangulated", "Flags")
    KEY_ROLE = int(Qt.ItemDataRole.UserRole) + 1  # the node's stable key
    KIND_ROLE = int(Qt.ItemDataRole.UserRole) + 2  # section, area, sub_area, expectation…
    ITEM_ROLE = int(Qt.ItemDataRole.UserRole) + 3  # the domain object (Section, Area, …)
    EVIDENCE_ROLE = int(Qt.ItemDataRole.UserRole) + 4  # ExpectationEvidence, or None
    FLAGS_ROLE = int(Qt.ItemDataRole.UserRole) + 5  # tuple of flag texts
    SEARCH_ROLE = int(Qt.ItemDataRole.UserRole) + 6  # lower-case text the filter matches
    NODE_ROLE = int(Qt.ItemDataRole.UserRole) + 7  # the Node (section/area for details)
    MAX_ROW_SIGNALS = 24  # more changed rows than this: one layout change (set_evidence)

    def __init__(self) -> None:
        super().__init__()
        self._root = Node("root", "", "")
        self._retired: Node | None = None
        self._framework: Framework | None = None
        self._evidence: dict[str, ExpectationEvidence] = {}
        self._by_key: dict[str, Node] = {}
        self._count_cache: dict[str, tuple[int, int, int]] = {}
        self._icons: dict[str, QIcon] = {}
        self._area_refs: dict[tuple[str, str], tuple[EvidenceRef, ...]] = {}
        # The inspection's type: the Sources column names the people held in its words.
        self.establishment_type: str | None = None

    # -- feeding -----------------------------------------------------------------------------
    @property
    def framework(self) -> Framework | None:
        """The framework shown (None before the first load)."""
        return self._framework

    def set_framework(self, framework: Framework | None,
                      evidence: Mapping[str, ExpectationEvidence]) -> None:
        """Show a framework and its evidence (a model reset)."""
        self.beginResetModel()
        # Keep the old tree alive until the next reset: views may still hold its pointers.
        self._retired = self._root
        self._framework = framework
        self._root = build_tree(framework) if framework else Node("root", "", "")
        self._by_key = {n.key: n for n in self._root.walk()}
        self._evidence = dict(evidence)
        self._count_cache = {}
        self.endResetModel()

    def set_evidence(self, evidence: Mapping[str, ExpectationEvidence]) -> None:
        """Update counts in place (the tree and its expansion stay as they are).

        Only rows whose counts changed are signalled: an expectation whose evidence differs
        and the rows above it. Every dataChanged costs the filter proxy a walk (430 one-row
        signals took 200 ms on the GUI thread), so a change touching many rows (a merge) is
        one layout change instead; rows never move, so expansion and selection stay.
        """
        old, self._evidence = self._evidence, dict(evidence)
        self._count_cache = {}
        rows: dict[int, Node] = {}
        for number in old.keys() | self._evidence.keys():
            if old.get(number) == self._evidence.get(number):
                continue
            node = self._by_key.get(f"e:{number}")
            while node is not None and node is not self._root and id(node) not in rows:
                rows[id(node)] = node
                node = node.parent
        if len(rows) > self.MAX_ROW_SIGNALS:
            self.layoutAboutToBeChanged.emit()
            self.layoutChanged.emit()
            return
        last = self.columnCount() - 1
        for node in rows.values():
            self.dataChanged.emit(self.createIndex(node.row, 0, node),
                                  self.createIndex(node.row, last, node))

    def evidence(self, number: str) -> ExpectationEvidence | None:
        """The evidence of one expectation."""
        return self._evidence.get(number)

    def set_area_evidence(self,
                          area_refs: Mapping[tuple[str, str], tuple[EvidenceRef, ...]]) -> None:
        """Evidence linked to areas as a whole (areas without expectation numbers)."""
        if dict(area_refs) == self._area_refs:
            return
        self._area_refs = dict(area_refs)
        self.layoutAboutToBeChanged.emit()  # rows never move: expansion and selection stay
        self.layoutChanged.emit()

    def area_evidence(self, section_key: str, area_key: str) -> tuple[EvidenceRef, ...]:
        """Evidence linked to one area as a whole."""
        return self._area_refs.get((section_key, area_key), ())

    def _area_count(self, node: Node) -> int:
        """Distinct evidence items linked to an area row itself (0 for other rows)."""
        if node.kind != AREA or node.section is None or node.area is None:
            return 0
        refs = self._area_refs.get((node.section.key, node.area.key), ())
        return len({r.evidence_id for r in refs})

    def evidence_map(self) -> dict[str, ExpectationEvidence]:
        """Every expectation's evidence, by number."""
        return dict(self._evidence)

    def index_for_key(self, key: str) -> QModelIndex:
        """The index of a node by its stable key (invalid when absent)."""
        node = self._by_key.get(key)
        if node is None or node is self._root:
            return QModelIndex()
        return self.createIndex(node.row, 0, node)

    def node(self, index: Index) -> Node | None:
        """The node behind an index."""
        if not index.isValid():
            return None
        node = index.internalPointer()
        return node if isinstance(node, Node) else None

    # -- Qt model API ------------------------------------------------------------------------
    def _node_or_root(self, index: Index) -> Node:
        return self.node(index) or self._root

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        """The child at (row, column) of a parent."""
        # Checked here, not with hasIndex(), which calls back into rowCount and columnCount
        # in Python: a view calls index() thousands of times per layout and paint.
        if parent.isValid() and parent.column() != 0:
            return QModelIndex()
        kids = self._node_or_root(parent).children
        if not (0 <= row < len(kids) and 0 <= column < len(self.HEADERS)):
            return QModelIndex()
        return self.createIndex(row, column, kids[row])

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        """The parent of an index (invalid for sections)."""
        node = self.node(index)
        if node is None or node.parent is None or node.parent is self._root:
            return QModelIndex()
        return self.createIndex(node.parent.row, 0, node.parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        """Children of a row (only column 0 has children)."""
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._node_or_root(parent).children)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        """Every row has the same columns."""
        return len(self.HEADERS)

    def flags(self, index: Index) -> Qt.ItemFlag:
        """Rows are selectable, never editable."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Column titles."""
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.HEADERS)):
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Text, tooltips, flags, icons and the objects behind a row."""
        node = self.node(index)
        if node is None:
            return None
        col = index.column()
        if role == self.KEY_ROLE:
            return node.key
        if role == self.KIND_ROLE:
            return node.kind
        if role == self.ITEM_ROLE:
            return node.item
        if role == self.NODE_ROLE:
            return node
        if role == self.FLAGS_ROLE:
            return node.flags
        if role == self.SEARCH_ROLE:
            return node.search.lower()
        if role == self.EVIDENCE_ROLE:
            return self._evidence.get(node.key[2:]) if node.kind == EXPECTATION else None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(node, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return literal_tip(self._tooltip(node, col))
        if role == Qt.ItemDataRole.DecorationRole and col == self.COL_NAME:
            return self._icon(node)
        if role == Qt.ItemDataRole.BackgroundRole and self._is_gap(node, col):
            return QBrush(GAP_COLOUR)
        if role == Qt.ItemDataRole.ForegroundRole and self._is_gap(node, col):
            return QBrush(QColor("black"))
        return None

    # -- cell contents -----------------------------------------------------------------------
    def _counts(self, node: Node) -> tuple[int, int, int]:
        """(expectations, with evidence, triangulated) at or below a row."""
        # Kept until the evidence or the tree changes: painting asks for them per cell and
        # role, and a section sums dozens of expectations each time.
        counts = self._count_cache.get(node.key)
        if counts is None:
            found = [self._evidence.get(n) for n in node.numbers]
            counts = (len(found), sum(1 for e in found if e and e.covered),
                      sum(1 for e in found if e and e.triangulated))
            self._count_cache[node.key] = counts
        return counts

    def _is_gap(self, node: Node, col: int) -> bool:
        if col != self.COL_EVIDENCE or node.kind != EXPECTATION:
            return False
        ev = self._evidence.get(node.key[2:])
        return ev is None or not ev.covered

    def _text(self, node: Node, col: int) -> str:
        if col == self.COL_NAME:
            return node.name
        if col == self.COL_FLAGS:
            return "; ".join(node.flags)
        if node.kind == INDICATOR:
            return ""
        if node.kind == EXPECTATION:
            ev = self._evidence.get(node.key[2:])
            if col == self.COL_EVIDENCE:
                return str(item_count(ev)) if ev and ev.covered else "0 (gap)"
            if col == self.COL_SOURCES:
                return kind_counts_text(ev, self.establishment_type)
            if col == self.COL_TRIANGULATED:
                return "Yes" if ev and ev.triangulated else "No"
            return ""
        total, covered, tri = self._counts(node)
        if not total:
            if col != self.COL_EVIDENCE or node.kind not in (SECTION, AREA):
                return ""
            linked = self._area_count(node)
            return NOT_LOADED + (f"; {linked} linked to the area" if linked else "")
        if col == self.COL_EVIDENCE:
            return f"{covered} of {total}"
        if col == self.COL_TRIANGULATED:
            return f"{tri} of {total}"
        return ""

    def _tooltip(self, node: Node, col: int) -> str:
        if col == self.COL_FLAGS or (col == self.COL_NAME and node.flags):
            return "\n".join([node.name, *node.flags]) if col == self.COL_NAME \
                else "\n".join(node.flags)
        if node.kind == EXPECTATION:
            ev = self._evidence.get(node.key[2:])
            n, links = item_count(ev), len(ev.evidence) if ev else 0
            kinds = len(ev.source_kinds) if ev else 0
            if col == self.COL_EVIDENCE:
                return (f"{n} evidence item{'s' if n != 1 else ''} linked "
                        f"({links} link{'s' if links != 1 else ''})")
            if col in (self.COL_SOURCES, self.COL_TRIANGULATED):
                return (f"{kinds} distinct source kind{'s' if kinds != 1 else ''}; "
                        f"triangulated needs {TRIANGULATION_MIN_SOURCES}")
        elif node.kind != INDICATOR and col in (self.COL_EVIDENCE, self.COL_TRIANGULATED):
            total, covered, tri = self._counts(node)
            if not total:
                return (f"No expectation numbers are listed here ({NOT_LOADED}); evidence "
                        "can be linked to the area itself")
            return (f"{covered} of {total} expectations have evidence" if col ==
                    self.COL_EVIDENCE else f"{tri} of {total} expectations are triangulated")
        return self._text(node, col)

    def _icon(self, node: Node) -> QIcon | None:
        if node.kind not in (SECTION, AREA):
            return None
        if any(f == INCOMPLETE_TEXT for f in node.flags):
            which = "warning"
        elif node.kind == AREA and node.area is not None and node.area.adopted_from:
            which = "information"
        else:
            return None
        if which not in self._icons:
            style = QApplication.style()
            pixmap = (QStyle.StandardPixmap.SP_MessageBoxWarning if which == "warning"
                      else QStyle.StandardPixmap.SP_MessageBoxInformation)
            self._icons[which] = style.standardIcon(pixmap)
        return self._icons[which]


class ExpectationsFilterProxy(QSortFilterProxyModel):
    """Keeps rows whose words match (with their parents and children) and, optionally, only
    expectations without evidence or not yet triangulated."""

    ALL, GAPS, NOT_TRIANGULATED = "all", "gaps", "not_triangulated"

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.state = self.ALL
        # Matching children keep their parents visible.
        self.setRecursiveFilteringEnabled(True)

    def set_filter(self, text: str = "", state: str = ALL) -> None:
        """Apply the text and evidence-state filters together."""
        begin = getattr(self, "beginFilterChange", None)  # Qt >= 6.9
        if begin is not None:
            begin()
        self.words = text.lower().split()
        self.state = state
        if begin is not None:
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.invalidateRowsFilter()

    @property
    def active(self) -> bool:
        """True when any filter hides rows."""
        return bool(self.words) or self.state != self.ALL

    def _state_ok(self, node: Node, model: ExpectationsTreeModel) -> bool:
        if self.state == self.ALL:
            return True
        exp = node if node.kind == EXPECTATION else node.parent
        if node.kind not in (EXPECTATION, INDICATOR) or exp is None:
            return False  # sections and areas show only through a matching expectation
        ev = model.evidence(exp.key[2:])
        if self.state == self.GAPS:
            return ev is None or not ev.covered
        return ev is None or not ev.triangulated

    def _passes(self, node: Node, model: ExpectationsTreeModel) -> bool:
        return all(w in node.search.lower() for w in self.words) and self._state_ok(node, model)

    def filterAcceptsRow(self, row: int, parent: Index) -> bool:  # noqa: N802
        """A row passes on its own, or because an ancestor passes (its children show too)."""
        if not self.active:
            return True
        model = self.sourceModel()
        assert isinstance(model, ExpectationsTreeModel)
        node = model.node(model.index(row, 0, parent))
        while node is not None and node.kind != "root":
            if self._passes(node, model):
                return True
            node = node.parent
        return False

"""Expectations: the inspection's pinned framework as a filterable tree with the evidence
linked to each expectation, a coverage heat map per test, and Import framework.

The page always shows the framework pinned into the open inspection, never the registry's
newest, so importing a framework never changes an inspection under way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
)

from hmip_desktop.domain import records as R
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.domain.framework import Framework
from hmip_desktop.domain.framework_nation import NATION_LABELS
from hmip_desktop.services.evidence_snapshot import EvidenceRef, evidence_snapshot
from hmip_desktop.services.links import EvidenceItem, LinkService, evidence_items
from hmip_desktop.services.scoring import ExpectationEvidence
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import present_error
from hmip_desktop.ui.expectations.coverage_view import CoverageView
from hmip_desktop.ui.expectations.expectation_detail import ExpectationDetail
from hmip_desktop.ui.expectations.expectations_tree_model import (
    INCOMPLETE_TEXT,
    ExpectationsFilterProxy,
    ExpectationsTreeModel,
    Node,
)
from hmip_desktop.ui.page_base import Page, PageKey, heading
from hmip_desktop.ui.settings.framework_import_dialog import FrameworkImportDialog
from hmip_desktop.ui.widgets.forms import add_shortcuts, buddy_label, plain_label
from hmip_desktop.ui.widgets.tables import make_readable
from hmip_desktop.ui.widgets.tips import literal_tip

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore

# Evidence and its links move the counts; the framework record only changes in a merge.
WATCHED_TYPES = (R.LINK, R.NOTE, R.DOCUMENT, R.EXTRACT, R.FIGURE, R.FRAMEWORK)

TAB_TREE, TAB_COVERAGE = range(2)
M = ExpectationsTreeModel


@dataclass(frozen=True)
class ExpectationsData:
    """What the page shows: the pinned framework and each expectation's evidence."""

    framework: Framework
    evidence: dict[str, ExpectationEvidence]
    # Evidence linked to an area as a whole (areas without expectation numbers).
    area_links: dict[tuple[str, str], tuple[EvidenceRef, ...]] = field(default_factory=dict)
    nation: str = "england"
    establishment_type: str = ""  # source kinds are named in its words


def load_expectations(store: InspectionStore) -> ExpectationsData:
    """Read the pinned framework and every expectation's evidence (runs on the DB lane).

    One evidence snapshot: one read transaction, the framework parsed once per open file.
    Only what applies in the inspection's nation is shown (Ofsted's education in England,
    Estyn's in Wales).
    """
    snap = evidence_snapshot(store)
    return ExpectationsData(snap.require_framework(), dict(snap.expectations),
                            dict(snap.area_links), snap.nation, snap.establishment_type)


def scale_facts(fw: Framework) -> str:
    """The scale's levels, saying when descriptors (or labels) are not verified."""
    levels = fw.scale.levels
    if not levels:
        return f"Scale: {fw.scale.label} (no grades)."
    text = f"Scale: {', '.join(lv.label for lv in levels)}"
    unverified = [lv for lv in levels if lv.descriptor and not lv.descriptor_verified]
    if unverified:
        text += (" — descriptors not verified against HMIP's published text" if
                 len(unverified) == len(levels) else
                 " — descriptor not verified for " + ", ".join(lv.label for lv in unverified))
    labels = [lv.label for lv in levels if not lv.verified]
    if labels:
        text += f"; label not verified: {', '.join(labels)}"
    if not fw.scale.verified:
        text += "; that this scale applies is not verified"
    return text + "."


def framework_facts(fw: Framework, nation: str | None = None) -> str:
    """One paragraph naming the framework, its version and how far it can be relied on."""
    areas = [a for s in fw.sections for a in s.areas]
    incomplete = sum(1 for a in areas if a.incomplete)
    unverified = sum(1 for _, _, e in fw.iter_expectations() if not e.verified)
    # Named as a published document names it; the edition's working note and the app's own
    # id and version numbering are for 'hmip frameworks show', not this header.
    parts = [fw.published_name + ("" if fw.edition_verified else " (edition not verified)")
             + "."]
    parts.append("Checked against the official document." if fw.verified else
                 "Not verified against the official document.")
    if fw.status == "imported":
        parts.append("Imported by a user" + (f" from {fw.based_on}." if fw.based_on else "."))
    parts.append(f"{fw.expectation_count} expectations in {len(areas)} areas")
    if unverified:
        parts[-1] += f"; {unverified} with wording not verified"
    parts[-1] += "."
    if incomplete or fw.incomplete:
        parts.append(f"{incomplete} area{'s' if incomplete != 1 else ''}: "
                     f"{INCOMPLETE_TEXT.lower()}.")
    parts.append(scale_facts(fw))
    if nation is not None and any(a.nations for a in areas):
        where = NATION_LABELS.get(nation or "", nation or "")
        parts.append(f"Inspection in {where}: only its education expectations count "
                     f"({'Estyn' if nation == 'wales' else 'Ofsted'}).")
    parts.append("This inspection keeps this pinned version; importing a framework never "
                 "changes it.")
    return " ".join(parts)


def choose_evidence_dialog(parent, items: Sequence[EvidenceItem],  # type: ignore[no-untyped-def]
                           area_label: str) -> str | None:
    """Ask which evidence record to link to an area; its id, or None when cancelled."""
    if not items:
        return None
    labels = [f"{i.title or '(untitled)'} — {i.evidence_type}" for i in items]
    dialog = QInputDialog(parent)
    dialog.setWindowTitle("Link evidence to the area")
    dialog.setLabelText(f"Evidence for {area_label} (expectations not loaded):")
    for label in dialog.findChildren(QLabel):  # the area's name is the framework's
        label.setTextFormat(Qt.TextFormat.PlainText)
    dialog.setComboBoxItems(labels)
    dialog.setComboBoxEditable(False)
    ok = dialog.exec() == QInputDialog.DialogCode.Accepted
    chosen = dialog.textValue()
    return items[labels.index(chosen)].id if ok and chosen in labels else None


class ExpectationsPage(Page):
    """Tree and detail in one tab, coverage heat map in another; Import framework."""

    title = PageKey.EXPECTATIONS

    # The Evidence page opens the passage: (evidence_id, start, end, page); None when unset.
    open_evidence_requested = Signal(str, object, object, object)
    framework_imported = Signal(object)  # a Framework now available for NEW inspections

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.title))
        self.facts = plain_label("No inspection is open.")  # the framework's title
        self.facts.setAccessibleName("Framework of this inspection")
        self.facts.setWordWrap(True)
        layout.addWidget(self.facts)
        bar = QHBoxLayout()
        self.filter = QLineEdit()
        self.filter.setAccessibleName("Filter expectations")
        self.filter.setPlaceholderText("Filter by number or words…")
        self.filter.setClearButtonEnabled(True)
        self.show_only = QComboBox()
        self.show_only.setAccessibleName("Show which expectations")
        self.show_only.addItem("All expectations", ExpectationsFilterProxy.ALL)
        self.show_only.addItem("Without evidence (gaps)", ExpectationsFilterProxy.GAPS)
        self.show_only.addItem("Not triangulated", ExpectationsFilterProxy.NOT_TRIANGULATED)
        self.import_button = QPushButton("&Import framework…")
        self.import_button.setToolTip("Add a framework version for new inspections")
        # Alt+L is an area's "Link evidence to this area…", shown beside it
        bar.addWidget(buddy_label("Filte&r:", self.filter))
        bar.addWidget(self.filter, 2)
        bar.addWidget(buddy_label("&Show:", self.show_only))
        bar.addWidget(self.show_only, 1)
        bar.addWidget(self.import_button)
        layout.addLayout(bar)
        self.model = ExpectationsTreeModel()
        self.proxy = ExpectationsFilterProxy()
        self.proxy.setSourceModel(self.model)
        self.tree = QTreeView()
        self.tree.setAccessibleName("Expectations tree")
        self.tree.setModel(self.proxy)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        make_readable(self.tree, title=M.COL_NAME, key="Expectations tree")  # framework order
        self.detail = ExpectationDetail()
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.tree)
        split.addWidget(self.detail)
        split.setChildrenCollapsible(False)
        split.setStretchFactor(0, 2)  # the tree is the main column
        split.setStretchFactor(1, 1)
        split.setSizes([780, 380])
        self.coverage = CoverageView()
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Expectations views")
        self.tabs.addTab(split, "E&xpectations")
        self.tabs.addTab(self.coverage, "&Coverage")
        layout.addWidget(self.tabs, 1)
        self.filter.textChanged.connect(self._on_filter_text_changed)
        self.filter.returnPressed.connect(self._on_filter_return_pressed)
        self.show_only.currentIndexChanged.connect(self._on_show_only_changed)
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.tree.selectionModel().currentChanged.connect(self._on_tree_current_changed)
        self.tree.activated.connect(self._on_tree_activated)
        self.detail.open_requested.connect(self.open_evidence_requested)
        self.detail.link_area_requested.connect(self._on_link_area_requested)
        # Replaceable in tests: (items, area label) -> chosen evidence id or None.
        self.choose_evidence: Callable[[Sequence[EvidenceItem], str], str | None] = \
            lambda items, label: choose_evidence_dialog(self, items, label)
        self._area_links: dict[tuple[str, str], tuple[EvidenceRef, ...]] = {}
        self.coverage.area_chosen.connect(self._on_coverage_area_chosen)
        # Ctrl+F reaches the filter from anywhere on the page (Alt+R does too).
        add_shortcuts(self, ["Ctrl+F"], self._on_find_shortcut)
        for first, second in ((self.filter, self.show_only), (self.show_only, self.import_button),
                              (self.import_button, self.tabs), (self.tabs, self.tree),
                              (self.tree, self.detail.text)):
            self.setTabOrder(first, second)

    # -- loading -----------------------------------------------------------------------------
    def wants(self, changes: ChangeSet) -> bool:
        """Evidence and links change the counts."""
        return changes.everything or any(changes.touches(t) for t in WATCHED_TYPES)

    def reload(self) -> None:
        """Read the pinned framework and its evidence on the DB lane, then show them."""
        store = self.ctx.store
        if store is None:
            return
        self.ctx.tasks.submit(lambda: load_expectations(store), self._on_loaded,
                              lambda e: present_error(self, e))

    def _on_loaded(self, data: ExpectationsData) -> None:
        if self.ctx.store is None:  # closed while the read ran
            return
        self.model.establishment_type = data.establishment_type
        self.detail.establishment_type = data.establishment_type
        if self.model.framework == data.framework:
            self.model.set_evidence(data.evidence)  # in place: expansion and selection stay
        else:
            current = self.current_key()
            self.model.set_framework(data.framework, data.evidence)
            self._expand_default()
            if current:
                self.select_key(current)
        self._area_links = data.area_links
        self.model.set_area_evidence(data.area_links)
        self.facts.setText(framework_facts(data.framework, data.nation))
        self.facts.setToolTip(literal_tip(data.framework.notes))
        self.coverage.set_coverage(
            data.framework, data.evidence,
            {k: len({r.evidence_id for r in v}) for k, v in data.area_links.items()})
        self._show_detail(self.tree.currentIndex())

    def clear(self) -> None:
        """Forget the closed inspection."""
        self.model.set_framework(None, {})
        self.model.set_area_evidence({})
        self._area_links = {}
        self.coverage.set_coverage(None, {})
        self.detail.show_node(None, None)
        self.facts.setText("No inspection is open.")
        self.facts.setToolTip("")

    def _expand_default(self) -> None:
        """Sections open, areas closed, unless a filter wants every match in sight."""
        if self.proxy.active:
            self.tree.expandAll()
        else:
            self.tree.collapseAll()
            self.tree.expandToDepth(0)

    # -- selection ---------------------------------------------------------------------------
    def current_key(self) -> str | None:
        """The stable key of the selected row (e.g. "e:12"), or None."""
        index = self.tree.currentIndex()
        return index.data(ExpectationsTreeModel.KEY_ROLE) if index.isValid() else None

    def select_key(self, key: str) -> bool:
        """Select a row by key, clearing filters that hide it; False when it is absent."""
        source = self.model.index_for_key(key)
        if not source.isValid():
            return False
        index = self.proxy.mapFromSource(source)
        if not index.isValid():
            self.filter.clear()
            self.show_only.setCurrentIndex(0)
            index = self.proxy.mapFromSource(source)
        parent = index.parent()
        while parent.isValid():
            self.tree.expand(parent)
            parent = parent.parent()
        self.tree.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.tree.scrollTo(index)
        return True

    def select_expectation(self, number: str) -> bool:
        """Select an expectation by number."""
        return self.select_key(f"e:{number}")

    def _on_tree_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_detail(current)

    def _on_tree_activated(self, index: QModelIndex) -> None:
        # Enter on an expectation goes to its evidence, so a passage is two keys away.
        if index.data(M.KIND_ROLE) in ("expectation", "indicator") \
                and self.detail.evidence.count():
            self.detail.evidence.setFocus()

    def _show_detail(self, index: QModelIndex) -> None:
        node: Node | None = index.data(ExpectationsTreeModel.NODE_ROLE) \
            if index.isValid() else None
        if node is not None and node.kind == "indicator":
            node = node.parent  # an indicator is read with its expectation
        number = node.key[2:] if node is not None and node.kind == "expectation" else None
        area_refs: tuple[EvidenceRef, ...] = ()
        if node is not None and node.kind == "area" and node.section and node.area:
            area_refs = self._area_links.get((node.section.key, node.area.key), ())
        self.detail.show_node(node, self.model.evidence(number) if number else None,
                              counts=self._counts(node), area_refs=area_refs)

    def _counts(self, node: Node | None) -> tuple[int, int, int] | None:
        if node is None or node.kind == "expectation":
            return None
        found = [self.model.evidence(n) for n in node.numbers]
        return (len(found), sum(1 for e in found if e and e.covered),
                sum(1 for e in found if e and e.triangulated))

    # -- slots -------------------------------------------------------------------------------
    def _on_filter_text_changed(self, _text: str) -> None:
        self._apply_filter()

    def _on_show_only_changed(self, _index: int) -> None:
        self._apply_filter()

    def _apply_filter(self) -> None:
        current = self.current_key()
        self.proxy.set_filter(self.filter.text(), self.show_only.currentData())
        self._expand_default()
        if current and self.proxy.mapFromSource(self.model.index_for_key(current)).isValid():
            self.select_key(current)

    def _on_find_shortcut(self) -> None:
        self.tabs.setCurrentIndex(TAB_TREE)
        self.filter.setFocus()
        self.filter.selectAll()

    def _on_filter_return_pressed(self) -> None:
        # Enter in the filter moves to the first match, so the arrows take over from there.
        if self.proxy.rowCount() == 0:
            return
        index = self.proxy.index(0, 0)
        while self.proxy.rowCount(index) and index.data(
                ExpectationsTreeModel.KIND_ROLE) != "expectation":
            index = self.proxy.index(0, 0, index)
        self.tree.setCurrentIndex(index)
        self.tree.setFocus()

    def _on_coverage_area_chosen(self, section_key: str, area_key: str) -> None:
        key = f"a:{section_key}/{area_key}" if area_key else f"s:{section_key}"
        self.tabs.setCurrentIndex(TAB_TREE)
        if self.select_key(key):
            self.tree.expand(self.tree.currentIndex())
            self.tree.setFocus()

    def _on_link_area_requested(self, section_key: str, area_key: str) -> None:
        store = self.ctx.store
        if store is None:
            return
        label = next((a.label for s in (self.model.framework.sections
                                        if self.model.framework else ())
                      if s.key == section_key for a in s.areas if a.key == area_key), area_key)

        def chosen(items: list[EvidenceItem]) -> None:
            evidence_id = self.choose_evidence(items, label)
            if evidence_id:
                self.link_evidence_to_area(evidence_id, section_key, area_key)

        self.ctx.tasks.submit(lambda: evidence_items(store), chosen,
                              lambda e: present_error(self, e))

    def link_evidence_to_area(self, evidence_id: str, section_key: str, area_key: str) -> None:
        """Link a whole evidence record to an area without expectation numbers; it then
        counts as evidence for that area (coverage, walkthrough)."""
        store = self.ctx.store
        if store is None:
            return
        self.ctx.tasks.submit(
            lambda: LinkService(store).add_to_area(evidence_id, section_key, area_key),
            lambda _link_id: self.reload(), lambda e: present_error(self, e))

    def _on_import_button_clicked(self) -> None:
        self.make_import_dialog().exec()

    def make_import_dialog(self) -> FrameworkImportDialog:
        """The Import framework dialog, told which framework this inspection keeps."""
        dialog = FrameworkImportDialog(self, self.ctx.tasks, pinned=self.model.framework)
        dialog.framework_imported.connect(self.framework_imported)
        return dialog


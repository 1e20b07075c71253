"""The detail pane of the Expectations page: what the selected row says, its flags, and the
evidence linked to an expectation (Enter or double-click opens the passage)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.domain.framework import Expectation
from hmip_desktop.domain.readiness import TRIANGULATION_MIN_SOURCES
from hmip_desktop.services.coverage import NOT_LOADED
from hmip_desktop.services.scoring import EvidenceRef, ExpectationEvidence
from hmip_desktop.ui.expectations.expectation_nodes import (
    AREA,
    EXPECTATION,
    SECTION,
    SUB_AREA,
    Node,
    adopted_text,
    item_count,
    kind_counts_text,
    kinds_text,
)
from hmip_desktop.ui.widgets.forms import buddy_label
from hmip_desktop.ui.widgets.tips import literal_tip

EVIDENCE_ROLE = int(Qt.ItemDataRole.UserRole) + 1  # the EvidenceRef of a list item
TYPE_LABELS = {"note": "Note", "document": "Document", "extract": "Data extract",
               "figure": "Pinned figure"}


def evidence_label(ref: EvidenceRef, establishment_type: str | None = None) -> str:
    """"Night visit — Note, Observation — passage 120–180" for one linked item."""
    kind = TYPE_LABELS.get(ref.evidence_type, ref.evidence_type)
    if ref.source_kind:
        kind += f", {kinds_text((ref.source_kind,), establishment_type)}"
    if ref.start is not None and ref.end is not None:
        where = f"passage {ref.start}–{ref.end}"
    elif ref.page is not None:
        where = f"page {ref.page}"
    else:
        where = "whole item"
    return f"{ref.title or '(untitled)'} — {kind} — {where}"


def _para(label: str, text: str) -> str:
    return f"<p><b>{escape(label)}</b> {escape(text)}</p>" if text else ""


def _flag_lines(flags: tuple[str, ...]) -> str:
    return "".join(f"<p>⚠ {escape(f)}</p>" for f in flags)


def evidence_summary(ev: ExpectationEvidence | None,
                     establishment_type: str | None = None) -> str:
    """How much evidence an expectation has and whether it is triangulated, in words."""
    if ev is None or not ev.covered:
        return "No evidence linked yet (a gap)."
    n, kinds = item_count(ev), len(ev.source_kinds)
    text = (f"{n} evidence item{'s' if n != 1 else ''} from {kinds} source "
            f"kind{'s' if kinds != 1 else ''}" + (f" ({kind_counts_text(ev, establishment_type)})"
                                                  if kinds else "") + "; ")
    if ev.triangulated:
        return text + "triangulated."
    return text + f"not triangulated (needs {TRIANGULATION_MIN_SOURCES} distinct source kinds)."


def _expectation_html(node: Node, exp: Expectation, ev: ExpectationEvidence | None,
                      where: str, establishment_type: str | None) -> str:
    sub = node.area.sub_area_label(exp.sub_area) if node.area else ""
    out = [f"<h3>Expectation {escape(exp.number)}</h3>", f"<p><b>{escape(exp.title)}</b></p>",
           f"<p>{escape(where + (' ▸ ' + sub if sub else ''))}</p>",
           _para("Outcome:", exp.outcome) or "<p>No outcome text in this framework.</p>"]
    if exp.indicators:
        out.append("<p><b>Indicators:</b></p><ul>"
                   + "".join(f"<li>{escape(i)}</li>" for i in exp.indicators) + "</ul>")
    else:
        out.append("<p>No indicators listed.</p>")
    out.append("<p>Wording verified against the official document.</p>" if exp.verified else
               "<p>⚠ Wording not verified: check it against the official document.</p>")
    if exp.outcome_paraphrased:
        out.append("<p>ⓘ The outcome is paraphrased, not the official wording.</p>")
    if node.area and node.area.adopted_from:
        out.append(f"<p>ⓘ {escape(adopted_text(node.area.adopted_from))}.</p>")
    out.append(_para("Notes:", exp.notes))
    out.append(f"<p><b>Evidence:</b> {escape(evidence_summary(ev, establishment_type))}</p>")
    return "".join(out)


def node_html(node: Node | None, ev: ExpectationEvidence | None,
              counts: tuple[int, int, int] | None, area_items: int = 0,
              establishment_type: str | None = None) -> str:
    """The detail text of a tree row."""
    if node is None:
        return "<p>Select a test, area or expectation to read it here.</p>"
    where = " ▸ ".join(x for x in (node.section.label if node.section else "",
                                   node.area.label if node.area and node.kind != AREA else "")
                       if x)
    if node.kind == EXPECTATION and isinstance(node.item, Expectation):
        return _expectation_html(node, node.item, ev, where, establishment_type)
    out = []
    kind = {SECTION: "Test", AREA: "Area", SUB_AREA: "Sub-area"}.get(node.kind, "")
    out.append(f"<h3>{escape(kind)}: {escape(node.name)}</h3>")
    if where and node.kind != SECTION:
        out.append(f"<p>{escape(where)}</p>")
    item = node.section if node.kind == SECTION else node.area
    if item is not None and node.kind != SUB_AREA:
        out.append(_para("Outcome:", item.outcome))
    out.append(_flag_lines(node.flags))
    if node.kind == AREA and node.area and node.area.sub_areas:
        out.append(_para("Sub-areas:", "; ".join(s.label for s in node.area.sub_areas)))
    if item is not None and node.kind != SUB_AREA:
        out.append(_para("Notes:", item.notes))
    if counts is not None:
        total, covered, tri = counts
        if total:
            out.append(f"<p><b>Coverage:</b> {covered} of {total} expectations have evidence; "
                       f"{tri} are triangulated.</p>")
        else:
            out.append(f"<p><b>Coverage:</b> {escape(NOT_LOADED)} (no expectation numbers are "
                       "listed here yet).</p>")
            if node.kind == AREA:
                out.append(f"<p><b>Evidence linked to the area itself:</b> {area_items} "
                           f"item{'s' if area_items != 1 else ''}.</p>")
    return "".join(out)


class ExpectationDetail(QWidget):
    """Read-only text of the selected row and, for an expectation, its linked evidence."""

    open_requested = Signal(str, object, object, object)  # evidence_id, start, end, page
    link_area_requested = Signal(str, str)  # section_key, area_key of an area without numbers

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.text = QTextBrowser()
        self.text.setAccessibleName("Selected expectation")
        self.text.setOpenExternalLinks(False)
        self.text.setTabChangesFocus(True)  # Tab moves on to the evidence list
        self.evidence = QListWidget()
        self.evidence.setAccessibleName("Linked evidence")
        self.evidence.itemActivated.connect(self._on_evidence_item_activated)
        self.evidence.currentRowChanged.connect(self._on_evidence_row_changed)
        self.open_button = QPushButton("&Open evidence")
        self.open_button.setToolTip("Opens the linked passage (Enter in the list)")
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.none_label = QLabel("")
        self.none_label.setWordWrap(True)
        self.link_area_button = QPushButton("&Link evidence to this area…")
        self.link_area_button.setToolTip("For an area without expectation numbers: link a "
                                         "note, document, extract or figure to the area itself")
        self.link_area_button.clicked.connect(self._on_link_area_button_clicked)
        self.link_area_button.hide()
        self._area_key: tuple[str, str] | None = None
        # The inspection's type: source kinds read in its words ("Detainee interview").
        self.establishment_type: str | None = None
        layout.addWidget(self.text, 3)
        layout.addWidget(buddy_label("Linked e&vidence:", self.evidence))
        layout.addWidget(self.evidence, 2)
        layout.addWidget(self.none_label)
        layout.addWidget(self.open_button)
        layout.addWidget(self.link_area_button)
        self.show_node(None, None)

    def show_node(self, node: Node | None, evidence: ExpectationEvidence | None, *,
                  counts: tuple[int, int, int] | None = None,
                  area_refs: tuple[EvidenceRef, ...] = ()) -> None:
        """Show a row's text; the evidence list fills for an expectation, and for an area
        without expectation numbers with the evidence linked to the area itself."""
        unloaded_area = (node is not None and node.kind == AREA and node.area is not None
                         and node.section is not None and not node.area.expectations)
        self._area_key = ((node.section.key, node.area.key)  # type: ignore[union-attr]
                          if unloaded_area else None)
        self.link_area_button.setVisible(unloaded_area)
        self.text.setHtml(node_html(node, evidence, counts,
                                    len({r.evidence_id for r in area_refs}),
                                    self.establishment_type))
        keep = self.evidence.currentRow()
        self.evidence.clear()
        refs = evidence.evidence if evidence is not None else (area_refs if unloaded_area
                                                                else ())
        for ref in refs:
            item = QListWidgetItem(evidence_label(ref, self.establishment_type))
            item.setData(EVIDENCE_ROLE, ref)
            item.setToolTip(literal_tip(item.text()))
            self.evidence.addItem(item)
        if refs:
            self.evidence.setCurrentRow(min(max(keep, 0), len(refs) - 1))
        is_expectation = node is not None and node.kind == EXPECTATION
        self.none_label.setText(
            "" if refs else
            "No evidence linked yet: link passages from the Evidence page." if is_expectation
            else f"{NOT_LOADED.capitalize()}: link evidence to the area itself."
            if unloaded_area else "")
        self.open_button.setEnabled(bool(refs))

    def refs(self) -> list[EvidenceRef]:
        """The evidence listed, in order."""
        return [self.evidence.item(i).data(EVIDENCE_ROLE) for i in range(self.evidence.count())]

    def _on_link_area_button_clicked(self) -> None:
        if self._area_key is not None:
            self.link_area_requested.emit(*self._area_key)

    def _on_evidence_row_changed(self, row: int) -> None:
        self.open_button.setEnabled(row >= 0)

    def _on_evidence_item_activated(self, item: QListWidgetItem) -> None:
        self._open(item)

    def _on_open_button_clicked(self) -> None:
        self._open(self.evidence.currentItem())

    def _open(self, item: QListWidgetItem | None) -> None:
        ref: EvidenceRef | None = item.data(EVIDENCE_ROLE) if item is not None else None
        if ref is not None:
            self.open_requested.emit(ref.evidence_id, ref.start, ref.end, ref.page)

"""Walkthrough steps 1 and 2: the section's overview, then its areas one by one."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.domain.readiness import TRIANGULATION_MIN_SOURCES
from hmip_desktop.domain.wording import plural
from hmip_desktop.services.coverage import NOT_LOADED
from hmip_desktop.services.labels import source_kind_label
from hmip_desktop.services.scoring import AreaOverview, EvidenceRef
from hmip_desktop.services.walkthrough_snapshot import SectionSnapshot
from hmip_desktop.ui.scoring.findings_editor import FindingsEditor
from hmip_desktop.ui.widgets.forms import (
    add_shortcuts,
    buddy_label,
    current_row,
    plain_label,
    select_row,
    status_label,
    table_view,
)
from hmip_desktop.ui.widgets.rows_model import Column, RowsTableModel


def step_heading(text: str) -> QLabel:
    """The bold title of a step (plain: it names a section of the framework)."""
    label = plain_label(text)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.2)
    label.setFont(font)
    label.setAccessibleName(text)
    return label


def step_count(snap: SectionSnapshot) -> int:
    """Four steps for a judged section; two (overview, areas) for a findings-only one."""
    return 4 if snap.section.judged else 2


def _share(part: int, a: AreaOverview) -> str:
    """"2 of 5", or "expectations not loaded" for an area without numbers (never "0 of 0")."""
    if not a.expectations_total:
        return NOT_LOADED
    return f"{part} of {a.expectations_total}"


def _with_evidence(a: AreaOverview) -> str:
    if not a.expectations_total and a.area_evidence:
        return f"{NOT_LOADED}; {plural(a.area_evidence, 'item')} linked to the area"
    return _share(a.expectations_covered, a)


def _gaps(a: AreaOverview) -> str:
    parts = []
    if not a.expectations_total and not a.area_evidence:
        parts.append("no evidence linked to the area")
    if a.expectations_total - a.expectations_covered:
        parts.append(f"{a.expectations_total - a.expectations_covered} without evidence")
    untri = a.expectations_covered - a.expectations_triangulated
    if untri:
        parts.append(f"{untri} not triangulated")
    if not a.findings_count:
        parts.append("no findings yet")
    return "; ".join(parts)


# Column constants of the overview table.
OV_AREA, OV_EXPECTATIONS, OV_COVERED, OV_TRIANGULATED, OV_FINDINGS, OV_GAPS = range(6)
OVERVIEW_COLUMNS = (
    Column("Area", lambda a: a.label),
    Column("Expectations", lambda a: str(a.expectations_total) if a.expectations_total
           else NOT_LOADED),
    Column("With evidence", _with_evidence),
    Column("Triangulated", lambda a: _share(a.expectations_triangulated, a)),
    Column("Findings drafted", lambda a: plural(a.findings_count, "inspector")
                                         if a.findings_count else "none"),
    Column("Gaps", _gaps),
)


class OverviewStep(QWidget):
    """Step 1: every area of the section with coverage, triangulation gaps and findings."""

    area_chosen = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.heading = step_heading("Step 1 of 4 — Overview")
        self.summary = status_label("Section summary")
        self.model = RowsTableModel(OVERVIEW_COLUMNS, highlight=lambda a: bool(_gaps(a)))
        self.table = table_view(self.model, "Areas of the section")
        self.table.activated.connect(self._on_table_activated)
        hint = QLabel("Press Enter on an area to go through it (step 2).")
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        layout.addWidget(buddy_label("Areas (&list):", self.table))
        layout.addWidget(self.table, 1)
        layout.addWidget(hint)

    def show_snapshot(self, snap: SectionSnapshot) -> None:
        """Fill the table from a snapshot, keeping the current area."""
        row = max(current_row(self.table), 0)
        self.heading.setText(f"Step 1 of {step_count(snap)} — Overview: {snap.section.label}")
        self.model.set_rows(snap.overview)
        total = sum(a.expectations_total for a in snap.overview)
        covered = sum(a.expectations_covered for a in snap.overview)
        tri = sum(a.expectations_triangulated for a in snap.overview)
        unloaded = sum(1 for a in snap.overview if not a.expectations_total)
        if not total:
            self.summary.setText(f"{NOT_LOADED.capitalize()} for this section: evidence can be "
                                 "linked to its areas themselves (Expectations page or "
                                 "'hmip link add --area').")
        else:
            self.summary.setText(
                f"{covered} of {total} expectations have evidence; {tri} are triangulated "
                f"(at least {TRIANGULATION_MIN_SOURCES} kinds of source)."
                + (f" {plural(unloaded, 'area')}: {NOT_LOADED}." if unloaded else ""))
        select_row(self.table, min(row, self.model.rowCount() - 1))

    def _on_table_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.area_chosen.emit(self.model.row_at(index.row()).key)


@dataclass(frozen=True)
class EvidenceRow:
    """One line of the area table: an expectation and one piece of its evidence (or none)."""

    number: str
    title: str
    ref: EvidenceRef | None
    gap: str
    source: str = ""  # the ref's source kind in the inspection's words


WORDING_NOT_VERIFIED = "(wording not verified)"


def evidence_rows(snap: SectionSnapshot) -> list[EvidenceRow]:
    """One row per (expectation, evidence); an expectation without evidence gets one row."""
    rows: list[EvidenceRow] = []
    if not snap.expectations_loaded:  # an area without numbers: its own evidence
        label = f"The area itself ({NOT_LOADED})"
        refs_: list[EvidenceRef | None] = list(snap.area_refs) or [None]
        return [EvidenceRow("", label, ref, "" if ref else "Gap: no evidence linked to the area",
                            _source(ref, snap.establishment_type))
                for ref in refs_]
    for exp in snap.expectations:
        if not exp.covered:
            gap = "Gap: no evidence linked"
        elif not exp.triangulated:
            gap = (f"Gap: {len(exp.source_kinds)} of {TRIANGULATION_MIN_SOURCES} kinds of "
                   "source")
        else:
            gap = ""
        refs: list[EvidenceRef | None] = list(exp.evidence) or [None]
        title = exp.title + (f" {WORDING_NOT_VERIFIED}" if exp.number in snap.unverified_numbers
                             else "")
        rows.extend(EvidenceRow(exp.number, title, ref, gap,
                                _source(ref, snap.establishment_type)) for ref in refs)
    return rows


def _source(ref: EvidenceRef | None, establishment_type: str) -> str:
    return source_kind_label(ref.source_kind, establishment_type) if ref else ""


def _where(ref: EvidenceRef | None) -> str:
    if ref is None:
        return ""
    if ref.page is not None:
        return f"page {ref.page}"
    if ref.start is not None and ref.end is not None:
        return f"characters {ref.start}–{ref.end}"
    return "whole item"


AR_EXPECTATION, AR_EVIDENCE, AR_SOURCE, AR_WHERE, AR_GAP = range(5)
AREA_COLUMNS = (
    Column("Expectation", lambda r: f"{r.number} {r.title}".strip()),
    Column("Evidence", lambda r: (r.ref.title or "(untitled)") if r.ref else "—"),
    Column("Source", lambda r: r.source),
    Column("Where", lambda r: _where(r.ref)),
    Column("Gap", lambda r: r.gap),
)


class AreaStep(QWidget):
    """Step 2: one area's expectations with their evidence, gaps flagged, and findings."""

    area_changed = Signal(str)
    open_evidence = Signal(str, object, object, object)  # evidence_id, start, end, page
    findings_save = Signal(object, str)  # (section_key, area_key), text

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.heading = step_heading("Step 2 of 4 — Area by area")
        self.area = QComboBox()
        self.area.setAccessibleName("Area")
        self.area.activated.connect(self._on_area_activated)
        self.previous_area = QPushButton("Previous area")
        self.previous_area.setToolTip("Alt+Page Up")
        self.previous_area.clicked.connect(lambda: self._step_area(-1))
        self.next_area = QPushButton("Next area")
        self.next_area.setToolTip("Alt+Page Down")
        self.next_area.clicked.connect(lambda: self._step_area(1))
        window = Qt.ShortcutContext.WindowShortcut  # only while this step is on screen
        add_shortcuts(self, ["Alt+PgUp"], lambda: self._step_area(-1), context=window)
        add_shortcuts(self, ["Alt+PgDown"], lambda: self._step_area(1), context=window)
        chooser = QHBoxLayout()
        chooser.addWidget(buddy_label("&Area:", self.area))
        chooser.addWidget(self.area, 1)
        chooser.addWidget(self.previous_area)
        chooser.addWidget(self.next_area)
        self.model = RowsTableModel(AREA_COLUMNS, highlight=lambda r: bool(r.gap))
        self.table = table_view(self.model, "Expectations and their evidence")
        self.table.activated.connect(self._on_table_activated)
        self.open_button = QPushButton("&Open evidence")
        self.open_button.setToolTip("Opens the linked passage (Enter in the table)")
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.findings = FindingsEditor("Area findings")
        self.findings.setPlaceholderText("What the team found in this area; saved as you type.")
        self.findings.save_requested.connect(self.findings_save)
        self.findings_status = status_label("Findings save status")
        layout.addWidget(self.heading)
        layout.addLayout(chooser)
        layout.addWidget(buddy_label("E&xpectations and evidence:", self.table))
        layout.addWidget(self.table, 2)
        layout.addWidget(self.open_button)
        layout.addWidget(buddy_label("Area fi&ndings (saved automatically):", self.findings))
        layout.addWidget(self.findings, 1)
        layout.addWidget(self.findings_status)
        self._section_key = ""

    def show_snapshot(self, snap: SectionSnapshot) -> None:
        """Show the snapshot's area, its evidence and this inspector's findings."""
        self._section_key = snap.section.key
        self.area.blockSignals(True)
        self.area.clear()
        for key, label in snap.areas:
            self.area.addItem(label, key)
        self.area.setCurrentIndex(max(self.area.findData(snap.area_key), 0))
        self.area.blockSignals(False)
        label = self.area.currentText()
        self.heading.setText(f"Step 2 of {step_count(snap)} — Area by area: {label}")
        row = max(current_row(self.table), 0)
        self.model.set_rows(evidence_rows(snap))
        select_row(self.table, min(row, self.model.rowCount() - 1))
        self.open_button.setEnabled(any(r.ref for r in self.model.rows()))
        self.findings.load((snap.section.key, snap.area_key), snap.findings_text)
        self.previous_area.setEnabled(self.area.currentIndex() > 0)
        self.next_area.setEnabled(self.area.currentIndex() < self.area.count() - 1)

    def set_findings_status(self, text: str) -> None:
        """Say whether the findings were saved."""
        self.findings_status.setText(text)

    def _step_area(self, delta: int) -> None:
        index = self.area.currentIndex() + delta
        if 0 <= index < self.area.count():
            self.findings.flush()
            self.area.setCurrentIndex(index)
            self.area_changed.emit(str(self.area.itemData(index)))

    def _on_area_activated(self, index: int) -> None:
        self.findings.flush()
        self.area_changed.emit(str(self.area.itemData(index)))

    def _on_table_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self._open_row(index.row())

    def _on_open_button_clicked(self) -> None:
        self._open_row(current_row(self.table))

    def _open_row(self, row: int) -> None:
        if not 0 <= row < self.model.rowCount():
            return
        ref = self.model.row_at(row).ref
        if ref is not None:
            self.open_evidence.emit(ref.evidence_id, ref.start, ref.end, ref.page)

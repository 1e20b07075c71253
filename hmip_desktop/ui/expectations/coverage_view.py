"""Coverage at a glance: for each healthy prison test, a heat-map row per area giving how many
expectations have evidence and how many are triangulated. Colour is never the only signal:
every cell also says its numbers in words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.domain.framework import Framework
from hmip_desktop.domain.readiness import TRIANGULATION_MIN_SOURCES
from hmip_desktop.domain.wording import plural
from hmip_desktop.services.coverage import NOT_LOADED
from hmip_desktop.services.scoring import ExpectationEvidence
from hmip_desktop.ui.widgets.forms import buddy_label
from hmip_desktop.ui.widgets.tips import literal_tip

# Pale shades from "nothing yet" to "all": black text keeps a contrast well above 4.5:1.
HEAT = (QColor("#f4b6b6"), QColor("#ffd9a8"), QColor("#fff1a8"), QColor("#c8e6c9"))
NO_EXPECTATIONS = QColor("#e0e0e0")
KEY_ROLE = int(Qt.ItemDataRole.UserRole) + 1  # (section_key, area_key); "" area for a test


@dataclass(frozen=True)
class AreaCoverage:
    """One area (or, with area_key "", a whole section): expectations, covered, triangulated."""

    section_key: str
    section_label: str
    area_key: str
    label: str
    total: int
    covered: int
    triangulated: int
    incomplete: bool = False
    area_evidence: int = 0  # evidence linked to the area itself (when it has no numbers)

    @property
    def gaps(self) -> int:
        """Expectations without any evidence."""
        return self.total - self.covered

    @property
    def loaded(self) -> bool:
        """False when no expectation numbers are listed: "expectations not loaded"."""
        return self.total > 0


def coverage_rows(framework: Framework, evidence: Mapping[str, ExpectationEvidence],
                  area_evidence: Mapping[tuple[str, str], int] | None = None
                  ) -> list[AreaCoverage]:
    """Each section's totals followed by its areas, in document order; `area_evidence`
    counts evidence linked to an area itself."""
    out: list[AreaCoverage] = []
    area_evidence = area_evidence or {}
    for section in framework.sections:
        areas = []
        for area in section.areas:
            found = [evidence.get(e.number) for e in area.expectations]
            areas.append(AreaCoverage(
                section.key, section.label, area.key, area.label, len(found),
                sum(1 for e in found if e and e.covered),
                sum(1 for e in found if e and e.triangulated), area.incomplete,
                area_evidence.get((section.key, area.key), 0)))
        out.append(AreaCoverage(
            section.key, section.label, "", section.label, sum(a.total for a in areas),
            sum(a.covered for a in areas), sum(a.triangulated for a in areas),
            section.incomplete or any(a.incomplete for a in areas)))
        out.extend(areas)
    return out


def heat(part: int, total: int) -> QColor:
    """The cell colour for part of total."""
    if total == 0:
        return NO_EXPECTATIONS
    if part == 0:
        return HEAT[0]
    if part == total:
        return HEAT[3]
    return HEAT[1] if part * 2 < total else HEAT[2]


def share(part: int, total: int) -> str:
    """"3 of 5 (60%)", or "expectations not loaded" (never "0 of 0", which looks finished)."""
    if total == 0:
        return NOT_LOADED
    return f"{part} of {total} ({round(100 * part / total)}%)"


def area_share(r: AreaCoverage) -> str:
    """The "With evidence" cell: a share, or for an area without numbers "expectations not
    loaded" and how many items are linked to the area itself."""
    if r.loaded or not r.area_key:
        return share(r.covered, r.total)
    if r.area_evidence:
        return f"{NOT_LOADED}; {plural(r.area_evidence, 'item')} linked to the area"
    return NOT_LOADED


class CoverageView(QWidget):
    """A heat-map table per test; activating a row asks the page to show that area."""

    COL_AREA, COL_COVERED, COL_TRIANGULATED, COL_GAPS = range(4)
    HEADERS = ("Test / area", "With evidence", "Triangulated", "Gaps")

    area_chosen = Signal(str, str)  # section_key, area_key ("" for the whole test)

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.section = QComboBox()
        self.section.setAccessibleName("Healthy prison test shown")
        self.section.currentIndexChanged.connect(self._on_section_changed)
        row = QHBoxLayout()
        row.addWidget(buddy_label("&Test:", self.section))
        row.addWidget(self.section, 1)
        layout.addLayout(row)
        self.summary = QLabel("")
        self.summary.setAccessibleName("Coverage summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setAccessibleName("Coverage by area")
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(self.COL_AREA, QHeaderView.ResizeMode.Stretch)
        for col in (self.COL_COVERED, self.COL_TRIANGULATED, self.COL_GAPS):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.cellClicked.connect(self._on_table_cell_clicked)
        self.table.cellActivated.connect(self._on_table_cell_clicked)
        layout.addWidget(self.table, 1)
        legend = QLabel(f"An expectation is triangulated when its evidence comes from at least "
                        f"{TRIANGULATION_MIN_SOURCES} different kinds of source. Click an area, "
                        "or press Enter on it, to see its expectations.")
        legend.setWordWrap(True)
        layout.addWidget(legend)
        self._rows: list[AreaCoverage] = []

    # -- feeding -----------------------------------------------------------------------------
    def set_coverage(self, framework: Framework | None,
                     evidence: Mapping[str, ExpectationEvidence],
                     area_evidence: Mapping[tuple[str, str], int] | None = None) -> None:
        """Show the framework's coverage (keeps the chosen test when it still exists)."""
        self._rows = coverage_rows(framework, evidence, area_evidence) if framework else []
        keep = self.section.currentData()
        self.section.blockSignals(True)
        self.section.clear()
        self.section.addItem("All tests", None)
        for r in self._rows:
            if not r.area_key:
                self.section.addItem(r.label, r.section_key)
        self.section.setCurrentIndex(max(0, self.section.findData(keep)))
        self.section.blockSignals(False)
        self._fill()

    def rows(self) -> list[AreaCoverage]:
        """The rows on screen, in order."""
        chosen = self.section.currentData()
        return [r for r in self._rows if chosen is None or r.section_key == chosen]

    def _fill(self) -> None:
        shown = self.rows()
        self.table.setRowCount(len(shown))
        bold = QFont()
        bold.setBold(True)
        for i, r in enumerate(shown):
            name = r.label if not r.area_key else f"    {r.label}"
            if r.incomplete and r.area_key:
                name += "  (to be completed from the official document)"
            cells = (
                (name, None),
                (area_share(r), heat(r.covered, r.total)),
                (share(r.triangulated, r.total), heat(r.triangulated, r.total)),
                (str(r.gaps) if r.total else "—", None),
            )
            for col, (text, colour) in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(KEY_ROLE, (r.section_key, r.area_key))
                item.setToolTip(literal_tip(self._tooltip(r)))
                if colour is not None:
                    item.setBackground(QBrush(colour))
                    item.setForeground(QBrush(QColor("black")))
                if not r.area_key:
                    item.setFont(bold)
                self.table.setItem(i, col, item)
        sections = [r for r in shown if not r.area_key]
        total = sum(r.total for r in sections)
        covered = sum(r.covered for r in sections)
        tri = sum(r.triangulated for r in sections)
        unloaded = sum(1 for r in shown if r.area_key and not r.loaded)
        self.summary.setText(
            (f"{covered} of {total} expectations have evidence, {tri} triangulated, "
             f"{total - covered} without evidence."
             + (f" {plural(unloaded, 'area')}: {NOT_LOADED}." if unloaded else "")) if total else
            f"{NOT_LOADED.capitalize()}: import the official text with Import framework.")

    @staticmethod
    def _tooltip(r: AreaCoverage) -> str:
        what = "Test" if not r.area_key else "Area"
        if not r.loaded:
            text = f"{what} {r.label}: {NOT_LOADED}"
            if r.area_evidence:
                text += f"; {plural(r.area_evidence, 'evidence item')} linked to the area itself"
        else:
            text = (f"{what} {r.label}: {share(r.covered, r.total)} with evidence, "
                    f"{share(r.triangulated, r.total)} triangulated")
        if r.incomplete:
            text += ". Expectations to be completed from the official document"
        return text

    # -- slots -------------------------------------------------------------------------------
    def _on_section_changed(self, _index: int) -> None:
        self._fill()

    def _on_table_cell_clicked(self, row: int, _column: int) -> None:
        item = self.table.item(row, self.COL_AREA)
        if item is not None:
            section_key, area_key = item.data(KEY_ROLE)
            self.area_chosen.emit(section_key, area_key)

"""Issue 10 in the GUI: "expectations not loaded" (never 0 of 0) in the coverage heat map, the
Expectations tree and the walkthrough; evidence linked to an area from the Expectations page;
"not verified" beside unverified descriptors (scale picker, Expectations page, walkthrough)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from hmip_desktop.domain.framework import Framework
from hmip_desktop.domain.framework_pinned import read_pinned
from hmip_desktop.services.coverage import NOT_LOADED
from hmip_desktop.services.frameworks import FrameworkService
from hmip_desktop.services.inspections import create_inspection
from hmip_desktop.services.links import LinkService
from hmip_desktop.services.notes import NoteService
from hmip_desktop.services.walkthrough_snapshot import SectionChoice, walkthrough_section
from hmip_desktop.ui.expectations.coverage_view import CoverageView
from hmip_desktop.ui.expectations.expectations_page import ExpectationsPage
from hmip_desktop.ui.scoring.scale_picker import UNVERIFIED_DESCRIPTOR, ScalePicker
from hmip_desktop.ui.scoring.walkthrough_judgement import JudgementStep
from hmip_desktop.ui.scoring.walkthrough_overview import OV_COVERED, AreaStep, OverviewStep
from tests.gui.keyboard import open_page

M_COL_EVIDENCE = 1  # ExpectationsTreeModel.COL_EVIDENCE


@pytest.fixture
def current_store(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A 2024 men's inspection: version 6, where Security lists no expectation numbers."""
    fw = FrameworkService().resolve_for_new("mens_prison", start_date="2024-04-22")
    s = create_inspection(tmp_path / "m.hmip", establishment_name="HMP Wandsworth",
                          establishment_type="mens_prison", framework=fw,
                          start_date="2024-04-22", end_date="2024-05-03")
    yield s
    s.close()


def _framework() -> Framework:
    return Framework.from_dict(FrameworkService().resolve_for_new("mens_prison"))


def _table_texts(view: CoverageView) -> list[list[str]]:
    t = view.table
    return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


def test_coverage_view_says_expectations_not_loaded(qtbot) -> None:  # type: ignore[no-untyped-def]
    """An area without numbers reads "expectations not loaded", with its own evidence."""
    view = CoverageView()
    qtbot.addWidget(view)
    view.set_coverage(_framework(), {}, {("safety", "security"): 2})
    rows = _table_texts(view)
    assert not any("0 of 0" in cell for row in rows for cell in row)
    security = next(r for r in rows if r[0].strip().startswith("Security"))
    assert security[1] == f"{NOT_LOADED}; 2 items linked to the area"
    leadership = next(r for r in rows if r[0] == "Leadership")
    assert leadership[1] == NOT_LOADED
    assert "0 of 0" not in view.summary.text()


def test_expectations_page_links_evidence_to_an_area(qtbot, current_store) -> None:  # type: ignore[no-untyped-def]
    """The tree says "expectations not loaded"; Link evidence to this area links a note,
    which then counts for the area in the tree, the detail and the heat map."""
    note = NoteService(current_store).add(source_kind="observation", title="Gate search",
                                          body="x")
    page = open_page(qtbot, ExpectationsPage, current_store)
    assert isinstance(page, ExpectationsPage)
    key = "a:safety/security"
    index = page.model.index_for_key(key)
    cell = page.model.index(index.row(), M_COL_EVIDENCE, index.parent())
    assert cell.data() == NOT_LOADED
    assert NOT_LOADED in cell.data(Qt.ItemDataRole.ToolTipRole)
    assert page.select_key(key)
    assert page.detail.link_area_button.isVisible()
    assert NOT_LOADED in page.detail.text.toPlainText()
    offered: list[str] = []

    def choose(items, label):  # type: ignore[no-untyped-def]
        offered.extend(i.id for i in items)
        assert label == "Security"
        return note

    page.choose_evidence = choose
    page.detail.link_area_button.click()
    assert note in offered
    assert [lk.expectation_ref for lk in LinkService(current_store).all()] == [
        "area:safety/security"]
    # Lists of an item's links name the area by its labels, not its keys.
    from hmip_desktop.ui.evidence.evidence_links import link_label

    assert [link_label(lk) for lk in LinkService(current_store).all()] == [
        "Safety › Security — whole item"]
    index = page.model.index_for_key(key)
    cell = page.model.index(index.row(), M_COL_EVIDENCE, index.parent())
    assert cell.data() == f"{NOT_LOADED}; 1 linked to the area"
    assert page.detail.evidence.count() == 1
    assert "Gate search" in page.detail.evidence.item(0).text()
    rows = _table_texts(page.coverage)
    security = next(r for r in rows if r[0].strip().startswith("Security"))
    assert security[1] == f"{NOT_LOADED}; 1 item linked to the area"
    # An area with numbers offers no area link.
    assert page.select_key("a:safety/early_days_in_custody")
    assert not page.detail.link_area_button.isVisible()


def test_expectations_page_says_descriptors_are_not_verified(qtbot, current_store) -> None:  # type: ignore[no-untyped-def]
    """The framework facts say the scale's descriptors are not verified."""
    page = open_page(qtbot, ExpectationsPage, current_store)
    assert isinstance(page, ExpectationsPage)
    assert "descriptors not verified" in page.facts.text()


def test_scale_picker_marks_unverified_descriptors(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Every descriptor says "not verified" unless the data confirms it."""
    picker = ScalePicker("Score")
    qtbot.addWidget(picker)
    fw = FrameworkService().resolve_for_new("mens_prison")
    picker.set_scale(read_pinned(fw).scale)
    texts = picker.descriptor_texts()
    assert len(texts) == 4 and all(UNVERIFIED_DESCRIPTOR in t for t in texts)
    assert UNVERIFIED_DESCRIPTOR in picker.buttons()[0].toolTip()
    picker.set_verification({"good"}, {"poor"})
    texts = picker.descriptor_texts()
    assert UNVERIFIED_DESCRIPTOR not in texts[0] and UNVERIFIED_DESCRIPTOR in texts[1]
    assert "label not verified" in picker.buttons()[3].text()


def test_walkthrough_overview_area_and_judgement(qtbot, current_store) -> None:  # type: ignore[no-untyped-def]
    """Step 1 says "expectations not loaded" for Security; step 2 lists the area's own
    evidence; step 3's scale says its descriptors are not verified."""
    note = NoteService(current_store).add(source_kind="observation", title="Gate search",
                                          body="x")
    LinkService(current_store).add_to_area(note, "safety", "security")
    snap = walkthrough_section(current_store, SectionChoice("safety", "Safety", True), "security")
    assert not snap.expectations_loaded and len(snap.area_refs) == 1
    overview = OverviewStep()
    qtbot.addWidget(overview)
    overview.show_snapshot(snap)
    rows = {overview.model.row_at(r).key: r for r in range(overview.model.rowCount())}
    covered = overview.model.index(rows["security"], OV_COVERED).data()
    assert covered == f"{NOT_LOADED}; 1 item linked to the area"
    all_cells = [overview.model.index(r, c).data() for r in range(overview.model.rowCount())
                 for c in range(overview.model.columnCount())]
    assert not any("0 of 0" in str(c) for c in all_cells)
    assert NOT_LOADED in overview.summary.text()
    area = AreaStep()
    qtbot.addWidget(area)
    area.show_snapshot(snap)
    row = area.model.row_at(0)
    assert row.title == f"The area itself ({NOT_LOADED})" and row.ref is not None
    assert row.ref.evidence_id == note
    judgement = JudgementStep()
    qtbot.addWidget(judgement)
    judgement.show_snapshot(snap)
    assert all(UNVERIFIED_DESCRIPTOR in t for t in judgement.form.picker.descriptor_texts())


def test_walkthrough_of_a_welsh_prison_offers_estyn_not_ofsted(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Step 1 of purposeful activity in Wales lists Estyn's education area, not Ofsted's,
    and step 2 marks expectations whose wording is not verified."""
    fw = FrameworkService().resolve_for_new("mens_prison", start_date="2024-04-22")
    store = create_inspection(tmp_path / "w.hmip", establishment_name="HMP Parc",
                              establishment_type="mens_prison", framework=fw,
                              start_date="2024-04-22", nation="wales")
    try:
        choice = SectionChoice("purposeful_activity", "Purposeful activity", True)
        snap = walkthrough_section(store, choice, "education_skills_and_work_estyn")
        assert [k for k, _ in snap.areas] == [
            "time_out_of_cell", "education_skills_and_work_estyn", ""]
        assert [a.key for a in snap.overview] == ["time_out_of_cell",
                                                  "education_skills_and_work_estyn"]
        assert sum(a.expectations_total for a in snap.overview) == 2
        area = AreaStep()
        qtbot.addWidget(area)
        area.show_snapshot(snap)
        titles = [area.model.row_at(r).title for r in range(area.model.rowCount())]
        assert [t.split(":")[0] for t in titles] == ["Education, skills and work activities "
                                                     "(Estyn)"] * 2
        assert all(t.endswith("(wording not verified)") for t in titles)
    finally:
        store.close()


def test_new_inspection_dialog_offers_the_version_in_force(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The dialog preselects the men's version in force on the first day on site."""
    from PySide6.QtCore import QDate

    from hmip_desktop.ui.opening.new_inspection_dialog import NewInspectionDialog

    dialog = NewInspectionDialog(None, FrameworkService(), tmp_path)
    qtbot.addWidget(dialog)
    dialog.etype.setCurrentIndex(dialog.etype.findData("mens_prison"))
    dialog.use_dates.setChecked(True)
    dialog.start.setDate(QDate(2017, 6, 5))
    assert dialog.framework.currentData() == ("men-prisons", "5")
    dialog.start.setDate(QDate(2024, 4, 22))
    assert dialog.framework.currentData() == ("men-prisons", "6")
    assert dialog.values()["framework_version"] == "6"

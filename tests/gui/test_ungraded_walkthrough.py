"""An ungraded establishment (police custody): the walkthrough lists every section for
findings, area by area, with no judgement step."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from hmip_desktop.services.frameworks import FrameworkService
from hmip_desktop.services.inspections import create_inspection
from hmip_desktop.services.readiness import readiness_report
from hmip_desktop.services.scoring import ScoringService
from hmip_desktop.ui.scoring import walkthrough as W
from hmip_desktop.ui.scoring.scoring_page import TAB_WALKTHROUGH, ScoringPage
from tests.gui.keyboard import open_page, press, tab_to, type_text

K = Qt.Key
ALT = Qt.KeyboardModifier.AltModifier

POLICE_SECTIONS = ["leadership", "pre_custody", "in_the_custody_suite", "in_the_custody_cell",
                   "release_and_transfer"]


@pytest.fixture
def police_store(tmp_path: Path):
    """A full inspection of a police custody suite (shipped framework, no grades)."""
    s = create_inspection(tmp_path / "pc.hmip", establishment_name="Eg Custody Suite",
                          establishment_type="police_custody",
                          framework=FrameworkService().resolve_for_new("police_custody"))
    yield s
    s.close()


def test_police_custody_walkthrough_has_no_judgement_step(qtbot, police_store) -> None:  # type: ignore[no-untyped-def]
    """Every section is offered, findings only; steps 3 and 4 are neither shown nor reached;
    findings typed section by section make the inspection ready."""
    page = open_page(qtbot, ScoringPage, police_store)
    assert isinstance(page, ScoringPage)
    wt = page.walkthrough
    assert page.tabs.currentIndex() == TAB_WALKTHROUGH
    assert "not graded" in page.kind_note.text()
    assert wt.outline is not None
    assert [c.key for c in wt.outline.sections] == POLICE_SECTIONS
    assert not any(c.judged for c in wt.outline.sections)
    assert wt.section.isEnabled() and not wt.empty.isVisible()
    assert all(wt.section.itemText(i).endswith("— findings only")
               for i in range(wt.section.count()))
    for step in (W.STEP_JUDGEMENT, W.STEP_TEAM):
        assert not wt.step_buttons[step].isVisible()
        assert not wt.step_buttons[step].isEnabled()
    assert wt.step_buttons[W.STEP_AREA].isVisible()
    assert "Step 1 of 2" in wt.overview.heading.text()

    for index, key in enumerate(POLICE_SECTIONS):
        wt.section.setCurrentIndex(index)
        wt.section.activated.emit(index)
        assert wt.current_step in (W.STEP_OVERVIEW, W.STEP_AREA)
        wt.section.setFocus()
        press(qtbot, K.Key_Right, ALT)
        press(qtbot, K.Key_Right, ALT)  # no step 3: stays on the area step
        assert wt.current_step == W.STEP_AREA
        assert not wt.next_step.isEnabled()
        assert "Step 2 of 2" in wt.area.heading.text()
        assert wt.area.area.currentData() == ""  # no areas: the section as a whole
        tab_to(qtbot, wt.area.findings)
        type_text(qtbot, f"Findings for {key}.")
        press(qtbot, K.Key_Tab)
        assert ScoringService(police_store).my_findings(key, None) == f"Findings for {key}."
    page.flush()
    assert readiness_report(police_store).ready

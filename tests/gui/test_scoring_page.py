"""The Scoring page by keyboard: the four-step walkthrough, the team view, leadership findings,
an independent review of progress, and the readiness tab."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from hmip_desktop.domain import records as R
from hmip_desktop.domain import scoring as S
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.services import history
from hmip_desktop.services.notes import NoteService
from hmip_desktop.services.previous import PreviousService
from hmip_desktop.services.scoring import ScoringService
from hmip_desktop.ui.scoring import walkthrough as W
from hmip_desktop.ui.scoring.findings_editor import AUTOSAVE_DELAY_MS
from hmip_desktop.ui.scoring.scoring_page import TAB_PREVIOUS, TAB_WALKTHROUGH, ScoringPage
from hmip_desktop.ui.widgets.rows_model import HIGHLIGHT_ROLE
from tests.gui.keyboard import focused, make_store, open_page, press, tab_to, type_text
from tests.scoring.support import score_payload, write_as

K = Qt.Key
ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def full_store(tmp_path: Path):
    """A full inspection on the scored framework."""
    s = make_store(tmp_path)
    yield s
    s.close()


@pytest.fixture
def irp_store(tmp_path: Path):
    """An independent review of progress on the scored framework."""
    s = make_store(tmp_path, kind="irp")
    yield s
    s.close()


def _page(qtbot, store) -> ScoringPage:  # type: ignore[no-untyped-def]
    page = open_page(qtbot, ScoringPage, store)
    assert isinstance(page, ScoringPage)
    return page


def test_whole_walkthrough_by_keyboard(qtbot, full_store) -> None:  # type: ignore[no-untyped-def]
    """Section, overview, area evidence, findings, provisional and agreed score: keys only."""
    notes = NoteService(full_store)
    wing = notes.add(source_kind="observation", title="Wing visit", body="Cells were clean.",
                     expectations=["1", "2"])
    notes.add(source_kind="survey", title="Survey result", body="80% felt safe.",
              expectations=["1"])
    page = _page(qtbot, full_store)
    wt = page.walkthrough
    assert page.tabs.currentIndex() == TAB_WALKTHROUGH

    # Choose the section: Alt+S focuses the chooser; Safety is the first judged section.
    press(qtbot, K.Key_S, ALT)
    assert focused() is wt.section
    assert wt.section.currentText() == "Safety"
    assert [wt.section.itemText(i) for i in range(wt.section.count())][-1] == \
        "Leadership — findings only"

    # Step 1: overview of the areas with coverage and gaps.
    assert wt.current_step == W.STEP_OVERVIEW
    rows = wt.overview.model.rows()
    assert [a.label for a in rows] == ["Early days in custody", "Managing behaviour"]
    assert wt.overview.model.index(0, 2).data() == "2 of 2"
    assert "without evidence" in wt.overview.model.index(1, 5).data()
    assert "3 expectations" in wt.overview.summary.text() or "of 3" in wt.overview.summary.text()

    # Step 2 with Alt+Right: the area's expectations and evidence; Enter opens the passage.
    press(qtbot, K.Key_Right, ALT)
    assert wt.current_step == W.STEP_AREA and focused() is wt.area.table
    area_rows = wt.area.model.rows()
    assert {r.ref.evidence_id for r in area_rows if r.ref} >= {wing}
    assert all(r.gap for r in area_rows)  # two kinds of source are not triangulated
    with qtbot.waitSignal(page.open_evidence_requested) as opened:
        press(qtbot, K.Key_Return)
    assert opened.args[0] in {r.ref.evidence_id for r in area_rows if r.ref}

    # Findings: type, then leave with Tab; the text is saved on focus-out.
    tab_to(qtbot, wt.area.findings)
    type_text(qtbot, "Reception was calm and well organised.")
    press(qtbot, K.Key_Tab)
    scoring = ScoringService(full_store)
    assert scoring.my_findings("safety", "early_days") == "Reception was calm and well organised."
    assert wt.area.findings_status.text() == "Findings saved."

    # Step 3: the scale side by side with descriptors; a rationale is required.
    press(qtbot, K.Key_Right, ALT)
    assert wt.current_step == W.STEP_JUDGEMENT
    form = wt.judgement.form
    assert [b.text() for b in form.picker.buttons()] == [
        "Good [4]", "Reasonably good [3]", "Not sufficiently good [2]", "Poor [1]"]
    press(qtbot, K.Key_3)
    assert form.picker.level_key() == "reasonably_good"
    press(qtbot, K.Key_Return, CTRL)
    assert form.rationale_error.isVisible()
    assert "rationale is required" in form.rationale_error.text()
    assert focused() is form.rationale
    type_text(qtbot, "Most outcomes reasonably good; reception strong.")
    tab_to(qtbot, form.evidence)
    press(qtbot, K.Key_Space)  # tick the first piece of evidence
    press(qtbot, K.Key_Return, CTRL)
    assert not form.rationale_error.isVisible()
    mine = [v for v in scoring.list_scores("safety") if v.kind == S.PROVISIONAL]
    assert len(mine) == 1 and mine[0].level_key == "reasonably_good"
    assert len(mine[0].evidence_ids) == 1
    assert "Provisional score saved" in form.status.text()

    # Step 4: the team view shows my score; record the agreed score by keyboard.
    press(qtbot, K.Key_Right, ALT)
    assert wt.current_step == W.STEP_TEAM
    assert [r.level_key for r in wt.team.model.rows()] == ["reasonably_good"]
    team_form = wt.team.form
    press(qtbot, K.Key_O, ALT)  # "Agreed sc&ore"
    assert team_form.picker.isAncestorOf(focused())
    press(qtbot, K.Key_2)
    tab_to(qtbot, team_form.rationale)
    type_text(qtbot, "Team meeting: self-harm support weaker than it looked.")
    press(qtbot, K.Key_Return, CTRL)
    agreed = scoring.team_view("safety").agreed
    assert agreed is not None and agreed.level_key == "not_sufficiently_good"
    assert wt.team.history_model.rowCount() == 1
    assert "Agreed score: Not sufficiently good" in wt.team.agreed_label.text()

    # Leave and resume: another section starts at step 1, Safety comes back at step 4.
    press(qtbot, K.Key_S, ALT)
    press(qtbot, K.Key_Down)
    assert wt.section.currentText() == "Respect"
    assert wt.current_step == W.STEP_OVERVIEW
    press(qtbot, K.Key_Up)
    assert wt.section.currentText() == "Safety"
    assert wt.current_step == W.STEP_TEAM
    press(qtbot, K.Key_Left, ALT)
    assert wt.current_step == W.STEP_JUDGEMENT
    assert form.picker.level_key() == "reasonably_good"  # resumed with the stored score


def _other(store, section: str, author: str, name: str, level: str, label: str,  # type: ignore[no-untyped-def]
           value: int) -> None:
    sid = S.provisional_score_id(store.inspection_id, section, author)
    write_as(store, author=author, device=f"dev-{author}", entity_type=R.SCORE, entity_id=sid,
             payload=score_payload(section, author, name, level, label, value, f"{name}'s view"))


def test_team_view_with_three_inspectors(qtbot, qtmodeltester, full_store) -> None:  # type: ignore[no-untyped-def]
    """Three inspectors side by side; the one who differs is highlighted, then the agreed."""
    ScoringService(full_store).set_provisional("safety", "reasonably_good", "mine")
    page = _page(qtbot, full_store)
    _other(full_store, "safety", "bob", "Bob", "reasonably_good", "Reasonably good", 3)
    _other(full_store, "safety", "cat", "Cat", "poor", "Poor", 1)
    page.ctx.signals.changes_applied.emit(ChangeSet.all())  # as a merge announces itself
    wt = page.walkthrough
    wt.step_buttons[W.STEP_TEAM].click()
    team = wt.team
    model = team.model
    qtmodeltester.check(model)
    assert model.rowCount() == 3
    by_name = {model.index(r, 0).data(): r for r in range(3)}
    assert set(by_name) == {"Bob", "Cat", full_store.device.author_name or
                            full_store.device.author_id}
    cat = by_name["Cat"]
    assert model.index(cat, 4).data() == "differs from the most common score"
    assert model.index(cat, 0).data(HIGHLIGHT_ROLE) is True
    assert model.index(cat, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert model.index(by_name["Bob"], 0).data(HIGHLIGHT_ROLE) is False
    assert model.index(cat, 2).data() == "Cat's view"
    assert "disagree" in team.summary.text() and "spread of 2" in team.summary.text()

    # The agreed score changes who is highlighted: everyone whose level differs from it.
    team.form.picker.setFocus()
    press(qtbot, K.Key_2)
    tab_to(qtbot, team.form.rationale)
    type_text(qtbot, "After the team meeting")
    press(qtbot, K.Key_Return, CTRL)
    assert all(model.index(r, 0).data(HIGHLIGHT_ROLE) for r in range(3))
    assert model.index(cat, 4).data() == "differs from the agreed score"
    qtmodeltester.check(team.history_model)
    assert team.history_model.index(0, 1).data() == "Not sufficiently good"
    # A second agreed revision: the history lists both, newest first.
    team.form.picker.setFocus()
    press(qtbot, K.Key_3)
    press(qtbot, K.Key_Return, CTRL)
    assert [team.history_model.index(r, 1).data() for r in range(2)] == [
        "Reasonably good", "Not sufficiently good"]
    assert [team.history_model.index(r, 4).data() for r in range(2)] == ["current", "earlier"]


def test_findings_autosave_after_a_pause_and_no_write_when_unchanged(qtbot, full_store) -> None:  # type: ignore[no-untyped-def]
    """Typing saves ~800 ms after it stops; leaving an unchanged field writes nothing."""
    page = _page(qtbot, full_store)
    wt = page.walkthrough
    press(qtbot, K.Key_Right, ALT)
    tab_to(qtbot, wt.area.findings)
    type_text(qtbot, "Draft")
    scoring = ScoringService(full_store)
    assert scoring.my_findings("safety", "early_days") == ""
    qtbot.wait(AUTOSAVE_DELAY_MS + 300)
    assert scoring.my_findings("safety", "early_days") == "Draft"
    fid = S.findings_id(full_store.inspection_id, "safety", "early_days",
                        full_store.device.author_id)
    press(qtbot, K.Key_Tab)  # focus out, nothing changed since the autosave
    tab_to(qtbot, wt.area.findings)
    press(qtbot, K.Key_Tab)
    assert len(history.history(full_store, fid)) == 1
    # Moving to the next area with unsaved typing saves it under the area it was typed in.
    tab_to(qtbot, wt.area.findings)
    type_text(qtbot, " and more")
    press(qtbot, K.Key_PageDown, ALT)
    assert wt.area.area.currentData() == "managing_behaviour"
    assert scoring.my_findings("safety", "early_days") == "Draft and more"
    assert wt.area.findings.toPlainText() == ""
    page.flush()
    assert len(history.history(full_store, fid)) == 2


def test_leadership_is_findings_only(qtbot, full_store) -> None:  # type: ignore[no-untyped-def]
    """The unscored leadership section offers steps 1 and 2 only; its findings are saved."""
    page = _page(qtbot, full_store)
    wt = page.walkthrough
    press(qtbot, K.Key_S, ALT)
    press(qtbot, K.Key_End)
    assert wt.section.currentText() == "Leadership — findings only"
    assert not wt.step_buttons[W.STEP_JUDGEMENT].isEnabled()
    assert not wt.step_buttons[W.STEP_TEAM].isEnabled()
    press(qtbot, K.Key_Right, ALT)
    press(qtbot, K.Key_Right, ALT)  # no step 3 here
    assert wt.current_step == W.STEP_AREA
    assert not wt.next_step.isEnabled()
    tab_to(qtbot, wt.area.findings)
    type_text(qtbot, "Leaders are visible on the wings.")
    press(qtbot, K.Key_Tab)
    assert ScoringService(full_store).my_findings("leadership", "direction") == \
        "Leaders are visible on the wings."
    # The section as a whole has its own findings text.
    press(qtbot, K.Key_PageDown, ALT)
    assert wt.area.area.currentData() == ""
    tab_to(qtbot, wt.area.findings)
    type_text(qtbot, "Overall, leadership is improving.")
    press(qtbot, K.Key_Tab)
    assert ScoringService(full_store).my_findings("leadership", None) == \
        "Overall, leadership is improving."


def test_irp_shows_progress_judgements_and_no_scores(qtbot, qtmodeltester, irp_store,  # type: ignore[no-untyped-def]
                                                     tmp_path) -> None:
    """A review of progress hides the walkthrough and judges each previous item by keyboard."""
    csv = tmp_path / "previous.csv"
    csv.write_text("ref,title,text,section\nKC1,Violence,Violence was high,Safety\n"
                   "KC2,Time out of cell,Too little,purposeful_activity\n", encoding="utf-8")
    page = _page(qtbot, irp_store)
    assert not page.tabs.isTabVisible(TAB_WALKTHROUGH)
    assert page.tabs.currentIndex() == TAB_PREVIOUS
    assert "no section scores" in page.kind_note.text()
    assert page.walkthrough.outline is not None and page.walkthrough.outline.sections == ()
    panel = page.previous
    assert panel.model.rowCount() == 0

    panel.ask_csv_path = lambda: csv
    panel.import_button.setFocus()
    press(qtbot, K.Key_Space)
    assert panel.model.rowCount() == 2
    assert "2 added" in panel.import_status.text()
    qtmodeltester.check(panel.model)

    panel.ask_item = lambda: {"ref": "R3", "title": "Healthcare", "text": "Waits too long",
                              "section": "respect"}
    panel.add_button.setFocus()
    press(qtbot, K.Key_Space)
    assert panel.model.rowCount() == 3
    assert panel.model.row_at(panel.table.currentIndex().row()).ref == "R3"

    # Judge KC1 by keyboard: the progress scale, a rationale, Ctrl+Enter.
    tab_to(qtbot, panel.table)
    press(qtbot, K.Key_Home, CTRL)
    assert panel.model.row_at(panel.table.currentIndex().row()).ref == "KC1"
    assert [b.text() for b in panel.form.picker.buttons()] == [
        "Good progress [4]", "Reasonable progress [3]", "Insufficient progress [2]",
        "No meaningful progress [1]"]
    tab_to(qtbot, panel.form.picker)
    press(qtbot, K.Key_2)
    tab_to(qtbot, panel.form.rationale)
    type_text(qtbot, "Violence still high; some new work started.")
    press(qtbot, K.Key_Return, CTRL)
    item = PreviousService(irp_store).get("KC1")
    assert item.progress is not None and item.progress.level_key == "insufficient_progress"
    row = panel.model.row_of(lambda i: i.ref == "KC1")
    assert panel.model.index(row, 4).data() == "Insufficient progress"
    assert not panel.model.index(row, 0).data(HIGHLIGHT_ROLE)
    with irp_store.uow() as tx:
        assert tx.records.count(R.SCORE) == 0


def test_bad_csv_is_refused_beside_the_button(qtbot, full_store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A malformed file names its row and column; nothing is imported."""
    csv = tmp_path / "bad.csv"
    csv.write_text("ref,title\nKC1,Violence\n", encoding="utf-8")
    page = _page(qtbot, full_store)
    page.tabs.setCurrentIndex(TAB_PREVIOUS)
    page.previous.ask_csv_path = lambda: csv
    page.previous.import_button.click()
    assert page.previous.import_error.isVisible()
    assert "Missing column" in page.previous.import_error.text()
    assert page.previous.model.rowCount() == 0


def test_readiness_tab_lists_blockers(qtbot, qtmodeltester, full_store) -> None:  # type: ignore[no-untyped-def]
    """Per-section facts and what still blocks; recording an agreed score removes a blocker."""
    page = _page(qtbot, full_store)
    panel = page.readiness
    page.tabs.setCurrentIndex(2)
    for model in (panel.sections_model, panel.blockers_model, panel.warnings_model):
        qtmodeltester.check(model)
    blockers = [panel.blockers_model.index(r, 0).data()
                for r in range(panel.blockers_model.rowCount())]
    assert "Safety: no agreed score." in blockers
    assert "still block" in panel.verdict.text()
    safety = panel.sections_model.row_of(lambda s: s.key == "safety")
    assert panel.sections_model.index(safety, 5).data() == "not yet"
    ScoringService(full_store).set_agreed("safety", 3, "agreed")
    page.ctx.signals.changes_applied.emit(ChangeSet.of(R.SCORE, "x"))
    blockers = [panel.blockers_model.index(r, 0).data()
                for r in range(panel.blockers_model.rowCount())]
    assert "Safety: no agreed score." not in blockers
    assert panel.sections_model.index(safety, 5).data() == "agreed"


def test_walkthrough_models_pass_the_model_tester(qtbot, qtmodeltester, full_store) -> None:  # type: ignore[no-untyped-def]
    """Overview and area models on real data."""
    NoteService(full_store).add(source_kind="observation", title="Wing", body="b",
                                expectations=["1"])
    page = _page(qtbot, full_store)
    qtmodeltester.check(page.walkthrough.overview.model)
    qtmodeltester.check(page.walkthrough.area.model)
    assert page.walkthrough.area.model.rowCount() == 2  # expectation 1 (one note), 2 (none)
    assert page.walkthrough.area.model.index(1, 4).data() == "Gap: no evidence linked"


def test_closing_the_inspection_clears_the_page(qtbot, full_store) -> None:  # type: ignore[no-untyped-def]
    """Typing not yet autosaved lands in the file; nothing of it stays on screen."""
    page = _page(qtbot, full_store)
    press(qtbot, K.Key_Right, ALT)
    tab_to(qtbot, page.walkthrough.area.findings)
    type_text(qtbot, "Typed just before closing")
    page.ctx.store = None  # as MainWindow.close_inspection does, before the signal
    page.ctx.signals.inspection_closed.emit()
    assert page.walkthrough.section.count() == 0
    assert page.walkthrough.empty.isVisibleTo(page)
    assert page.readiness.blockers_model.rowCount() == 0
    assert page.walkthrough.area.findings.toPlainText() == ""
    assert ScoringService(full_store).my_findings("safety", "early_days") == \
        "Typed just before closing"


def test_pages_inside_the_main_window(qtbot, full_store) -> None:  # type: ignore[no-untyped-def]
    """In the real window: Ctrl+N page shortcuts, then step keys, with no ambiguous keys."""
    from hmip_desktop.ui.concerns.concerns_page import ConcernsPage
    from hmip_desktop.ui.context import UiContext
    from hmip_desktop.ui.main_window import MainWindow
    from hmip_desktop.ui.overview.overview_page import OverviewPage
    from hmip_desktop.ui.tasks import SyncExecutor, TaskRunner

    ctx = UiContext(tasks=TaskRunner(SyncExecutor()))
    window = MainWindow(ctx, [OverviewPage, ScoringPage, ConcernsPage])
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.nav.setFocus()
    window._set_store(full_store)
    press(qtbot, K.Key_2, CTRL)
    page = window.pages["Scoring"]
    assert window.stack.currentWidget() is page
    press(qtbot, K.Key_Right, ALT)  # from the navigation list: the window-wide step key
    assert page.walkthrough.current_step == W.STEP_AREA
    press(qtbot, K.Key_3, ALT)  # the step button's mnemonic clicks after a short delay
    qtbot.waitUntil(lambda: page.walkthrough.current_step == W.STEP_JUDGEMENT)
    press(qtbot, K.Key_3, CTRL)
    assert window.stack.currentWidget() is window.pages["Concerns"]
    press(qtbot, K.Key_Right, ALT)  # the hidden walkthrough's keys sleep
    assert page.walkthrough.current_step == W.STEP_JUDGEMENT
    ctx.store = None
    window.close_inspection()


def test_readiness_tab_says_what_the_draft_still_leaves_to_complete(qtbot, full_store) -> None:  # type: ignore[no-untyped-def]
    """Nothing blocks, yet the draft would print "[to be completed …]": the verdict counts
    those parts, in the words `hmip readiness` and the Reports page use."""
    from hmip_desktop.services.readiness import readiness_report
    from hmip_desktop.ui.reports.report_checks import readiness_text
    from tests.scoring.conftest import make_ready

    make_ready(full_store)
    page = _page(qtbot, full_store)
    panel = page.readiness
    page.tabs.setCurrentIndex(2)
    report = readiness_report(full_store)
    assert panel.verdict.text() == report.verdict == (
        "Ready: nothing blocks a draft; 4 parts still to be completed.")
    assert readiness_text(report) == report.verdict
    warnings = [panel.warnings_model.index(r, 0).data()
                for r in range(panel.warnings_model.rowCount())]
    assert "Introduction: no text written yet." in warnings
    assert panel.concerns.text() == "Concerns: 4 key concerns, of which 3 priority."
    leadership = panel.sections_model.row_of(lambda s: s.key == "leadership")
    assert panel.sections_model.index(leadership, 3).data() == "1 of 1 areas"

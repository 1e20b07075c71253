"""Issue 10 on the Overview page: the status moves forward, publishing locks the nation and
notice, Reopen… asks for a reason that lands in history; nation, notice and the education
judgement are edited there; a non-leader cannot publish or reopen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from hmip_desktop.domain import lifecycle as L
from hmip_desktop.services.inspections import facts
from hmip_desktop.ui.overview.overview_page import OverviewPage
from tests.gui.keyboard import make_store, open_page


@pytest.fixture
def store(tmp_path: Path):
    """A full inspection ending 2026-01-28."""
    s = make_store(tmp_path)
    yield s
    s.close()


def _choose(combo, data) -> None:  # type: ignore[no-untyped-def]
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def test_status_publish_reopen_from_the_overview(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    """Fieldwork → published with a date; locked facts; Reopen… with a reason unlocks."""
    page = open_page(qtbot, OverviewPage, store)
    assert isinstance(page, OverviewPage)
    panel = page.lifecycle
    asked: list[list[str]] = []
    panel.ask_despite = lambda exc: asked.append(exc.blockers) or False  # first: No
    assert panel.isEnabled() and "Fieldwork" in panel.current.text()
    assert panel.next_status.findData(L.PUBLISHED) >= 0
    assert panel.next_status.findData(L.ACTION_PLAN_RECEIVED) < 0
    _choose(panel.next_status, L.PUBLISHED)
    assert panel.status_date.isEnabled() and panel.move_button.isEnabled()
    panel.status_date.setText("2026-01-01")  # before the inspection ended: refused
    qtbot.mouseClick(panel.move_button, Qt.MouseButton.LeftButton)
    assert panel.date_error.isVisible() and "before the inspection ended" in \
        panel.date_error.text()
    panel.status_date.setText("2026-03-05")
    qtbot.mouseClick(panel.move_button, Qt.MouseButton.LeftButton)
    # A bare file: readiness blocks the report; answering No leaves the status as it was.
    qtbot.waitUntil(lambda: bool(asked))
    assert any("agreed" in b.lower() or "score" in b.lower() for b in asked[0])
    assert "Fieldwork" in panel.current.text() and "Not moved" in panel.status.text()
    panel.ask_despite = lambda _exc: True  # the team leader goes ahead regardless
    qtbot.mouseClick(panel.move_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Published" in panel.current.text())
    assert "2026-03-05" in panel.current.text()
    assert "read-only" in panel.read_only_note.text() and "reopen" in \
        panel.read_only_note.text()
    assert not panel.nation.isEnabled() and not panel.save_facts.isEnabled()
    assert page.values["status"].text() == "Published (published on 2026-03-05)"
    assert panel.reopen_button.isEnabled()
    asked = []

    def answer(view):  # type: ignore[no-untyped-def]
        asked.append(view.reopen_targets)
        return ("Typo in the Respect section", L.DRAFTING)

    panel.ask_reason = answer
    qtbot.mouseClick(panel.reopen_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Drafting" in panel.current.text())
    assert asked and L.FACTUAL_ACCURACY_CHECK in asked[0]
    assert "Typo in the Respect section" in panel.history.text()
    assert panel.nation.isEnabled()
    assert facts(store).reopenings[0]["reason"] == "Typo in the Respect section"


def test_nation_notice_and_education_judgement_on_the_overview(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    """Nation and notice save together; the education judgement follows the nation."""
    page = open_page(qtbot, OverviewPage, store)
    assert isinstance(page, OverviewPage)
    panel, edu = page.lifecycle, page.education
    assert panel.nation.currentData() == "england" and not panel.announced.isChecked()
    assert page.values["nation"].text() == "England"
    assert page.values["notice"].text() == "Unannounced"
    assert "Ofsted" in edu.title() and "Purposeful activity: not agreed yet" == \
        edu.agreed.text()
    _choose(edu.grade, "good")
    qtbot.mouseClick(edu.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: (facts(store).education_judgement or {}).get("grade") == "good")
    _choose(panel.nation, "wales")
    panel.announced.setChecked(True)
    qtbot.mouseClick(panel.save_facts, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.values["nation"].text() == "Wales")
    assert page.values["notice"].text() == "Announced"
    f = facts(store)
    assert (f.nation, f.announced) == ("wales", True)
    # In Wales Estyn's grades are offered, flagged as not verified; Ofsted's stays noted.
    assert "Estyn" in edu.title() and edu.grade.findData("excellent") >= 0
    assert L.NOT_VERIFIED_NOTE in edu.note.text() and "another inspectorate" in edu.note.text()


def test_non_leader_cannot_publish_or_reopen_on_the_overview(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A team member's Overview disables publishing and reopening, and says why."""
    from tests.sync.conftest import TeamKit, acting
    from tests.sync.test_leader_only_agreed import _scored_team

    kit = TeamKit(tmp_path / "team")
    try:
        _lead, alice = _scored_team(kit, "lead", "alice")
        with acting(alice):
            page = open_page(qtbot, OverviewPage, alice.store)
            assert isinstance(page, OverviewPage)
            panel = page.lifecycle
            _choose(panel.next_status, L.PUBLISHED)
            assert not panel.move_button.isEnabled()
            assert not panel.reopen_button.isEnabled()
            assert "Only the team leader" in panel.leader_note.text()
            _choose(panel.next_status, L.DRAFTING)
            assert panel.move_button.isEnabled()
            page.ctx.signals.inspection_closed.emit()
    finally:
        kit.close()


def test_conflict_queue_disabled_with_a_reason_for_non_leaders(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A member sees the conflict and its versions, but every resolution is disabled and the
    queue says only the team leader resolves; the leader's queue is enabled."""
    from tests.gui.sync_pages import GuiKit, merge_via_page, page_for
    from tests.sync.conftest import acting

    kit = GuiKit(tmp_path / "team")
    try:
        lead, alice, bob = kit.team("lead", "alice", "bob")
        note = alice.notes.add(source_kind="observation", title="Wing visit", body="first")
        kit.import_(bob, [kit.export(alice)])
        alice.notes.edit(note, body="alice says")
        bob.notes.edit(note, body="bob says")
        paths = [kit.export(alice), kit.export(bob)]
        # Alice merges Bob's change (which clashes with hers); the leader merges both.
        for dev, leads, merged in ((alice, False, paths[1:]), (lead, True, paths)):
            page = page_for(qtbot, dev)
            merge_via_page(page, dev, merged)
            queue = page.queue
            with acting(dev):
                queue.reload()
            assert queue.model.rowCount() == 1
            assert queue.combine_button.isEnabled() is leads
            assert all(c.keep_button.isEnabled() is leads for c in queue.versions.cards)
            assert ("Only the team leader resolves conflicts" in queue.leader_note.text()) \
                is not leads
            assert queue.leader_note.isVisibleTo(page) is not leads
    finally:
        kit.close()


def test_previous_scores_field_on_the_scoring_page(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    """Scoring ▸ Previous inspection records the previous agreed score of a test and its year,
    as `hmip previous score set` does; a bad year is refused beside the field."""
    from hmip_desktop.services.inspections import inspection_payload
    from hmip_desktop.ui.scoring.scoring_page import TAB_PREVIOUS, ScoringPage

    page = open_page(qtbot, ScoringPage, store)
    assert isinstance(page, ScoringPage)
    page.tabs.setCurrentIndex(TAB_PREVIOUS)
    panel = page.previous
    assert panel.scores_box.isEnabled()
    assert "Safety not recorded" in panel.prev_status.text()
    _choose(panel.prev_test, "respect")
    _choose(panel.prev_score, "not_sufficiently_good")
    panel.prev_year.setText("21")
    qtbot.mouseClick(panel.prev_save, Qt.MouseButton.LeftButton)
    assert panel.prev_error.isVisible() and "year" in panel.prev_error.text()
    panel.prev_year.setText("2021")
    qtbot.mouseClick(panel.prev_save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Respect Not sufficiently good" in panel.prev_status.text())
    assert "(2021)" in panel.prev_status.text() and not panel.prev_error.isVisible()
    payload = inspection_payload(store)
    assert payload["previous_scores"] == {"respect": 2} and payload["previous_year"] == "2021"
    assert panel.prev_test.currentData() == "respect"
    assert panel.prev_score.currentData() == "not_sufficiently_good"

"""Unsaved work in the forms with a Save button is never dropped without a question: quitting,
File ▸ Close inspection and opening another file ask once, naming each form, and Save,
Discard or Cancel do what they say (ui/unsaved.py)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from hmip_desktop.services.concerns import ConcernService, NppService
from hmip_desktop.services.inspections import open_inspection
from hmip_desktop.services.previous import PreviousService
from hmip_desktop.services.scoring import ScoringService
from hmip_desktop.services.urgent_notification import UrgentNotificationService
from hmip_desktop.ui.scoring import walkthrough as W
from hmip_desktop.ui.unsaved import CANCEL, CLOSE, DISCARD, OPEN, QUIT, SAVE
from tests.gui.keyboard import make_store

TITLE, BODY = "Night staff could not open cells", "At 21:10 on C wing no officer held keys."


def _concerns(window, store=None):  # type: ignore[no-untyped-def]
    if store is not None:
        window._set_store(store)
    page = window.show_page("Concerns")
    page.reload()
    return page


def _draft(qtbot, page, title: str = TITLE):  # type: ignore[no-untyped-def]
    """A new concern typed in and not saved."""
    editor = page.concerns.editor
    page.concerns.new_button.click()
    qtbot.keyClicks(editor.title, title)
    qtbot.keyClicks(editor.body, BODY)
    editor.sections.set_selected(["safety"])
    return editor


def _reopened(path: Path, read):  # type: ignore[no-untyped-def]
    store = open_inspection(path)
    try:
        return read(store)
    finally:
        store.close()


def _titles(store) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.title for c in ConcernService(store).list()]


def test_quit_asks_and_saves_a_new_concern(window, qtbot, tmp_path, unsaved_questions) -> None:  # type: ignore[no-untyped-def]
    store = make_store(tmp_path)
    _draft(qtbot, _concerns(window, store))
    unsaved_questions.answers = [SAVE]
    assert window.close()  # File ▸ Quit, Ctrl+Q, the title bar's close
    assert unsaved_questions.asked == [(QUIT.question, [f"the new concern “{TITLE}”"])]
    assert _reopened(store.path, _titles) == [TITLE]


def test_cancel_keeps_the_window_the_file_and_the_draft(window, qtbot, tmp_path,  # type: ignore[no-untyped-def]
                                                        unsaved_questions) -> None:
    store = make_store(tmp_path)
    editor = _draft(qtbot, _concerns(window, store))
    unsaved_questions.answers = [CANCEL, CANCEL]
    assert not window.close()
    window.close_action.trigger()
    assert window.isVisible() and window.ctx.store is store
    assert editor.title.text() == TITLE and editor.dirty
    assert ConcernService(store).list() == []
    assert [q for q, _ in unsaved_questions.asked] == [QUIT.question, CLOSE.question]


def test_close_inspection_saves_an_edited_concern(window, qtbot, tmp_path,  # type: ignore[no-untyped-def]
                                                  unsaved_questions) -> None:
    store = make_store(tmp_path)
    cid = ConcernService(store).add(title="Keys", body="Old text", sections=["safety"])
    panel = _concerns(window, store).concerns
    panel.table.selectRow(0)
    panel.editor.body.moveCursor(panel.editor.body.textCursor().MoveOperation.End)
    qtbot.keyClicks(panel.editor.body, " plus 21:10 observation")
    unsaved_questions.answers = [SAVE]
    window.close_action.trigger()  # File ▸ Close inspection
    assert unsaved_questions.asked == [(CLOSE.question, ["your changes to the concern “Keys”"])]
    assert window.ctx.store is None
    body = _reopened(store.path, lambda s: ConcernService(s).get(cid).body)
    assert body == "Old text plus 21:10 observation"


def test_discard_closes_without_saving(window, qtbot, tmp_path, unsaved_questions) -> None:  # type: ignore[no-untyped-def]
    store = make_store(tmp_path)
    _draft(qtbot, _concerns(window, store))
    unsaved_questions.answers = [DISCARD]
    window.close_action.trigger()
    assert window.ctx.store is None and len(unsaved_questions.asked) == 1
    assert _reopened(store.path, _titles) == []


def test_a_refused_save_stops_at_its_form(window, qtbot, tmp_path, unsaved_questions,  # type: ignore[no-untyped-def]
                                          shown_errors) -> None:
    """A concern without a title: its message is shown, the Concerns page and its title field
    come back, and the inspection stays open with the draft."""
    store = make_store(tmp_path)
    page = _concerns(window, store)
    editor = _draft(qtbot, page, title="")
    window.show_page("Overview")
    unsaved_questions.answers = [SAVE]
    window.close_action.trigger()
    assert unsaved_questions.asked[0][1] == ["a new concern (no title yet)"]
    assert shown_errors == ["A new concern (no title yet) was not saved: A title is required."
                            "\n\nThe inspection is still open."]
    assert window.ctx.store is store and editor.dirty
    assert window.stack.currentWidget() is page and page.tabs.currentWidget() is page.concerns
    assert QApplication.focusWidget() is editor.title


def test_a_refused_judgement_stops_at_its_step(window, qtbot, tmp_path, unsaved_questions,  # type: ignore[no-untyped-def]
                                               shown_errors) -> None:
    """A provisional score without its rationale: the walkthrough's judgement step comes back
    with the rationale focused, and the window stays open."""
    window._set_store(make_store(tmp_path))
    scoring = window.show_page("Scoring")
    scoring.reload()
    wt = scoring.walkthrough
    label = wt.outline.sections[wt.section.currentIndex()].label
    wt._go(W.STEP_JUDGEMENT, focus=True)
    wt.judgement.form.picker.set_level("poor")
    wt._go(W.STEP_OVERVIEW, focus=True)
    window.show_page("Concerns")
    unsaved_questions.answers = [SAVE]
    assert not window.close()
    assert shown_errors == [f"Your provisional score for {label} was not saved: A rationale is "
                            "required for every judgement.\n\nThe app did not close."]
    assert window.stack.currentWidget() is scoring and wt.current_step == W.STEP_JUDGEMENT
    assert QApplication.focusWidget() is wt.judgement.form.rationale


def test_opening_another_file_asks_first(window, qtbot, tmp_path, unsaved_questions) -> None:  # type: ignore[no-untyped-def]
    other = make_store(tmp_path / "other")
    other_path = other.path
    other.close()
    store = make_store(tmp_path)
    _draft(qtbot, _concerns(window, store))
    unsaved_questions.answers = [CANCEL]
    window.open_path(other_path)  # File ▸ Open, Open recent, a file opened from the desktop
    assert window.ctx.store is store
    unsaved_questions.answers = [SAVE]
    window.open_path(other_path)
    assert window.ctx.store is not None and window.ctx.store.path == other_path
    assert [q for q, _ in unsaved_questions.asked] == [OPEN.question, OPEN.question]
    assert _reopened(store.path, _titles) == [TITLE]


def test_nothing_unsaved_asks_nothing(window, tmp_path, unsaved_questions) -> None:  # type: ignore[no-untyped-def]
    store = make_store(tmp_path)
    _concerns(window, store)
    window.show_page("Scoring").reload()
    window.show_page("Overview")
    window.close_action.trigger()
    assert window.close()
    assert unsaved_questions.asked == []


def test_every_explicit_form_is_named_and_saved(window, qtbot, tmp_path,  # type: ignore[no-untyped-def]
                                                unsaved_questions) -> None:
    """The provisional score, the previous score's year, an entry of notable positive practice
    and the Urgent Notification: one question names them all, Save stores each."""
    store = make_store(tmp_path)
    path = store.path
    window._set_store(store)
    urgent = window.show_page("Overview").urgent
    urgent.flag.setChecked(True)
    qtbot.keyClicks(urgent.reasons, "Cell bells unanswered")
    concerns = _concerns(window)
    concerns.tabs.setCurrentWidget(concerns.npp)
    concerns.npp.new_button.click()
    qtbot.keyClicks(concerns.npp.editor.title, "Peer mentors")
    qtbot.keyClicks(concerns.npp.editor.body, "Mentors meet every new arrival.")
    scoring = window.show_page("Scoring")
    scoring.reload()
    wt = scoring.walkthrough
    section = next(s for s in wt.outline.sections if s.judged)
    wt.section.setCurrentIndex(wt.section.findData(section.key))
    wt.section.activated.emit(wt.section.currentIndex())
    wt._go(W.STEP_JUDGEMENT, focus=True)
    wt.judgement.form.picker.set_level("poor")
    qtbot.keyClicks(wt.judgement.form.rationale, "Bells unanswered for 20 minutes.")
    scoring.tabs.setCurrentWidget(scoring.previous)
    qtbot.keyClicks(scoring.previous.prev_year, "2021")
    window.show_page("Evidence")
    unsaved_questions.answers = [SAVE]
    assert window.close()
    assert unsaved_questions.asked == [(QUIT.question, [
        "the Urgent Notification", "your provisional score for " + section.label,
        "the previous inspection's score and year",
        "the new notable positive practice entry “Peer mentors”"])]

    def stored(s):  # type: ignore[no-untyped-def]
        mine = [v for v in ScoringService(s).list_scores(section.key) if v.level_key]
        return (UrgentNotificationService(s).status().reasons,
                [(v.level_key, v.rationale) for v in mine],
                PreviousService(s).previous_scores().year,
                [n.title for n in NppService(s).list()])

    assert _reopened(path, stored) == (("Cell bells unanswered",),
                                       [("poor", "Bells unanswered for 20 minutes.")],
                                       "2021", ["Peer mentors"])

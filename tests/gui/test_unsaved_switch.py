"""A judgement typed and not saved is not dropped when the person picks another section of the
scoring walkthrough or another previous item: the concerns register's question is asked
("Discard the unsaved changes to this judgement?"); No keeps it on screen, Yes moves on."""

from __future__ import annotations

from hmip_desktop.services.previous import PreviousService
from hmip_desktop.ui.scoring import walkthrough as W
from hmip_desktop.ui.unsaved import discard_question
from tests.gui.keyboard import make_store

RATIONALE = "Cell bells unanswered for 20 minutes at 21:00."
QUESTION = discard_question("judgement")


def _answers(form, *answers: bool) -> list[str]:  # type: ignore[no-untyped-def]
    """Answer the form's questions in turn; the list receives what was asked."""
    asked: list[str] = []
    queue = list(answers)
    form.confirm = lambda question: (asked.append(question), queue.pop(0))[1]
    return asked


def _walkthrough(window, tmp_path):  # type: ignore[no-untyped-def]
    window._set_store(make_store(tmp_path))
    page = window.show_page("Scoring")
    page.reload()
    wt = page.walkthrough
    a, b = [i for i, s in enumerate(wt.outline.sections) if s.judged][:2]
    return wt, a, b


def _pick(wt, index: int) -> None:  # type: ignore[no-untyped-def]
    """Choose a section in the Section box, as the keyboard or the mouse does."""
    wt.section.setCurrentIndex(index)
    wt.section.activated.emit(index)


def _type_judgement(qtbot, wt, index: int):  # type: ignore[no-untyped-def]
    _pick(wt, index)
    wt._go(W.STEP_JUDGEMENT, focus=True)
    form = wt.judgement.form
    form.picker.set_level("poor")
    qtbot.keyClicks(form.rationale, RATIONALE)
    assert form.dirty
    return form


def test_no_keeps_the_provisional_score_and_its_section(window, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    wt, a, b = _walkthrough(window, tmp_path)
    form = _type_judgement(qtbot, wt, a)
    asked = _answers(form, False)
    _pick(wt, b)
    assert asked == [QUESTION]
    assert wt.section.currentIndex() == a
    assert form.rationale.toPlainText() == RATIONALE and form.picker.level_key() == "poor"
    assert wt.unsaved() == [f"your provisional score for {wt.outline.sections[a].label}"]


def test_yes_discards_and_moves_to_the_section(window, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    wt, a, b = _walkthrough(window, tmp_path)
    form = _type_judgement(qtbot, wt, a)
    asked = _answers(form, True)
    _pick(wt, b)
    assert asked == [QUESTION] and wt.section.currentIndex() == b
    assert form.key == wt.outline.sections[b].key and not form.dirty
    _pick(wt, a)  # nothing typed now: no question
    assert asked == [QUESTION] and form.rationale.toPlainText() == ""


def _previous(window, tmp_path):  # type: ignore[no-untyped-def]
    store = make_store(tmp_path, kind="irp")
    service = PreviousService(store)
    for i in (1, 2):
        item = service.add(ref=f"KC{i}", title=f"Concern {i}", text="t", section="safety")
        service.set_followed_up(item, True)
    window._set_store(store)
    page = window.show_page("Scoring")
    page.reload()
    panel = page.previous
    panel.table.selectRow(0)
    return panel, panel.form.rationale


def test_no_keeps_the_progress_judgement_and_its_item(window, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    panel, rationale = _previous(window, tmp_path)
    qtbot.keyClicks(rationale, "Only C wing had improved by 21:00 checks.")
    asked = _answers(panel.form, False)
    panel.table.selectRow(1)
    qtbot.waitUntil(lambda: panel.table.currentIndex().row() == 0)
    assert asked == [QUESTION]
    assert rationale.toPlainText() == "Only C wing had improved by 21:00 checks."
    assert panel.unsaved() == ["the progress judgement on “KC1 Concern 1”"]


def test_yes_discards_the_progress_judgement(window, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    panel, rationale = _previous(window, tmp_path)
    qtbot.keyClicks(rationale, "Only C wing had improved by 21:00 checks.")
    asked = _answers(panel.form, True)
    panel.table.selectRow(1)
    assert asked == [QUESTION] and panel.table.currentIndex().row() == 1
    assert rationale.toPlainText() == "" and panel.unsaved() == []
    panel.table.selectRow(0)
    assert asked == [QUESTION] and rationale.toPlainText() == ""

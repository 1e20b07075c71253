"""Step 3 of the walkthrough: an inspector withdraws their provisional score with a button."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from hmip_desktop.domain import records as R
from hmip_desktop.domain import scoring as S
from hmip_desktop.domain.errors import NotFoundError
from hmip_desktop.services.scoring import ScoringService
from hmip_desktop.ui.scoring import walkthrough as W
from hmip_desktop.ui.scoring.scoring_page import ScoringPage
from tests.gui.keyboard import make_store, open_page, press

K = Qt.Key
ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def store(tmp_path: Path):
    """A full inspection on the scored framework."""
    s = make_store(tmp_path)
    yield s
    s.close()


def _judgement_step(qtbot, store):  # type: ignore[no-untyped-def]
    page = open_page(qtbot, ScoringPage, store)
    assert isinstance(page, ScoringPage)
    wt = page.walkthrough
    qtbot.waitUntil(lambda: wt.section.currentText() == "Safety")
    for _ in range(W.STEP_JUDGEMENT):
        press(qtbot, K.Key_Right, ALT)
    assert wt.current_step == W.STEP_JUDGEMENT
    return page, wt.judgement.form


def test_withdraw_my_provisional_score(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    """The button is offered only while a score is stored; withdrawing empties the form, the
    team view and the store, and the score can be recorded again."""
    scoring = ScoringService(store)
    scoring.set_provisional("safety", "reasonably_good", "Mostly safe.")
    page, form = _judgement_step(qtbot, store)
    assert form.withdraw is not None and form.withdraw.isVisible()
    assert form.withdraw.text() == "Withdraw m&y provisional score"
    assert form.picker.level_key() == "reasonably_good" and form.withdraw.isEnabled()
    asked: list[str] = []
    form.confirm = lambda question: asked.append(question) or False
    qtbot.mouseClick(form.withdraw, Qt.MouseButton.LeftButton)
    assert asked == ["Withdraw your provisional score? Its history is kept, and you can "
                     "record it again."]
    assert [v.level_key for v in scoring.list_scores("safety")] == [
        "reasonably_good"]  # declined: nothing written

    changed: list = []
    page.ctx.signals.changes_applied.connect(changed.append)
    form.confirm = lambda _question: True
    qtbot.mouseClick(form.withdraw, Qt.MouseButton.LeftButton)
    assert scoring.list_scores("safety") == []
    sid = S.provisional_score_id(store.inspection_id, "safety", store.device.author_id)
    assert [c.ids for c in changed] == [frozenset({sid})] and changed[0].touches(R.SCORE)
    assert form.status.text() == "Provisional score withdrawn."
    assert form.picker.level_key() is None and form.rationale.toPlainText() == ""
    assert not form.withdraw.isEnabled() and not form.dirty
    assert page.walkthrough.team.model.rowCount() == 0

    # Recording again brings it back, and the button with it.
    form.picker.set_level("poor")
    form.rationale.setPlainText("Worse than it looked.")
    qtbot.mouseClick(form.save, Qt.MouseButton.LeftButton)
    assert [v.level_key for v in scoring.list_scores("safety")] == ["poor"]
    assert form.withdraw.isEnabled()


def test_withdraw_is_not_offered_without_a_score(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    """No stored score: the button is disabled, and the service refuses a withdrawal."""
    _page, form = _judgement_step(qtbot, store)
    assert form.withdraw is not None and not form.withdraw.isEnabled()
    with pytest.raises(NotFoundError):
        ScoringService(store).withdraw_provisional("safety")


def test_withdraw_failure_is_reported(qtbot, store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A refused withdrawal re-enables the button and says so (the error is presented)."""
    ScoringService(store).set_provisional("safety", "good", "Safe.")
    _page, form = _judgement_step(qtbot, store)
    form.confirm = lambda _question: True
    shown: list[BaseException] = []
    monkeypatch.setattr("hmip_desktop.ui.scoring.judgement_form.present_error",
                        lambda _parent, exc: shown.append(exc))
    ScoringService(store).withdraw_provisional("safety")  # gone behind the form's back
    qtbot.mouseClick(form.withdraw, Qt.MouseButton.LeftButton)
    assert len(shown) == 1 and isinstance(shown[0], NotFoundError)
    assert form.status.text() == "Not withdrawn." and form.withdraw.isEnabled()

"""GUI fixtures: a main window on a synchronous task runner (work runs inline)."""

from __future__ import annotations

import pytest

from hmip_desktop.app import build_window
from hmip_desktop.ui.tasks import SyncExecutor, TaskRunner


@pytest.fixture(autouse=True)
def shown_errors(monkeypatch):  # type: ignore[no-untyped-def]
    """Record error messages instead of blocking on a modal box; fail on unexpected ones."""
    from hmip_desktop.ui import errors

    messages: list[str] = []
    monkeypatch.setattr(errors, "show_message", lambda _parent, text: messages.append(text))
    yield messages


class UnsavedAnswers:
    """The Save / Discard / Cancel question about unsaved forms, answered from a queue (Discard
    when it is empty, so a test that leaves a form edited never blocks on a modal box)."""

    def __init__(self) -> None:
        self.answers: list[str] = []
        self.asked: list[tuple[str, list[str]]] = []

    def __call__(self, _parent, question: str, unsaved) -> str:  # type: ignore[no-untyped-def]
        from hmip_desktop.ui.unsaved import DISCARD

        self.asked.append((question, list(unsaved)))
        return self.answers.pop(0) if self.answers else DISCARD


@pytest.fixture(autouse=True)
def unsaved_questions(monkeypatch) -> UnsavedAnswers:  # type: ignore[no-untyped-def]
    """Record the questions about unsaved forms instead of blocking on a modal box."""
    from hmip_desktop.ui import unsaved

    answers = UnsavedAnswers()
    monkeypatch.setattr(unsaved, "ask_save_discard_cancel", answers)
    return answers


@pytest.fixture
def window(qtbot):  # type: ignore[no-untyped-def]
    """A main window whose DB lane runs synchronously."""
    win = build_window(TaskRunner(SyncExecutor()))
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close_inspection()


def cancel_at_first_progress(progress, button) -> list[bool]:  # type: ignore[no-untyped-def]
    """Press the progress bar's Cancel at its first report; the returned list receives
    whether `button` was enabled then (it should not be while the work runs)."""
    seen: list[bool] = []

    def press_cancel(_done: int, _total: int) -> None:
        if not seen:
            seen.append(button.isEnabled())
            progress.cancel_button.click()

    progress.progressed.connect(press_cancel)
    return seen

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

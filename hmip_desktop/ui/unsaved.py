"""Unsaved work in the forms that have a Save button (a concern, a judgement, the Urgent
Notification): nothing a person typed or chose is dropped without a question.

Before the window closes, the inspection closes or another file opens, `settle_unsaved`
asks once, naming each form in plain words, with Save / Discard / Cancel; Save goes through
each form's own Save (its checks, its service call) and stops at the first refusal. Pages
take part through Page.unsaved() and Page.save_unsaved(). Moving to another record inside a
page asks the one `discard_question` instead (the concerns register, the scoring forms).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QLabel, QListWidget, QMessageBox, QWidget

from hmip_desktop.ui import errors

if TYPE_CHECKING:
    from hmip_desktop.ui.page_base import Page
    from hmip_desktop.ui.page_map import PageMap

SAVE, DISCARD, CANCEL = "save", "discard", "cancel"
# A save queued behind other work on the DB lane is waited for this long before the close
# is given up (the person can try again; nothing is lost).
SAVE_WAIT_S = 30.0
TITLE_CHARS = 60  # a title quoted in a question is cut here (it may be a paragraph)


@dataclass(frozen=True)
class Leaving:
    """What the window is about to do: the question, and what stays when it is not done."""

    question: str
    stopped: str


QUIT = Leaving("Save your changes before quitting?", "The app did not close.")
CLOSE = Leaving("Save your changes before closing the inspection?",
                "The inspection is still open.")
OPEN = Leaving("Save your changes before opening another inspection?",
               "No other inspection was opened.")


def discard_question(noun: str) -> str:
    """The question asked before moving to another record drops unsaved changes."""
    return f"Discard the unsaved changes to this {noun}?"


def quoted(title: str) -> str:
    """A record's title as a question names it: in quotes, cut when long."""
    title = " ".join(title.split())
    return f"“{title[:TITLE_CHARS - 1]}…”" if len(title) > TITLE_CHARS else f"“{title}”"


def refused(what: str, reason: str) -> str:
    """'The concern “Keys” was not saved: A title is required.'"""
    return f"{what[:1].upper()}{what[1:]} was not saved" + (f": {reason}" if reason else ".")


def wait_for(done: Callable[[], bool], timeout_s: float = SAVE_WAIT_S) -> bool:
    """Run the event loop (answers from the DB lane, not the person's clicks or keys) until
    `done()`; False when it took longer than `timeout_s`."""
    if done():
        return True
    deadline = time.monotonic() + timeout_s
    loop = QEventLoop()
    timer = QTimer()
    timer.timeout.connect(lambda: loop.quit() if done() or time.monotonic() > deadline
                          else None)
    timer.start(20)
    loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    timer.stop()
    return done()


def save_form(save: Callable[[], None], saving: Callable[[], bool], dirty: Callable[[], bool],
              problems: Sequence[tuple[QLabel, QWidget]]) -> str | None:
    """Press a form's Save and wait for its write: None once saved, else why not (the message
    shown beside a field, which gets the focus; '' when an error box said it)."""
    save()
    if not wait_for(lambda: not saving()):
        return "the save is still waiting for other work to finish; try again in a moment."
    if not dirty():
        return None
    for label, field in problems:
        if not label.isHidden() and label.text():
            field.setFocus(Qt.FocusReason.OtherFocusReason)
            return label.text()
    return ""


def _save_discard_cancel_box(parent: QWidget | None, question: str,
                             unsaved: Sequence[str]) -> str:
    """Save, Discard or Cancel (SAVE, DISCARD, CANCEL); Escape cancels."""
    from hmip_desktop.ui.widgets.choice_box import Answer, ask_choice

    lines = "\n".join(f"• {what[:1].upper()}{what[1:]}" for what in unsaved)
    role = QMessageBox.ButtonRole
    chosen = ask_choice(
        parent, icon=QMessageBox.Icon.Question, title="Unsaved changes",
        text=f"{question}\n\nNot saved yet:\n{lines}", name="Unsaved changes",
        answers=(Answer(SAVE, "&Save", "Save the changes, then go on", role.AcceptRole),
                 Answer(DISCARD, "&Discard", "Discard the changes and go on",
                        role.DestructiveRole)),
        cancel_spoken="Cancel: keep everything as it is", default=SAVE)
    return chosen or CANCEL


# The one place the question is shown; tests replace it with queued answers.
ask_save_discard_cancel = _save_discard_cancel_box


class UnsavedWindow(Protocol):
    """What settle_unsaved needs of the main window (ui.main_window.MainWindow)."""

    nav: QListWidget
    pages: PageMap

    def show_page(self, key: str) -> Page: ...


def settle_unsaved(window: UnsavedWindow, leaving: Leaving) -> bool:
    """Ask about unsaved forms before `leaving`; True when the window may go on (nothing
    unsaved, Discard, or Save and every save landed). Nothing is asked when nothing is
    unsaved."""
    pending = [(page, names) for page in window.pages.built() if (names := page.unsaved())]
    if not pending:
        return True
    answer = ask_save_discard_cancel(window,  # type: ignore[arg-type]
                                     leaving.question, [n for _p, ns in pending for n in ns])
    if answer == DISCARD:
        for page, _names in pending:
            page.discard_unsaved()
        return True
    if answer != SAVE:
        return False
    where = window.nav.currentRow()
    for page, _names in pending:
        window.show_page(page.title)  # shown first: a refused field can then take the focus
        refusal = page.save_unsaved()
        if refusal is not None:
            errors.show_message(window, f"{refusal}\n\n{leaving.stopped}")  # type: ignore[arg-type]
            return False
    window.nav.setCurrentRow(where)
    return True

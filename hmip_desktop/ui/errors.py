"""Showing errors: user errors as they are, bugs as a generic message (details in the log).

Nothing is ever sent anywhere: there is no crash reporter.
"""

from __future__ import annotations

import logging
import sys
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from hmip_desktop.domain.errors import Cancelled, UserError

log = logging.getLogger(__name__)


def error_text(exc: BaseException) -> str:
    """The message a person sees for an exception."""
    if isinstance(exc, UserError):
        return str(exc)
    if isinstance(exc, Cancelled):
        return "Cancelled. Nothing was changed."
    return ("Something went wrong inside the app. Your saved work is safe. Details were "
            "written to the log file in the data folder.")


def present_error(parent: QWidget | None, exc: BaseException) -> None:
    """Show an error dialog; log bugs with their traceback (never user data)."""
    if not isinstance(exc, (UserError, Cancelled)):
        log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    if isinstance(exc, Cancelled):
        return
    show_message(parent, error_text(exc))


def _message_box(parent: QWidget | None, text: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, "HMIP Inspection", text,
                      QMessageBox.StandardButton.Ok, parent)
    box.setAccessibleName("Error message")
    box.setTextFormat(Qt.TextFormat.PlainText)  # a message may quote a title or a file name
    box.exec()


# The one place a modal error box is shown; tests replace it with a recorder.
show_message = _message_box


def ask_yes_no(parent: QWidget | None, question: str, *, title: str = "HMIP Inspection",
               default_yes: bool = False) -> bool:
    """A Yes/No question (default No unless `default_yes`); True for Yes."""
    yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
    box = QMessageBox(QMessageBox.Icon.Question, title, question, yes | no, parent)
    box.setDefaultButton(yes if default_yes else no)
    box.setTextFormat(Qt.TextFormat.PlainText)  # a question may name a record or a person
    return box.exec() == yes


def install_excepthook() -> None:
    """Log and show any uncaught exception instead of dying silently."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.error("uncaught exception", exc_info=(kind, exc, tb))
        try:
            present_error(None, exc)
        except Exception:  # noqa: BLE001 - never raise from the hook
            pass

    sys.excepthook = hook

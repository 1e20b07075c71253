"""Showing errors: user errors as they are, bugs as a generic message (details in the log).

Nothing is ever sent anywhere: there is no crash reporter.
"""

from __future__ import annotations

import errno
import logging
import sys
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from hmip_desktop.domain.errors import Cancelled, UserError

log = logging.getLogger(__name__)


# What SQLite says when it cannot write the file (through sqlcipher3, wrapped by SQLAlchemy).
_FULL, _READ_ONLY, _IO = "the disk is full", "the file is not writable", "a disk error"
_SQLITE_WRITE_FAILURES = {"disk is full": _FULL, "readonly": _READ_ONLY,
                          "disk i/o error": _IO, "unable to open database": _READ_ONLY}
_OS_WRITE_FAILURES = {errno.ENOSPC: _FULL, errno.EDQUOT: _FULL, errno.EFBIG: _FULL,
                      errno.EROFS: _READ_ONLY, errno.EACCES: _READ_ONLY, errno.EPERM: _READ_ONLY}


def storage_failure(exc: BaseException) -> str | None:
    """Why the file could not be written ("the disk is full", ...), or None when `exc` is not
    a storage write failure. Looks through the exceptions `exc` wraps."""
    if isinstance(exc, (UserError, Cancelled)):  # already in words
        return None
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, OSError):
            return _OS_WRITE_FAILURES.get(e.errno or 0, _IO)
        # SQLAlchemy's own text quotes the statement's parameters (note text): read only the
        # driver's message, which it keeps as `.orig`.
        if not type(e).__module__.startswith("sqlalchemy"):
            words = str(e).lower()
            for said, reason in _SQLITE_WRITE_FAILURES.items():
                if said in words:
                    return reason
        todo += [getattr(e, "orig", None), e.__cause__, e.__context__]
    return None


STORAGE_FAILURE_TEXT = (
    "Not saved: the inspection file could not be written ({reason}). What you changed since "
    "the last save is still on screen. Keep the app open, free some disk space or check that "
    "the file's drive is there and can be written to, then try again.")


def error_text(exc: BaseException) -> str:
    """The message a person sees for an exception."""
    if isinstance(exc, UserError):
        return str(exc)
    if isinstance(exc, Cancelled):
        return "Cancelled. Nothing was changed."
    reason = storage_failure(exc)
    if reason is not None:  # "your saved work is safe" would not be true of this change
        return STORAGE_FAILURE_TEXT.format(reason=reason)
    return ("Something went wrong inside the app. Your saved work is safe. Details were "
            "written to the log file in the data folder.")


def present_error(parent: QWidget | None, exc: BaseException, *, more: str = "") -> None:
    """Show an error dialog (with `more` words after it); log bugs with their traceback and
    storage failures by their reason only (never user data)."""
    reason = storage_failure(exc)
    if reason is not None:
        log.error("could not write the inspection file: %s", reason)
    elif not isinstance(exc, (UserError, Cancelled)):
        log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    if isinstance(exc, Cancelled):
        return
    show_message(parent, f"{error_text(exc)} {more}".strip())


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

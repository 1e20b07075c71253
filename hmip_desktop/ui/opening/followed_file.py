"""File ▸ New's "Follows:" row: the inspection file a new review of progress follows.

Choosing one reads its facts on the DB lane (services.review_follow.read_followed), after
asking its passphrase on the GUI thread when its key is passphrase-wrapped, as opening a file
does; a file no review can follow is refused there, before OK. The passphrase is kept until
the review is created, which opens the followed file again. Tests replace the questions.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLineEdit, QPushButton, QWidget

from hmip_desktop.domain.errors import Cancelled, UserError, WrongKeyError
from hmip_desktop.services import startup
from hmip_desktop.ui.errors import error_text
from hmip_desktop.ui.opening.passphrase_dialog import PassphraseDialog
from hmip_desktop.ui.widgets.tips import literal_tip

if TYPE_CHECKING:
    from hmip_desktop.services.review_follow import Followed
    from hmip_desktop.ui.tasks import TaskRunner

log = logging.getLogger(__name__)


def choose_followed_file(parent: QWidget, folder: Path) -> Path | None:
    """Ask which inspection file the review follows; None when cancelled."""
    chosen, _ = QFileDialog.getOpenFileName(parent, "The inspection this review follows",
                                            str(folder), "Inspection files (*.hmip)")
    return Path(chosen) if chosen else None


def ask_passphrase(parent: QWidget, path: Path) -> str | None:
    """The followed file's own passphrase; None when cancelled."""
    dialog = PassphraseDialog(parent, creating=False, file_label=path.name)
    if dialog.exec() != PassphraseDialog.DialogCode.Accepted:
        return None
    return dialog.passphrase()


def _read(path: Path, passphrase: str | None) -> Followed:
    """On the DB lane, which imports the store's modules there (not on the GUI thread)."""
    from hmip_desktop.services.review_follow import read_followed

    return read_followed(path, provider=lambda _purpose: passphrase)


class FollowsRow(QWidget):
    """The chosen file's name, Choose… and Clear; says when its facts are read or refused."""

    changed = Signal(object)  # the Followed facts, or None once cleared
    refused = Signal(str)  # why the chosen file cannot be followed (nothing is chosen)

    def __init__(self, tasks: TaskRunner, folder: Path) -> None:
        super().__init__()
        self._tasks = tasks
        self._folder = folder
        self._reading: Path | None = None  # the file whose facts are being read
        self.path: Path | None = None
        self.followed: Followed | None = None
        self.passphrase: str | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.name = QLineEdit()
        self.name.setReadOnly(True)
        self.name.setAccessibleName("Inspection this review follows")
        self.name.setPlaceholderText("None: type the establishment's facts instead")
        self.choose = QPushButton("C&hoose…")
        self.choose.setAccessibleName("Choose the inspection file this review follows")
        self.choose.clicked.connect(self._on_choose_clicked)
        self.clear_button = QPushButton("C&lear")
        self.clear_button.setAccessibleName("Follow no file")
        self.clear_button.clicked.connect(self.clear)
        self.clear_button.setEnabled(False)
        row.addWidget(self.name, 1)
        row.addWidget(self.choose)
        row.addWidget(self.clear_button)
        self.setFocusProxy(self.choose)  # the row's label mnemonic (Alt+W) reaches Choose…

    @property
    def busy(self) -> bool:
        """True while the chosen file's facts are being read."""
        return self._reading is not None

    def _on_choose_clicked(self) -> None:
        path = choose_followed_file(self, self._folder)
        if path is not None:
            self.read(path)

    def read(self, path: Path) -> None:
        """Read `path`'s facts, asking its passphrase first when it needs one."""
        # HMIP_PASSPHRASE (as the CLI and opening a file): nothing to ask, or to ask again.
        passphrase, typed = startup.passphrase_from_environment(), None
        if passphrase is None and startup.needs_passphrase_to_open(path):
            passphrase = typed = ask_passphrase(self, path)
            if passphrase is None:
                return
        self.clear()
        self._reading = path
        self.name.setText(f"Reading {path.name}…")
        self.choose.setEnabled(False)
        self._tasks.submit(lambda: _read(path, passphrase),
                           lambda f: self._read_done(path, f, passphrase),
                           lambda e: self._read_failed(path, e, typed))

    def _read_done(self, path: Path, followed: Followed, passphrase: str | None) -> None:
        if path != self._reading:
            return
        self._reading = None
        self.path, self.followed, self.passphrase = path, followed, passphrase
        self.name.setText(path.name)
        self.name.setToolTip(literal_tip(path))
        self.choose.setEnabled(True)
        self.clear_button.setEnabled(True)
        self.changed.emit(followed)

    def _read_failed(self, path: Path, exc: BaseException, typed: str | None) -> None:
        if path != self._reading:
            return
        self.clear()
        if not isinstance(exc, UserError | Cancelled):
            log.error("reading a followed file failed", exc_info=(type(exc), exc,
                                                                   exc.__traceback__))
        self.refused.emit(error_text(exc))
        if isinstance(exc, WrongKeyError) and typed is not None:
            self.read(path)  # the passphrase was mistyped: ask again (Cancel stops)

    def forget(self) -> None:
        """Drop the passphrase and any read still running, without touching the widgets:
        the dialog is closing (a late answer is then ignored, and the passphrase does not
        stay in memory with the closed dialog)."""
        self._reading = self.passphrase = None

    def clear(self) -> None:
        """Follow no file (the establishment's facts are typed again)."""
        had = self.followed is not None
        self._reading = self.path = self.followed = self.passphrase = None
        self.name.clear()
        self.name.setToolTip("")
        self.choose.setEnabled(True)
        self.clear_button.setEnabled(False)
        if had:
            self.changed.emit(None)

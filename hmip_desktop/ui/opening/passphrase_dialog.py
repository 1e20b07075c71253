"""Asks for the passphrase that wraps inspection keys when there is no secure keyring."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.ui.widgets.forms import plain_label

MIN_LENGTH = 10


class PassphraseDialog(QDialog):
    """Unlock (one field) or create (two fields that must match, minimum length)."""

    def __init__(self, parent: QWidget | None, *, creating: bool, file_label: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Passphrase")
        # Gone once closed: a dialog kept as the window's child would hold what was typed
        # for the rest of the session.
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._creating = creating
        self._typed: str | None = None
        layout = QVBoxLayout(self)
        explain = ("This computer has no secure keyring, so the inspection key is protected "
                   "by your passphrase. ")
        explain += ("Choose one of at least 10 characters; it cannot be recovered without the "
                    "organisation recovery key." if creating else
                    f"Type the passphrase to open {file_label or 'the inspection'}.")
        text = plain_label(explain)  # it names the file
        text.setWordWrap(True)
        layout.addWidget(text)
        form = QFormLayout()
        self.first = QLineEdit()
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.first.setAccessibleName("Passphrase")
        form.addRow("Passphrase:", self.first)
        self.second = QLineEdit()
        self.second.setEchoMode(QLineEdit.EchoMode.Password)
        self.second.setAccessibleName("Repeat passphrase")
        if creating:
            form.addRow("Repeat:", self.second)
        layout.addLayout(form)
        self.problem = QLabel("")
        self.problem.setStyleSheet("color: #a00;")
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._on_ok)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _on_ok(self) -> None:
        if self._creating:
            if len(self.first.text()) < MIN_LENGTH:
                self.problem.setText(f"Use at least {MIN_LENGTH} characters.")
                return
            if self.first.text() != self.second.text():
                self.problem.setText("The two passphrases differ.")
                return
        elif not self.first.text():
            self.problem.setText("Type the passphrase.")
            return
        self.accept()

    def done(self, result: int) -> None:
        """Take what was typed out of the fields as the dialog closes (read with
        passphrase())."""
        self._typed = self.first.text() if result == QDialog.DialogCode.Accepted else None
        self.first.clear()
        self.second.clear()
        super().done(result)

    def passphrase(self) -> str:
        """What was typed."""
        return self._typed if self._typed is not None else self.first.text()

"""Settings: the organisation recovery key (an age X25519 recipient)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.services import settings
from hmip_desktop.ui.widgets.forms import plain_label


class SettingsDialog(QDialog):
    """Shows and saves the recovery recipient; bad input is explained beside the field."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        text = QLabel("When the organisation sets a recovery key, every new inspection "
                      "file's key is also wrapped to it, so a lost keyring or a forgotten "
                      "passphrase does not mean lost evidence. Leave empty for none.")
        text.setWordWrap(True)
        layout.addWidget(text)
        form = QFormLayout()
        self.recipient = QLineEdit(settings.recovery_recipient() or "")
        self.recipient.setPlaceholderText("age1…")
        self.recipient.setAccessibleName("Organisation recovery key")
        label = QLabel("&Recovery key:")
        label.setBuddy(self.recipient)
        form.addRow(label, self.recipient)
        layout.addLayout(form)
        self.problem = plain_label("")  # a refusal may quote what was typed
        self.problem.setStyleSheet("color: #a00;")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._on_save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def _on_save(self) -> None:
        try:
            settings.set_recovery_recipient(self.recipient.text())
        except ValidationError as exc:
            self.problem.setText(str(exc))
            return
        self.accept()

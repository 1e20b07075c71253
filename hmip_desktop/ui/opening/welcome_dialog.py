"""First run: where data lives, where keys live (and why), the name and role for this laptop's
identity card, and a way straight into creating or opening an inspection.

Shown while the device profile still has the placeholder author name; saving a name is the
"don't show again".
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop import APP_DISPLAY_NAME
from hmip_desktop.domain.errors import UserError
from hmip_desktop.services import identity, startup
from hmip_desktop.ui.widgets.forms import plain_label

NEW, OPEN = "new", "open"


def _paragraph(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(label.textInteractionFlags()
                                  | label.textInteractionFlags().TextSelectableByMouse)
    return label


class WelcomeDialog(QDialog):
    """A short welcome; `choice` is NEW, OPEN or None after it closes."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Welcome to {APP_DISPLAY_NAME}")
        self.setMinimumWidth(560)
        self.choice: str | None = None
        facts = startup.about_facts()
        layout = QVBoxLayout(self)
        title = QLabel(f"<b>Welcome to {APP_DISPLAY_NAME}</b>")
        title.setAccessibleName("Welcome")
        layout.addWidget(title)
        self.data_text = _paragraph(
            f"Your data stays on this computer, in {facts.data_dir}. New inspections are "
            f"saved in {facts.inspections_dir} unless you choose another place. Nothing is "
            "ever sent over a network.")
        self.data_text.setAccessibleName("Where data lives")
        self.data_text.setTextFormat(Qt.TextFormat.PlainText)  # folder names
        layout.addWidget(self.data_text)
        keys_title = ("Keys: the computer's keyring is used." if facts.key_storage.keyring_in_use
                      else "Keys: a passphrase is needed.")
        self.keys_text = _paragraph(f"<b>{keys_title}</b> {facts.key_storage.explanation}")
        self.keys_text.setAccessibleName("Where keys live")
        layout.addWidget(self.keys_text)
        layout.addWidget(_paragraph("Your name and role go on your identity card, which the "
                                    "team leader adds to the inspection team."))
        form = QFormLayout()
        name, role = startup.author()
        self.name_edit = QLineEdit(name)
        self.name_edit.setAccessibleName("Your name")
        self.name_edit.setPlaceholderText("e.g. Sam Taylor")
        self.name_edit.setMaxLength(120)
        form.addRow("&Your name:", self.name_edit)  # Alt+N is Not now
        self.role_combo = QComboBox()
        self.role_combo.setAccessibleName("Your role")
        for code, label in startup.roles().items():
            self.role_combo.addItem(label, code)
        self.role_combo.setCurrentIndex(max(0, self.role_combo.findData(role)))
        form.addRow("Your &role:", self.role_combo)
        layout.addLayout(form)
        self.problem = plain_label("")  # a refusal may quote what was typed
        self.problem.setStyleSheet("color: #a00;")
        self.problem.setAccessibleName("Problem")
        layout.addWidget(self.problem)
        buttons = QHBoxLayout()
        self.new_button = QPushButton("&Create an inspection…")
        self.open_button = QPushButton("&Open an inspection…")
        self.later_button = QPushButton("&Not now")
        for button, choice in ((self.new_button, NEW), (self.open_button, OPEN),
                               (self.later_button, None)):
            button.clicked.connect(lambda _=False, c=choice: self._finish(c))
            buttons.addWidget(button)
        self.new_button.setDefault(True)
        layout.addLayout(buttons)

    def _finish(self, choice: str | None) -> None:
        """Save the name and role when a name was given, then close."""
        name = self.name_edit.text().strip()
        if name:
            try:
                identity.set_profile(name=name, role=self.role_combo.currentData())
            except UserError as exc:
                self.problem.setText(str(exc))
                return
        elif choice is not None:
            self.problem.setText("Type your name first (or choose Not now).")
            self.name_edit.setFocus()
            return
        self.choice = choice
        self.accept()

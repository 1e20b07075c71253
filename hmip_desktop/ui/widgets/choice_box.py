"""A question with two named answers and Cancel, in plain text: the one way the app asks
"Save / Discard / Cancel" before leaving unsaved work and "Redact / Export as they are /
Cancel" after a disclosure check."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget


@dataclass(frozen=True)
class Answer:
    """One named answer: its button text (with its Alt+letter), what a screen reader says of
    it, and its role (Accept for the one that goes on, Destructive for the one that drops or
    sends something as it is)."""

    key: str
    text: str
    spoken: str
    role: QMessageBox.ButtonRole


def ask_choice(parent: QWidget | None, *, icon: QMessageBox.Icon, title: str, text: str,
               name: str, answers: Sequence[Answer], cancel_spoken: str,
               default: str | None = None) -> str | None:
    """Ask; the chosen answer's key, or None for Cancel (Escape cancels). `text` is shown as
    plain text: it quotes what people typed. `default` is the key of the default button
    (Cancel when None)."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setAccessibleName(name)
    box.setTextFormat(Qt.TextFormat.PlainText)
    buttons = {}
    for answer in answers:
        button = box.addButton(answer.text, answer.role)
        button.setAccessibleName(answer.spoken)
        buttons[answer.key] = button
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    cancel.setAccessibleName(cancel_spoken)
    box.setDefaultButton(buttons.get(default or "", cancel))
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    return next((key for key, button in buttons.items() if button is clicked), None)

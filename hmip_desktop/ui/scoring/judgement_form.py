"""A judgement on a scale with its rationale (required) and the evidence it rests on.

Used for the provisional score, the agreed score and progress on a previous item. The form
keeps the person's unsaved edits when the stored judgement is reloaded underneath it (an
autosave elsewhere, a merge), and takes the stored values when nothing is pending. Its owner
asks (`may_leave`) before it shows another judgement, which would drop those edits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.domain.framework_elements import Scale
from hmip_desktop.ui.errors import ask_yes_no, present_error
from hmip_desktop.ui.evidence.evidence_picker import EvidenceChoice, EvidencePicker
from hmip_desktop.ui.scoring.scale_picker import ScalePicker
from hmip_desktop.ui.unsaved import discard_question, save_form
from hmip_desktop.ui.widgets.forms import (
    SAVE_KEYS,
    add_shortcuts,
    buddy_label,
    error_label,
    prose_editor,
    show_error,
    status_label,
)

# (level key, rationale, evidence ids): what a judgement holds.
Values = tuple[str | None, str, tuple[str, ...]]
EMPTY: Values = (None, "", ())


class JudgementForm(QWidget):
    """Level, rationale and evidence, saved with the button or Ctrl+Enter; optionally a
    button that withdraws the stored judgement (withdraw_text)."""

    save_requested = Signal(object, str, list)  # level key, rationale, evidence ids
    withdraw_requested = Signal(object)  # the key of the judgement to withdraw

    def __init__(self, *, what: str, level_label: str, rationale_label: str,
                 evidence_label: str, save_text: str, withdraw_text: str | None = None) -> None:
        super().__init__()
        self.setAccessibleName(what)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.picker = ScalePicker(f"{what}: level")
        self.level_error = error_label(f"{what}: level problem")
        self.rationale = prose_editor(f"{what}: rationale",
                                      "Why this level: the evidence and what it shows.")
        self.rationale.setMaximumHeight(110)
        self.rationale_error = error_label(f"{what}: rationale problem")
        self.evidence = EvidencePicker(f"{what}: evidence it rests on")
        self.save = QPushButton(f"{save_text} (Ctrl+Enter)")
        self.save.clicked.connect(self._on_save_clicked)
        # Only offered where a judgement can be withdrawn (the provisional score), and only
        # while one is stored.
        self.withdraw: QPushButton | None = None
        if withdraw_text is not None:
            self.withdraw = QPushButton(withdraw_text)
            self.withdraw.setAccessibleName(withdraw_text.replace("&", ""))
            self.withdraw.clicked.connect(self._on_withdraw_clicked)
            self.withdraw.setEnabled(False)
        self.form_error = error_label(f"{what}: problem")
        self.status = status_label(f"{what}: save status")
        layout.addWidget(buddy_label(level_label, self.picker))
        layout.addWidget(self.picker)
        layout.addWidget(self.level_error)
        layout.addWidget(buddy_label(rationale_label, self.rationale))
        layout.addWidget(self.rationale)
        layout.addWidget(self.rationale_error)
        layout.addWidget(buddy_label(evidence_label, self.evidence))
        layout.addWidget(self.evidence)
        layout.addWidget(self.save)
        if self.withdraw is not None:
            layout.addWidget(self.withdraw)
        layout.addWidget(self.form_error)
        layout.addWidget(self.status)
        add_shortcuts(self, SAVE_KEYS, self._on_save_clicked)
        self._key: Any = None
        self._loaded: Values | None = None
        self._withdrawing = False
        # Seam for tests: asked before the stored judgement is withdrawn, and before unsaved
        # changes are dropped for another judgement (may_leave).
        self.confirm: Callable[[str], bool] = lambda question: ask_yes_no(self, question)

    # -- values ------------------------------------------------------------------------------
    def values(self) -> Values:
        """What the form holds now."""
        return (self.picker.level_key(), self.rationale.toPlainText().strip(),
                tuple(self.evidence.selected_ids()))

    @property
    def key(self) -> Any:
        """What the judgement shown is of (a section key, a previous item's id)."""
        return self._key

    @property
    def dirty(self) -> bool:
        """True when the person changed something since the last load or save."""
        return self._loaded is not None and self.values() != self._loaded

    def load(self, key: Any, scale: Scale, stored: Values,
             choices: Sequence[EvidenceChoice]) -> None:
        """Show the stored judgement of `key`, keeping unsaved edits to the same key."""
        self.picker.set_scale(scale)
        current = self.values()
        if key != self._key:
            self.clear_messages()  # messages belong to the judgement they were about
        if key != self._key or not self.dirty or current == stored:
            self._key = key
            self._fill(stored, choices)
        else:
            self.evidence.set_choices(choices, current[2])
        self._loaded = stored
        self._update_withdraw()

    def revert(self) -> None:
        """Drop unsaved changes: show the stored judgement again."""
        if self._loaded is not None:
            level, rationale, ids = self._loaded
            self.picker.set_level(level)
            self.rationale.setPlainText(rationale)
            self.evidence.set_selected(ids)
        self.clear_messages()

    def _fill(self, values: Values, choices: Sequence[EvidenceChoice]) -> None:
        level, rationale, ids = values
        self.picker.set_level(level)
        if self.rationale.toPlainText().strip() != rationale:
            self.rationale.setPlainText(rationale)
        self.evidence.set_choices(choices, ids)

    def clear_messages(self) -> None:
        """Hide every error and status message."""
        for label in (self.level_error, self.rationale_error, self.form_error):
            show_error(label, None)
        self.status.setText("")

    # -- saving ------------------------------------------------------------------------------
    def _on_save_clicked(self) -> None:
        if not self.save.isEnabled() or not self.isEnabled():
            return  # a save is running (the shortcut bypasses the disabled button)
        self.clear_messages()
        level, rationale, ids = self.values()
        if level is None:
            show_error(self.level_error, "Choose a level (a digit key or the arrow keys).")
            self.picker.setFocus()
            return
        if not rationale:
            show_error(self.rationale_error, "A rationale is required for every judgement.")
            self.rationale.setFocus()
            return
        self.save.setEnabled(False)
        self.status.setText("Saving…")
        self.save_requested.emit(level, rationale, list(ids))

    def save_now(self) -> str | None:
        """Save as the button does and wait for the write: None once saved, else why not."""
        return save_form(self._on_save_clicked, lambda: not self.save.isEnabled(),
                         lambda: self.dirty,
                         ((self.level_error, self.picker), (self.rationale_error,
                                                             self.rationale),
                          (self.form_error, self.picker)))

    def save_succeeded(self, stored: Values, message: str) -> None:
        """The write landed: the form is clean and says so."""
        self.save.setEnabled(True)
        self._loaded = stored
        self.status.setText(message)
        self._update_withdraw()

    # -- withdrawing -------------------------------------------------------------------------
    def _update_withdraw(self) -> None:
        if self.withdraw is not None:
            stored = self._loaded is not None and self._loaded[0] is not None
            self.withdraw.setEnabled(stored and not self._withdrawing)

    def _on_withdraw_clicked(self) -> None:
        if self.withdraw is None or not self.withdraw.isEnabled() or self._loaded is None:
            return
        what = self.accessibleName()
        if not self.confirm(f"Withdraw {what[:1].lower()}{what[1:]}? Its history is kept, "
                            "and you can record it again."):
            return
        self.clear_messages()
        self._withdrawing = True
        self._update_withdraw()
        self.status.setText("Withdrawing…")
        self.withdraw_requested.emit(self._key)

    def withdraw_succeeded(self, message: str) -> None:
        """The stored judgement is gone: the form is empty and says so."""
        self._withdrawing = False
        self._loaded = EMPTY
        self.picker.set_level(None)
        self.rationale.setPlainText("")
        self.evidence.set_selected(())
        self.status.setText(message)
        self._update_withdraw()

    def withdraw_failed(self, exc: BaseException) -> None:
        """Nothing was withdrawn: say why."""
        self._withdrawing = False
        self._update_withdraw()
        self.status.setText("Not withdrawn.")
        present_error(self, exc)

    def save_failed(self, exc: BaseException) -> None:
        """Show a refused value beside its field; anything else as a dialog."""
        self.save.setEnabled(True)
        self.status.setText("Not saved.")
        if not isinstance(exc, ValidationError):
            present_error(self, exc)
            return
        text = str(exc)
        if "rationale" in text.casefold():
            show_error(self.rationale_error, text)
        elif "level" in text.casefold() or "scale" in text.casefold():
            show_error(self.level_error, text)
        else:
            show_error(self.form_error, text)


def may_leave(forms: Sequence[JudgementForm]) -> bool:
    """Before the forms show another judgement: True when none holds unsaved changes, or the
    person agreed to discard them (asked once, as the concerns register asks; the forms then
    show what is stored)."""
    dirty = [form for form in forms if form.dirty]
    if dirty and not dirty[0].confirm(discard_question("judgement")):
        return False
    for form in dirty:
        form.revert()
    return True

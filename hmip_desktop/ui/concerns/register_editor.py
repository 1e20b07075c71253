"""The editor of one concern or notable positive practice entry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.ui.errors import present_error
from hmip_desktop.ui.evidence.evidence_picker import CheckList, EvidenceChoice, EvidencePicker
from hmip_desktop.ui.unsaved import save_form
from hmip_desktop.ui.widgets.forms import (
    SAVE_KEYS,
    add_shortcuts,
    error_label,
    plain_label,
    prose_editor,
    show_error,
    status_label,
)


class RegisterEditor(QWidget):
    """Title, description, sections and evidence; for a concern also addressee and priority."""

    save_requested = Signal(dict)
    edited = Signal()

    def __init__(self, *, noun: str, concern_fields: bool) -> None:
        super().__init__()
        self.noun = noun
        self.concern_fields = concern_fields
        self.setAccessibleName(f"{noun.capitalize()} editor")
        self.mode = plain_label("")  # it shows the title
        self.mode.setAccessibleName(f"{noun.capitalize()} being edited")
        self.title = QLineEdit()
        self.title.setAccessibleName("Title")
        self.title_error = error_label("Title problem")
        what = ("The problem and its effect on the people held." if concern_fields
                else "What works well, and why others could learn from it.")
        self.body = prose_editor("Description", what)
        self.body.setMaximumHeight(120)
        self.body_error = error_label("Description problem")
        self.sections = CheckList("Sections")
        self.sections.setMaximumHeight(110)
        self.sections_error = error_label("Sections problem")
        self.addressee = QComboBox()
        self.addressee.setAccessibleName("Addressed to")
        self.priority = QCheckBox("Pr&iority concern")
        self.priority.setAccessibleName("Priority concern")
        self.evidence = EvidencePicker("Evidence")
        self.save = QPushButton("Save (Ctrl+Enter)")
        self.save.clicked.connect(self._on_save_clicked)
        self.form_error = error_label(f"Problem with the {noun}")
        self.status = status_label(f"{noun.capitalize()} save status")
        form = QFormLayout()
        form.addRow("&Title:", self.title)
        form.addRow("", self.title_error)
        form.addRow("D&escription:", self.body)
        form.addRow("", self.body_error)
        form.addRow("&Sections (Space ticks):", self.sections)
        form.addRow("", self.sections_error)
        if concern_fields:
            form.addRow("Add&ressed to:", self.addressee)
            form.addRow("", self.priority)
        else:
            self.addressee.hide()
            self.priority.hide()
        form.addRow("E&vidence (Space ticks):", self.evidence)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.mode)
        layout.addLayout(form)
        layout.addWidget(self.save)
        layout.addWidget(self.form_error)
        layout.addWidget(self.status)
        add_shortcuts(self, SAVE_KEYS, self._on_save_clicked)
        for signal in (self.title.textEdited, self.body.textChanged,
                       self.sections.selection_edited, self.evidence.selection_edited,
                       self.priority.toggled, self.addressee.activated):
            signal.connect(self._on_field_edited)
        self._loaded: dict[str, Any] | None = None
        self._record: Any = None
        self._section_items: list[tuple[str, str]] = []
        self._evidence_choices: list[EvidenceChoice] = []

    # -- options and values ------------------------------------------------------------------
    def set_options(self, sections: Sequence[tuple[str, str]],
                    addressees: Sequence[tuple[str, str]],
                    evidence: Sequence[EvidenceChoice]) -> None:
        """The sections, addressees and evidence on offer (ticks are kept)."""
        self._section_items = list(sections)
        self._evidence_choices = list(evidence)
        self.sections.set_items(sections, self.sections.selected_ids())
        current = self.addressee.currentData()
        self.addressee.clear()
        self.addressee.addItem("(not chosen)", "")
        for key, label in addressees:
            self.addressee.addItem(label, key)
        self.addressee.setCurrentIndex(max(self.addressee.findData(current or ""), 0))
        self.evidence.set_choices(evidence, self.evidence.selected_ids())

    def values(self) -> dict[str, Any]:
        """The fields as the service takes them."""
        out: dict[str, Any] = {"title": self.title.text().strip(),
                               "body": self.body.toPlainText().strip(),
                               "sections": self.sections.selected_ids(),
                               "evidence_ids": self.evidence.selected_ids()}
        if self.concern_fields:
            out["priority"] = self.priority.isChecked()
            out["addressee"] = self.addressee.currentData() or None
        return out

    @property
    def record(self) -> Any:
        """The record being edited (None: a new one)."""
        return self._record

    @property
    def dirty(self) -> bool:
        """True when the fields differ from what was loaded."""
        return self._loaded is not None and self.values() != self._loaded

    @property
    def drafting(self) -> bool:
        """True while a new record has some text typed in."""
        return self._record is None and bool(self.title.text().strip()
                                             or self.body.toPlainText().strip())

    def load(self, record: Any) -> None:
        """Show a record, or empty fields for a new one."""
        same = record is not None and self._record is not None and record.id == self._record.id
        self._record = record
        # A concern by its number in the report (priority first); an entry by its order.
        number = getattr(record, "ref", "") or getattr(record, "order", "")
        self.mode.setText(f"New {self.noun}" if record is None
                          else f"Editing {self.noun} {number}: {record.title}")
        self.blockSignals(True)
        self.title.setText(record.title if record else "")
        if self.body.toPlainText() != (record.body if record else ""):
            self.body.setPlainText(record.body if record else "")
        self.sections.set_items(self._section_items, record.sections if record else [])
        self.evidence.set_choices(self._evidence_choices,
                                  list(record.evidence_ids) if record else [])
        if self.concern_fields:
            self.priority.setChecked(bool(record and record.priority))
            key = (record.addressee if record else None) or ""
            self.addressee.setCurrentIndex(max(self.addressee.findData(key), 0))
        self.blockSignals(False)
        self._loaded = self.values()
        if not same:
            self.clear_messages()  # a reload of the same record keeps "saved" on screen

    def clear_messages(self) -> None:
        """Hide errors and the save status."""
        for label in (self.title_error, self.body_error, self.sections_error, self.form_error):
            show_error(label, None)
        self.status.setText("")

    # -- saving ------------------------------------------------------------------------------
    def _on_field_edited(self, *_args: Any) -> None:
        if not self.signalsBlocked():
            self.edited.emit()

    def _on_save_clicked(self) -> None:
        if not self.save.isEnabled():
            return  # a save is running (the shortcut bypasses the disabled button)
        self.clear_messages()
        v = self.values()
        problems = [(self.title_error, self.title, "A title is required.") if not v["title"]
                    else None,
                    (self.body_error, self.body, "A description is required.") if not v["body"]
                    else None,
                    (self.sections_error, self.sections, "Tick at least one section.")
                    if self.concern_fields and not v["sections"] else None]
        first = next((p for p in problems if p), None)
        for p in problems:
            if p:
                show_error(p[0], p[2])
        if first is not None:
            first[1].setFocus()
            return
        self.save.setEnabled(False)
        self.status.setText("Saving…")
        self.save_requested.emit(v)

    def save_now(self) -> str | None:
        """Save as the button does and wait for the write: None once saved, else why not."""
        return save_form(self._on_save_clicked, lambda: not self.save.isEnabled(),
                         lambda: self.dirty,
                         ((self.title_error, self.title), (self.body_error, self.body),
                          (self.sections_error, self.sections), (self.form_error, self.title)))

    def save_succeeded(self, message: str) -> None:
        """The write landed."""
        self.save.setEnabled(True)
        self._loaded = self.values()
        self.status.setText(message)

    def save_failed(self, exc: BaseException) -> None:
        """A refused field is named beside it; anything else as a dialog."""
        self.save.setEnabled(True)
        self.status.setText("Not saved.")
        if not isinstance(exc, ValidationError):
            present_error(self, exc)
            return
        text = str(exc)
        folded = text.casefold()
        label = (self.title_error if folded.startswith("title") else
                 self.body_error if folded.startswith("description") else
                 self.sections_error if "section" in folded else self.form_error)
        show_error(label, text)

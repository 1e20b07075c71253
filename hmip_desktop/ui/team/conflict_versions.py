"""The versions of one conflicted record side by side: author, time, device, bundle, the fields
each changed, the content, and a "Keep version N" button on each."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.services.conflicts import ConflictVersion, ConflictView
from hmip_desktop.ui.team.sync_models import approx_time

HIDDEN_FIELDS = frozenset({"attestation"})  # signatures, not content


def value_text(value: Any) -> str:
    """A field value as text (lists one per line, objects as indented JSON)."""
    if value is None:
        return "(empty)"
    if isinstance(value, str):
        return value or "(empty)"
    if isinstance(value, (list, tuple)):
        return "\n".join(value_text(v) for v in value) or "(none)"
    if isinstance(value, Mapping):
        return json.dumps(value, indent=1, ensure_ascii=False, sort_keys=True)
    return str(value)


def payload_text(payload: Mapping[str, Any], changed: Iterable[str]) -> str:
    """The content of a version, the fields it changed first and marked in words."""
    changed = [f for f in changed if f not in HIDDEN_FIELDS]
    rest = sorted(k for k in payload if k not in changed and k not in HIDDEN_FIELDS)
    blocks = []
    for key in [*changed, *rest]:
        mark = " (changed in this version)" if key in changed else ""
        text = value_text(payload.get(key))
        if "\n" in text or len(text) > 60:
            blocks.append(f"{key}{mark}:\n{text}")
        else:
            blocks.append(f"{key}{mark}: {text}")
    return "\n\n".join(blocks)


def bundle_text(v: ConflictVersion) -> str:
    """Which bundle brought a version."""
    return v.source_text  # the same words as `hmip conflicts`


class VersionCard(QGroupBox):
    """One head of the record."""

    keep_requested = Signal(str)  # rev_id

    def __init__(self, number: int, version: ConflictVersion,
                 parent: QWidget | None = None) -> None:
        author = version.author_name or "unknown author"
        super().__init__(f"Version {number} — {author}", parent)
        self.version = version
        self.setAccessibleName(f"Version {number} by {author}")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        facts = (("Author", author), ("Time", approx_time(version.when)),
                 ("Device", f"…{version.device_id[-8:]}"), ("Source", bundle_text(version)),
                 ("Changed", ", ".join(version.changed_fields) or "nothing"))
        self.facts: dict[str, QLabel] = {}
        for label, text in facts:
            value = QLabel(text)
            value.setWordWrap(True)
            value.setAccessibleName(f"Version {number} {label.lower()}")
            form.addRow(label + ":", value)
            self.facts[label] = value
        layout.addLayout(form)
        notes = []
        if version.deleted:
            notes.append("This version DELETES the record.")
        if version.is_default:
            notes.append("Shown elsewhere until you decide.")
        if notes:
            flag = QLabel(" ".join(notes))
            flag.setWordWrap(True)
            flag.setStyleSheet("font-weight: bold;")
            layout.addWidget(flag)
        self.content = QPlainTextEdit()
        self.content.setReadOnly(True)
        self.content.setTabChangesFocus(True)
        self.content.setAccessibleName(f"Version {number} content")
        self.content.setPlainText("(deleted)" if version.deleted and not version.payload
                                  else payload_text(version.payload, version.changed_fields))
        layout.addWidget(self.content, 1)
        # The digit is the mnemonic (Alt+1, Alt+2…): one letter shared by every card would
        # only cycle focus between them.
        self.keep_button = QPushButton(f"Keep version &{number}" if number < 10
                                       else f"Keep version {number}")
        self.keep_button.setAccessibleName(f"Keep version {number} by {author}")
        self.keep_button.clicked.connect(self._on_keep_button_clicked)
        layout.addWidget(self.keep_button)

    def _on_keep_button_clicked(self) -> None:
        self.keep_requested.emit(self.version.rev_id)


class ConflictVersions(QScrollArea):
    """The cards of the selected conflict, left to right."""

    keep_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setAccessibleName("Versions side by side")
        self.cards: list[VersionCard] = []
        self._empty()

    def _empty(self) -> None:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.addWidget(QLabel("Select a conflict to see its versions side by side."))
        self.setWidget(holder)
        self.cards = []

    def show_conflict(self, view: ConflictView | None) -> None:
        """Show one card per version (or the empty hint)."""
        if view is None:
            self._empty()
            return
        holder = QWidget()
        row = QHBoxLayout(holder)
        self.cards = []
        for i, version in enumerate(view.versions, start=1):
            card = VersionCard(i, version)
            card.keep_requested.connect(self.keep_requested)
            row.addWidget(card, 1)
            self.cards.append(card)
        self.setWidget(holder)

    def set_actions_enabled(self, enabled: bool) -> None:
        """Enable or disable every Keep button."""
        for card in self.cards:
            card.keep_button.setEnabled(enabled)

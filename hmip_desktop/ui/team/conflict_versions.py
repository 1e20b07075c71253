"""The versions of one conflicted record side by side: author, time, device, bundle, the fields
each changed, the content, and a "Keep version N" button on each."""

from __future__ import annotations

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
from hmip_desktop.services.field_text import (
    SHORT_LIMIT,
    field_names,
    short_value,
    shown_fields,
    value_text,
)
from hmip_desktop.services.labels import field_label
from hmip_desktop.ui.team.sync_models import approx_time
from hmip_desktop.ui.widgets.forms import plain_label


def payload_text(payload: Mapping[str, Any], changed: Iterable[str],
                 record_type: str | None = None, disputed: Iterable[str] = (),
                 establishment_type: str | None = None) -> str:
    """The content of a version in words, the fields it changed first and marked (a source
    kind in the words of the inspection's `establishment_type`).

    Fields some version changed (`changed`, `disputed`) are shown whole, as they are what the
    versions are compared on; the rest are the same in every version and get one line each.
    """
    changed = shown_fields(changed)
    whole = {*changed, *disputed}
    words = establishment_type
    rest = sorted(k for k in shown_fields(payload) if k not in changed)
    blocks = []
    for key in [*changed, *rest]:
        label = field_label(key, record_type)
        mark = " (changed in this version)" if key in changed else ""
        value = payload.get(key)
        if key not in whole:
            blocks.append(f"{label}{mark}: "
                          f"{short_value(key, value, record_type, establishment_type=words)}")
            continue
        text = value_text(key, value, record_type, establishment_type=words)
        if "\n" in text or len(text) > SHORT_LIMIT:
            blocks.append(f"{label}{mark}:\n{text}")
        else:
            blocks.append(f"{label}{mark}: {text}")
    return "\n\n".join(blocks)


def bundle_text(v: ConflictVersion) -> str:
    """Which bundle brought a version."""
    return v.source_text  # the same words as `hmip conflicts`


class VersionCard(QGroupBox):
    """One head of the record."""

    keep_requested = Signal(str)  # rev_id

    def __init__(self, number: int, version: ConflictVersion, parent: QWidget | None = None,
                 *, record_type: str | None = None, disputed: Iterable[str] = (),
                 establishment_type: str | None = None) -> None:
        author = version.author_name or "unknown author"
        super().__init__(f"Version {number} — {author}", parent)
        self.version = version
        self.setAccessibleName(f"Version {number} by {author}")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        facts = (("Author", author), ("Time", approx_time(version.when)),
                 ("Device", f"…{version.device_id[-8:]}"), ("Source", bundle_text(version)),
                 ("Changed", field_names(version.changed_fields, record_type) or "nothing"))
        self.facts: dict[str, QLabel] = {}
        for label, text in facts:
            value = plain_label(text)  # names, sources and field names from bundles
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
                                  else payload_text(version.payload, version.changed_fields,
                                               record_type, disputed, establishment_type))
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
        disputed = {f for v in view.versions for f in v.changed_fields}
        for i, version in enumerate(view.versions, start=1):
            card = VersionCard(i, version, record_type=view.record_type, disputed=disputed,
                               establishment_type=view.establishment_type)
            card.keep_requested.connect(self.keep_requested)
            row.addWidget(card, 1)
            self.cards.append(card)
        self.setWidget(holder)

    def set_actions_enabled(self, enabled: bool) -> None:
        """Enable or disable every Keep button."""
        for card in self.cards:
            card.keep_button.setEnabled(enabled)

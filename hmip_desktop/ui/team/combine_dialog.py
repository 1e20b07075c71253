"""Combine or edit the versions of a conflicted record into one new version.

Only the fields on which the versions differ are shown. Free text gets an editor pre-filled
with each version's text, one after another, for the team leader to combine by hand (free text
is never merged automatically); a structured field gets a choice between the versions' values,
preset to the value of the version that changed it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.domain.records import FREE_TEXT_FIELDS
from hmip_desktop.services.conflicts import ConflictVersion, ConflictView
from hmip_desktop.services.field_text import HIDDEN_FIELDS, short_value
from hmip_desktop.services.labels import field_label
from hmip_desktop.ui.widgets.forms import plain_label


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True,
                                                                     default=str)


def _distinct(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for v in values:
        if not any(_same(v, o) for o in out):
            out.append(v)
    return out


def is_free_text(field: str, values: list[Any]) -> bool:
    """Prose fields, and any text that runs over several lines."""
    if field in FREE_TEXT_FIELDS:
        return True
    return all(isinstance(v, str) or v is None for v in values) and any(
        isinstance(v, str) and ("\n" in v or len(v) > 200) for v in values)


@dataclass(frozen=True)
class FieldPlan:
    """One differing field: the candidate values and the preset choice."""

    name: str
    free_text: bool
    options: tuple[tuple[str, Any], ...]  # (who, value) per distinct value
    preset: Any
    overlapping: bool


def plan_fields(view: ConflictView) -> tuple[dict[str, Any], list[FieldPlan]]:
    """The fields all live versions agree on, and a plan for each field they differ on."""
    live = [v for v in view.versions if not v.deleted]
    keys = sorted({k for v in live for k in v.payload} - HIDDEN_FIELDS)
    common: dict[str, Any] = {}
    plans: list[FieldPlan] = []
    default = next((v for v in live if v.is_default), live[0] if live else None)
    for key in keys:
        values = [v.payload.get(key) for v in live]
        distinct = _distinct(values)
        if len(distinct) == 1:
            common[key] = distinct[0]
            continue
        changers = [v for v in live if key in v.changed_fields] or live
        options = tuple((_who(live, key, value), value) for value in distinct)
        free = is_free_text(key, values)
        if len(changers) == 1:
            preset = changers[0].payload.get(key)
        elif free:
            texts = _distinct([v.payload.get(key) for v in changers])
            preset = "\n\n".join(str(t) for t in texts if t)
        else:
            preset = (default.payload.get(key) if default in changers
                      else changers[0].payload.get(key))
        plans.append(FieldPlan(key, free, options, preset, len(changers) > 1))
    return common, plans


def _who(live: list[ConflictVersion], key: str, value: Any) -> str:
    """The authors of the versions holding a value."""
    names = _distinct([v.author_name or "unknown" for v in live if _same(v.payload.get(key),
                                                                           value)])
    return ", ".join(names)


class CombineDialog(QDialog):
    """An editor per differing field; Save writes one version that closes the conflict."""

    def __init__(self, parent: QWidget | None, view: ConflictView) -> None:
        super().__init__(parent)
        self.setWindowTitle("Combine or edit versions")
        self.resize(760, 560)
        self.view = view
        self.common, self.plans = plan_fields(view)
        self.editors: dict[str, QPlainTextEdit] = {}
        self.choices: dict[str, QComboBox] = {}
        self._values: dict[str, list[Any]] = {}
        layout = QVBoxLayout(self)
        intro = plain_label(f"“{view.label}”: edit the fields on which the versions differ. Saving "
                       "writes a new version that closes this conflict on every laptop that "
                       "receives it; every earlier version stays in the record's history.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        if any(v.deleted for v in view.versions):
            kept = QLabel("One version deletes the record; the combined version keeps it.")
            kept.setWordWrap(True)
            layout.addWidget(kept)
        holder = QWidget()
        form = QFormLayout(holder)
        for plan in self.plans:
            name = field_label(plan.name, view.record_type)
            label = name + (" (changed in more than one version)" if plan.overlapping else "")
            if plan.free_text:
                editor = QPlainTextEdit()
                editor.setTabChangesFocus(True)
                editor.setAccessibleName(f"Combined {name.lower()}")
                editor.setPlainText("" if plan.preset is None else str(plan.preset))
                editor.setMinimumHeight(140)
                self.editors[plan.name] = editor
                form.addRow(plain_label(label + ":"), editor)
            else:
                combo = QComboBox()
                combo.setAccessibleName(f"Value of {name.lower()}")
                self._values[plan.name] = [value for _name, value in plan.options]
                for i, (who, value) in enumerate(plan.options):
                    text = short_value(plan.name, value, view.record_type,
                                       establishment_type=view.establishment_type)
                    combo.addItem(f"{text}{f' — {who}' if who else ''}", i)
                    if _same(value, plan.preset):
                        combo.setCurrentIndex(i)
                self.choices[plan.name] = combo
                form.addRow(plain_label(label + ":"), combo)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)
        layout.addWidget(scroll, 1)
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("&Save combined version",
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        first = next(iter(self.editors.values()), None) or next(iter(self.choices.values()),
                                                                None)
        if first is not None:
            first.setFocus()

    def payload(self) -> dict[str, Any]:
        """The combined record."""
        out = dict(self.common)
        for name, editor in self.editors.items():
            out[name] = editor.toPlainText()
        for name, combo in self.choices.items():
            out[name] = self._values[name][int(combo.currentData())]
        return out

    def single_text_field(self) -> str | None:
        """The field's name when the versions differ only in one free-text field."""
        if len(self.plans) == 1 and self.plans[0].free_text:
            return self.plans[0].name
        return None

"""A scale's levels side by side with their descriptors, chosen by radio button or digit key.

A descriptor is shown with "(descriptor not verified)" beside it unless the framework data
says its wording is HMIP's confirmed text (the data's "descriptor_verified", false by default;
hmip-method.md: the exact descriptors are not confirmed)."""

from __future__ import annotations

from collections.abc import Collection

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QLabel, QRadioButton, QWidget

from hmip_desktop.domain.framework_elements import Scale, ScaleLevel
from hmip_desktop.ui.widgets.forms import plain_label
from hmip_desktop.ui.widgets.tips import literal_tip

MAX_LEVELS = 9  # one digit key per level
UNVERIFIED_DESCRIPTOR = "(descriptor not verified against HMIP's published text)"
UNVERIFIED_LABEL = "(label not verified)"


def descriptor_text(descriptor: str, verified: bool) -> str:
    """A descriptor as shown under its level, with the "not verified" note when it applies."""
    if not descriptor:
        return ""
    return descriptor if verified else f"{descriptor}\n{UNVERIFIED_DESCRIPTOR}"


def level_keys(levels: tuple[ScaleLevel, ...]) -> list[int]:
    """The digit that picks each level: its value when values are distinct digits, else 1..n.

    Inspectors speak of a "4" for Good, so the scale's own values win over positions.
    """
    values = [lv.value for lv in levels]
    if all(isinstance(v, int) and 1 <= v <= 9 for v in values) and len(set(values)) == len(values):
        return [int(v) for v in values]  # type: ignore[arg-type]
    return list(range(1, len(levels) + 1))


class ScalePicker(QWidget):
    """Radio buttons for each level with the descriptor under it; digit keys pick a level."""

    changed = Signal()

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setAccessibleName(name)
        # A label's mnemonic only focuses a buddy that accepts focus; the proxy passes it on.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self._group = QButtonGroup(self)
        self._group.buttonToggled.connect(self._on_group_toggled)
        self._levels: tuple[ScaleLevel, ...] = ()
        self._digits: list[int] = []
        self._verified_descriptors: frozenset[str] = frozenset()
        self._unverified_labels: frozenset[str] = frozenset()
        # Buttons exist from the start so they keep their place in the tab order; a scale
        # shows as many as it has levels.
        self._descriptors: list[QLabel] = []
        for column in range(MAX_LEVELS):
            button = QRadioButton()
            self._group.addButton(button, column)
            descriptor = plain_label("")  # the framework's wording
            descriptor.setWordWrap(True)
            descriptor.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            grid.addWidget(button, 0, column)
            grid.addWidget(descriptor, 1, column)
            button.hide()
            descriptor.hide()
            self._descriptors.append(descriptor)

    def set_verification(self, verified_descriptors: Collection[str],
                         unverified_labels: Collection[str] = ()) -> None:
        """Which levels' descriptors are confirmed wording (all others say "not verified"),
        and which labels are not confirmed; from the framework data."""
        self._verified_descriptors = frozenset(verified_descriptors)
        self._unverified_labels = frozenset(unverified_labels)
        self._show_texts()

    def descriptor_texts(self) -> list[str]:
        """The text under each shown level, best first."""
        return [self._descriptors[i].text() for i in range(len(self._levels))]

    def set_scale(self, scale: Scale) -> None:
        """Show this scale's levels (best first); nothing is chosen afterwards."""
        if scale.levels == self._levels:
            return
        self._levels = scale.levels[:MAX_LEVELS]
        self._digits = level_keys(self._levels)
        grid = self.layout()
        assert isinstance(grid, QGridLayout)
        for column in range(MAX_LEVELS):
            button = self._group.button(column)
            descriptor = self._descriptors[column]
            shown = column < len(self._levels)
            button.setVisible(shown)
            descriptor.setVisible(shown)
            grid.setColumnStretch(column, 1 if shown else 0)
        self._show_texts()
        self.set_level(None)

    def _show_texts(self) -> None:
        for column, level in enumerate(self._levels):
            button, digit = self._group.button(column), self._digits[column]
            flag = f" {UNVERIFIED_LABEL}" if level.key in self._unverified_labels else ""
            text = descriptor_text(level.descriptor, level.key in self._verified_descriptors)
            button.setText(f"{level.label} [{digit}]{flag}")
            button.setAccessibleName(f"{level.label}, key {digit}{flag}")
            button.setAccessibleDescription(text)
            button.setToolTip(literal_tip(text or level.label))
            self._descriptors[column].setText(text)

    def buttons(self) -> list[QRadioButton]:
        """The level buttons, best level first."""
        return [self._group.button(i) for i in range(len(self._levels))]  # type: ignore[misc]

    def level_key(self) -> str | None:
        """The chosen level's key, or None."""
        index = self._group.checkedId()
        return self._levels[index].key if 0 <= index < len(self._levels) else None

    def set_level(self, key: str | None) -> None:
        """Choose a level by key (None: nothing chosen)."""
        self.blockSignals(True)
        self._group.setExclusive(False)  # an exclusive group cannot be emptied otherwise
        for i, level in enumerate(self._levels):
            self._group.button(i).setChecked(level.key == key)
        self._group.setExclusive(True)
        self.blockSignals(False)
        self._sync_focus_proxy()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        """A digit picks the level it stands for (the buttons pass digits up to us)."""
        text = event.text()
        if text.isdigit() and int(text) in self._digits:
            button = self._group.button(self._digits.index(int(text)))
            button.setChecked(True)
            button.setFocus(Qt.FocusReason.ShortcutFocusReason)
            event.accept()
            return
        super().keyPressEvent(event)

    def _on_group_toggled(self, _button: QRadioButton, checked: bool) -> None:
        if checked:
            self._sync_focus_proxy()
            self.changed.emit()

    def _sync_focus_proxy(self) -> None:
        # Focus arriving by Tab or mnemonic goes to the chosen level, as in any radio group.
        checked = self._group.checkedButton()
        self.setFocusProxy(checked if checked is not None else self._group.button(0))

"""An area's findings text, saved by itself shortly after typing stops (and every few seconds
of steady typing: ui.widgets.autosave) and on leaving it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QPlainTextEdit

from hmip_desktop.ui.widgets.autosave import AUTOSAVE_IDLE_MS, Autosave

AUTOSAVE_DELAY_MS = AUTOSAVE_IDLE_MS


class FindingsEditor(QPlainTextEdit):
    """Emits `save_requested(key, text)` when its text differs from what was last saved.

    `key` names what the text belongs to (section and area); it is fixed when the text is
    loaded, so a save that fires after the person moved on still lands on the right record.
    """

    save_requested = Signal(object, str)

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setAccessibleName(name)
        self.setTabChangesFocus(True)  # keyboard users leave the field with Tab
        self._key: Any = None
        self._saved = ""
        self.autosave = Autosave(self, self.flush)
        self.textChanged.connect(self._on_editor_text_changed)

    @property
    def key(self) -> Any:
        """What the text being edited belongs to."""
        return self._key

    @property
    def dirty(self) -> bool:
        """True when the text differs from what was last saved."""
        return self._key is not None and self.toPlainText() != self._saved

    def load(self, key: Any, text: str) -> None:
        """Show the stored text of `key`; unsaved typing on the same key is kept."""
        if key != self._key:
            self.flush()
            self._key = key
            self._saved = text
            self._set_text(text)
            return
        if self.toPlainText() == self._saved:
            self._saved = text
            if text != self.toPlainText():
                self._set_text(text)  # someone else's edit arrived and nothing is pending
        else:
            self._saved = text  # keep the person's typing; the next flush writes it

    def unload(self) -> None:
        """Flush and forget (the section or inspection closed)."""
        self.flush()
        self._key = None
        self._saved = ""
        self._set_text("")

    def flush(self) -> None:
        """Ask for a save now when the text changed; writes nothing when it did not."""
        self.autosave.stop()
        if not self.dirty:
            return
        text = self.toPlainText()
        self._saved = text  # optimistic; save_failed() puts it back
        self.save_requested.emit(self._key, text)

    def save_failed(self, key: Any) -> None:
        """A save did not land: the next flush tries again."""
        if key == self._key:
            self._saved = "\0unsaved"

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        """Leaving the field saves it."""
        super().focusOutEvent(event)
        self.flush()

    def _set_text(self, text: str) -> None:
        self.blockSignals(True)
        self.setPlainText(text)
        self.blockSignals(False)

    def _on_editor_text_changed(self) -> None:
        if self._key is not None:
            self.autosave.changed()

"""Base of the main window's pages."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.ui.context import UiContext


class Page(QWidget):
    """A page: built once, told when an inspection opens or closes and when data changes."""

    title = "Page"

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setAccessibleName(self.title)
        ctx.signals.inspection_opened.connect(lambda _store: self.reload())
        ctx.signals.inspection_closed.connect(self.clear)
        ctx.signals.changes_applied.connect(self._on_changes)

    def _on_changes(self, changes: ChangeSet) -> None:
        if self.ctx.store is not None and self.wants(changes):
            self.reload()

    def wants(self, changes: ChangeSet) -> bool:
        """True when this page shows something the change touched."""
        return changes.everything

    def reload(self) -> None:
        """Refresh from the open inspection."""

    def clear(self) -> None:
        """Forget the closed inspection."""


def heading(text: str) -> QLabel:
    """A page title label."""
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.5)
    font.setBold(True)
    label.setFont(font)
    label.setAccessibleName(text)
    return label


class TitleOnlyPage(Page):
    """A page whose content a later release fills; it shows its title and purpose only."""

    purpose = ""

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.title))
        note = QLabel(self.purpose)
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addStretch(1)

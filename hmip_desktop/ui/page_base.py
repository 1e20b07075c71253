"""Base of the main window's pages: their keys, and the hooks the window calls on them."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.ui.context import UiContext

if TYPE_CHECKING:
    from hmip_desktop.domain.search_query import SearchHit
    from hmip_desktop.services.first_screen import FirstScreen


class PageKey(StrEnum):
    """The window's pages. A key is the page's title in the navigation list, so the window,
    start-up and tests name a page one way, and a window may hold only some of them."""

    OVERVIEW = "Overview"
    EVIDENCE = "Evidence"
    EXPECTATIONS = "Expectations"
    SCORING = "Scoring"
    CONCERNS = "Concerns"
    TEAM_SYNC = "Team & sync"
    REPORTS = "Reports"


class Page(QWidget):
    """A page: built once, told when an inspection opens or closes and when data changes.

    The window talks to pages only through the signals and hooks below (never by probing
    for attributes); a page overrides the hooks it supports, the rest do nothing.
    """

    title: ClassVar[str] = "Page"
    # Modules the page imports only when a part of it is first used (a tab): imported ahead
    # on a helper thread once an inspection is open (ui.page_prebuild), not on the GUI thread.
    preload_modules: ClassVar[tuple[str, ...]] = ()

    # Requests the window answers by switching page (emitted by pages that can ask).
    open_evidence_requested = Signal(str, object, object, object)  # id, start, end, page
    un_letter_requested = Signal()  # draft the UN letter on the Reports page

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setAccessibleName(self.title)
        ctx.signals.first_screen_read.connect(self.show_first_screen)
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

    def show_first_screen(self, screen: FirstScreen) -> None:
        """Show what the file's first screen holds for this page, before its store is open
        (`reload` follows once it is)."""

    # -- hooks the window calls ------------------------------------------------------------
    def flush(self) -> None:
        """Save pending edits now (the window is closing)."""

    def unsaved(self) -> list[str]:
        """What is typed or chosen in a form with a Save button and not saved, each in plain
        words ("the new concern “Keys”"): the window asks before dropping it (ui.unsaved)."""
        return []

    def save_unsaved(self) -> str | None:
        """Save what `unsaved` names, each through its form's own Save, and wait for the
        writes: None once all landed, else why the first refused one was not saved (its
        form is then shown, the field at fault focused)."""
        return None

    def discard_unsaved(self) -> None:
        """Drop what `unsaved` names: the person chose Discard (an autosaving editor would
        otherwise try, and fail, once more as the window goes on)."""

    def first_data_shown(self) -> bool:
        """True once the open inspection's first data is on screen (--quit-when-ready)."""
        return True

    def open_evidence(self, evidence_id: str, start: int | None = None,
                      end: int | None = None, page: int | None = None) -> None:
        """Show a piece of evidence (a note's passage, a document's page)."""

    def open_search_hit(self, hit: SearchHit, query: str) -> None:
        """Show a global search result at its passage."""

    def import_paths(self, paths: Sequence[Path]) -> None:
        """Import files opened with the app (sync bundles)."""

    def choose_un_letter(self) -> None:
        """Start drafting the UN letter."""


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

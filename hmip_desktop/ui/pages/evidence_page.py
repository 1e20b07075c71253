"""Evidence: notes (and, as they land, documents and data extracts)."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout

from hmip_desktop.domain import records as R
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.domain.search_query import SearchHit
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.pages.base import Page
from hmip_desktop.ui.pages.notes_panel import NotesPanel


class EvidencePage(Page):
    """Tabs per evidence kind."""

    title = "Evidence"

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.notes = NotesPanel(ctx)
        self.tabs.addTab(self.notes, "&Notes")
        layout.addWidget(self.tabs)

    def wants(self, changes: ChangeSet) -> bool:
        """Notes and links show here."""
        return changes.touches(R.NOTE) or changes.touches(R.LINK)

    def reload(self) -> None:
        """Refresh every tab."""
        self.notes.reload()

    def clear(self) -> None:
        """Forget the closed inspection."""
        self.notes.clear()

    def flush(self) -> None:
        """Save pending edits now (window closing)."""
        self.notes.editor.flush()

    def open_evidence(self, evidence_id: str, start: int | None = None,
                      end: int | None = None, page: int | None = None) -> None:
        """Show an evidence item, and its passage when given."""
        self.tabs.setCurrentWidget(self.notes)
        self.notes.show_note(evidence_id, start, end)

    def open_search_hit(self, hit: SearchHit, query: str) -> None:
        """Jump to a search result's passage."""
        if hit.kind == R.NOTE:
            self.tabs.setCurrentWidget(self.notes)
            self.notes.show_note(hit.entity_id, query=query)

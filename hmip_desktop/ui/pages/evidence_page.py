"""Evidence: notes, documents, data extracts and pinned figures, one tab each."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout

from hmip_desktop.domain import records as R
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.domain.errors import NotFoundError
from hmip_desktop.domain.search_query import SearchHit
from hmip_desktop.services.documents import DocumentService
from hmip_desktop.services.extracts import ExtractService
from hmip_desktop.services.figures import FigureService
from hmip_desktop.services.search_targets import SearchTarget, locate
from hmip_desktop.services.store import InspectionStore
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import present_error
from hmip_desktop.ui.pages.base import Page
from hmip_desktop.ui.pages.documents_panel import DocumentsPanel
from hmip_desktop.ui.pages.extracts_panel import ExtractsPanel
from hmip_desktop.ui.pages.figures_panel import FiguresPanel
from hmip_desktop.ui.pages.notes_panel import NotesPanel

SHOWN_TYPES = (R.NOTE, R.LINK, R.DOCUMENT, R.EXTRACT, R.FIGURE)


def evidence_type(store: InspectionStore, evidence_id: str) -> str:
    """Which kind of evidence an id is (a note when it is none of the others)."""
    for kind, service in ((R.DOCUMENT, DocumentService), (R.EXTRACT, ExtractService),
                          (R.FIGURE, FigureService)):
        try:
            service(store).get(evidence_id)  # type: ignore[attr-defined]
        except NotFoundError:
            continue
        return kind
    return R.NOTE


class EvidencePage(Page):
    """Tabs per evidence kind."""

    title = "Evidence"

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.notes = NotesPanel(ctx)
        self.documents = DocumentsPanel(ctx)
        self.extracts = ExtractsPanel(ctx)
        self.figures = FiguresPanel(ctx)
        self.tabs.addTab(self.notes, "&Notes")
        self.tabs.addTab(self.documents, "Docu&ments")
        self.tabs.addTab(self.extracts, "Data e&xtracts")
        self.tabs.addTab(self.figures, "Figures")  # every letter of it is a mnemonic nearby
        layout.addWidget(self.tabs)

    def wants(self, changes: ChangeSet) -> bool:
        """Every kind of evidence and its links show here."""
        return any(changes.touches(t) for t in SHOWN_TYPES)

    def _on_changes(self, changes: ChangeSet) -> None:
        """Reload only the tabs showing what changed."""
        if self.ctx.store is None:
            return
        if changes.touches(R.NOTE) or changes.touches(R.LINK):
            self.notes.reload()
        if changes.touches(R.DOCUMENT) or changes.touches(R.LINK):
            self.documents.reload()
        if changes.touches(R.EXTRACT) or changes.touches(R.LINK):
            self.extracts.reload()
        if any(changes.touches(t) for t in (R.FIGURE, R.EXTRACT, R.LINK)):
            self.figures.reload()

    def reload(self) -> None:
        """Refresh every tab."""
        for panel in (self.notes, self.documents, self.extracts, self.figures):
            panel.reload()

    def clear(self) -> None:
        """Forget the closed inspection."""
        for panel in (self.notes, self.documents, self.extracts, self.figures):
            panel.clear()

    def flush(self) -> None:
        """Save pending edits now (window closing)."""
        self.notes.editor.flush()

    def open_evidence(self, evidence_id: str, start: int | None = None,
                      end: int | None = None, page: int | None = None) -> None:
        """Show an evidence item of any kind, and its passage or page when given."""
        store = self.ctx.store
        if store is None:
            return
        self.ctx.tasks.submit(lambda: evidence_type(store, evidence_id),
                              lambda kind: self._open(kind, evidence_id, start, end, page),
                              lambda e: present_error(self, e))

    def _open(self, kind: str, evidence_id: str, start: int | None, end: int | None,
              page: int | None, offset: int | None = None, length: int = 0) -> None:
        if kind == R.DOCUMENT:
            self.tabs.setCurrentWidget(self.documents)
            self.documents.show_document(evidence_id, page, offset, length)
        elif kind == R.EXTRACT:
            self.tabs.setCurrentWidget(self.extracts)
            self.extracts.show_extract(evidence_id)
        elif kind == R.FIGURE:
            self.tabs.setCurrentWidget(self.figures)
            self.figures.show_figure(evidence_id)
        else:
            self.tabs.setCurrentWidget(self.notes)
            self.notes.show_note(evidence_id, start, end)

    def open_search_hit(self, hit: SearchHit, query: str) -> None:
        """Jump to a search result's passage (a document opens at the matching page)."""
        if hit.kind == R.NOTE:
            self.tabs.setCurrentWidget(self.notes)
            self.notes.show_note(hit.entity_id, query=query)
            return
        store = self.ctx.store
        if store is None:
            return

        def opened(targets: list[SearchTarget]) -> None:
            if not targets:
                return
            target = targets[0]
            length = _match_length(hit.snippet)
            page = target.page or (1 if target.kind == R.DOCUMENT and target.offset is not None
                                   else None)
            self._open(target.kind, target.entity_id, None, None, page, target.offset, length)

        self.ctx.tasks.submit(lambda: locate(store, [hit], query), opened,
                              lambda e: present_error(self, e))


def _match_length(snippet: str) -> int:
    """Length of the first highlighted term of a snippet (what to select)."""
    if "\x02" not in snippet:
        return 0
    return len(snippet.split("\x02", 1)[1].split("\x03", 1)[0])

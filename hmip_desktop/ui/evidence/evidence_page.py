"""Evidence: notes, documents, data extracts and pinned figures, one tab each."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from hmip_desktop.domain import records as R
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.domain.errors import NotFoundError
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import present_error
from hmip_desktop.ui.evidence.notes_panel import NotesPanel
from hmip_desktop.ui.page_base import Page, PageKey

if TYPE_CHECKING:
    from hmip_desktop.domain.search_query import SearchHit
    from hmip_desktop.services.first_screen import FirstScreen
    from hmip_desktop.services.inspection_store import InspectionStore
    from hmip_desktop.services.search_targets import SearchTarget
    from hmip_desktop.ui.evidence.documents_panel import DocumentsPanel
    from hmip_desktop.ui.evidence.extracts_panel import ExtractsPanel
    from hmip_desktop.ui.evidence.figures_panel import FiguresPanel

SHOWN_TYPES = (R.NOTE, R.LINK, R.DOCUMENT, R.EXTRACT, R.FIGURE)


def evidence_type(store: InspectionStore, evidence_id: str) -> str:
    """Which kind of evidence an id is (a note when it is none of the others)."""
    from hmip_desktop.services.documents import DocumentService
    from hmip_desktop.services.extracts import ExtractService
    from hmip_desktop.services.figures import FigureService

    for kind, service in ((R.DOCUMENT, DocumentService), (R.EXTRACT, ExtractService),
                          (R.FIGURE, FigureService)):
        try:
            service(store).get(evidence_id)  # type: ignore[attr-defined]
        except NotFoundError:
            continue
        return kind
    return R.NOTE


# The tabs after Notes, built on first visit (or first use): module, class, tab label.
_LAZY_TABS = {
    "documents": ("hmip_desktop.ui.evidence.documents_panel", "DocumentsPanel", "Docu&ments"),
    "extracts": ("hmip_desktop.ui.evidence.extracts_panel", "ExtractsPanel", "Data e&xtracts"),
    "figures": ("hmip_desktop.ui.evidence.figures_panel", "FiguresPanel", "Figures"),
}


class EvidencePage(Page):
    """Tabs per evidence kind; Documents, Data extracts and Figures are built (and their
    modules imported) when first shown or used, which keeps start-up short (issue 11)."""

    title = PageKey.EVIDENCE
    preload_modules = tuple(module for module, _name, _label in _LAZY_TABS.values())

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.notes = NotesPanel(ctx)
        self.tabs.addTab(self.notes, "Not&es")  # Alt+N is the New note button's
        self._panels: dict[str, QWidget] = {}
        self._stand_ins: dict[str, QWidget] = {}
        for key, (_module, _name, label) in _LAZY_TABS.items():
            self._stand_ins[key] = QWidget()
            self.tabs.addTab(self._stand_ins[key], label)  # every letter is a mnemonic nearby
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        layout.addWidget(self.tabs)

    def _panel(self, key: str) -> QWidget:
        """A lazy tab's panel, built (and loaded, when a file is open) on first use."""
        panel = self._panels.get(key)
        if panel is None:
            module, name, label = _LAZY_TABS[key]
            panel = getattr(importlib.import_module(module), name)(self.ctx)
            self._panels[key] = panel
            stand_in = self._stand_ins.pop(key)
            index = self.tabs.indexOf(stand_in)
            current = self.tabs.currentIndex() == index
            self.tabs.blockSignals(True)
            self.tabs.insertTab(index, panel, label)
            self.tabs.removeTab(index + 1)
            if current:
                self.tabs.setCurrentIndex(index)
            self.tabs.blockSignals(False)
            stand_in.deleteLater()
            if self.ctx.store is not None:
                panel.reload()  # type: ignore[attr-defined]
        return panel

    def _on_tabs_current_changed(self, index: int) -> None:
        widget = self.tabs.widget(index)
        for key, stand_in in list(self._stand_ins.items()):
            if stand_in is widget:
                self._panel(key)

    @property
    def documents(self) -> DocumentsPanel:
        """The Documents tab."""
        return self._panel("documents")  # type: ignore[return-value]

    @property
    def extracts(self) -> ExtractsPanel:
        """The Data extracts tab."""
        return self._panel("extracts")  # type: ignore[return-value]

    @property
    def figures(self) -> FiguresPanel:
        """The Figures tab."""
        return self._panel("figures")  # type: ignore[return-value]

    def _built(self) -> list[QWidget]:
        return [self.notes, *(self._panels[k] for k in _LAZY_TABS if k in self._panels)]

    def wants(self, changes: ChangeSet) -> bool:
        """Every kind of evidence and its links show here."""
        return any(changes.touches(t) for t in SHOWN_TYPES)

    def _on_changes(self, changes: ChangeSet) -> None:
        """Reload only the tabs showing what changed."""
        if self.ctx.store is None:
            return
        built = self._panels  # a tab not built yet reads everything when it is
        if changes.touches(R.NOTE) or changes.touches(R.LINK):
            self.notes.reload()
        if "documents" in built and (changes.touches(R.DOCUMENT) or changes.touches(R.LINK)):
            self.documents.reload()
        if "extracts" in built and (changes.touches(R.EXTRACT) or changes.touches(R.LINK)):
            self.extracts.reload()
        if "figures" in built and any(changes.touches(t)
                                      for t in (R.FIGURE, R.EXTRACT, R.LINK)):
            self.figures.reload()

    def reload(self) -> None:
        """Refresh every tab built so far."""
        for panel in self._built():
            panel.reload()  # type: ignore[attr-defined]

    def clear(self) -> None:
        """Forget the closed inspection."""
        for panel in self._built():
            panel.clear()  # type: ignore[attr-defined]

    def flush(self) -> None:
        """Save pending edits now (window closing)."""
        self.notes.editor.flush()

    def unsaved(self) -> list[str]:
        """A note whose save failed (typing still autosaves without a question)."""
        return self.notes.unsaved()

    def save_unsaved(self) -> str | None:
        """Try that note's save again and wait for it."""
        return self.notes.save_unsaved()

    def discard_unsaved(self) -> None:
        """Drop that note's unsaved text."""
        self.notes.discard_unsaved()

    def first_data_shown(self) -> bool:
        """The notes list shows its first rows."""
        return self.notes.first_rows_shown

    def show_first_screen(self, screen: FirstScreen) -> None:
        """The newest notes, before the store is open."""
        self.notes.show_first_screen(screen)

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
        from hmip_desktop.services.search_targets import locate

        def opened(targets: list[SearchTarget]) -> None:
            if not targets:
                return
            target = targets[0]
            first = hit.snippet.first()
            length = first[1] - first[0] if first else 0  # select the first match
            page = target.page or (1 if target.kind == R.DOCUMENT and target.offset is not None
                                   else None)
            self._open(target.kind, target.entity_id, None, None, page, target.offset, length)

        self.ctx.tasks.submit(lambda: locate(store, [hit], query), opened,
                              lambda e: present_error(self, e))

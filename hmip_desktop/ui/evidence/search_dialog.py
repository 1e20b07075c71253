"""Global search (Ctrl+K): notes, document text, extract names, figure captions."""

from __future__ import annotations

import html

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.domain.search_query import Highlighted, SearchHit
from hmip_desktop.services import search
from hmip_desktop.ui.context import UiContext

KIND_LABELS = {"note": "Note", "document": "Document", "document_page": "Document page",
               "extract": "Data extract", "figure": "Pinned figure"}


def snippet_html(text: Highlighted) -> str:
    """Escaped rich text with the matched spans in bold."""
    return text.wrap("<b>", "</b>", html.escape)


class SearchDialog(QDialog):
    """Type, see ranked results with highlighted snippets, Enter opens one."""

    open_requested = Signal(object, str)  # SearchHit, the query

    def __init__(self, parent: QWidget | None, ctx: UiContext) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Search the inspection")
        self.resize(720, 480)
        layout = QVBoxLayout(self)
        self.query = QLineEdit()
        self.query.setPlaceholderText("Search notes, documents, extracts, figures…")
        self.query.setAccessibleName("Search")
        layout.addWidget(self.query)
        self.results = QListWidget()
        self.results.setAccessibleName("Search results")
        layout.addWidget(self.results, 1)
        self.count = QLabel("")
        layout.addWidget(self.count)
        self._hits: list[SearchHit] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.run_query)
        self.query.textChanged.connect(lambda _t: self._timer.start())
        self.query.returnPressed.connect(self._on_query_return)
        self.results.itemActivated.connect(self._on_results_item_activated)

    def run_query(self) -> None:
        """Search now (debounced while typing)."""
        store, text = self.ctx.store, self.query.text()
        if store is None or not text.strip():
            self._show([])
            return
        self.ctx.tasks.submit(lambda: search.search(store, text, limit=50), self._show)

    def _show(self, hits: list[SearchHit]) -> None:
        self._hits = hits
        self.results.clear()
        for hit in hits:
            label = KIND_LABELS.get(hit.kind, hit.kind)
            widget = QLabel(f"<b>{label}</b> — {snippet_html(hit.title)}<br>"
                            f"<span>{snippet_html(hit.snippet)}</span>")
            widget.setAccessibleName(f"{label}: {hit.title.text}")
            item = QListWidgetItem()
            item.setSizeHint(widget.sizeHint())
            self.results.addItem(item)
            self.results.setItemWidget(item, widget)
        self.count.setText(f"{len(hits)} result{'s' if len(hits) != 1 else ''}"
                           if self.query.text().strip() else "")
        if hits:
            self.results.setCurrentRow(0)

    def _on_query_return(self) -> None:
        self._timer.stop()
        self.run_query()
        if self._hits:
            self._open(0)

    def _on_results_item_activated(self, item: QListWidgetItem) -> None:
        self._open(self.results.row(item))

    def _open(self, row: int) -> None:
        if 0 <= row < len(self._hits):
            self.open_requested.emit(self._hits[row], self.query.text())
            self.accept()

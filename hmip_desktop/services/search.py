"""Full-text search over notes, document text, extract names and figure captions."""

from __future__ import annotations

from hmip_desktop.domain.search_query import SearchHit, fts_match_expression
from hmip_desktop.services.store import InspectionStore

HIGHLIGHT_START = "\x02"
HIGHLIGHT_END = "\x03"


def search(store: InspectionStore, query: str, *, limit: int = 20) -> list[SearchHit]:
    """bm25-ranked hits; any user input is safe (terms are quoted)."""
    match = fts_match_expression(query)
    if match is None:
        return []
    with store.uow() as tx:
        return tx.search.search(match, limit=max(1, min(limit, 500)))

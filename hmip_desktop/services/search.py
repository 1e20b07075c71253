"""Full-text search over notes, document text, extract names and figure captions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hmip_desktop.domain.search_query import SearchHit, fts_match_expression
from hmip_desktop.storage.local_repos import SearchRepository

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore


def search(store: InspectionStore, query: str, *, limit: int = 20) -> list[SearchHit]:
    """bm25-ranked hits, matches as spans of plain text; any user input is safe (terms are
    quoted)."""
    match = fts_match_expression(query)
    if match is None:
        return []
    # A bare connection: an ORM session per keystroke cost more than the query itself.
    with store.read_connection() as conn:
        return SearchRepository(conn).search(match, limit=max(1, min(limit, 500)))

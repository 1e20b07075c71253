"""Global search results mapped to something the GUI can open and scroll to.

A note hit carries the character offset of its first match in the note body; a document page
hit carries the page number (1-based) and the offset of the first match in that page's text;
extract and figure hits open the record itself. Offsets come from FTS5's own highlighting of
the indexed text (the same tokenizer and stemming as the search), with the snippet as a
fallback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hmip_desktop.domain import records as R
from hmip_desktop.domain.search_query import Highlighted, SearchHit, fts_match_expression
from hmip_desktop.services.search import search
from hmip_desktop.storage import document_text

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore

ELLIPSIS = "…"


@dataclass(frozen=True)
class SearchTarget:
    """One openable search result; `snippet` carries the matched spans."""

    entity_id: str
    kind: str  # note | document | extract | figure
    title: str
    snippet: Highlighted
    page: int | None
    offset: int | None
    rank: float


def first_match_offset(body: str, snippet: Highlighted) -> int | None:
    """Where the snippet's first highlighted term starts in the body (None when unknown).

    The snippet is an exact extract of the body, so this is a substring search."""
    first = snippet.first()
    if first is None:
        return None
    core, before = snippet.text, snippet.text[:first[0]]
    if core.startswith(ELLIPSIS):
        core, before = core[len(ELLIPSIS):], before[len(ELLIPSIS):]
    if core.endswith(ELLIPSIS):
        core = core[:-len(ELLIPSIS)]
    found = body.find(core) if core else -1
    if found >= 0:
        return found + len(before)
    term = snippet.text[first[0]:first[1]]
    found = body.lower().find(term.lower()) if term else -1
    return found if found >= 0 else None


def locate(store: InspectionStore, hits: Iterable[SearchHit],
           query: str | None = None) -> list[SearchTarget]:
    """Turn raw hits of `query` into openable targets (hits of deleted records are dropped)."""
    match = fts_match_expression(query) if query else None
    out = []
    with store.uow() as tx:
        for hit in hits:
            e = tx.records.get(hit.entity_id)
            if e is None or e.deleted:
                continue
            p = e.payload
            title = str(p.get("title") or p.get("name") or p.get("caption") or "")
            page = offset = None
            if e.type == R.NOTE or hit.kind == document_text.PAGE_KIND:
                if match is not None:
                    offset = tx.search.first_match_offset(match, hit.key)
                if offset is None:
                    body = (str(p.get("body", "")) if e.type == R.NOTE
                            else tx.document_text.item_body(hit.key) or "")
                    offset = first_match_offset(body, hit.snippet)
                if hit.kind == document_text.PAGE_KIND:
                    page = document_text.page_of_key(hit.key)
            kind = e.type if e.type in (R.NOTE, R.DOCUMENT, R.EXTRACT, R.FIGURE) else hit.kind
            out.append(SearchTarget(e.id, kind, title, hit.snippet, page, offset, hit.rank))
    return out


def search_targets(store: InspectionStore, query: str, *, limit: int = 20) -> list[SearchTarget]:
    """Ctrl+K: ranked, openable results for what the user typed."""
    return locate(store, search(store, query, limit=limit), query)

"""Per-page document text in the search index (local, derived data, re-derivable from blobs).

Pages are `search_item` rows keyed `<document id>#p<page>` (1-based) and kind
`document_page`; projections remove them when the document is deleted. Services reach them
as `tx.document_text`.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hmip_desktop.storage.projections import put_document_page
from hmip_desktop.storage.tables import SearchItemRow

PAGE_KIND = "document_page"


def _page_number(key: str) -> int:
    return int(key.rsplit("#p", 1)[1])


def page_of_key(key: str) -> int | None:
    """The page number of a page key, or None for another key."""
    if "#p" not in key:
        return None
    try:
        return _page_number(key)
    except ValueError:
        return None


class DocumentTextRepository:
    """The indexed page texts of documents."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def write_pages(self, document_id: str, pages: Sequence[str]) -> None:
        """Replace the indexed pages of a document (an empty page is kept, so page counts
        match)."""
        self.clear_pages(document_id)
        for number, text in enumerate(pages, start=1):
            # An empty title: the document's own row carries the title, so a title word does
            # not rank every page of it.
            put_document_page(self._s, document_id, number, "", text)

    def clear_pages(self, document_id: str) -> None:
        """Remove the indexed pages of a document."""
        self._s.execute(delete(SearchItemRow).where(SearchItemRow.entity_id == document_id,
                                                    SearchItemRow.kind == PAGE_KIND))

    def page_texts(self, document_id: str) -> list[str]:
        """The indexed page texts, in page order ([] when none are indexed)."""
        rows = self._s.execute(select(SearchItemRow.key, SearchItemRow.body).where(
            SearchItemRow.entity_id == document_id, SearchItemRow.kind == PAGE_KIND)).all()
        return [body for _, body in sorted(rows, key=lambda r: _page_number(r[0]))]

    def indexed_documents(self) -> set[str]:
        """Ids of documents with at least one indexed page."""
        return set(self._s.scalars(select(SearchItemRow.entity_id).where(
            SearchItemRow.kind == PAGE_KIND).distinct()))

    def item_body(self, key: str) -> str | None:
        """The indexed text of one search item (a page), or None."""
        return self._s.scalar(select(SearchItemRow.body).where(SearchItemRow.key == key))

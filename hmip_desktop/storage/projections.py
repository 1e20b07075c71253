"""Projections: query tables recomputed from a record's state in the same transaction.

`search_item` feeds the FTS index (notes, document titles, extracts, figure captions);
`evidence_link` feeds coverage. Document page text is local derived data written by the
document service, keyed `<id>#p<page>`, and removed here when the document is deleted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from hmip_desktop.domain import records as R
from hmip_desktop.storage.tables import EvidenceLinkRow, SearchItemRow

# Which payload fields become the searchable title and body, per entity type.
SEARCHABLE: dict[str, tuple[str, str | None]] = {
    R.NOTE: ("title", "body"),
    R.DOCUMENT: ("title", "description"),
    R.EXTRACT: ("name", "description"),
    R.FIGURE: ("caption", None),
}


def _upsert_search(session: Session, key: str, entity_id: str, kind: str, title: str,
                   body: str) -> None:
    stmt = insert(SearchItemRow).values(key=key, entity_id=entity_id, kind=kind, title=title,
                                        body=body)
    session.execute(stmt.on_conflict_do_update(
        index_elements=[SearchItemRow.key], set_={"title": title, "body": body}))


def project_many(session: Session,
                 states: list[tuple[str, str, Mapping[str, Any], bool]]) -> None:
    """Project many records at once: one statement per table, not one per record (a merge of
    8,000 notes took 5 s one by one, under 1 s batched)."""
    search_rows, search_gone, link_rows, link_ids = [], [], [], []
    for entity_type, entity_id, payload, deleted in states:
        if entity_type in SEARCHABLE:
            if deleted:
                search_gone.append(entity_id)
            else:
                title_field, body_field = SEARCHABLE[entity_type]
                search_rows.append({
                    "key": entity_id, "entity_id": entity_id, "kind": entity_type,
                    "title": str(payload.get(title_field) or ""),
                    "body": str(payload.get(body_field) or "") if body_field else ""})
        elif entity_type == R.LINK:
            link_ids.append(entity_id)
            if not deleted:
                link_rows.append({
                    "id": entity_id, "evidence_id": str(payload.get("evidence_id", "")),
                    "expectation_ref": str(payload.get("expectation_ref", "")),
                    "start": payload.get("start"), "end": payload.get("end"),
                    "page": payload.get("page")})
    for i in range(0, len(search_gone), 500):
        session.execute(delete(SearchItemRow).where(
            SearchItemRow.entity_id.in_(search_gone[i:i + 500])))
    if search_rows:  # Core executemany (no ORM bulk bookkeeping)
        stmt = insert(SearchItemRow.__table__)
        session.execute(stmt.on_conflict_do_update(
            index_elements=["key"],
            set_={"title": stmt.excluded.title, "body": stmt.excluded.body}), search_rows)
    for i in range(0, len(link_ids), 500):
        session.execute(delete(EvidenceLinkRow).where(
            EvidenceLinkRow.id.in_(link_ids[i:i + 500])))
    if link_rows:
        session.execute(insert(EvidenceLinkRow.__table__), link_rows)


def put_document_page(session: Session, document_id: str, page: int, title: str,
                      text: str) -> None:
    """Index one page of a document's extracted text (local, derived data)."""
    _upsert_search(session, f"{document_id}#p{page}", document_id, "document_page", title, text)

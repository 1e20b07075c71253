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


def project(session: Session, entity_type: str, entity_id: str,
            payload: Mapping[str, Any], deleted: bool) -> None:
    """Bring the projection tables in line with one record's new state."""
    if entity_type in SEARCHABLE:
        if deleted:
            session.execute(delete(SearchItemRow).where(SearchItemRow.entity_id == entity_id))
        else:
            title_field, body_field = SEARCHABLE[entity_type]
            _upsert_search(session, entity_id, entity_id, entity_type,
                           str(payload.get(title_field) or ""),
                           str(payload.get(body_field) or "") if body_field else "")
    elif entity_type == R.LINK:
        session.execute(delete(EvidenceLinkRow).where(EvidenceLinkRow.id == entity_id))
        if not deleted:
            session.execute(insert(EvidenceLinkRow).values(
                id=entity_id,
                evidence_id=str(payload.get("evidence_id", "")),
                expectation_ref=str(payload.get("expectation_ref", "")),
                start=payload.get("start"), end=payload.get("end"), page=payload.get("page"),
            ))


def put_document_page(session: Session, document_id: str, page: int, title: str,
                      text: str) -> None:
    """Index one page of a document's extracted text (local, derived data)."""
    _upsert_search(session, f"{document_id}#p{page}", document_id, "document_page", title, text)

"""Projections: query tables recomputed from a record's state in the same transaction.

`search_item` feeds the FTS index (notes, document titles, extracts, figure captions);
`evidence_link` feeds coverage. Document page text is local derived data written by the
document service, keyed `<id>#p<page>`, and removed here when the document is deleted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from hmip_desktop.domain import records as R
from hmip_desktop.storage.fts import FTS_TABLE, TRIGGERS, create_triggers
from hmip_desktop.storage.insert_many import insert_many
from hmip_desktop.storage.tables import EvidenceLinkRow, SearchItemRow

_SEARCH_FIELDS = ("key", "entity_id", "kind", "title", "body")
_INSERT_TRIGGER = next(t for t in TRIGGERS if t.endswith("_ai"))  # AFTER INSERT
_BULK_MIN = 200  # new searchable records below which the trigger path is as quick

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
                search_rows.append((
                    entity_id, entity_id, entity_type, str(payload.get(title_field) or ""),
                    str(payload.get(body_field) or "") if body_field else ""))
        elif entity_type == R.LINK:
            link_ids.append(entity_id)
            if not deleted:
                link_rows.append((
                    entity_id, str(payload.get("evidence_id", "")),
                    str(payload.get("expectation_ref", "")), payload.get("start"),
                    payload.get("end"), payload.get("page")))
    for i in range(0, len(search_gone), 500):
        session.execute(delete(SearchItemRow).where(
            SearchItemRow.entity_id.in_(search_gone[i:i + 500])))
    if len(search_rows) >= _BULK_MIN:
        search_rows = _index_new_in_bulk(session, search_rows)
    # The driver's executemany: no ORM bookkeeping, no per-row parameter processing.
    insert_many(session, SearchItemRow.__table__, _SEARCH_FIELDS, search_rows, upsert_on="key",
                update_only=("title", "body"))
    for i in range(0, len(link_ids), 500):
        session.execute(delete(EvidenceLinkRow).where(
            EvidenceLinkRow.id.in_(link_ids[i:i + 500])))
    insert_many(session, EvidenceLinkRow.__table__,
                ("id", "evidence_id", "expectation_ref", "start", "end", "page"), link_rows)


def _index_new_in_bulk(session: Session, rows: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Insert the rows whose key is new and index them with one statement; returns the others
    (updates, left to the triggers).

    The full-text insert trigger runs the index insert once per row, about three times
    slower than one INSERT ... SELECT over the same rows (measured: 8,000 notes, 0.52 s
    against 0.15 s). So the insert trigger is dropped for the insert and made again after
    it, inside a savepoint of the caller's transaction: a failure rolls all of it back, and
    other connections never see the file without its trigger.
    """
    existing: set[str] = set()
    keys = [r[0] for r in rows]
    for i in range(0, len(keys), 500):
        existing.update(session.scalars(select(SearchItemRow.key).where(
            SearchItemRow.key.in_(keys[i:i + 500]))))
    new = [r for r in rows if r[0] not in existing]
    if len(new) < _BULK_MIN:
        return rows
    conn = session.connection()
    top = conn.exec_driver_sql("SELECT max(rid) FROM search_item").scalar() or 0
    conn.exec_driver_sql("SAVEPOINT bulk_search")
    try:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {_INSERT_TRIGGER}")
        insert_many(session, SearchItemRow.__table__, _SEARCH_FIELDS, new)
        conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}(rowid, title, body) "
                             "SELECT rid, title, body FROM search_item WHERE rid > ?", (top,))
        create_triggers(conn)
    except BaseException:
        conn.exec_driver_sql("ROLLBACK TO bulk_search")
        conn.exec_driver_sql("RELEASE bulk_search")
        raise
    conn.exec_driver_sql("RELEASE bulk_search")
    return [r for r in rows if r[0] in existing]


def put_document_page(session: Session, document_id: str, page: int, title: str,
                      text: str) -> None:
    """Index one page of a document's extracted text (local, derived data)."""
    _upsert_search(session, f"{document_id}#p{page}", document_id, "document_page", title, text)

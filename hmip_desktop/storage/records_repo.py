"""The revision log and its materialised entities: the only code that writes either.

Appending is idempotent (a revision already present is skipped), so merging bundles is a set
union whatever the order, grouping or repetition. After appending, the touched records are
re-materialised from all of their revisions in the same transaction.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from hmip_desktop.domain.entity import EntityView
from hmip_desktop.domain.heads import record_state
from hmip_desktop.domain.revision import Revision, canonical_json
from hmip_desktop.storage.projections import project_many
from hmip_desktop.storage.tables import EntityRow, RevisionParentRow, RevisionRow

_CHUNK = 500  # SQLite's bound-parameter limit is generous, but keep IN lists modest
# Entity reads select plain columns: building ORM instances (identity map, state) took half
# the time of listing 10,000 notes, and rows never leave the repository anyway.
_ENTITY_COLUMNS = select(*EntityRow.__table__.columns)


def _to_revision(row: RevisionRow) -> Revision:
    return Revision(
        entity_type=row.entity_type, entity_id=row.entity_id,
        parents=tuple(json.loads(row.parents)), hlc=row.hlc, device_id=row.device_id,
        author_id=row.author_id, deleted=row.deleted, schema=row.schema,
        payload=json.loads(row.payload), rev_id=row.rev_id, signature=row.signature or "",
    )


def _to_view(row: Any) -> EntityView:
    return EntityView(
        id=row.id, type=row.type, payload=json.loads(row.payload), deleted=row.deleted,
        head_count=row.head_count, winner_rev=row.winner_rev, created_hlc=row.created_hlc,
        updated_hlc=row.updated_hlc, created_by=row.created_by, updated_by=row.updated_by,
    )


class RecordsRepository:
    """Revision log + entity table access for one Session."""

    def __init__(self, session: Session) -> None:
        self._s = session

    # -- writing -----------------------------------------------------------------------------
    def append(self, revisions: Iterable[Revision]) -> list[Revision]:
        """Insert revisions not already present and re-materialise their records.

        Returns the revisions that were new. Duplicates (same content hash) are skipped.
        """
        incoming = {r.rev_id: r for r in revisions}
        if not incoming:
            return []
        present: set[str] = set()
        ids = list(incoming)
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i:i + _CHUNK]
            present.update(self._s.scalars(
                select(RevisionRow.rev_id).where(RevisionRow.rev_id.in_(chunk))))
        new = [r for rid, r in incoming.items() if rid not in present]
        self._keep_signatures([r for rid, r in incoming.items() if rid in present])
        if not new:
            return []
        seq = (self._s.scalar(select(func.max(RevisionRow.seq))) or 0) + 1
        rows, edges = [], []
        for offset, r in enumerate(sorted(new, key=lambda r: (r.hlc, r.rev_id))):
            rows.append({
                "rev_id": r.rev_id, "seq": seq + offset, "entity_type": r.entity_type,
                "entity_id": r.entity_id, "parents": json.dumps(sorted(r.parents)),
                "hlc": r.hlc, "device_id": r.device_id, "author_id": r.author_id,
                "deleted": r.deleted, "schema": r.schema,
                "payload": canonical_json(dict(r.payload)).decode(),
                "signature": r.signature or None,
            })
            edges.extend({"rev_id": r.rev_id, "parent_id": p} for p in r.parents)
        # Core executemany: the ORM's bulk-insert bookkeeping cost a third of a 40,000
        # revision merge and nothing here needs ORM instances.
        self._s.execute(insert(RevisionRow.__table__), rows)
        if edges:
            self._s.execute(insert(RevisionParentRow.__table__), edges)
        self.rematerialise({r.entity_id for r in new})
        return new

    def _keep_signatures(self, known: list[Revision]) -> None:
        """A signature arriving for a revision held unsigned is kept (it changes nothing
        else: the id, and so the content, is the same)."""
        signed = [{"rid": r.rev_id, "sig": r.signature} for r in known if r.signature]
        if signed:
            table = RevisionRow.__table__  # Core executemany, not an ORM bulk update
            self._s.execute(update(table).where(
                table.c.rev_id == bindparam("rid"), table.c.signature.is_(None))
                .values(signature=bindparam("sig")), signed)

    def unsigned_count(self, *, except_device: str) -> int:
        """Revisions held without their author's signature (own revisions excepted: they
        are signed when exported)."""
        return self._s.scalar(select(func.count()).select_from(RevisionRow).where(
            RevisionRow.signature.is_(None), RevisionRow.device_id != except_device)) or 0

    def rematerialise(self, entity_ids: Iterable[str]) -> None:
        """Recompute entity rows and projections of these records from their revisions."""
        by_entity: dict[str, list[Revision]] = defaultdict(list)
        ids = list(entity_ids)
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i:i + _CHUNK]
            for row in self._s.scalars(select(RevisionRow).where(
                    RevisionRow.entity_id.in_(chunk))):
                by_entity[row.entity_id].append(_to_revision(row))
        rows, states = [], []
        for entity_id, revs in by_entity.items():
            state = record_state(revs)
            first = min(revs, key=lambda r: (r.hlc, r.rev_id))
            rows.append({
                "id": entity_id, "type": state.entity_type, "winner_rev": state.winner.rev_id,
                "head_count": len(state.heads), "deleted": state.deleted,
                "payload": canonical_json(dict(state.payload)).decode(),
                "created_hlc": first.hlc, "updated_hlc": state.winner.hlc,
                "created_by": first.author_id, "updated_by": state.winner.author_id,
            })
            states.append((state.entity_type, entity_id, state.payload, state.deleted))
        if rows:
            # One multi-row upsert instead of one statement per record.
            stmt = insert(EntityRow.__table__)
            self._s.execute(stmt.on_conflict_do_update(
                index_elements=["id"],
                set_={k: getattr(stmt.excluded, k) for k in rows[0] if k != "id"}), rows)
        project_many(self._s, states)

    # -- reading -----------------------------------------------------------------------------
    def get(self, entity_id: str) -> EntityView | None:
        """The current state of a record, or None."""
        row = self._s.execute(_ENTITY_COLUMNS.where(EntityRow.id == entity_id)).first()
        return _to_view(row) if row else None

    def winner_rev(self, entity_id: str) -> str | None:
        """The current winner revision id of a record (cheap: no payload is read)."""
        return self._s.scalar(select(EntityRow.winner_rev).where(EntityRow.id == entity_id))

    def list(self, entity_type: str, *, include_deleted: bool = False,
             newest_first: bool = False, limit: int | None = None) -> list[EntityView]:
        """Records of a type: all of them oldest (first created) first, or with
        `newest_first` the most recently saved first (live ones: read through the index
        entity(type, deleted, updated_hlc), so `limit` rows cost `limit` payloads)."""
        stmt = _ENTITY_COLUMNS.where(EntityRow.type == entity_type)
        if not include_deleted:
            stmt = stmt.where(EntityRow.deleted.is_(False))
        stmt = stmt.order_by(EntityRow.updated_hlc.desc() if newest_first
                             else EntityRow.created_hlc)
        if limit is not None:
            stmt = stmt.limit(limit)
        return [_to_view(r) for r in self._s.execute(stmt)]

    def count(self, entity_type: str) -> int:
        """Live records of a type."""
        return self._s.scalar(select(func.count()).select_from(EntityRow).where(
            EntityRow.type == entity_type, EntityRow.deleted.is_(False))) or 0

    def revisions_of(self, entity_id: str) -> list[Revision]:
        """Every revision of a record, in clock order (its history)."""
        rows = self._s.scalars(select(RevisionRow).where(RevisionRow.entity_id == entity_id)
                               .order_by(RevisionRow.hlc, RevisionRow.rev_id))
        return [_to_revision(r) for r in rows]

    def heads(self, entity_id: str) -> list[Revision]:
        """Current heads of a record, winner first."""
        revs = self.revisions_of(entity_id)
        return list(record_state(revs).heads) if revs else []

    def conflicted(self) -> list[EntityView]:
        """Records with more than one head."""
        # A literal, not a bound parameter: SQLite uses the partial index
        # ix_entity_conflicted only when the WHERE clause matches its own text.
        rows = self._s.execute(_ENTITY_COLUMNS.where(text("entity.head_count > 1"))
                               .order_by(EntityRow.type, EntityRow.updated_hlc))
        return [_to_view(r) for r in rows]

    def iter_revisions(self, *, batch: int = 2000) -> Iterator[Revision]:
        """Every revision in arrival order, streamed."""
        last = 0
        while True:
            rows = list(self._s.scalars(select(RevisionRow).where(RevisionRow.seq > last)
                                        .order_by(RevisionRow.seq).limit(batch)))
            if not rows:
                return
            for row in rows:
                yield _to_revision(row)
            last = rows[-1].seq

    def revision_count(self, *, after_seq: int = 0) -> int:
        """How many revisions arrived after a local sequence number."""
        return self._s.scalar(select(func.count()).select_from(RevisionRow).where(
            RevisionRow.seq > after_seq)) or 0

    def max_seq(self) -> int:
        """The latest local sequence number."""
        return self._s.scalar(select(func.max(RevisionRow.seq))) or 0

    def max_hlc(self) -> str | None:
        """The latest clock stamp in the log."""
        return self._s.scalar(select(func.max(RevisionRow.hlc)))

    def revision(self, rev_id: str) -> Revision | None:
        """One revision by id."""
        row = self._s.get(RevisionRow, rev_id)
        return _to_revision(row) if row else None

"""The revision log and its materialised entities: the only code that writes either.

Appending is idempotent (a revision already present is skipped), so merging bundles is a set
union whatever the order, grouping or repetition. After appending, the touched records are
re-materialised from all of their revisions in the same transaction.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from operator import itemgetter
from typing import Any

from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.orm import Session

from hmip_desktop.domain.entity import EntityView
from hmip_desktop.domain.heads import record_state
from hmip_desktop.domain.plan_carry import current_payload
from hmip_desktop.domain.revision import Revision, canonical_json
from hmip_desktop.storage import first_screen as first
from hmip_desktop.storage.first_screen import ENTITY_FIELDS, SummaryCounts
from hmip_desktop.storage.insert_many import insert_many
from hmip_desktop.storage.projections import project_many
from hmip_desktop.storage.tables import EntityRow, RevisionParentRow, RevisionRow

_CHUNK = 500  # SQLite's bound-parameter limit is generous, but keep IN lists modest
# Entity reads select plain columns: building ORM instances (identity map, state) took half
# the time of listing 10,000 notes, and rows never leave the repository anyway.
_ENTITY_COLUMNS = select(*EntityRow.__table__.columns)
_REVISION_COLUMNS = select(*RevisionRow.__table__.columns)
_REVISION_FIELDS = ("rev_id", "seq", "entity_type", "entity_id", "parents", "hlc", "device_id",
                    "author_id", "deleted", "schema", "payload", "signature")
_MAX_HLC = text("SELECT max(hlc) FROM revision")
_LIST_SQL = {
    everything: f"SELECT {', '.join(ENTITY_FIELDS)} FROM entity WHERE type = :type"
                + ("" if everything else " AND deleted = 0")
    for everything in (False, True)
}
_CREATED = itemgetter(ENTITY_FIELDS.index("created_hlc"))
# Live records showing an action plan in the single-action shape (no steps).
_OLD_PLANS_SQL = text(
    "SELECT id FROM entity WHERE type IN ('concern', 'previous_item') AND deleted = 0 "
    "AND json_type(payload, '$.action_plan') = 'object' "
    "AND json_type(payload, '$.action_plan.steps') IS NULL")


# Which of many values the log holds: the values go as one JSON array per statement, looked up
# through the column's index (a merge asks this of 40,000 ids at a time: SQLAlchemy's
# expanding IN of 500 parameters took twice as long, most of it building the statements).
_PRESENT_SQL = {
    column: f"SELECT DISTINCT {column} FROM revision WHERE {column} IN "
            "(SELECT value FROM json_each(?))"
    for column in ("rev_id", "entity_id")
}
_PRESENT_CHUNK = 2000


def present_in_log(session: Session, column: str, values: Iterable[str]) -> set[str]:
    """The subset of `values` found in the revision log's `column` (rev_id or entity_id)."""
    sql, conn = _PRESENT_SQL[column], session.connection()
    ids = list(values)
    found: set[str] = set()
    for i in range(0, len(ids), _PRESENT_CHUNK):
        found.update(row[0] for row in conn.exec_driver_sql(
            sql, (json.dumps(ids[i:i + _PRESENT_CHUNK]),)))
    return found


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
    def append(self, revisions: Iterable[Revision],
               payload_texts: Mapping[str, str] | None = None) -> list[Revision]:
        """Insert revisions not already present and re-materialise their records.

        Returns the revisions that were new. Duplicates (same content hash) are skipped,
        signature included: a signature for a revision already held is stored only through
        `keep_signatures`, once the caller has verified it. `payload_texts` may give, by
        revision id, `canonical_json(payload)` already at hand (a merge cuts it from the
        bundle's canonical lines), saving one encoding per revision.
        """
        known_texts = payload_texts or {}
        incoming = {r.rev_id: r for r in revisions}
        if not incoming:
            return []
        present = self._present(RevisionRow.rev_id, incoming)
        new = [r for rid, r in incoming.items() if rid not in present]
        if not new:
            return []
        # Records with no earlier revision (most of a merge) are materialised from the new
        # revisions in hand; only the others are read back from the log.
        held = self._present(RevisionRow.entity_id, {r.entity_id for r in new})
        seq = (self._s.scalar(select(func.max(RevisionRow.seq))) or 0) + 1
        rows, edges, texts = [], [], {}
        fresh: dict[str, list[Revision]] = defaultdict(list)
        for offset, r in enumerate(sorted(new, key=lambda r: (r.hlc, r.rev_id))):
            payload = known_texts.get(r.rev_id)
            if payload is None:
                payload = canonical_json(dict(r.payload)).decode()
            texts[r.rev_id] = payload
            rows.append((r.rev_id, seq + offset, r.entity_type, r.entity_id,
                         json.dumps(sorted(r.parents)) if r.parents else "[]", r.hlc,
                         r.device_id, r.author_id, r.deleted, r.schema, payload,
                         r.signature or None))
            edges.extend((r.rev_id, p) for p in r.parents)
            if r.entity_id not in held:
                fresh[r.entity_id].append(r)
        insert_many(self._s, RevisionRow.__table__, _REVISION_FIELDS, rows)
        insert_many(self._s, RevisionParentRow.__table__, ("rev_id", "parent_id"), edges)
        self._materialise({**fresh, **self._read_revisions(held)}, texts)
        return new

    def _present(self, column: Any, values: Iterable[str]) -> set[str]:
        """Which of these values the revision log holds in `column` (an indexed column)."""
        return present_in_log(self._s, column.key, values)

    def keep_signatures(self, verified: Iterable[tuple[str, str]]) -> None:
        """Store (revision id, signature) pairs for revisions held unsigned; a revision
        held signed keeps its signature. It changes nothing else (the id, and so the
        content, is the same). The caller has verified each signature against its author's
        keys: this layer knows no roster, and a stored signature is relayed to the team."""
        signed = [{"rid": rid, "sig": sig} for rid, sig in verified if sig]
        if signed:
            table = RevisionRow.__table__  # Core executemany, not an ORM bulk update
            self._s.execute(update(table).where(
                table.c.rev_id == bindparam("rid"), table.c.signature.is_(None))
                .values(signature=bindparam("sig")), signed)

    def clear_signatures(self, rev_ids: Iterable[str]) -> None:
        """Set these revisions' stored signature to NULL (they then count as unsigned; the
        revisions themselves stay). The caller decided which signatures failed to verify."""
        ids = list(rev_ids)
        for i in range(0, len(ids), _CHUNK):
            self._s.execute(update(RevisionRow.__table__).where(
                RevisionRow.__table__.c.rev_id.in_(ids[i:i + _CHUNK])).values(signature=None))

    def signed_of_others(self, *, except_device: str) -> list[Revision]:
        """Revisions of other devices held with a stored signature (for re-verification)."""
        rows = self._s.execute(_REVISION_COLUMNS.where(
            RevisionRow.signature.is_not(None), RevisionRow.device_id != except_device))
        return [_to_revision(r) for r in rows]

    def unsigned_count(self, *, except_device: str) -> int:
        """Revisions held without their author's signature (own revisions excepted: they
        are signed when exported)."""
        return self._s.scalar(select(func.count()).select_from(RevisionRow).where(
            RevisionRow.signature.is_(None), RevisionRow.device_id != except_device)) or 0

    def stale_carried_plans(self) -> list[str]:
        """Records whose stored state shows an action plan a single-action teammate's save
        collapsed, although their revisions carry its steps forward (domain.plan_carry):
        states materialised before that rule. A few concerns are read, only when one has a
        plan without steps."""
        ids = [row[0] for row in self._s.execute(_OLD_PLANS_SQL)]
        if not ids:
            return []
        stale = []
        for entity_id, revs in self._read_revisions(ids).items():
            winner = record_state(revs).winner
            if current_payload(winner, revs) is not winner.payload:
                stale.append(entity_id)
        return sorted(stale)

    def rematerialise(self, entity_ids: Iterable[str]) -> None:
        """Recompute entity rows and projections of these records from their revisions."""
        self._materialise(self._read_revisions(entity_ids), {})

    def _read_revisions(self, entity_ids: Iterable[str]) -> dict[str, list[Revision]]:
        """Every revision of these records from the log (plain columns, no ORM instances)."""
        by_entity: dict[str, list[Revision]] = defaultdict(list)
        ids = list(entity_ids)
        for i in range(0, len(ids), _CHUNK):
            for row in self._s.execute(_REVISION_COLUMNS.where(
                    RevisionRow.entity_id.in_(ids[i:i + _CHUNK]))):
                by_entity[row.entity_id].append(_to_revision(row))
        return by_entity

    def _materialise(self, by_entity: dict[str, list[Revision]],
                     texts: dict[str, str]) -> None:
        """Write entity rows and projections from each record's complete revision set;
        `texts` holds canonical payload JSON already made, by revision id."""
        rows, states = [], []
        for entity_id, revs in by_entity.items():
            state = record_state(revs)
            first = min(revs, key=lambda r: (r.hlc, r.rev_id)) if len(revs) > 1 else revs[0]
            winner = state.winner
            shown = current_payload(winner, revs)
            payload = texts.get(winner.rev_id) if shown is winner.payload else None
            rows.append((entity_id, state.entity_type, winner.rev_id, len(state.heads),
                         state.deleted, payload if payload is not None
                         else canonical_json(dict(shown)).decode(),
                         first.hlc, winner.hlc, first.author_id, winner.author_id))
            states.append((state.entity_type, entity_id, shown, state.deleted))
        insert_many(self._s, EntityRow.__table__, ENTITY_FIELDS, rows, upsert_on="id")
        project_many(self._s, states)

    # -- reading -----------------------------------------------------------------------------
    def get(self, entity_id: str) -> EntityView | None:
        """The current state of a record, or None."""
        row = self._s.execute(_ENTITY_COLUMNS.where(EntityRow.id == entity_id)).first()
        return _to_view(row) if row else None

    def winner_rev(self, entity_id: str) -> str | None:
        """The current winner revision id of a record (cheap: no payload is read)."""
        return self._s.scalar(select(EntityRow.winner_rev).where(EntityRow.id == entity_id))

    def list(self, entity_type: str, *, include_deleted: bool = False) -> list[EntityView]:
        """Records of a type, oldest (first created) first: one statement on the driver's
        connection (SQLAlchemy's row processing doubled the time of listing 10,000 notes,
        issue 11), rows turned into views as the first screen's are. Sorted here, not by
        ORDER BY: SQLite copied every payload into a temporary b-tree to sort them (a
        quarter of the statement's time); the order is the same (SQLite compares UTF-8 bytes,
        Python code points: the same order)."""
        rows = self._driver().execute(_LIST_SQL[include_deleted],
                                      {"type": entity_type}).fetchall()
        rows.sort(key=_CREATED)
        return [first.entity_view(r) for r in rows]

    def first_with(self, entity_type: str, key: str, value: str) -> EntityView | None:
        """The first created live record of a type whose payload has `key` equal to `value`
        (an extract by its file's hash): one statement, narrowed to the type by the index
        entity(type, deleted) — the other records' payloads are never read."""
        if not key.isidentifier():
            raise ValueError("a payload key is a plain name")
        row = self._s.execute(_ENTITY_COLUMNS.where(
            EntityRow.type == entity_type, EntityRow.deleted.is_(False),
            func.json_extract(EntityRow.payload, f"$.{key}") == value,
        ).order_by(EntityRow.created_hlc).limit(1)).first()
        return _to_view(row) if row else None

    def newest(self, entity_type: str, limit: int, *,
               include_deleted: bool = False) -> list[EntityView]:
        """The `limit` most recently saved records of a type, newest first (live ones: read
        through the index entity(type, deleted, updated_hlc), so they cost `limit` payloads).
        The first screen's own statement (storage/first_screen.py), on this transaction."""
        return first.newest(self._driver(), entity_type, limit, include_deleted=include_deleted)

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

    def summary_counts(self, *, after_seq: int = 0) -> SummaryCounts:
        """Live records per type, revisions (all, and after a local sequence number) and
        conflicted records: the first screen's own statements (storage/first_screen.py), on
        this transaction."""
        return first.summary_counts(self._driver(), after_seq=after_seq)

    def overview(self, inspection_id: str) -> first.FileOverview:
        """What the Overview shows of the file as stored: the first screen's own statements
        (storage/first_screen.py), on this transaction."""
        from hmip_desktop.domain.records import framework_record_id

        return first.overview(self._driver(), inspection_id, framework_record_id(inspection_id))

    def _driver(self) -> Any:
        """The DB-API connection under this session's transaction (begun if need be)."""
        return self._s.connection().connection.driver_connection

    def revision_count(self, *, after_seq: int = 0) -> int:
        """How many revisions arrived after a local sequence number."""
        return self._s.scalar(select(func.count()).select_from(RevisionRow).where(
            RevisionRow.seq > after_seq)) or 0

    def max_seq(self) -> int:
        """The latest local sequence number."""
        return self._s.scalar(select(func.max(RevisionRow.seq))) or 0

    def max_hlc(self) -> str | None:
        """The latest clock stamp in the log (read by every open: plain SQL, through the
        index ix_revision_hlc)."""
        return self._s.scalar(_MAX_HLC)

    def revision(self, rev_id: str) -> Revision | None:
        """One revision by id."""
        row = self._s.get(RevisionRow, rev_id)
        return _to_revision(row) if row else None

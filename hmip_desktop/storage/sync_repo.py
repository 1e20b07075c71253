"""Queries and file operations that sync needs beyond the revision log repository.

`SyncRepository` works inside a unit of work (`SyncRepository(tx.session)`): which revision
ids are already known, every record's head set (for the state digest), clock range, arrival
order. `take_snapshot` / `restore_snapshot` copy the whole database to and from an encrypted
file beside it, for "undo last merge": they need a connection outside any transaction
(SQLite refuses DETACH inside one), so they take the engine.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from hmip_desktop.domain.errors import Cancelled, HmipError
from hmip_desktop.domain.revision import Revision
from hmip_desktop.private_files import create_private
from hmip_desktop.storage.extract_tables import is_extract_rows
from hmip_desktop.storage.records_repo import _to_revision, present_in_log
from hmip_desktop.storage.tables import RevisionRow

log = logging.getLogger(__name__)

_CHUNK = 500
UNDO_CANCELLED = "Undo cancelled; the file is unchanged."
_HANDLER_STEPS = 100_000  # SQLite VM steps between Cancel checks (well under 10 ms)
_SNAP = "hmip_snapshot"
_CORE = frozenset({"revision", "revision_parent", "entity", "meta", "blob", "import_log",
                   "search_item", "evidence_link"})

# Heads of a record: its revisions that no revision *of the same record* names as a parent
# (the same rule as domain.heads.heads_of, so the digest matches the pure model).
_HEADS_SQL = text(
    "SELECT e.id, e.winner_rev, r.rev_id FROM entity e JOIN revision r ON r.entity_id = e.id "
    "WHERE NOT EXISTS (SELECT 1 FROM revision_parent p JOIN revision c ON c.rev_id = p.rev_id "
    "WHERE p.parent_id = r.rev_id AND c.entity_id = r.entity_id) ORDER BY e.id, r.rev_id"
)


class SyncRepository:
    """Read helpers for export, import and the state digest, on one Session."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def known(self, rev_ids: Iterable[str]) -> set[str]:
        """The subset of these revision ids already in the log."""
        return present_in_log(self._s, "rev_id", rev_ids)

    def held_unsigned(self, rev_ids: Iterable[str]) -> set[str]:
        """The subset of these revision ids held without a signature."""
        ids = list(rev_ids)
        found: set[str] = set()
        for i in range(0, len(ids), _CHUNK):
            found.update(self._s.scalars(select(RevisionRow.rev_id).where(
                RevisionRow.rev_id.in_(ids[i:i + _CHUNK]), RevisionRow.signature.is_(None))))
        return found

    def revisions_of_type(self, entity_type: str) -> list[Revision]:
        """Every revision of every record of one type (small types only: the roster)."""
        rows = self._s.scalars(select(RevisionRow).where(RevisionRow.entity_type == entity_type)
                               .order_by(RevisionRow.seq))
        return [_to_revision(r) for r in rows]

    def head_sets(self) -> Iterator[tuple[str, str, tuple[str, ...]]]:
        """(record id, winner revision, head revision ids) for every record, by record id."""
        current: tuple[str, str] | None = None
        heads: list[str] = []
        for entity_id, winner, rev_id in self._s.execute(_HEADS_SQL):
            if current is not None and current[0] != entity_id:
                yield current[0], current[1], tuple(heads)
                heads = []
            current = (entity_id, winner)
            heads.append(rev_id)
        if current is not None:
            yield current[0], current[1], tuple(heads)

    def frontier_of(self, device_id: str) -> list[str]:
        """A device's latest revisions: those no later revision of the same device builds on.

        Every revision of that device this file holds is one of them or an ancestor of one,
        so a removal can name the device's history without trusting any clock.
        """
        return list(self._s.execute(text(
            "SELECT r.rev_id FROM revision r WHERE r.device_id = :d AND NOT EXISTS ("
            "SELECT 1 FROM revision_parent p JOIN revision c ON c.rev_id = p.rev_id "
            "WHERE p.parent_id = r.rev_id AND c.device_id = :d) ORDER BY r.rev_id"),
            {"d": device_id}).scalars())

    def hlc_range(self) -> tuple[str | None, str | None]:
        """Lowest and highest clock stamp in the log."""
        row = self._s.execute(select(func.min(RevisionRow.hlc), func.max(RevisionRow.hlc))).one()
        return row[0], row[1]

    def seqs(self, rev_ids: Iterable[str]) -> dict[str, int]:
        """Local arrival number of each of these revisions."""
        ids = list(rev_ids)
        out: dict[str, int] = {}
        for i in range(0, len(ids), _CHUNK):
            rows = self._s.execute(select(RevisionRow.rev_id, RevisionRow.seq).where(
                RevisionRow.rev_id.in_(ids[i:i + _CHUNK])))
            out.update((rid, seq) for rid, seq in rows)
        return out


def _tables(cur, schema: str) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    rows = cur.execute(f"SELECT name, sql FROM {schema}.sqlite_master WHERE type='table'")
    entries = [(name, sql or "") for name, sql in rows.fetchall()]
    virtual = [n for n, sql in entries if sql.upper().startswith("CREATE VIRTUAL")]
    out: dict[str, list[str]] = {}
    for name, _sql in entries:
        # Skip SQLite's own tables, the migration marker, and full-text index tables (the
        # index follows search_item through its triggers).
        if name.startswith("sqlite_") or name == "alembic_version" or name in virtual:
            continue
        if any(name.startswith(v + "_") for v in virtual):
            continue
        cols = [r[1] for r in cur.execute(f'PRAGMA {schema}.table_info("{name}")').fetchall()]
        out[name] = cols
    return out


def _version(cur, schema: str) -> str | None:  # type: ignore[no-untyped-def]
    try:
        row = cur.execute(f"SELECT version_num FROM {schema}.alembic_version").fetchone()
    except Exception:  # noqa: BLE001 - a file without the marker has no version
        return None
    return row[0] if row else None


def take_snapshot(engine: Engine, dest: Path) -> None:
    """Copy the database into `dest`, encrypted with the same key (never plaintext)."""
    dest.unlink(missing_ok=True)
    create_private(dest, exclusive=True)  # an empty file is an empty database to SQLite
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        # Without KEY, SQLCipher attaches with the main database's key.
        cur.execute(f"ATTACH DATABASE ? AS {_SNAP}", (str(dest),))
        try:
            # sqlcipher_export fails with "database schema has changed" instead of reloading
            # when another connection changed the schema since this one last read it (an
            # extract import creates, renames and drops its tables whenever it holds the
            # lock). Reading the schema inside a read transaction loads it and keeps it (and
            # the data) as read until the export is done.
            cur.execute("BEGIN")
            try:
                cur.execute("SELECT count(*) FROM main.sqlite_master").fetchall()
                cur.execute(f"SELECT sqlcipher_export('{_SNAP}')")
            except BaseException:
                with contextlib.suppress(Exception):  # (an error may have ended it)
                    cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")
        finally:
            cur.execute(f"DETACH DATABASE {_SNAP}")
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    finally:
        raw.close()


class SnapshotOutdated(HmipError):
    """Records or attachments were written since the snapshot's merge: restoring it would
    take them back too."""


def restore_snapshot(engine: Engine, src: Path, *, seq: int, blobs: int,
                     progress: Callable[[int, int], None] | None = None,
                     cancel: Callable[[], bool] | None = None) -> None:
    """Replace every table's rows with the snapshot's, in one transaction, provided the file
    still holds `seq` as its latest revision and `blobs` attachments (SnapshotOutdated).

    `progress(rows copied, rows to copy)` follows the copy table by table. `cancel()` true
    before the commit raises Cancelled and rolls the transaction back: the file is exactly
    as it was (this is why Cancel is safe here). It is checked between tables and, through
    SQLite's progress handler, inside a long table copy; once committed it is not asked.
    """
    raw = engine.raw_connection()
    conn = raw.driver_connection
    try:
        cur = raw.cursor()
        cur.execute(f"ATTACH DATABASE ? AS {_SNAP}", (str(src),))
        try:
            main, snap = _tables(cur, "main"), _tables(cur, _SNAP)
            if _version(cur, "main") != _version(cur, _SNAP) or not _CORE <= set(main):
                raise HmipError("the snapshot was taken before the file was upgraded")
            # Local derived tables made since the snapshot (data extract rows) are kept: they
            # are rebuilt from their attachments and no record depends on them. Extract row
            # tables are never put back at all: a published one never changes, and a staging
            # one belongs to an import running beside the merge, whose rows loaded since the
            # snapshot would be lost (its record would then count rows that are not there).
            main = {n: c for n, c in main.items()
                    if snap.get(n) == c and not is_extract_rows(n)}
            cur.execute("BEGIN IMMEDIATE")
            try:
                # Checked again under the lock: the caller's check ran in an earlier
                # transaction, and an extract import (its own lane) may have written since.
                now = cur.execute("SELECT (SELECT coalesce(max(seq), 0) FROM main.revision), "
                                  "(SELECT count(*) FROM main.blob)").fetchone()
                if tuple(now) != (seq, blobs):
                    raise SnapshotOutdated("written since the merge")
                cur.execute("PRAGMA defer_foreign_keys = ON")
                _copy_tables(cur, conn, main, progress, cancel)
                if cancel is not None and cancel():
                    raise Cancelled(UNDO_CANCELLED)
                cur.execute("COMMIT")
            except BaseException as exc:
                # An interrupted statement may already have rolled the transaction back.
                if conn.in_transaction:
                    cur.execute("ROLLBACK")
                if cancel is not None and cancel() and not isinstance(exc, Cancelled):
                    raise Cancelled(UNDO_CANCELLED) from None
                raise
        finally:
            cur.execute(f"DETACH DATABASE {_SNAP}")
    finally:
        raw.close()
    log.info("database restored from the merge snapshot")


def _copy_tables(cur, conn, tables: dict[str, list[str]],  # type: ignore[no-untyped-def]
                 progress: Callable[[int, int], None] | None,
                 cancel: Callable[[], bool] | None) -> None:
    """Put each table's snapshot rows in place of its own, weighting progress by rows."""
    sizes = {name: cur.execute(f'SELECT count(*) FROM {_SNAP}."{name}"').fetchone()[0]
             for name in tables}
    total, done = max(sum(sizes.values()), 1), 0
    if progress is not None:
        progress(0, total)
    if cancel is not None:
        # Non-zero interrupts the running statement: a large table copy stops within
        # milliseconds of Cancel instead of at its end.
        conn.set_progress_handler(lambda: 1 if cancel() else 0, _HANDLER_STEPS)
    try:
        for name, cols in tables.items():
            if cancel is not None and cancel():
                raise Cancelled(UNDO_CANCELLED)
            quoted = ", ".join(f'"{c}"' for c in cols)
            cur.execute(f'DELETE FROM main."{name}"')
            cur.execute(f'INSERT INTO main."{name}" ({quoted}) '
                        f'SELECT {quoted} FROM {_SNAP}."{name}"')
            done += sizes[name]
            if progress is not None:
                progress(done, total)
    finally:
        if cancel is not None:
            conn.set_progress_handler(None, 0)

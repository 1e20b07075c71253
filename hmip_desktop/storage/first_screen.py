"""The first screen of an open file — the Overview's facts and the newest notes — in plain SQL
over a DB-API connection, with sqlcipher3 alone (no SQLAlchemy).

One way to read these (issue 11): a GUI start reads them here on its own keyed connection
before SQLAlchemy and the store are imported (`read_first_screen`), so the window shows the
file while the store loads; the store reads the very same statements over its session's
connection (RecordsRepository.summary_counts / newest, LocalRepository.overview), so the
Overview shows the same numbers either way.

On Linux the key child (storage/key_child.py) reads them too, right after it finds the key, in
its own process, and hands them over as JSON (`rows_to_wire`/`rows_from_wire`): the app then
needs neither sqlcipher3 nor a read of its own before its first screen.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from hmip_desktop.domain import records as R
from hmip_desktop.domain.entity import EntityView
from hmip_desktop.domain.errors import DamagedFileError
from hmip_desktop.storage.migrations import SCHEMA_HEAD

# How many notes the list shows first (newest saved first); the whole list follows.
FIRST_NOTES = 100

ENTITY_FIELDS = ("id", "type", "winner_rev", "head_count", "deleted", "payload", "created_hlc",
                 "updated_hlc", "created_by", "updated_by")

# The same text every time: nothing to compile on the first read of a start-up.
# `entity.head_count > 1` is the partial index ix_entity_conflicted's own text.
LIVE_COUNTS_SQL = "SELECT type, count(*) FROM entity WHERE deleted = 0 GROUP BY type"
SUMMARY_SQL = (
    "SELECT (SELECT count(*) FROM revision), "
    "(SELECT count(*) FROM revision WHERE seq > :after), "
    "(SELECT count(*) FROM entity WHERE entity.head_count > 1)")
# Tests scored and tests agreed, as a person counts them (not provisional and agreed score
# records added up): sections with any live score, and with an agreed one. Through the index
# entity(type, deleted); a file holds a few score records per test.
SCORED_SQL = (
    "SELECT count(DISTINCT json_extract(payload, '$.section_key')), "
    "count(DISTINCT CASE WHEN json_extract(payload, '$.kind') = 'agreed' "
    "THEN json_extract(payload, '$.section_key') END) "
    "FROM entity WHERE type = 'score' AND deleted = 0")
# Live ones through the index entity(type, deleted, updated_hlc): `limit` payloads read.
NEWEST_SQL = {
    everything: f"SELECT {', '.join(ENTITY_FIELDS)} FROM entity WHERE type = :type"
                + ("" if everything else " AND deleted = 0")
                + " ORDER BY updated_hlc DESC LIMIT :limit"
    for everything in (False, True)
}
META_SQL = "SELECT value FROM meta WHERE key = :key"
BLOB_COUNT_SQL = "SELECT count(*) FROM blob"
ENTITY_SQL = f"SELECT {', '.join(ENTITY_FIELDS)} FROM entity WHERE id = :id"
# The pinned framework's title without parsing its (large) payload.
FRAMEWORK_TITLE_SQL = "SELECT json_extract(payload, '$.title') FROM entity WHERE id = :id"
SCHEMA_SQL = ("SELECT version_num FROM alembic_version WHERE EXISTS (SELECT 1 FROM "
              "sqlite_master WHERE type = 'table' AND name = 'alembic_version')")


class Cursorlike(Protocol):
    """What these reads need of a connection: sqlcipher3's, or the store's (the session's
    own DB-API connection, inside its transaction)."""

    def execute(self, sql: str, parameters: Mapping[str, Any] = ..., /) -> Any: ...


@dataclass(frozen=True)
class SummaryCounts:
    """Live records per type (a type with none is absent), revisions (all, and after a local
    sequence number), conflicted records, and the tests scored and agreed."""

    live: dict[str, int]
    revisions: int
    revisions_after: int
    conflicted: int
    tests_scored: int = 0
    tests_agreed: int = 0


@dataclass(frozen=True)
class FileOverview:
    """What the Overview shows of the file, as stored."""

    inspection: EntityView | None
    framework_title: str
    summary: SummaryCounts
    attachments: int


@dataclass(frozen=True)
class FirstScreenRows:
    """A file's first screen, read before the store: its overview and newest notes."""

    inspection_id: str
    schema_revision: str
    overview: FileOverview
    notes: list[EntityView]


def entity_view(row: Sequence[Any]) -> EntityView:
    """A row of ENTITY_FIELDS as the record's current state."""
    (id_, type_, winner, heads, deleted, payload, created, updated, created_by,
     updated_by) = row
    return EntityView(id=id_, type=type_, payload=json.loads(payload), deleted=bool(deleted),
                      head_count=heads, winner_rev=winner, created_hlc=created,
                      updated_hlc=updated, created_by=created_by, updated_by=updated_by)


def summary_counts(conn: Cursorlike, *, after_seq: int = 0) -> SummaryCounts:
    """Live records per type, revisions, conflicts and tests scored, in three statements."""
    revisions, after, conflicted = conn.execute(SUMMARY_SQL, {"after": after_seq}).fetchone()
    live = {t: n for t, n in conn.execute(LIVE_COUNTS_SQL, {})}
    scored, agreed = conn.execute(SCORED_SQL, {}).fetchone()
    return SummaryCounts(live, revisions, after, conflicted, int(scored), int(agreed))


def newest(conn: Cursorlike, entity_type: str, limit: int, *,
           include_deleted: bool = False) -> list[EntityView]:
    """The `limit` most recently saved records of a type, newest first."""
    rows = conn.execute(NEWEST_SQL[include_deleted], {"type": entity_type, "limit": limit})
    return [entity_view(r) for r in rows]


def meta_value(conn: Cursorlike, key: str) -> str | None:
    """One value of the meta table."""
    row = conn.execute(META_SQL, {"key": key}).fetchone()
    return None if row is None else row[0]


def overview(conn: Cursorlike, inspection_id: str, framework_record_id: str) -> FileOverview:
    """The inspection record, the pinned framework's title, the counts and the attachments."""
    row = conn.execute(ENTITY_SQL, {"id": inspection_id}).fetchone()
    title = conn.execute(FRAMEWORK_TITLE_SQL, {"id": framework_record_id}).fetchone()
    after = int(meta_value(conn, "exported_seq") or 0)
    return FileOverview(
        inspection=None if row is None else entity_view(row),
        framework_title="" if title is None or title[0] is None else str(title[0]),
        summary=summary_counts(conn, after_seq=after),
        attachments=conn.execute(BLOB_COUNT_SQL, {}).fetchone()[0])


def read_first_screen(path: Path, key: bytes, *, notes: int) -> FirstScreenRows | None:
    """The first screen, on a connection of its own, in one read transaction: the overview
    and the `notes` newest live notes. None when the file's schema is not this version's (it
    must be migrated, or is newer: the store opens it and says so). WrongKeyError when the
    key does not open it. The connection is made by the store's rules (it is not read-only:
    a file left with a write-ahead log is recovered the same way the store would)."""
    # Here, not at module level: with the key child's rows the app never loads sqlcipher3
    # before its first screen (~7 ms).
    from hmip_desktop.storage.connection import DAMAGED, check_existing, connect, is_damage

    check_existing(path)  # an empty file must not be opened (SQLite would write into it)
    conn = connect(path, key, read_only=False)
    try:
        conn.execute("BEGIN")
        schema = conn.execute(SCHEMA_SQL).fetchone()
        inspection_id = meta_value(conn, "inspection_id")
        if schema is None or schema[0] != SCHEMA_HEAD or not inspection_id:
            return None
        return FirstScreenRows(
            inspection_id=inspection_id, schema_revision=schema[0],
            overview=overview(conn, inspection_id, R.framework_record_id(inspection_id)),
            notes=newest(conn, R.NOTE, notes))
    except Exception as exc:
        if is_damage(exc):  # the same words as the store's (storage/unit_of_work.py)
            raise DamagedFileError(DAMAGED) from None
        raise
    finally:
        conn.close()


def rows_to_wire(rows: FirstScreenRows) -> bytes:
    """The first screen as JSON, for the key child to send (`rows_from_wire` reads it)."""
    def entity(view: EntityView | None) -> dict[str, Any] | None:
        return None if view is None else {field: getattr(view, field)
                                          for field in EntityView.__dataclass_fields__}

    summary = rows.overview.summary
    return json.dumps({
        "inspection_id": rows.inspection_id, "schema_revision": rows.schema_revision,
        "inspection": entity(rows.overview.inspection),
        "framework_title": rows.overview.framework_title,
        "live": summary.live, "revisions": summary.revisions,
        "revisions_after": summary.revisions_after, "conflicted": summary.conflicted,
        "tests_scored": summary.tests_scored, "tests_agreed": summary.tests_agreed,
        "attachments": rows.overview.attachments,
        "notes": [entity(view) for view in rows.notes],
    }, separators=(",", ":")).encode("utf-8")


def rows_from_wire(data: bytes) -> FirstScreenRows:
    """The first screen `rows_to_wire` made; ValueError when it is not that (the caller
    then reads the file itself)."""
    try:
        wire = json.loads(data)
        inspection = wire["inspection"]
        return FirstScreenRows(
            inspection_id=str(wire["inspection_id"]),
            schema_revision=str(wire["schema_revision"]),
            overview=FileOverview(
                inspection=None if inspection is None else EntityView(**inspection),
                framework_title=str(wire["framework_title"]),
                summary=SummaryCounts({str(k): int(v) for k, v in wire["live"].items()},
                                      int(wire["revisions"]), int(wire["revisions_after"]),
                                      int(wire["conflicted"]), int(wire["tests_scored"]),
                                      int(wire["tests_agreed"])),
                attachments=int(wire["attachments"])),
            notes=[EntityView(**note) for note in wire["notes"]])
    except (KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise ValueError("not a first screen") from exc

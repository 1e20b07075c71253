"""Repositories for local, never-synced facts: meta values, blobs, the import log, search."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select, text, update
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from hmip_desktop.domain.search_query import Highlighted, SearchHit
from hmip_desktop.storage.document_text import page_of_key
from hmip_desktop.storage.search_locate import MARKS_SQL, first_match_offset, highlighted
from hmip_desktop.storage.tables import AttachmentKeyRow, BlobRow, ImportLogRow, MetaRow

# Reads of every open, as text: nothing to compile on the first screen of a start-up.
_BLOB_COUNT = text("SELECT count(*) FROM blob")
_META_GET = text("SELECT value FROM meta WHERE key = :key")
_KEYS_ALL = text("SELECT recipient, identity FROM attachment_key")


class MetaRepository:
    """Key/value facts about this file."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, key: str, default: str | None = None) -> str | None:
        """A value, or the default (plain SQL, not an ORM load by primary key: read several
        times by every open, where the ORM's first load cost more than the reads)."""
        value = self._s.scalar(_META_GET, {"key": key})
        return value if value is not None else default

    def set(self, key: str, value: str) -> None:
        """Insert or replace a value."""
        stmt = insert(MetaRow).values(key=key, value=value)
        self._s.execute(stmt.on_conflict_do_update(index_elements=[MetaRow.key],
                                                   set_={"value": value}))


@dataclass(frozen=True)
class BlobInfo:
    """An attachment's metadata."""

    sha256: str
    size: int
    mime: str
    exported: bool


class BlobRepository:
    """The blob table (content hashes live only inside the encrypted database)."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, sha256: str, size: int, mime: str, stored_name: str, *,
            exported: bool = False) -> bool:
        """Record a blob (`exported`: already held where this device's bundles go, so none
        need carry it); False when it was already known (deduplicated)."""
        if self._s.get(BlobRow, sha256) is not None:
            return False
        self._s.add(BlobRow(sha256=sha256, size=size, mime=mime, stored_name=stored_name,
                            exported=exported))
        return True

    def get(self, sha256: str) -> BlobInfo | None:
        """Metadata of one blob."""
        row = self._s.get(BlobRow, sha256)
        return BlobInfo(row.sha256, row.size, row.mime, row.exported) if row else None

    def all(self, *, only_unexported: bool = False) -> list[BlobInfo]:
        """Every blob (or those never exported)."""
        stmt = select(BlobRow).order_by(BlobRow.sha256)
        if only_unexported:
            stmt = stmt.where(BlobRow.exported.is_(False))
        return [BlobInfo(r.sha256, r.size, r.mime, r.exported) for r in self._s.scalars(stmt)]

    def mark_exported(self, hashes: list[str]) -> None:
        """Remember blobs that went out in a bundle."""
        if hashes:
            self._s.execute(update(BlobRow).where(BlobRow.sha256.in_(hashes))
                            .values(exported=True))

    def count(self) -> int:
        """Number of blobs (plain SQL: read on the Overview's first screen, see
        RecordsRepository.summary_counts)."""
        return self._s.scalar(_BLOB_COUNT) or 0


class ImportLogRepository:
    """Bundles merged into this file."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def has(self, bundle_id: str) -> bool:
        """True when this bundle was imported before."""
        return self._s.get(ImportLogRow, bundle_id) is not None

    def add(self, **values: object) -> None:
        """Record an import."""
        self._s.add(ImportLogRow(**values))

    def all(self) -> list[ImportLogRow]:
        """Every import, newest first (rows are plain data here; no lazy loads)."""
        return list(self._s.scalars(select(ImportLogRow).order_by(
            ImportLogRow.imported_at.desc())))


def _page_title(key: str, document_title: str | None) -> Highlighted | None:
    """A page hit's title: its document's title and the page ("Reception policy, page 2").
    Pages are indexed untitled (a title word would rank every page), which left a hit naming
    neither the document nor the page."""
    page = page_of_key(key)
    if document_title is None or page is None:
        return None
    return Highlighted(f"{document_title or 'Untitled document'}, page {page}")


class SearchRepository:
    """FTS5 queries over search_item; the MATCH expression must come from search_query."""

    def __init__(self, session: Session | Connection) -> None:
        self._s = session

    def search(self, match: str, *, limit: int = 20) -> list[SearchHit]:
        """bm25-ranked results (title weighted 5x) with snippets."""
        # The page hits' document titles are joined to the ranked few only: joined inside,
        # the look-up ran for every match before the sort (search took 1.9x raw FTS5, not 1.1x).
        rows = self._s.execute(text(
            "SELECT h.entity_id, h.kind, h.key, h.title, h.body, h.score, d.title FROM ("
            "SELECT s.entity_id AS entity_id, s.kind AS kind, s.key AS key, "
            f"highlight(search_fts, 0, {MARKS_SQL}) AS title, "
            f"snippet(search_fts, 1, {MARKS_SQL}, '…', 16) AS body, "
            "bm25(search_fts, 5.0, 1.0) AS score "
            "FROM search_fts JOIN search_item s ON s.rid = search_fts.rowid "
            "WHERE search_fts MATCH :q ORDER BY score LIMIT :limit) AS h "
            "LEFT JOIN search_item d ON h.kind = 'document_page' AND d.key = h.entity_id "
            "ORDER BY h.score"
        ), {"q": match, "limit": limit})
        # The sentinel marks become spans here, before a hit leaves storage.
        return [SearchHit(r[0], r[1], r[2], _page_title(r[2], r[6]) or highlighted(r[3]),
                          highlighted(r[4]), float(r[5]))
                for r in rows]

    def first_match_offset(self, match: str, key: str) -> int | None:
        """Where the first match starts in one item's body, or None (see search_locate)."""
        return first_match_offset(self._s, match, key)  # type: ignore[arg-type]


class AttachmentKeyRepository:
    """The team attachment keys this file knows (secrets: only inside the encrypted file)."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def all(self) -> dict[str, str]:
        """Recipient -> identity of every known key."""
        return {recipient: identity for recipient, identity in self._s.execute(_KEYS_ALL)}

    def add(self, recipient: str, identity: str, added_at: str) -> bool:
        """Remember a key; False when it was known."""
        if self._s.get(AttachmentKeyRow, recipient) is not None:
            return False
        self._s.add(AttachmentKeyRow(recipient=recipient, identity=identity, added_at=added_at))
        return True

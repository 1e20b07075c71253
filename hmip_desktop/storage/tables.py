"""ORM rows of an inspection file (typed SQLAlchemy 2.x mapping).

`revision` is the source of truth and travels in bundles. Everything else here is either
local bookkeeping (meta, blob, import log) or a projection recomputed from revisions inside
the same transaction (entity, search_item, evidence_link). Classes are named `...Row` so they
never clash with domain types.
"""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of inspection-file tables."""


class RevisionRow(Base):
    """One immutable revision; `seq` is the local arrival order (for 'not yet exported')."""

    __tablename__ = "revision"

    rev_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(36), index=True)
    parents: Mapped[str] = mapped_column(Text)  # JSON list, sorted
    hlc: Mapped[str] = mapped_column(String(120))
    device_id: Mapped[str] = mapped_column(String(36))
    author_id: Mapped[str] = mapped_column(String(36))
    deleted: Mapped[bool] = mapped_column(Boolean)
    schema: Mapped[int] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON
    # The author device's signature as received; NULL for own revisions (signed on export)
    # and for revisions that arrived unsigned from an older app.
    signature: Mapped[str | None] = mapped_column(Text, nullable=True)


class RevisionParentRow(Base):
    """Parent edges, indexed by parent so heads are cheap to find."""

    __tablename__ = "revision_parent"

    rev_id: Mapped[str] = mapped_column(ForeignKey("revision.rev_id"), primary_key=True)
    parent_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class EntityRow(Base):
    """Materialised current state of one record (winner payload, conflict flag)."""

    __tablename__ = "entity"

    rid: Mapped[int] = mapped_column(Integer, primary_key=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    type: Mapped[str] = mapped_column(String(40), index=True)
    winner_rev: Mapped[str] = mapped_column(String(64))
    head_count: Mapped[int] = mapped_column(Integer)
    deleted: Mapped[bool] = mapped_column(Boolean)
    payload: Mapped[str] = mapped_column(Text)
    created_hlc: Mapped[str] = mapped_column(String(120))
    updated_hlc: Mapped[str] = mapped_column(String(120))
    created_by: Mapped[str] = mapped_column(String(36))
    updated_by: Mapped[str] = mapped_column(String(36))


class SearchItemRow(Base):
    """Text indexed by the FTS5 table `search_fts` (external content, rowid = rid)."""

    __tablename__ = "search_item"

    rid: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)  # entity id, or id#page
    entity_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)


class EvidenceLinkRow(Base):
    """Projection of live `link` records: an evidence item (or a passage) to an expectation."""

    __tablename__ = "evidence_link"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    evidence_id: Mapped[str] = mapped_column(String(36), index=True)
    expectation_ref: Mapped[str] = mapped_column(String(40), index=True)
    start: Mapped[int | None] = mapped_column(Integer, nullable=True)
    end: Mapped[int | None] = mapped_column(Integer, nullable=True)
    page: Mapped[int | None] = mapped_column(Integer, nullable=True)


class MetaRow(Base):
    """Local key/value facts about this file (inspection id, clock, export watermark)."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class BlobRow(Base):
    """An attachment in the encrypted store, addressed by the SHA-256 of its plaintext."""

    __tablename__ = "blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    mime: Mapped[str] = mapped_column(String(100))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    exported: Mapped[bool] = mapped_column(Boolean, default=False)


class AttachmentKeyRow(Base):
    """A team attachment key (age X25519 identity) this file knows; never leaves it except
    inside bundles encrypted to the team. The current one is named by meta `blob_identity`."""

    __tablename__ = "attachment_key"

    recipient: Mapped[str] = mapped_column(String(100), primary_key=True)
    identity: Mapped[str] = mapped_column(Text)
    added_at: Mapped[str] = mapped_column(String(40))


class ImportLogRow(Base):
    """One bundle merged into this file: a repeat import is recognised and changes nothing."""

    __tablename__ = "import_log"

    bundle_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36))
    signer: Mapped[str] = mapped_column(String(120))
    author_name: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[str] = mapped_column(String(40))
    hlc_max: Mapped[str] = mapped_column(String(120))
    revisions_total: Mapped[int] = mapped_column(Integer)
    revisions_new: Mapped[int] = mapped_column(Integer)
    blobs_new: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[str | None] = mapped_column(Text, nullable=True)


Index("ix_entity_type_deleted", EntityRow.type, EntityRow.deleted)
# The newest records of a type without reading the table (the notes list's first page at
# start-up: ~100 ms for 10,000 notes on a cold file without it); migration 0002.
Index("ix_entity_type_deleted_updated", EntityRow.type, EntityRow.deleted, EntityRow.updated_hlc)
# max(hlc) from the index's last entry instead of a scan of the whole log (the clock's
# starting point, read at every open); migration 0002.
Index("ix_revision_hlc", RevisionRow.hlc)
# Conflicted records only (few): the Overview's count reads this instead of every entity.
Index("ix_entity_conflicted", EntityRow.type, EntityRow.updated_hlc,
      sqlite_where=text("head_count > 1"))

"""Initial schema: revision log, projections, blobs, import log, full-text index.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hmip_desktop.storage import fts

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "revision",
        sa.Column("rev_id", sa.String(64), primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False, unique=True),
        sa.Column("entity_type", sa.String(40), nullable=False),
        sa.Column("entity_id", sa.String(36), nullable=False),
        sa.Column("parents", sa.Text, nullable=False),
        sa.Column("hlc", sa.String(120), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("author_id", sa.String(36), nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("schema", sa.Integer, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
    )
    op.create_index("ix_revision_entity_id", "revision", ["entity_id"])
    op.create_table(
        "revision_parent",
        sa.Column("rev_id", sa.String(64), sa.ForeignKey("revision.rev_id"), primary_key=True),
        sa.Column("parent_id", sa.String(64), primary_key=True),
    )
    op.create_index("ix_revision_parent_parent_id", "revision_parent", ["parent_id"])
    op.create_table(
        "entity",
        sa.Column("rid", sa.Integer, primary_key=True),
        sa.Column("id", sa.String(36), nullable=False, unique=True),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("winner_rev", sa.String(64), nullable=False),
        sa.Column("head_count", sa.Integer, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_hlc", sa.String(120), nullable=False),
        sa.Column("updated_hlc", sa.String(120), nullable=False),
        sa.Column("created_by", sa.String(36), nullable=False),
        sa.Column("updated_by", sa.String(36), nullable=False),
    )
    op.create_index("ix_entity_type", "entity", ["type"])
    op.create_index("ix_entity_type_deleted", "entity", ["type", "deleted"])
    op.create_table(
        "search_item",
        sa.Column("rid", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(80), nullable=False, unique=True),
        sa.Column("entity_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_index("ix_search_item_entity_id", "search_item", ["entity_id"])
    op.create_table(
        "evidence_link",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("evidence_id", sa.String(36), nullable=False),
        sa.Column("expectation_ref", sa.String(40), nullable=False),
        sa.Column("start", sa.Integer, nullable=True),
        sa.Column("end", sa.Integer, nullable=True),
        sa.Column("page", sa.Integer, nullable=True),
    )
    op.create_index("ix_evidence_link_evidence_id", "evidence_link", ["evidence_id"])
    op.create_index("ix_evidence_link_expectation_ref", "evidence_link", ["expectation_ref"])
    op.create_table(
        "meta",
        sa.Column("key", sa.String(60), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "blob",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("mime", sa.String(100), nullable=False),
        sa.Column("stored_name", sa.String(80), nullable=False, unique=True),
        sa.Column("exported", sa.Boolean, nullable=False),
    )
    op.create_table(
        "import_log",
        sa.Column("bundle_id", sa.String(36), primary_key=True),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("signer", sa.String(120), nullable=False),
        sa.Column("author_name", sa.Text, nullable=False),
        sa.Column("imported_at", sa.String(40), nullable=False),
        sa.Column("hlc_max", sa.String(120), nullable=False),
        sa.Column("revisions_total", sa.Integer, nullable=False),
        sa.Column("revisions_new", sa.Integer, nullable=False),
        sa.Column("blobs_new", sa.Integer, nullable=False),
        sa.Column("snapshot", sa.Text, nullable=True),
    )
    fts.create(op.get_bind())


def downgrade() -> None:
    raise NotImplementedError("inspection files are never downgraded; restore the backup")

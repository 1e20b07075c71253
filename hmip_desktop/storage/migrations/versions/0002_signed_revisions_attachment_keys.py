"""Bundle format 2: revision signatures and the team's attachment keys.

One migration for both changes of the second bundle format (sync-and-security.md, "Second
revision of the bundle format"):
- `revision.signature`: the author device's Ed25519 signature, as received in a bundle
  (NULL for the device's own revisions, signed when exported, and for revisions that
  arrived unsigned from an older app: history shows those as unsigned);
- `attachment_key`: every team attachment key this file knows. Attachments are encrypted
  once to the current team key and travel as stored, so the key must be known wherever they
  go. The file's own attachment identity (meta `blob_identity`, which already encrypts every
  stored attachment) becomes its first team key, so existing attachments travel unchanged.

And two indexes for opening a file quickly (issue 11): `entity(type, deleted, updated_hlc)`
reads the newest notes for the first page of the list without reading the table, and
`revision(hlc)` gives the latest clock stamp of the log (the clock's starting point, read at
every open) without scanning it.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("revision") as batch:
        batch.add_column(sa.Column("signature", sa.Text, nullable=True))
    op.create_table(
        "attachment_key",
        sa.Column("recipient", sa.String(100), primary_key=True),
        sa.Column("identity", sa.Text, nullable=False),
        sa.Column("added_at", sa.String(40), nullable=False),
    )
    conn = op.get_bind()
    identity = conn.exec_driver_sql(
        "SELECT value FROM meta WHERE key = 'blob_identity'").scalar()
    if identity:
        import pyrage

        recipient = str(pyrage.x25519.Identity.from_str(identity).to_public())
        conn.exec_driver_sql(
            "INSERT INTO attachment_key(recipient, identity, added_at) VALUES (?, ?, ?)",
            (recipient, identity, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")))
    op.create_index("ix_entity_type_deleted_updated", "entity",
                    ["type", "deleted", "updated_hlc"])
    op.create_index("ix_revision_hlc", "revision", ["hlc"])
    op.create_index("ix_entity_conflicted", "entity", ["type", "updated_hlc"],
                    sqlite_where=sa.text("head_count > 1"))


def downgrade() -> None:
    op.drop_index("ix_entity_conflicted", table_name="entity")
    op.drop_index("ix_revision_hlc", table_name="revision")
    op.drop_index("ix_entity_type_deleted_updated", table_name="entity")
    op.drop_table("attachment_key")
    with op.batch_alter_table("revision") as batch:
        batch.drop_column("signature")

"""Alembic environment: always runs on the already-keyed connection handed in by the app."""

from __future__ import annotations

from alembic import context

from hmip_desktop.storage.tables import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies tables
)
with context.begin_transaction():
    context.run_migrations()

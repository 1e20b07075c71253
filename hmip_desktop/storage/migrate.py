"""Bring an inspection file's schema to this app's head, safely.

Sequence (sync-and-security.md §4): read the file's revision; if it is newer than anything this
app knows, open read-only; otherwise, if an upgrade is needed on a file with data, make an
encrypted backup first, upgrade in one transaction, then self-check triggers and the FTS index.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from hmip_desktop.domain.errors import HmipError
from hmip_desktop.storage import db, fts
from hmip_desktop.storage.migrations import SCHEMA_HEAD

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

# Alembic is imported inside the functions: opening an up-to-date file only needs the
# version table, and importing Alembic's machinery costs about 0.2 s of start-up.

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    """The newest schema revision this app knows."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    """Every schema revision this app knows."""
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """The schema revision stored in the file (None for a new, empty file)."""
    with engine.connect() as conn:
        has_table = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
        ).first()
        if not has_table:
            return None
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


@dataclass(frozen=True)
class MigrationOutcome:
    """What happened when a file was opened."""

    revision: str | None
    read_only: bool
    upgraded_from: str | None
    backup_path: Path | None


def upgrade(engine: Engine, path: Path, key: bytes) -> MigrationOutcome:
    """Upgrade the file to head; a file from a newer app is left untouched (read-only)."""
    current = current_revision(engine)
    if current == SCHEMA_HEAD:  # the common case: nothing to do, no Alembic import
        return MigrationOutcome(current, False, None, None)
    head = head_revision()
    if current is not None and current not in known_revisions():
        log.warning("file schema %s is newer than this app (%s): read-only", current, head)
        return MigrationOutcome(current, True, None, None)
    if current == head:
        return MigrationOutcome(current, False, None, None)
    backup_path = None
    if current is not None:
        backup_path = path.with_name(f"{path.name}.backup-{current}")
        db.backup(path, key, backup_path)
        log.info("backup before migration %s -> %s written", current, head)
    from alembic import command

    cfg = _config()
    # The version was read without the write lock; the upgrade itself takes it at BEGIN.
    write_engine = db.make_engine(path, key)
    try:
        with write_engine.connect() as conn:
            raw = conn.connection.driver_connection
            raw.execute("PRAGMA foreign_keys = OFF")  # batch steps copy tables; outside the txn
            try:
                with conn.begin():
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
                    if conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall():
                        raise HmipError("migration left broken references; the backup is intact")
                    if fts.check(conn):
                        fts.create_triggers(conn)
                        fts.rebuild(conn)
                    if fts.check(conn):
                        raise HmipError("migration damaged the search index; the backup is intact")
            finally:
                raw.execute("PRAGMA foreign_keys = ON")
    finally:
        write_engine.dispose()
    log.info("schema upgraded %s -> %s", current, head)
    return MigrationOutcome(head, False, current, backup_path)

"""One SQLCipher-encrypted SQLite database per inspection file, driven by SQLAlchemy.

The rules of each connection (raw key, WAL, synchronous=FULL, page cache, temp_store) are in
storage/connection.py, shared with the first screen's read. Here: the pooled engine, whose
BEGIN is SQLAlchemy's, so a Session's transaction really is one SQLite transaction.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import QueuePool

from hmip_desktop.domain.errors import DamagedFileError
from hmip_desktop.private_files import create_private
from hmip_desktop.storage.connection import DAMAGED, KEY_BYTES, check_key, connect, is_damage

log = logging.getLogger(__name__)

__all__ = ["KEY_BYTES", "backup", "check_key", "make_engine"]

def make_engine(path: Path, key: bytes, *, read_only: bool = False,
                immediate: bool = True, check: bool = True) -> Engine:
    """An engine over the encrypted file, shared by every thread.

    Writers use `immediate=True` (BEGIN IMMEDIATE takes the write lock up front, so two
    writers never deadlock on a lock upgrade); readers use deferred BEGIN and never block.
    `check=False` skips opening a connection up front to check the key, for a key another
    engine has just checked (every connection still refuses a wrong key when it opens).
    """
    if len(key) != KEY_BYTES:
        raise ValueError("inspection keys are 32 bytes")
    if check and path.exists():
        check_key(path, key)
    engine = create_engine(
        "sqlite://",
        creator=lambda: connect(path, key, read_only=read_only),
        poolclass=QueuePool,
        pool_size=4,
        pool_use_lifo=True,  # reuse the warmest connection: each has its own page cache
        max_overflow=4,
    )

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate and not read_only else "BEGIN")

    @event.listens_for(engine, "handle_error")
    def _damaged(context) -> None:  # type: ignore[no-untyped-def]
        # Any statement may be the first to read a damaged page: say so in words, not as a
        # bug (the command line's exit 70, the GUI's "something went wrong").
        if is_damage(context.original_exception):
            log.error("the inspection file failed an integrity check")
            raise DamagedFileError(DAMAGED) from None

    return engine


def backup(path: Path, key: bytes, dest: Path) -> None:
    """Copy the database to `dest`, encrypted with the same key; never writes plaintext."""
    if dest.exists():
        dest.unlink()
    create_private(dest, exclusive=True)
    conn = connect(path, key, read_only=False)
    try:
        conn.execute(f"ATTACH DATABASE ? AS backup_db KEY \"x'{key.hex()}'\"", (str(dest),))
        conn.execute("SELECT sqlcipher_export('backup_db')")
        conn.execute("DETACH DATABASE backup_db")
    finally:
        conn.close()

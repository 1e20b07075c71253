"""One transaction per user action, handing out repositories.

Rule: a UnitOfWork commits when its block ends normally and rolls back on any exception; no
repository commits on its own. Sessions are never shared between threads and ORM rows never
leave the block (repositories return domain dataclasses).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType

import sqlcipher3
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from hmip_desktop.domain.errors import DamagedFileError, ReadOnlyError, UserError
from hmip_desktop.storage.connection import DAMAGED, is_damage
from hmip_desktop.storage.document_text import DocumentTextRepository
from hmip_desktop.storage.extract_rows_repo import ExtractRowsRepository
from hmip_desktop.storage.extract_tables_repo import ExtractTablesRepository
from hmip_desktop.storage.links_repo import LinksRepository
from hmip_desktop.storage.local_repos import (
    AttachmentKeyRepository,
    BlobRepository,
    ImportLogRepository,
    MetaRepository,
    SearchRepository,
)
from hmip_desktop.storage.records_repo import RecordsRepository
from hmip_desktop.storage.sync_repo import SyncRepository

READ_ONLY_MESSAGE = ("This inspection file is open read-only (it was written by a newer version "
                     "of the app). Update the app to change it.")


# A writer waits for another writer's lock (a long import) in steps of the connection's
# busy timeout, telling a listener how long it has waited, and gives up with a clear message
# only after MAX_LOCK_WAIT_S. Readers never take the lock (WAL), so they never make it wait.
MAX_LOCK_WAIT_S = 15 * 60
QUIET_LOCK_WAIT_S = 10  # with no listener to show the wait (a GUI thread), give up sooner
_lock_wait_listener: Callable[[float], None] | None = None


class FileBusyError(UserError):
    """The write lock stayed with another program for longer than MAX_LOCK_WAIT_S."""


def set_lock_wait_listener(listener: Callable[[float], None] | None) -> None:
    """Called with the seconds waited so far, each time a writer is still waiting."""
    global _lock_wait_listener
    _lock_wait_listener = listener


def _is_busy(exc: BaseException) -> bool:
    text = str(getattr(exc, "orig", None) or exc).lower()
    return "database is locked" in text or "database is busy" in text


class UnitOfWork:
    """`with uow() as tx:` — tx.records, tx.meta, tx.blobs, tx.attachment_keys, tx.sync,
    tx.imports, tx.search, tx.links, tx.document_text, tx.extract_tables, tx.extract_rows.

    The session stays private to storage: code outside it reaches the file only through
    these repositories (a test checks that nothing outside storage reads a `session`).
    """

    def __init__(self, sessions: sessionmaker[Session], *, write: bool,
                 read_only_file: bool) -> None:
        if write and read_only_file:
            raise ReadOnlyError(READ_ONLY_MESSAGE)
        self._sessions = sessions
        self._session: Session | None = None
        self._write = write

    def __enter__(self) -> UnitOfWork:
        self._session = self._sessions()
        self._session.begin()
        if self._write:
            self._take_write_lock()
        s = self._session
        self.records = RecordsRepository(s)
        self.meta = MetaRepository(s)
        self.blobs = BlobRepository(s)
        self.attachment_keys = AttachmentKeyRepository(s)
        self.sync = SyncRepository(s)
        self.imports = ImportLogRepository(s)
        self.search = SearchRepository(s)
        self.links = LinksRepository(s)
        self.document_text = DocumentTextRepository(s)
        self.extract_tables = ExtractTablesRepository(s)
        self.extract_rows = ExtractRowsRepository(s)
        return self

    def _take_write_lock(self) -> None:
        """BEGIN IMMEDIATE now (not at the first statement), waiting while another writer
        holds the lock."""
        assert self._session is not None
        start = time.monotonic()
        while True:
            try:
                self._session.connection()  # the engine's begin event takes the lock
                return
            except (OperationalError, sqlcipher3.OperationalError) as exc:
                # (raised unwrapped when the engine's begin event hits the lock)
                if not _is_busy(exc):
                    self._session.close()
                    raise
                self._session.rollback()
                waited = time.monotonic() - start
                limit = MAX_LOCK_WAIT_S if _lock_wait_listener is not None else QUIET_LOCK_WAIT_S
                if waited >= limit:
                    self._session.close()
                    raise FileBusyError(
                        f"The inspection file is busy: another program has been changing it "
                        f"for over {int(waited)} seconds (limit: lock wait). Try again when it "
                        "has finished; nothing was changed.") from None
                if _lock_wait_listener is not None:
                    _lock_wait_listener(waited)
                self._session.begin()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        assert self._session is not None
        try:
            if exc_type is None:
                self._session.commit()
            else:
                self._session.rollback()
        finally:
            self._session.close()
        if exc is not None and is_damage(exc):
            # A statement on the driver's own cursor (the quick list reads) met a damaged
            # page: the same words as the engine's (storage/db.py), not an internal error.
            raise DamagedFileError(DAMAGED) from None

"""One transaction per user action, handing out repositories.

Rule: a UnitOfWork commits when its block ends normally and rolls back on any exception; no
repository commits on its own. Sessions are never shared between threads and ORM rows never
leave the block (repositories return domain dataclasses).
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

from hmip_desktop.domain.errors import ReadOnlyError
from hmip_desktop.storage.local_repos import (
    BlobRepository,
    ImportLogRepository,
    MetaRepository,
    SearchRepository,
)
from hmip_desktop.storage.records_repo import RecordsRepository

READ_ONLY_MESSAGE = ("This inspection file is open read-only (it was written by a newer version "
                     "of the app). Update the app to change it.")


class UnitOfWork:
    """`with uow() as tx:` — tx.records, tx.meta, tx.blobs, tx.imports, tx.search."""

    def __init__(self, sessions: sessionmaker[Session], *, write: bool,
                 read_only_file: bool) -> None:
        if write and read_only_file:
            raise ReadOnlyError(READ_ONLY_MESSAGE)
        self._sessions = sessions
        self._session: Session | None = None

    def __enter__(self) -> UnitOfWork:
        self._session = self._sessions()
        self._session.begin()
        s = self._session
        self.session = s
        self.records = RecordsRepository(s)
        self.meta = MetaRepository(s)
        self.blobs = BlobRepository(s)
        self.imports = ImportLogRepository(s)
        self.search = SearchRepository(s)
        return self

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

"""Write transactions on a brand-new connection, for bulk loads such as extract rows.

Why a new connection: SQLite serves small allocations (every bound text value of every row)
from a per-connection lookaside pool, which the statements a long-lived connection keeps
prepared fill up; on the app's pooled write connection a million-row insert ran about 50%
slower (user CPU, measured), on a fresh connection to the same file it did not. The new
connection has the same key and PRAGMAs (the pool is recreated from the same creator) and
takes the write lock at BEGIN like every writer, so writes stay serialised. Services open
one with `InspectionStore.bulk_uow()`, the one way to get a bulk unit of work.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


@contextmanager
def fresh_sessions(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions on a new connection to the engine's file; closed afterwards."""
    bulk = create_engine("sqlite://", pool=engine.pool.recreate())

    @event.listens_for(bulk, "begin")
    def _begin(conn) -> None:  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    try:
        yield sessionmaker(bulk, expire_on_commit=False)
    finally:
        bulk.dispose()

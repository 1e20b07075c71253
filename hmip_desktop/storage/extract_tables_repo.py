"""Which extract row tables a file holds, and the DDL on them (drop, index), in a transaction.

The tables' names and the SQL loaders live in `extract_tables`; this repository is how a
service reaches them inside a unit of work (`tx.extract_tables`), without the session.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from hmip_desktop.storage.extract_tables import STAGING_RE, TABLE_RE, checked


class ExtractTablesRepository:
    """The extract row tables (and staging tables) present in this file."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def cursor(self) -> Any:
        """A DB-API cursor on this transaction's connection, for the loaders in
        `extract_tables` (executemany over raw rows; they may commit between chunks)."""
        return self._s.connection().connection.cursor()

    def staging(self) -> set[str]:
        """Staging tables present (an import running, or one that died before publishing)."""
        rows = self._s.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name LIKE 'xs\\_%' ESCAPE '\\'"))
        return {r[0] for r in rows if STAGING_RE.fullmatch(r[0])}

    def existing(self) -> set[str]:
        """Names of the extract tables present in this file."""
        rows = self._s.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name LIKE 'x\\_%' ESCAPE '\\'"))
        return {r[0] for r in rows if TABLE_RE.fullmatch(r[0])}

    def exists(self, name: str) -> bool:
        """True when the table is present."""
        return self._s.execute(
            text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n"),
            {"n": checked(name)}).first() is not None

    def drop(self, name: str) -> None:
        """Remove a table (and its indexes) if present."""
        self._s.execute(text(f"DROP TABLE IF EXISTS {checked(name)}"))

    def create_index(self, name: str, column: int) -> None:
        """An index on one column, so sorting a large extract by it stays fast."""
        self._s.execute(text(
            f"CREATE INDEX IF NOT EXISTS ix_{checked(name)}_c{int(column)} "
            f"ON {name} (c{int(column)})"))

    def has_index(self, name: str, column: int) -> bool:
        """True when the column already has its index."""
        return self._s.execute(
            text("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = :n"),
            {"n": f"ix_{checked(name)}_c{int(column)}"}).first() is not None

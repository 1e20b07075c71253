"""Many-row INSERT (or upsert) straight through the driver's executemany.

A merge writes tens of thousands of rows into the revision log and its projections. Going
through SQLAlchemy's Core executemany, each row's parameters were still processed one by one
(about a tenth of a merge's database time, measured); rows here are tuples in the table's own
column order, bound by position, on the session's connection and so in its transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session


@cache
def _sql(table: Table, columns: tuple[str, ...], conflict: str | None,
         updates: tuple[str, ...]) -> str:
    for name in columns:
        table.c[name]  # noqa: B018 - a KeyError here names a column the table lacks
    names = ", ".join(f'"{c}"' for c in columns)
    sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" * len(columns))})'
    if conflict is not None:
        sets = ", ".join(f'"{c}" = excluded."{c}"' for c in updates)
        sql += f' ON CONFLICT ("{conflict}") DO UPDATE SET {sets}'
    return sql


def insert_many(session: Session, table: Table, columns: tuple[str, ...],
                rows: Sequence[tuple[Any, ...]], *, upsert_on: str | None = None,
                update_only: tuple[str, ...] | None = None) -> None:
    """Insert `rows` (tuples in `columns` order); with `upsert_on` (a unique column) an
    existing row is updated instead: all other columns, or only `update_only`."""
    if not rows:
        return
    updates = update_only if update_only is not None else tuple(
        c for c in columns if c != upsert_on)
    session.connection().exec_driver_sql(_sql(table, columns, upsert_on, updates), list(rows))

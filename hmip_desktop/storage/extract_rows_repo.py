"""Read queries over an extract's row table: count, page of rows, group-by (`tx.extract_rows`).

The SQL text is built only from names `extract_tables` generates and column references
`extract_queries` checks; every user-supplied value is a bound parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from hmip_desktop.storage.extract_queries import Filter, column_ref, where_clause
from hmip_desktop.storage.extract_tables import checked


class ExtractRowsRepository:
    """The rows of the extract tables, read inside a unit of work."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def count(self, table: str, width: int, filters: Sequence[Filter] = ()) -> int:
        """Rows matching the filters."""
        where, params = where_clause(filters, width)
        return int(self._s.execute(text(f"SELECT count(*) FROM {checked(table)}{where}"),
                                   params).scalar_one())

    def page(self, table: str, width: int, *, offset: int, limit: int,
             sort_column: int | None, descending: bool,
             filters: Sequence[Filter] = ()) -> list[tuple[Any, ...]]:
        """One page of rows in file order, or sorted by a column (file order breaks ties)."""
        where, params = where_clause(filters, width)
        order = "rowid"
        if sort_column is not None:
            # One direction for both keys, so an index on the column serves the whole ORDER BY
            # (ties then keep file order ascending, reversed descending).
            way = "DESC" if descending else "ASC"
            order = f"{column_ref(sort_column, width)} {way}, rowid {way}"
        cols = ", ".join(f"c{i}" for i in range(width))
        params.update(limit=max(0, int(limit)), offset=max(0, int(offset)))
        result = self._s.execute(text(
            f"SELECT {cols} FROM {checked(table)}{where} ORDER BY {order} "
            "LIMIT :limit OFFSET :offset"), params)
        return [tuple(r) for r in result]

    def group_by(self, table: str, width: int, *, column: int, agg: str,
                 value_column: int | None, filters: Sequence[Filter] = (),
                 granularity: str | None = None,
                 limit: int | None = None) -> list[tuple[Any, Any]]:
        """(key, count or sum) per distinct key, keys ascending (blank keys first)."""
        key = column_ref(column, width)
        if granularity == "month":
            key = f"substr({key}, 1, 7)"
        elif granularity == "year":
            key = f"substr({key}, 1, 4)"
        elif granularity is not None:
            raise ValueError("unknown date granularity")
        if agg == "count":
            value = "count(*)"
        elif agg == "sum":
            if value_column is None:
                raise ValueError("a sum needs a value column")
            value = f"coalesce(sum({column_ref(value_column, width)}), 0)"
        else:
            raise ValueError("unknown aggregate")
        where, params = where_clause(filters, width)
        tail = ""
        if limit is not None:
            tail = " LIMIT :limit"
            params["limit"] = int(limit)
        result = self._s.execute(text(
            f"SELECT {key} AS k, {value} FROM {checked(table)}{where} "
            f"GROUP BY k ORDER BY k{tail}"), params)
        return [(r[0], r[1]) for r in result]

"""Read queries over an extract's row table: count, page of rows, group-by.

Everything user-supplied arrives as bound parameters; column references are integer indexes
checked against the table's width and operators come from a fixed map, so the SQL text is
built only from names this module generates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from hmip_desktop.storage.extract_tables import checked

# Filter operators. '!=' keeps blank cells (IS NOT), which is what "not A" means to a reader.
_OPS = {"=": "=", "!=": "IS NOT", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
OPERATORS = (*_OPS, "contains")
GRANULARITIES = ("month", "year")

Filter = tuple[int, str, Any]


def _col(index: int, width: int) -> str:
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < width:
        raise ValueError("column index out of range")
    return f"c{index}"


def where_clause(filters: Sequence[Filter], width: int) -> tuple[str, dict[str, Any]]:
    """' WHERE …' (or '') and its parameters; values must already have the column's type."""
    parts: list[str] = []
    params: dict[str, Any] = {}
    for n, (index, op, value) in enumerate(filters):
        col = _col(index, width)
        key = f"f{n}"
        if op == "contains":
            parts.append(f"instr(lower(CAST({col} AS TEXT)), lower(:{key})) > 0")
            params[key] = str(value)
        elif op not in _OPS:
            raise ValueError("unknown filter operator")
        elif value is None:
            if op not in ("=", "!="):
                raise ValueError("only = and != compare with a blank")
            parts.append(f"{col} IS {'NOT ' if op == '!=' else ''}NULL")
        else:
            parts.append(f"{col} {_OPS[op]} :{key}")
            params[key] = value
    return (" WHERE " + " AND ".join(parts) if parts else ""), params


def row_count(session: Session, table: str, width: int, filters: Sequence[Filter] = ()) -> int:
    """Rows matching the filters."""
    where, params = where_clause(filters, width)
    return int(session.execute(text(f"SELECT count(*) FROM {checked(table)}{where}"),
                               params).scalar_one())


def rows(session: Session, table: str, width: int, *, offset: int, limit: int,
         sort_column: int | None, descending: bool,
         filters: Sequence[Filter] = ()) -> list[tuple[Any, ...]]:
    """One page of rows in file order, or sorted by a column (file order breaks ties)."""
    where, params = where_clause(filters, width)
    order = "rowid"
    if sort_column is not None:
        # One direction for both keys, so an index on the column serves the whole ORDER BY
        # (ties then keep file order ascending, reversed descending).
        way = "DESC" if descending else "ASC"
        order = f"{_col(sort_column, width)} {way}, rowid {way}"
    cols = ", ".join(f"c{i}" for i in range(width))
    params.update(limit=max(0, int(limit)), offset=max(0, int(offset)))
    result = session.execute(text(
        f"SELECT {cols} FROM {checked(table)}{where} ORDER BY {order} "
        "LIMIT :limit OFFSET :offset"), params)
    return [tuple(r) for r in result]


def group_by(session: Session, table: str, width: int, *, column: int, agg: str,
             value_column: int | None, filters: Sequence[Filter] = (),
             granularity: str | None = None, limit: int | None = None) -> list[tuple[Any, Any]]:
    """(key, count or sum) per distinct key, keys ascending (blank keys first)."""
    key = _col(column, width)
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
        value = f"coalesce(sum({_col(value_column, width)}), 0)"
    else:
        raise ValueError("unknown aggregate")
    where, params = where_clause(filters, width)
    tail = ""
    if limit is not None:
        tail = " LIMIT :limit"
        params["limit"] = int(limit)
    result = session.execute(text(
        f"SELECT {key} AS k, {value} FROM {checked(table)}{where} GROUP BY k ORDER BY k{tail}"),
        params)
    return [(r[0], r[1]) for r in result]

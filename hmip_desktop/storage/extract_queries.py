"""The SQL pieces of read queries over an extract's row table (filters, column references);
the queries themselves (count, page of rows, group-by) are `extract_rows_repo`'s.

Everything user-supplied arrives as bound parameters; column references are integer indexes
checked against the table's width and operators come from a fixed map, so the SQL text is
built only from names this module generates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Filter operators. '!=' keeps blank cells (IS NOT), which is what "not A" means to a reader.
_OPS = {"=": "=", "!=": "IS NOT", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
OPERATORS = (*_OPS, "contains")
GRANULARITIES = ("month", "year")

Filter = tuple[int, str, Any]


def column_ref(index: int, width: int) -> str:
    """`c<index>`, after checking the index against the table's width."""
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < width:
        raise ValueError("column index out of range")
    return f"c{index}"


def where_clause(filters: Sequence[Filter], width: int) -> tuple[str, dict[str, Any]]:
    """' WHERE …' (or '') and its parameters; values must already have the column's type."""
    parts: list[str] = []
    params: dict[str, Any] = {}
    for n, (index, op, value) in enumerate(filters):
        col = column_ref(index, width)
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

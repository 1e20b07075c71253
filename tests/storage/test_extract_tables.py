"""Extract row tables: generated names only, STRICT types, the SQL loaders, the bulk session."""

from __future__ import annotations

import sys

import pytest

from hmip_desktop.storage import extract_queries as Q
from hmip_desktop.storage import extract_tables as T
from hmip_desktop.storage import fts


def test_whitespace_constant_matches_python() -> None:
    """The written-out blank characters are exactly those str.isspace() accepts."""
    computed = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
    assert T._WHITESPACE == computed


def test_names_are_generated_and_checked() -> None:
    """Any record id maps to a safe name; anything else is refused before reaching SQL."""
    name = T.table_name("'; DROP TABLE entity; --")
    assert T.checked(name) == name and name.startswith("x_") and len(name) == 34
    for bad in ("entity", "x_1; DROP TABLE entity", "x_" + "g" * 32, "X_" + "0" * 32):
        with pytest.raises(ValueError):
            T.checked(bad)
    with pytest.raises(ValueError):
        Q.where_clause([(5, "=", 1)], 3)
    with pytest.raises(ValueError):
        Q.where_clause([(0, "; DROP", 1)], 3)
    with pytest.raises(ValueError):
        Q.where_clause([(True, "=", 1)], 3)


def test_strict_table_loaders_and_search_index_intact(store) -> None:
    """Quick and exact statements convert like the ingest reader; refused cells raise
    FastLoadRejected; creating and dropping tables leaves the FTS index healthy."""
    types = ["integer", "decimal", "date", "text"]
    name = T.table_name("t1")
    with store.uow(write=True) as tx:
        cur = tx.extract_tables.cursor()
        T.create(cur, name, types)
        quick = T.quick_insert_sql(name, types)
        exact = T.exact_insert_sql(name, types)
        rows = [["1", "12.50", "05/02/2024", " lead"], ["", "", "", ""],
                [" ", "\xa0", "", "\u3000"], ["-3", ".5", "2024-02-29", "\u00d3"]]
        assert T.insert_fast(cur, quick, exact, rows) == 2
        stored = cur.execute(f"SELECT * FROM {name} ORDER BY rowid").fetchall()
        assert [tuple(r) for r in stored] == [(1, 12.5, "2024-02-05", " lead"),
                                              (-3, 0.5, "2024-02-29", "\u00d3")]
        for bad in (["1.5", "1", "", ""], ["1", "1e5", "", ""], ["1", "1", "2023-02-29", ""],
                    ["1", "2"]):
            with pytest.raises(T.FastLoadRejected):
                T.insert_fast(cur, quick, exact, [bad])
        assert tx.extract_tables.exists(name) and name in tx.extract_tables.existing()
        tx.extract_tables.create_index(name, 1)
        assert tx.extract_tables.has_index(name, 1)
        tx.extract_tables.drop(name)
        assert not tx.extract_tables.exists(name)
    with store.read_connection() as conn:
        assert fts.check(conn) == []


def test_savepoint_rollback_removes_a_created_table(store) -> None:
    """The fast loader's savepoint undoes the table it created."""
    name = T.table_name("t2")
    with store.uow(write=True) as tx:
        cur = tx.extract_tables.cursor()
        T.savepoint(cur, "extract_fast")
        T.create(cur, name, ["text"])
        T.rollback_to(cur, "extract_fast")
        assert not tx.extract_tables.exists(name)
    with pytest.raises(ValueError):
        T.savepoint(cur, "x; DROP")


def test_bulk_uow_writes_to_the_same_file(store) -> None:
    """A bulk unit of work on a new connection commits into the open file."""
    with store.bulk_uow() as tx:
        T.create(tx.extract_tables.cursor(), T.table_name("t3"), ["integer"])
    with store.uow() as tx:
        assert tx.extract_tables.exists(T.table_name("t3"))

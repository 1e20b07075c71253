"""Extract row tables: generated names only, STRICT types, the SQL loaders, the bulk session."""

from __future__ import annotations

import sys

import pytest
from sqlalchemy import text

from hmip_desktop.storage import extract_queries as Q
from hmip_desktop.storage import extract_tables as T
from hmip_desktop.storage import fts
from hmip_desktop.storage.bulk import fresh_sessions
from hmip_desktop.storage.unit_of_work import UnitOfWork


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
        cur = T.raw_cursor(tx.session)
        T.create(cur, name, types)
        quick = T.quick_insert_sql(name, types)
        exact = T.exact_insert_sql(name, types)
        rows = [["1", "12.50", "05/02/2024", " lead"], ["", "", "", ""],
                [" ", "\xa0", "", "\u3000"], ["-3", ".5", "2024-02-29", "\u00d3"]]
        assert T.insert_fast(cur, quick, exact, rows) == 2
        stored = tx.session.execute(text(f"SELECT * FROM {name} ORDER BY rowid")).all()
        assert [tuple(r) for r in stored] == [(1, 12.5, "2024-02-05", " lead"),
                                              (-3, 0.5, "2024-02-29", "\u00d3")]
        for bad in (["1.5", "1", "", ""], ["1", "1e5", "", ""], ["1", "1", "2023-02-29", ""],
                    ["1", "2"]):
            with pytest.raises(T.FastLoadRejected):
                T.insert_fast(cur, quick, exact, [bad])
        assert T.exists(tx.session, name) and name in T.existing_tables(tx.session)
        T.create_index(tx.session, name, 1)
        assert T.has_index(tx.session, name, 1)
        T.drop(tx.session, name)
        assert not T.exists(tx.session, name)
        assert fts.check(tx.session.connection()) == []


def test_savepoint_rollback_removes_a_created_table(store) -> None:
    """The fast loader's savepoint undoes the table it created."""
    name = T.table_name("t2")
    with store.uow(write=True) as tx:
        cur = T.raw_cursor(tx.session)
        T.savepoint(cur, "extract_fast")
        T.create(cur, name, ["text"])
        T.rollback_to(cur, "extract_fast")
        assert not T.exists(tx.session, name)
    with pytest.raises(ValueError):
        T.savepoint(cur, "x; DROP")


def test_fresh_sessions_write_to_the_same_file(store) -> None:
    """A bulk unit of work on a new connection commits into the open file."""
    with store.uow() as probe:
        engine = probe.session.get_bind()
    with fresh_sessions(engine) as sessions:  # type: ignore[arg-type]
        with UnitOfWork(sessions, write=True, read_only_file=False) as tx:
            T.create(T.raw_cursor(tx.session), T.table_name("t3"), ["integer"])
    with store.uow() as tx:
        assert T.exists(tx.session, T.table_name("t3"))

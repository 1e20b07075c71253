"""Local row tables of data extracts: one STRICT table per extract inside the encrypted file.

The rows never travel as revisions; they are derived from the extract's snapshot blob and can
be rebuilt from it. Table and column names are generated here (`x_<hash>`, `c0..cN`) and
checked against a pattern before use, so no user text is ever interpolated into SQL.

Two loaders fill a table. The careful one inserts values already converted by the ingest
reader. The fast one hands raw CSV strings to SQLite and lets SQL convert them: it accepts a
strict subset of what the ingest converters accept (giving identical values) and, for any
other cell, stores a marker that a STRICT table refuses, so the caller can roll back and use
the careful loader, which then reports the exact row and column or accepts the cell.

The loaders work on a DB-API cursor (`tx.extract_tables.cursor()`); which tables exist, and
dropping or indexing one inside a unit of work, is `extract_tables_repo`'s.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable, Sequence
from typing import Any

import sqlcipher3

TABLE_PREFIX = "x_"
TABLE_RE = re.compile(r"x_[0-9a-f]{32}")
# An import fills its rows under a staging name, in chunks that may be committed, and renames
# the table in its final transaction (with the record): no reader ever sees a staging table.
STAGING_PREFIX = "xs_"
STAGING_RE = re.compile(r"xs_[0-9a-f]{32}")

# Extract column type -> STRICT column type. Decimals are REAL so that SUM and sorting work in
# SQL; dates are ISO text, which sorts and groups by month with substr().
SQL_TYPES: dict[str, str] = {"integer": "INTEGER", "decimal": "REAL", "date": "TEXT",
                             "text": "TEXT"}

# Every character Python's str.isspace() accepts (a cell made only of these is blank),
# written out because computing it costs 0.1 s at start-up; a test checks it.
_WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003"
               "\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


class FastLoadRejected(Exception):
    """The fast loader met input it does not handle; roll back and use the careful loader."""


def table_name(extract_id: str) -> str:
    """The local table of an extract's rows (a hash: record ids come from other laptops)."""
    return TABLE_PREFIX + hashlib.sha256(extract_id.encode()).hexdigest()[:32]


def staging_name(extract_id: str) -> str:
    """Where an import of this extract loads its rows before publishing them."""
    return STAGING_PREFIX + table_name(extract_id)[len(TABLE_PREFIX):]


def is_extract_rows(name: str) -> bool:
    """True for an extract's row table or an import's staging table."""
    return bool(TABLE_RE.fullmatch(name) or STAGING_RE.fullmatch(name))


def checked(name: str) -> str:
    """The name, after making sure it is one of ours (safe to put into SQL)."""
    if not is_extract_rows(name):
        raise ValueError("not an extract table name")
    return name


def publish(cursor: Any, staging: str, name: str) -> None:
    """Give a loaded staging table its extract's name (inside the publishing transaction)."""
    if not STAGING_RE.fullmatch(staging) or not TABLE_RE.fullmatch(name):
        raise ValueError("not a staging and an extract table name")
    cursor.execute(f"ALTER TABLE {staging} RENAME TO {name}")


def drop_raw(cursor: Any, name: str) -> None:
    """Drop a table on a raw cursor, if present (a rejected fast load, a staging table)."""
    cursor.execute(f"DROP TABLE IF EXISTS {checked(name)}")


def commit_and_begin(cursor: Any, *, between: Callable[[], None]) -> None:
    """End the current write transaction (its rows become durable), call `between` (which
    lets other writers in), then take the write lock again, waiting while another writer
    holds it (`between` is called again after each busy try, so it can raise to stop)."""
    cursor.execute("COMMIT")
    between()
    while True:
        try:
            cursor.execute("BEGIN IMMEDIATE")
            return
        except Exception as exc:  # sqlcipher3.OperationalError: database is locked
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            between()


def create(cursor: Any, name: str, types: Sequence[str]) -> None:
    """Create an empty STRICT table with one typed column per extract column."""
    cols = ", ".join(f"c{i} {SQL_TYPES[t]}" for i, t in enumerate(types))
    cursor.execute(f"CREATE TABLE {checked(name)} ({cols}) STRICT")


# -- loading ---------------------------------------------------------------------------------
def plain_insert_sql(name: str, width: int) -> str:
    """INSERT of already converted values."""
    return f"INSERT INTO {checked(name)} VALUES ({', '.join('?' * width)})"


def _blank(n: int) -> str:
    return f"(?{n} = '' OR trim(?{n}, '{_WHITESPACE}') = '')"


def _printable_start(n: int) -> str:
    # First byte is printable ASCII other than space: certainly not blank (cheap test first).
    return f"(?{n} > ' ' AND ?{n} < '\x7f')"


def _non_blank_ranges() -> list[tuple[str, str | None]]:
    """Maximal runs of non-whitespace characters above space, as [low, high) string bounds."""
    spaces = sorted(ord(c) for c in _WHITESPACE if ord(c) > 0x20)
    out, low = [], 0x21
    for code in spaces:
        if code > low:
            out.append((chr(low), chr(code)))
        low = code + 1
    out.append((chr(low), None))
    return out


def _starts_non_blank(n: int) -> str:
    # A string whose first character is not whitespace is not blank; string comparison
    # follows code points in UTF-8, so ranges of first characters need no function call.
    tests = []
    for low, high in _non_blank_ranges():
        tests.append(f"(?{n} >= '{low}'" + (f" AND ?{n} < '{high}')" if high else ")"))
    return "(" + " OR ".join(tests) + ")"


def _exact_cell_sql(n: int, column_type: str) -> str:
    """SQL converting raw cell ?n exactly as the ingest converter would, or to a marker."""
    if column_type == "text":
        return f"CASE WHEN {_printable_start(n)} THEN ?{n} WHEN {_blank(n)} THEN NULL ELSE ?{n} END"
    if column_type in ("integer", "decimal"):
        # Only digits, '-' (and '.' for decimals): SQLite's conversion then equals Python's;
        # a malformed number stays text, which the STRICT column refuses.
        allowed = "*[^0-9-]*" if column_type == "integer" else "*[^0-9.-]*"
        return (f"CASE WHEN ?{n} = '' THEN NULL WHEN NOT ?{n} GLOB '{allowed}' THEN ?{n} "
                f"WHEN {_blank(n)} THEN NULL ELSE {_BAD} END")
    if column_type == "date":
        return f"CASE WHEN {_blank(n)} THEN NULL ELSE {_date_sql(n)} END"
    raise ValueError("unknown column type")


def _date_sql(n: int) -> str:
    iso = f"substr(?{n}, 7, 4) || '-' || substr(?{n}, 4, 2) || '-' || substr(?{n}, 1, 2)"
    return (f"CASE WHEN date(?{n}) IS ?{n} AND ?{n} >= '0001' THEN ?{n} "
            f"WHEN ?{n} GLOB '[0-9][0-9]/[0-9][0-9]/[0-9][0-9][0-9][0-9]' THEN "
            f"CASE WHEN date({iso}) IS {iso} AND {iso} >= '0001' THEN {iso} ELSE {_BAD} END "
            f"ELSE {_BAD} END")


def _quick_cell_sql(n: int, column_type: str, plain: bool) -> str:
    """Like _exact_cell_sql for the common cells, with as few function calls as possible
    (SQLite charges every row of a statement holding any function call ~0.5 µs, about what
    the insert itself costs). `plain`: date and decimal cells are known to be canonical."""
    if plain and column_type in ("date", "decimal"):
        return f"CASE WHEN ?{n} = '' THEN NULL ELSE ?{n} END"
    if column_type == "text":
        return (f"CASE WHEN {_starts_non_blank(n)} THEN ?{n} WHEN ?{n} = '' THEN NULL "
                f"ELSE {_BAD} END")
    as_int = f"CAST(CAST(?{n} AS INTEGER) AS TEXT)"
    if column_type == "integer":
        # Canonical integer text round-trips; anything else ("007", " 5", "1,234") is left
        # to the exact statement.
        return f"CASE WHEN {as_int} = ?{n} THEN ?{n} WHEN ?{n} = '' THEN NULL ELSE {_BAD} END"
    if column_type == "decimal":
        # Digits, '-' and '.' only (so no exponent, which Python refuses); the STRICT REAL
        # column refuses the malformed rest ("1.2.3", "-"). Casting REAL back to text to
        # check instead costs more than this one function call.
        return (f"CASE WHEN ?{n} = '' THEN NULL WHEN NOT ?{n} GLOB '*[^0-9.-]*' THEN ?{n} "
                f"ELSE {_BAD} END")
    if column_type == "date":
        return f"CASE WHEN ?{n} = '' THEN NULL ELSE {_date_sql(n)} END"
    raise ValueError("unknown column type")


_BAD = "x'00'"  # a blob: every STRICT column here refuses it


def exact_insert_sql(name: str, types: Sequence[str]) -> str:
    """INSERT converting raw strings in SQL exactly; rows whose cells are all blank are skipped."""
    cells = ", ".join(_exact_cell_sql(i + 1, t) for i, t in enumerate(types))
    any_cell = " OR ".join(f"NOT {_blank(i + 1)}" for i in range(len(types)))
    return (f"INSERT INTO {checked(name)} SELECT {cells} "
            f"WHERE {_printable_start(1)} OR {any_cell}")


def quick_insert_sql(name: str, types: Sequence[str], *, plain: bool = False) -> str:
    """INSERT for the common cells only: any other cell, or a row of empty cells, is refused
    (so the row's position is known and the exact statement can take it). With `plain`,
    date and decimal cells must already be canonical text (checked by the caller)."""
    cells = [_quick_cell_sql(i + 1, t, plain) for i, t in enumerate(types)]
    empty_row = " AND ".join(f"?{i + 1} = ''" for i in range(len(types)))
    cells[0] = f"CASE WHEN {empty_row} THEN {_BAD} ELSE {cells[0]} END"
    return f"INSERT INTO {checked(name)} VALUES ({', '.join(cells)})"


def clean_insert_sql(name: str, types: Sequence[str]) -> str:
    """INSERT for batches whose integer, date and decimal cells are all in a form the STRICT
    column stores exactly as the ingest converter would (or refuses), and never empty (the
    caller checked, see rawcsv.PlainCells): only text cells are checked, as in the quick
    statement (a blank text cell becomes NULL or is refused)."""
    cells = [_quick_cell_sql(i + 1, t, True) if t == "text" else f"?{i + 1}"
             for i, t in enumerate(types)]
    return f"INSERT INTO {checked(name)} VALUES ({', '.join(cells)})"


_REFUSED = (sqlcipher3.IntegrityError, sqlcipher3.ProgrammingError)
_MAX_RETRIES = 50


def insert_fast(cursor: Any, quick_sql: str, exact_sql: str, rows: list[Sequence[str]]) -> int:
    """Insert raw rows: the quick statement, and the exact one for the rows it refuses.

    Returns the rows inserted. FastLoadRejected when even the exact statement refuses a row
    (a cell the ingest converters must judge, or a row of the wrong width).
    """
    conn = cursor.connection
    first = conn.total_changes
    start, retries = 0, 0
    while start < len(rows):
        before = conn.total_changes
        try:
            cursor.executemany(quick_sql, itertools.islice(rows, start, None) if start else rows)
            break
        except _REFUSED:
            failed = start + conn.total_changes - before  # every accepted row is one change
        retries += 1
        if retries > _MAX_RETRIES:  # many unusual cells: the exact statement does the rest
            _exact(cursor, exact_sql, rows[failed:])
            break
        _exact(cursor, exact_sql, [rows[failed]])
        start = failed + 1
    return conn.total_changes - first


def _exact(cursor: Any, sql: str, rows: list[Sequence[str]]) -> None:
    try:
        cursor.executemany(sql, rows)
    except _REFUSED as exc:
        raise FastLoadRejected from exc


def insert_converted(cursor: Any, sql: str, rows: Sequence[Sequence[Any]]) -> int:
    """Insert rows already converted by the ingest reader."""
    cursor.executemany(sql, rows)
    return len(rows)


def savepoint(cursor: Any, label: str) -> None:
    """Start a savepoint inside the current transaction."""
    cursor.execute(f"SAVEPOINT {_label(label)}")


def rollback_to(cursor: Any, label: str) -> None:
    """Undo everything since the savepoint (a created table included) and end it."""
    cursor.execute(f"ROLLBACK TO {_label(label)}")
    cursor.execute(f"RELEASE {_label(label)}")


def release(cursor: Any, label: str) -> None:
    """Keep what was done since the savepoint."""
    cursor.execute(f"RELEASE {_label(label)}")


def _label(label: str) -> str:
    if not re.fullmatch(r"[a-z_]+", label):
        raise ValueError("bad savepoint label")
    return label

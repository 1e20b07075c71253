"""The full-text index: an FTS5 external-content table over `search_item` and its triggers.

Kept in one place because Alembic batch migrations silently drop triggers (measured in the
design note): every migration that rebuilds `search_item` calls `create_triggers()` and
`rebuild()` again, and `check()` verifies them after every migration.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

FTS_TABLE = "search_fts"
TRIGGERS = ("search_item_ai", "search_item_ad", "search_item_au")

CREATE_TABLE = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
    title, body,
    content='search_item', content_rowid='rid',
    tokenize='porter unicode61 remove_diacritics 2'
)"""

# The update trigger removes the old terms using the OLD values before adding the new ones:
# external-content tables do not maintain themselves.
CREATE_TRIGGERS = (
    f"""CREATE TRIGGER IF NOT EXISTS search_item_ai AFTER INSERT ON search_item BEGIN
        INSERT INTO {FTS_TABLE}(rowid, title, body) VALUES (new.rid, new.title, new.body);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS search_item_ad AFTER DELETE ON search_item BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, body)
        VALUES ('delete', old.rid, old.title, old.body);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS search_item_au AFTER UPDATE ON search_item BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, body)
        VALUES ('delete', old.rid, old.title, old.body);
        INSERT INTO {FTS_TABLE}(rowid, title, body) VALUES (new.rid, new.title, new.body);
    END""",
)


def create(conn: Connection) -> None:
    """Create the FTS table and its triggers (idempotent)."""
    conn.exec_driver_sql(CREATE_TABLE)
    create_triggers(conn)


def create_triggers(conn: Connection) -> None:
    """(Re)create the three sync triggers."""
    for ddl in CREATE_TRIGGERS:
        conn.exec_driver_sql(ddl)


def rebuild(conn: Connection) -> None:
    """Rebuild the index from the content table."""
    conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def optimize(conn: Connection) -> None:
    """Merge index segments after a large import."""
    conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")


def check(conn: Connection) -> list[str]:
    """Problems with the index: missing triggers or a failed integrity check."""
    problems = []
    present = {
        row[0]
        for row in conn.execute(text("SELECT name FROM sqlite_master WHERE type='trigger'"))
    }
    for name in TRIGGERS:
        if name not in present:
            problems.append(f"full-text trigger {name} is missing")
    try:
        conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('integrity-check')")
    except Exception:  # noqa: BLE001 - any failure means the index is not trustworthy
        problems.append("full-text index failed its integrity check")
    return problems

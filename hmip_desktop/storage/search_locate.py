"""Where a full-text match starts inside one indexed item (for jumping to the passage)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

MARK = "\x02"


def first_match_offset(session: Session, match: str, key: str) -> int | None:
    """Character offset of the first match in the item's body, or None (title-only match).

    `match` must come from search_query.fts_match_expression. FTS5's highlight() returns the
    whole body with every match marked, so the first mark's position is the offset.
    """
    row = session.execute(text(
        "SELECT highlight(search_fts, 1, char(2), char(3)) FROM search_fts "
        "WHERE search_fts MATCH :q AND rowid = (SELECT rid FROM search_item WHERE key = :k)"),
        {"q": match, "k": key}).first()
    if row is None or row[0] is None:
        return None
    found = row[0].find(MARK)
    return found if found >= 0 else None

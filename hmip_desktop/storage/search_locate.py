"""FTS5 highlight marks turned into spans, and where a match starts inside one indexed item.

FTS5's highlight() and snippet() wrap each match in sentinel characters; they never leave
storage: `highlighted` turns them into plain text plus (start, end) spans, the one form the
services, the CLI and the GUI see.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from sqlalchemy import text
from sqlalchemy.orm import Session

from hmip_desktop.domain.search_query import Highlighted, Span

MARK_START = "\x02"
MARK_END = "\x03"
# The sentinel arguments of highlight()/snippet() in SQL (the same two characters).
MARKS_SQL = "char(2), char(3)"
_MARKS = re.compile("([\x02\x03])")


def _is_token_char(char: str) -> bool:
    """What the unicode61 tokenizer keeps in a token (letters, numbers, private use)."""
    return char.isalnum() or unicodedata.category(char) == "Co"


def _spans(marked: str) -> Iterator[tuple[str, Span | None, int]]:
    """(text piece, None, -1) for text; ("", span, raw start) once a span closes.

    The indexed text may itself hold a sentinel character (pasted control characters). FTS5
    marks whole tokens, so a span counts only when it starts and ends on a token character
    with no other start between; every sentinel, real or stray, is dropped from the text.
    Such text can at worst add or lose a highlight (a pasted pair around a whole word looks
    like a match), never fail or leak a control character."""
    size = raw = 0
    opened: tuple[int, int] | None = None  # (offset in the plain text, offset in `marked`)
    last = ""  # the text since the last sentinel: all of a span's text, at its end
    for piece in _MARKS.split(marked):
        if piece == MARK_START:
            opened, last = (size, raw), ""
        elif piece == MARK_END:
            if opened is not None and last and _is_token_char(last[0]) \
                    and _is_token_char(last[-1]):
                yield "", (opened[0], size), opened[1]
            opened, last = None, ""
        elif piece:
            last = piece
            yield piece, None, -1
            size += len(piece)
        raw += len(piece)


def highlighted(marked: str | None) -> Highlighted:
    """FTS5 output with sentinel marks as plain text and the spans that were marked."""
    pieces: list[str] = []
    spans: list[Span] = []
    for piece, span, _raw in _spans(marked or ""):
        if span is None:
            pieces.append(piece)
        else:
            spans.append(span)
    return Highlighted("".join(pieces), tuple(spans))


def first_match_offset(session: Session, match: str, key: str) -> int | None:
    """Character offset of the first match in the item's body, or None (title-only match).

    `match` must come from search_query.fts_match_expression. FTS5's highlight() returns the
    whole body with every match marked, so the first mark's position is the offset (counted
    in the body itself, where a stray sentinel character is text like any other).
    """
    row = session.execute(text(
        f"SELECT highlight(search_fts, 1, {MARKS_SQL}) FROM search_fts "
        "WHERE search_fts MATCH :q AND rowid = (SELECT rid FROM search_item WHERE key = :k)"),
        {"q": match, "k": key}).first()
    if row is None or row[0] is None:
        return None
    return next((raw for _p, span, raw in _spans(row[0]) if span is not None), None)

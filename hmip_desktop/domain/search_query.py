"""Turn what a user types into a safe FTS5 MATCH expression.

Every term is quoted, so no input can raise an FTS syntax error; a trailing `*` on a term keeps
prefix search, which inspectors expect ("segreg*").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_TOKEN = re.compile(r'"([^"]*)"|(\S+)')


def fts_match_expression(user_text: str) -> str | None:
    """An FTS5 expression ANDing quoted terms and phrases; None when nothing searchable."""
    parts: list[str] = []
    for phrase, word in _TOKEN.findall(user_text):
        if phrase:
            cleaned = phrase.replace('"', "").strip()
            if cleaned:
                parts.append(f'"{cleaned}"')
            continue
        prefix = word.endswith("*")
        core = word.rstrip("*").replace('"', "")
        if not core:
            continue
        parts.append(f'"{core}"' + ("*" if prefix else ""))
    return " ".join(parts) if parts else None


Span = tuple[int, int]


def _same(text: str) -> str:
    return text


@dataclass(frozen=True)
class Highlighted:
    """Plain text and the (start, end) character spans of it a search matched.

    The text holds no markers: readers decide how a match looks (bold, brackets, a selection)
    instead of each parsing in-band control characters.
    """

    text: str
    spans: tuple[Span, ...] = ()

    def first(self) -> Span | None:
        """The first matched span, or None when only another field matched."""
        return self.spans[0] if self.spans else None

    def wrap(self, before: str, after: str, escape: Callable[[str], str] = _same) -> str:
        """The text with `before`/`after` around each span; `escape` (e.g. html.escape) is
        applied to the text pieces, never to the wrappers."""
        out: list[str] = []
        at = 0
        for start, end in self.spans:
            out += [escape(self.text[at:start]), before, escape(self.text[start:end]), after]
            at = end
        out.append(escape(self.text[at:]))
        return "".join(out)


@dataclass(frozen=True)
class SearchHit:
    """One full-text result; `title` and `snippet` carry their matched spans."""

    entity_id: str
    kind: str
    key: str
    title: Highlighted
    snippet: Highlighted
    rank: float

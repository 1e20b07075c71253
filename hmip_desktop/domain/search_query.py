"""Turn what a user types into a safe FTS5 MATCH expression.

Every term is quoted, so no input can raise an FTS syntax error; a trailing `*` on a term keeps
prefix search, which inspectors expect ("segreg*").
"""

from __future__ import annotations

import re
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


@dataclass(frozen=True)
class SearchHit:
    """One full-text result; highlighted terms are wrapped in \x02 … \x03."""

    entity_id: str
    kind: str
    key: str
    title: str
    snippet: str
    rank: float

"""Counts and lists in words, one way for the screens, the command line and the report:
'1 change', '2 changes', '1 roster entry', '3 roster entries'; 'A, B and C'."""

from __future__ import annotations


def plural(n: int, word: str, words: str | None = None) -> str:
    """'1 change', '2 changes'; `words` for a plural that is not word + 's'."""
    return f"{n} {word if n == 1 else (words or word + 's')}"


def and_list(items: list[str]) -> str:
    """'A', 'A and B', 'A, B and C' (no serial comma: British usage)."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]

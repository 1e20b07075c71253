"""Counts in words, one way for the screens and the command line: '1 change', '2 changes',
'1 roster entry', '3 roster entries'."""

from __future__ import annotations


def plural(n: int, word: str, words: str | None = None) -> str:
    """'1 change', '2 changes'; `words` for a plural that is not word + 's'."""
    return f"{n} {word if n == 1 else (words or word + 's')}"

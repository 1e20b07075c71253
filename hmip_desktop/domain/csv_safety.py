"""CSV cells that a spreadsheet would run as formulas are neutralised on the way out.

A cell beginning with =, +, -, @ (or a tab or carriage return, which some spreadsheets skip
before looking) is written with a leading apostrophe, which spreadsheets show as text and
never evaluate. Every CSV the app writes goes through `safe_row`; readers of the app's own
CSV formats call `restore_cell` so a round trip gives back the original text.
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """The cell as written: text that could start a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(cells: Iterable[object]) -> list[object]:
    """A row with every cell neutralised (numbers are left as they are)."""
    return [neutralise_cell(c) for c in cells]


def restore_cell(text: str) -> str:
    """Undo `neutralise_cell` for a cell read back from one of the app's own CSV files."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text

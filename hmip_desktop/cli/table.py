"""Plain-text tables for list commands: each column as wide as its widest cell, so a long
value (a role such as 'Health and social care inspector') never pushes the rows out of line."""

from __future__ import annotations

from collections.abc import Sequence

GAP = "  "


def table_lines(rows: Sequence[Sequence[str]], *, right: frozenset[int] = frozenset()
                ) -> list[str]:
    """The rows as aligned lines: columns sized to their content, those numbered in `right`
    right-aligned (counts), the last column left unpadded so no line ends in spaces.

    A row shorter than the widest is a note under the row before it (("", title) puts a title
    under the second column): its last cell runs on and does not widen its column.
    """
    if not rows:
        return []
    count = max(len(r) for r in rows)
    widths = [max((len(r[i]) for r in rows if i < len(r) - (len(r) < count)), default=0)
              for i in range(count)]
    lines = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            if i == len(row) - 1 and i not in right:
                cells.append(cell)
            elif i in right:
                cells.append(cell.rjust(widths[i]))
            else:
                cells.append(cell.ljust(widths[i]))
        lines.append(GAP.join(cells).rstrip())
    return lines


def print_table(rows: Sequence[Sequence[str]], *, right: frozenset[int] = frozenset()) -> None:
    """Print table_lines(rows) on stdout."""
    for line in table_lines(rows, right=right):
        print(line)

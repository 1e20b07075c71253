"""The rows of a read-only openpyxl worksheet as the cells its XML really holds.

openpyxl's `iter_rows` pads every row out to the widest column it has seen: one empty cell
in column XFD makes every row 16,384 values, and a 100 KB file takes half a minute to read.
Here each row is the {column: value} of the cells written in it, so the work per row is the
size of that row in the file, whatever columns the cells name.

Anything the sheet XML or a cell value gets wrong (broken XML, entity expansion, a date
"2020-13-45", a shared string that is not there, a cell reference "ZZZZ7", a number too big
for Excel) is a damaged workbook: `DamagedSheet` names the row when known and never quotes
the cell, so nothing of the file reaches a message or the log.

Shared by ingest (extracts, documents) and report (returned action plans), which are peers
in the layers and may not import each other.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator
from typing import Any

from hmip_desktop.domain.errors import Cancelled, ImportFormatError

CANCEL_EVERY = 1000  # rows between two looks at the Cancel button

DAMAGED = ("the workbook is damaged or cannot be read; open it in Excel and save it again "
           "as .xlsx")


class DamagedSheet(ImportFormatError):
    """A sheet openpyxl cannot read; `where` (" (at row 7)", " (after row 6)" or "")
    places it."""

    def __init__(self, where: str, row: int | None) -> None:
        super().__init__(DAMAGED.replace("cannot be read", f"cannot be read{where}", 1))
        self.row, self.where = row, where  # the row is in the words already


def damaged(row: int | None = None, *, after: int = 0) -> DamagedSheet:
    """The refusal for a damaged sheet, at `row` or somewhere after row `after`."""
    where = f" (at row {row:,})" if row else f" (after row {after:,})" if after else ""
    return DamagedSheet(where, row)


def sheet_rows(worksheet: Any, cancel: Callable[[], bool] | None = None
               ) -> Iterator[tuple[int, dict[int, Any]]]:
    """(row number, {column number: value}) for each row in the sheet XML, in order.

    Cells without a value are left out; a row written twice or out of order is skipped as
    openpyxl skips it. `cancel` is asked every CANCEL_EVERY rows and raises Cancelled.
    """
    # Internal openpyxl API (3.1): the same parser iter_rows uses, without its padding.
    from openpyxl.worksheet._reader import WorkSheetParser

    last = 0
    seen = 0
    source = worksheet._get_source()
    try:
        parser = WorkSheetParser(source, worksheet._shared_strings, data_only=True,
                                 epoch=worksheet.parent.epoch,
                                 date_formats=worksheet.parent._date_formats,
                                 timedelta_formats=worksheet.parent._timedelta_formats)
        rows = parser.parse()
        while True:
            try:
                with warnings.catch_warnings():
                    # openpyxl warns with the cell's value (a date serial out of range).
                    warnings.simplefilter("ignore")
                    number, cells = next(rows)
            except StopIteration:
                return
            except Exception:  # openpyxl and the XML parser raise many types for bad input
                raise damaged(after=last) from None
            seen += 1
            if cancel is not None and seen % CANCEL_EVERY == 0 and cancel():
                raise Cancelled("reading the workbook was cancelled")
            if number <= last:
                continue
            last = number
            values: dict[int, Any] = {}
            for cell in cells:
                value = cell["value"]
                if value is None:
                    continue
                if isinstance(value, float) and not math.isfinite(value):
                    raise damaged(number)  # Excel cannot store it: the XML was not Excel's
                values[cell["column"]] = value
            yield number, values
    finally:
        source.close()


def spread(cells: dict[int, Any], width: int) -> tuple:
    """The first `width` columns of a row as a tuple, None where no cell is."""
    values: list[Any] = [None] * width
    for column, value in cells.items():
        if column <= width:
            values[column - 1] = value
    return tuple(values)


def last_column(cells: dict[int, Any], blank: Callable[[Any], bool]) -> int:
    """The column of the row's last non-blank cell (0 for a blank row)."""
    return max((c for c, v in cells.items() if not blank(v)), default=0)

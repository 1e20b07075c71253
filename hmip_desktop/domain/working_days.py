"""Working days: Monday to Friday, less the bank holidays of a calendar (data, not code:
resources/process/bank_holidays.json, loaded by a service and passed in here).

A calendar knows its holidays only between its first and last day; a count that runs past
them counts weekdays alone there and says so (`known` is False), so a deadline is never
silently a day early or late without a word. Standard library only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hmip_desktop.domain.errors import ValidationError

# A deadline counted in working days stays well inside this (about four years): a larger
# count in the data is a mistake, and the loop below stays short.
MAX_WORKING_DAYS = 1000


@dataclass(frozen=True)
class HolidayCalendar:
    """Bank holidays known between `first_day` and `last_day` (both inclusive)."""

    holidays: frozenset[dt.date]
    first_day: dt.date
    last_day: dt.date

    def covers(self, day: dt.date) -> bool:
        """True when the calendar knows whether `day` is a bank holiday."""
        return self.first_day <= day <= self.last_day

    def is_working_day(self, day: dt.date) -> bool:
        """Monday to Friday and not a known bank holiday."""
        return day.weekday() < 5 and day not in self.holidays


@dataclass(frozen=True)
class WorkingDayCount:
    """The day a count of working days lands on, and whether every holiday was known."""

    day: dt.date
    known: bool  # False: part of the count fell outside the calendar (weekdays only there)


def parse_calendar(data: Mapping[str, Any]) -> HolidayCalendar:
    """The calendar from the shipped data; malformed data is refused."""
    try:
        first = dt.date.fromisoformat(str(data["first_day"]))
        last = dt.date.fromisoformat(str(data["last_day"]))
        days = frozenset(dt.date.fromisoformat(str(h["date"])) for h in data["holidays"])
    except (KeyError, TypeError, ValueError):
        raise ValidationError("The bank holiday data is malformed.") from None
    if last < first or any(not first <= d <= last for d in days):
        raise ValidationError("The bank holiday data is malformed.")
    return HolidayCalendar(days, first, last)


def add_working_days(start: dt.date, count: int, calendar: HolidayCalendar) -> WorkingDayCount:
    """The `count`th working day after `start` (`start` itself is not counted)."""
    if not 0 <= count <= MAX_WORKING_DAYS:
        raise ValidationError(f"A count of working days must be 0 to {MAX_WORKING_DAYS}.")
    day, left, known = start, count, True
    while left:
        day += dt.timedelta(days=1)
        known = known and calendar.covers(day)
        if calendar.is_working_day(day):
            left -= 1
    return WorkingDayCount(day, known)

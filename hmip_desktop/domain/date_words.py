"""Dates in words as HMIP writes them: "16 November 2026", "16–27 November 2026",
"Wednesday 4 February 2026". English whatever the desktop's locale (strftime would follow the
C locale Qt sets): the report, the letters, the action plan and the screens word dates alike."""

from __future__ import annotations

import datetime as dt

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def parse(value: object) -> dt.date | None:
    """A date from YYYY-MM-DD text (None when absent or malformed)."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def long_date(value: object) -> str:
    """'16 November 2026' (no leading zero, month in words, as HMIP reports write it)."""
    d = parse(value)
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}" if d else ""


def day_and_date(value: object) -> str:
    """'Wednesday 4 February 2026' ('' when unknown)."""
    d = parse(value)
    return f"{_DAYS[d.weekday()]} {long_date(d)}" if d else ""


def date_range(start: object, end: object) -> str:
    """'16–27 November 2026', '28 October–8 November 2026', or one date; '' when unknown."""
    a, b = parse(start), parse(end)
    if a and b and a != b:
        if (a.year, a.month) == (b.year, b.month):
            return f"{a.day}–{long_date(b)}"
        if a.year == b.year:
            return f"{a.day} {_MONTHS[a.month - 1]}–{long_date(b)}"
        return f"{long_date(a)}–{long_date(b)}"
    return long_date(a or b)


def from_hlc(stamp: str) -> str:
    """The ISO date of a clock stamp (hex milliseconds before the first dash)."""
    try:
        millis = int(stamp.split("-", 1)[0], 16)
        return dt.datetime.fromtimestamp(millis / 1000, dt.UTC).date().isoformat()
    except (ValueError, OverflowError, OSError):
        return ""


def short_stamp(value: object) -> str:
    """'25 Nov 21:00' for 'YYYY-MM-DD HH:MM' (or ISO with a T and seconds), '25 Nov 2026'
    for a date alone; the text as given when it is neither. For lists, where a two-week
    visit needs no year on every row and "2026-11-25 21:00" was cut to "2026-1…"."""
    text = str(value or "").strip()
    d = parse(text[:10])
    if d is None:
        return text
    rest = text[10:].lstrip("T ")[:5]
    day = f"{d.day} {_MONTHS[d.month - 1][:3]}"
    return f"{day} {rest}" if len(rest) == 5 and rest[2] == ":" else f"{day} {d.year}"

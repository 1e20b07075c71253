"""The independent review of progress as the app shows it: its default notice, the warnings
for a new review outside the usual timing and length, and its report's publication deadline.

One way for the CLI and the GUI: `hmip new` prints `visit_warnings` on stderr and the New
inspection dialog shows them before creating; `hmip status`, `hmip info` and the Overview's
life-cycle panel show `publication_due` in the words of domain `publication_due_text`. The
facts are data (resources/process/review_of_progress.json and bank_holidays.json); the rules
are domain/review_of_progress.py and domain/working_days.py.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache

from hmip_desktop import paths
from hmip_desktop.domain import review_of_progress as RP
from hmip_desktop.domain.date_words import parse as _date
from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.domain.working_days import HolidayCalendar, parse_calendar

PROCESS_FILE = ("process", "review_of_progress.json")
HOLIDAYS_FILE = ("process", "bank_holidays.json")


def _read(parts: tuple[str, str], what: str) -> dict:
    try:
        return json.loads(paths.resource_path(*parts).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ValidationError(f"The {what} data cannot be read.") from None


@lru_cache(maxsize=1)
def load_process() -> RP.ReviewProcess:
    """The review of progress data shipped with the app."""
    return RP.parse_process(_read(PROCESS_FILE, "review of progress"))


@lru_cache(maxsize=1)
def load_holidays() -> HolidayCalendar:
    """The bank holidays of England and Wales shipped with the app."""
    return parse_calendar(_read(HOLIDAYS_FILE, "bank holiday"))


def default_announced(kind: str) -> bool:
    """A review of progress is announced (the data says so); an inspection is not."""
    return load_process().announced if kind == RP.IRP else False


def guidance_text() -> str:
    """What a review of progress usually is, for the New inspection dialog."""
    p = load_process()
    notice = "announced" if p.announced else "unannounced"
    return (f"{p.what_it_is} It is {notice}, held {p.months_from}–{p.months_to} months after "
            f"that inspection, {p.days_on_site:g} days on site with {p.team_from}–"
            f"{p.team_to} inspectors; the report is due within {p.publication_working_days} "
            "working days of the last day on site.")


def visit_warnings(kind: str, *, start: object, end: object, announced: bool | None = None,
                   followed_end: object = None) -> tuple[str, ...]:
    """What is out of the usual for a new review (none for an inspection): timing after the
    inspection it follows (when known), days on site, notice."""
    if kind != RP.IRP:
        return ()
    return RP.visit_warnings(load_process(), start=_date(start), end=_date(end),
                             followed_end=_date(followed_end), announced=announced)


def publication_due(kind: str, end: object, published: object,
                    today: dt.date | None = None) -> RP.PublicationDue | None:
    """The report's deadline for a review of progress; None for a kind without one."""
    if kind != RP.IRP:
        return None
    return RP.publication_due(load_process(), load_holidays(), end=_date(end),
                              published=_date(published), today=today or dt.date.today())

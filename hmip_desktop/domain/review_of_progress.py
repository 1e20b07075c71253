"""Independent review of progress: how one is run, as pure rules over shipped data
(resources/process/review_of_progress.json, loaded by services/review_process.py).

The notice (announced), the months after the inspection it follows, the days on site and the
team size are guidance: `visit_warnings` words what is out of the usual, and nothing here
refuses. The report is due a number of working days after the visit's last day
(domain/working_days.py counts them). Standard library only.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.domain.working_days import HolidayCalendar, add_working_days

IRP = "irp"


@dataclass(frozen=True)
class ReviewProcess:
    """The shipped facts of a review of progress."""

    what_it_is: str
    announced: bool
    months_from: int
    months_to: int
    days_on_site: float
    longest_usual_days: int  # calendar days from the first to the last day on site
    team_from: int
    team_to: int
    publication_working_days: int
    publication_label: str
    sent_to: str


@dataclass(frozen=True)
class PublicationDue:
    """When the review's report is due, counted from the visit's last day."""

    label: str
    working_days: int
    end: dt.date | None          # None: the last day on site is not recorded yet
    due: dt.date | None
    holidays_known: bool         # False: the count ran past the bank holiday list
    holidays_known_until: dt.date
    published: dt.date | None
    days_remaining: int | None   # calendar days from today; None once published
    late: bool                   # published after the due date


def parse_process(data: Mapping[str, Any]) -> ReviewProcess:
    """The review process from the shipped data; malformed data is refused."""
    try:
        months, team = data["held_after_inspection_months"], data["team_size"]
        pub = data["publication"]
        process = ReviewProcess(
            what_it_is=str(data["what_it_is"]), announced=data["announced"] is True,
            months_from=int(months["from"]), months_to=int(months["to"]),
            days_on_site=float(data["days_on_site"]),
            longest_usual_days=int(data["longest_usual_visit_calendar_days"]),
            team_from=int(team["from"]), team_to=int(team["to"]),
            publication_working_days=int(pub["working_days_after_end"]),
            publication_label=str(pub["label"]), sent_to=str(pub.get("sent_to") or ""))
    except (KeyError, TypeError, ValueError):
        raise ValidationError("The review of progress data is malformed.") from None
    if not (0 <= process.months_from <= process.months_to and process.longest_usual_days > 0
            and 0 < process.publication_working_days <= 1000):
        raise ValidationError("The review of progress data is malformed.")
    return process


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day where it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


def _months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole months from `earlier` to `later` (0 when `later` is not after it)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    while months > 0 and add_months(earlier, months) > later:
        months -= 1
    return max(months, 0)


def _months_text(n: int) -> str:
    return "less than a month" if n == 0 else f"{n} month{'s' if n != 1 else ''}"


def _days_text(days: float) -> str:
    return f"{days:g} day{'s' if days != 1 else ''}"


def visit_warnings(process: ReviewProcess, *, start: dt.date | None, end: dt.date | None,
                   followed_end: dt.date | None, announced: bool | None) -> tuple[str, ...]:
    """What is out of the usual for a new review: the time since the inspection it follows,
    the days on site and the notice. Guidance only: the caller still creates the review."""
    out: list[str] = []
    first = start or end
    if first is not None and followed_end is not None:
        earliest = add_months(followed_end, process.months_from)
        latest = add_months(followed_end, process.months_to)
        if not earliest <= first <= latest:
            out.append(
                f"This review starts {_months_text(_months_between(followed_end, first))} "
                f"after the inspection it follows ended ({followed_end.isoformat()}); reviews "
                f"of progress are usually held {process.months_from}–{process.months_to} "
                f"months after it (a first day between {earliest.isoformat()} and "
                f"{latest.isoformat()}).")
    if start is not None and end is not None:
        days = (end - start).days + 1
        if days > process.longest_usual_days:
            out.append(f"This review is on site for {days} days ({start.isoformat()} to "
                       f"{end.isoformat()}); a review of progress usually takes "
                       f"{_days_text(process.days_on_site)} on site.")
    if announced is False and process.announced:
        out.append("Reviews of progress are announced; this one is recorded as unannounced.")
    return tuple(out)


def publication_due(process: ReviewProcess, holidays: HolidayCalendar, *,
                    end: dt.date | None, published: dt.date | None,
                    today: dt.date) -> PublicationDue:
    """The report's due date: the Nth working day after the visit's last day."""
    count = add_working_days(end, process.publication_working_days, holidays) if end else None
    due = count.day if count else None
    return PublicationDue(
        label=process.publication_label, working_days=process.publication_working_days,
        end=end, due=due, holidays_known=count.known if count else True,
        holidays_known_until=holidays.last_day, published=published,
        days_remaining=(due - today).days if due and not published else None,
        late=bool(due and published and published > due))


def publication_due_text(d: PublicationDue) -> str:
    """One line for `hmip status`, `hmip info` and the Overview (ISO dates, as they use)."""
    within = f"within {d.working_days} working days of the end of the visit"
    if d.due is None or d.end is None:
        return f"{d.label} {within}: record the last day on site to work out the date."
    text = (f"{d.label} by {d.due.isoformat()} ({d.working_days} working days after the "
            f"visit ended on {d.end.isoformat()})")
    if d.published is not None:
        text += (f"; published on {d.published.isoformat()}"
                 + (", after the due date." if d.late else "."))
    else:
        n = d.days_remaining or 0
        text += (" — due today." if n == 0 else
                 f" — {n} day{'s' if n != 1 else ''} remaining." if n > 0 else
                 f" — {-n} day{'s' if n != -1 else ''} overdue.")
    if not d.holidays_known:
        text += (f" Bank holidays after {d.holidays_known_until.isoformat()} are not known "
                 "to this version: only weekends were left out after that day.")
    return text

"""Urgent Notification: the criteria checklist and the dates that follow, as pure rules.

The criteria and the day counts are data (resources/process/urgent_notification.json, loaded by
the service and passed in here). Dates are calendar dates: the letter is due a number of days
after the inspection's last day, the Secretary of State's response a number of days after the
letter (or after the letter's due date while the letter date is not recorded). Where a UN may
be used (by establishment type), to whom the letter goes and whose agreement it needs are data
too (the file's "establishment_types"), and so are the kinds of inspection file it may follow
(its "inspection_kinds": inspections, not reviews of progress). A letter dated after its due
date is late; once the Secretary of State's response is recorded, its countdown stops.
Standard library only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.domain.people_words import PeopleWords, fill_people

RESPONSE_FROM_LETTER = "letter_date"
RESPONSE_FROM_DUE = "letter_due"


@dataclass(frozen=True)
class Criterion:
    """One reason the Chief Inspector may weigh (a checklist item)."""

    key: str
    label: str


@dataclass(frozen=True)
class UnScope:
    """An establishment type after whose inspections a UN may be used."""

    establishment_type: str
    addressee: str
    needs_agreement_of: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnProcess:
    """The criteria and the timeline of the Urgent Notification protocol."""

    criteria: tuple[Criterion, ...]
    letter_days: int
    response_days: int
    letter_label: str
    response_label: str
    scopes: tuple[UnScope, ...] = field(default=())
    used_after: str = ""
    kinds: tuple[str, ...] | None = None  # None: after any kind of inspection file
    kind_refusal: str = ""  # why a kind not in `kinds` cannot have one

    def criteria_for(self, people: PeopleWords) -> tuple[Criterion, ...]:
        """The checklist with its {people} placeholders in the words of the establishment
        ("How vulnerable the prisoners are")."""
        return tuple(Criterion(c.key, fill_people(c.label, people)) for c in self.criteria)

    def allows_kind(self, kind: str | None) -> bool:
        """True when a UN may follow this kind of inspection file (a full inspection)."""
        return self.kinds is None or (kind or "full") in self.kinds

    def scope_for(self, establishment_type: str | None) -> UnScope | None:
        """Where a UN may follow this type's inspections; None where it is not used."""
        return next((s for s in self.scopes if s.establishment_type == establishment_type),
                    None)


@dataclass(frozen=True)
class UnDates:
    """Due dates and days remaining relative to a given day (negative when overdue)."""

    letter_due: dt.date | None
    letter_date: dt.date | None
    letter_days_remaining: int | None
    response_due: dt.date | None
    response_basis: str | None
    response_days_remaining: int | None
    response_date: dt.date | None = None
    letter_late: bool = False


def parse_process(data: Mapping[str, Any]) -> UnProcess:
    """The protocol from its data file; a clear error when the file is malformed."""
    try:
        criteria = tuple(Criterion(str(c["key"]), str(c["label"])) for c in data["criteria"])
        timeline = data["timeline"]
        letter = int(timeline["letter_due_calendar_days_after_end"])
        response = int(timeline["response_due_calendar_days_after_letter"])
        types = data.get("establishment_types") or {}
        scopes = tuple(
            UnScope(str(key), str(entry["addressee"]),
                    tuple(str(x) for x in entry.get("needs_agreement_of") or ()))
            for key, entry in (types.get("allowed") or {}).items())
        used_after = str(types.get("used_after") or "")
        kinds_data = data.get("inspection_kinds")
        kinds = (tuple(str(k) for k in kinds_data["allowed"]) if kinds_data is not None
                 else None)
        kind_refusal = str((kinds_data or {}).get("refusal") or "")
    except (KeyError, TypeError, ValueError, AttributeError):
        raise ValidationError("The Urgent Notification process data is malformed.") from None
    if not criteria or len({c.key for c in criteria}) != len(criteria) or letter < 0 \
            or response < 0:
        raise ValidationError("The Urgent Notification process data is malformed.")
    return UnProcess(criteria, letter, response,
                     str(timeline.get("letter_label") or "Letter"),
                     str(timeline.get("response_label") or "Response"), scopes, used_after,
                     kinds, kind_refusal)


def parse_date(value: str | dt.date | None, label: str) -> dt.date | None:
    """A date from YYYY-MM-DD text (None stays None)."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(f"{label} must be a date written YYYY-MM-DD") from None


def check_letter_date(letter: dt.date | None, start: str | dt.date | None) -> None:
    """A letter cannot be dated before the inspection started."""
    begin = parse_date(start, "Inspection start date")
    if letter is not None and begin is not None and letter < begin:
        raise ValidationError(f"The letter date ({letter.isoformat()}) cannot be before the "
                              f"inspection's start date ({begin.isoformat()}).")


def check_response_date(response: dt.date | None, letter: str | dt.date | None,
                        start: str | dt.date | None) -> None:
    """The response cannot arrive before the letter (or, with no letter date, the start)."""
    if response is None:
        return
    sent = parse_date(letter, "Letter date")
    begin = parse_date(start, "Inspection start date")
    if sent is not None and response < sent:
        raise ValidationError(f"The response date ({response.isoformat()}) cannot be before "
                              f"the letter date ({sent.isoformat()}).")
    if begin is not None and response < begin:
        raise ValidationError(f"The response date ({response.isoformat()}) cannot be before "
                              f"the inspection's start date ({begin.isoformat()}).")


def check_criteria(process: UnProcess, keys: Iterable[str]) -> list[str]:
    """Ticked criteria in checklist order; unknown keys are refused."""
    given = {str(k).strip() for k in keys if str(k).strip()}
    known = [c.key for c in process.criteria]
    unknown = given - set(known)
    if unknown:
        raise ValidationError(f"Unknown criterion; use one of: {', '.join(known)}")
    return [k for k in known if k in given]


def check_reasons(reasons: Iterable[str]) -> list[str]:
    """Non-blank reasons in the order given; at least one is needed."""
    out = [str(r).strip() for r in reasons if str(r).strip()]
    if not out:
        raise ValidationError("An Urgent Notification needs at least one reason.")
    return out


def response_due_after(letter_date: str | dt.date | None, days: int) -> dt.date | None:
    """The day the response is due when the letter is dated `letter_date` (the protocol: so
    many calendar days after the Secretary of State receives it); None without a readable
    date (the letter then prints a marker, not a made-up day)."""
    try:
        letter = parse_date(letter_date, "Letter date")
    except ValidationError:
        return None
    return letter + dt.timedelta(days=days) if letter else None


def due_dates(process: UnProcess, end_date: str | dt.date | None,
              letter_date: str | dt.date | None, today: dt.date,
              response_date: str | dt.date | None = None) -> UnDates:
    """The letter and response due dates and the days left until each, counted from today.

    A letter dated after its due date is late; a recorded response stops its countdown.
    """
    end = parse_date(end_date, "Inspection end date")
    letter = parse_date(letter_date, "Letter date")
    received = parse_date(response_date, "Response date")
    letter_due = end + dt.timedelta(days=process.letter_days) if end else None
    if letter is not None:
        basis, base = RESPONSE_FROM_LETTER, letter
    elif letter_due is not None:
        basis, base = RESPONSE_FROM_DUE, letter_due
    else:
        basis, base = None, None
    response_due = base + dt.timedelta(days=process.response_days) if base else None
    return UnDates(
        letter_due=letter_due,
        letter_date=letter,
        # Once the letter is sent its deadline no longer counts down.
        letter_days_remaining=(letter_due - today).days if letter_due and not letter else None,
        response_due=response_due,
        response_basis=basis,
        response_days_remaining=(response_due - today).days
        if response_due and not received else None,
        response_date=received,
        letter_late=bool(letter and letter_due and letter > letter_due),
    )

"""An establishment's action-plan response to one concern, as stored (standard library only).

hmip-method.md §8: each concern gets a response category (Agreed / Partly agreed / Not
agreed). Partly agreed says which part; not agreed gives reasons; agreed and partly agreed
items get specific (SMART) actions with an owner and a timescale for each step.

Stored as a concern's (and a previous item's) `action_plan`:

    {"response": "agreed" | "partly_agreed" | "not_agreed",
     "explanation": "which part is agreed, or the reasons (may be empty)",
     "steps": [{"action", "owner", "target_date" (YYYY-MM-DD or null), "status"}, ...],
     "action", "owner", "target_date", "status"}

The last four repeat the first step so that a teammate still running the single-action
version (its payload had only those) sees and re-exports what it used to; for a not-agreed
answer with no steps, "action" holds the reasons, which is where that version's workbook
asked for them. A payload without "steps" was written by that version and is read as one
step (a not-agreed answer with no owner and no date: its action text is the reasons).

An answer the method says is not complete (no step with an action, an owner and a target
date; a step without one of them; partly agreed without the part; not agreed without
reasons) is still stored as received, and `gaps` says what is missing, so it can be chased.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hmip_desktop.domain.concerns import ACTION_PLAN_RESPONSES
from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.domain.wording import plural

AGREED, PARTLY_AGREED, NOT_AGREED = "agreed", "partly_agreed", "not_agreed"
RESPONSES = ACTION_PLAN_RESPONSES
# Responses that commit to work: each needs steps with an owner and a target date.
NEEDS_STEPS = frozenset({AGREED, PARTLY_AGREED})
# Steps read from a stored payload (a bundle is outside input); the workbook reader has its
# own, lower, limit per concern.
MAX_STORED_STEPS = 200

# What a response's explanation is, by response (the report and the screens name it so).
EXPLANATION_NAMES = {AGREED: "Comment", PARTLY_AGREED: "Part agreed", NOT_AGREED: "Reasons"}

# Kinds of gap.
NO_STEPS, STEP_INCOMPLETE, NO_PART, NO_REASONS = ("no_steps", "step_incomplete", "no_part",
                                                  "no_reasons")
# What a step needs, in the order it is named.
STEP_NEEDS = ("action", "owner", "target date")


# Status wordings that say a step is done (the workbook suggests "Complete"; others are typed).
COMPLETE_STATUSES = frozenset({"complete", "completed", "done", "achieved", "closed"})
# What the report and `hmip previous list` print beside a step's target date when the step
# is `due_before` the visit's start (the Scoring screen says it in its own column and line).
OVERDUE_WORDS = "overdue at the start of this visit"


@dataclass(frozen=True)
class Step:
    """One SMART action: what, who, by when, and how far it has got (free text)."""

    action: str = ""
    owner: str = ""
    target_date: str | None = None  # YYYY-MM-DD
    status: str = ""

    @property
    def empty(self) -> bool:
        """True when nothing was filled in."""
        return not (self.action or self.owner or self.target_date or self.status)

    def missing(self) -> tuple[str, ...]:
        """What of action, owner and target date the step lacks (STEP_NEEDS wording)."""
        have = (self.action, self.owner, self.target_date)
        return tuple(name for name, value in zip(STEP_NEEDS, have, strict=True) if not value)

    def payload(self) -> dict[str, Any]:
        """The stored shape."""
        return {"action": self.action, "owner": self.owner, "target_date": self.target_date,
                "status": self.status}

    def due_before(self, day: str | None) -> bool:
        """True when the target date falls before `day` (YYYY-MM-DD) and the step was not
        reported complete: at a review, a step due before the visit began should have been
        done by then."""
        done = self.status.strip().casefold() in COMPLETE_STATUSES
        return bool(self.target_date and day and self.target_date < day and not done)


@dataclass(frozen=True)
class Gap:
    """Something the method asks for that the response lacks. `step` is 0-based."""

    kind: str
    step: int | None = None
    missing: tuple[str, ...] = ()

    def text(self) -> str:
        """In words, without the concern's text."""
        if self.kind == NO_STEPS:
            return "no action with an owner and a target date"
        if self.kind == STEP_INCOMPLETE:
            return f"step {(self.step or 0) + 1} has no {either(self.missing)}"
        if self.kind == NO_PART:
            return "does not say which part is agreed"
        return "gives no reasons"


@dataclass(frozen=True)
class Response:
    """The establishment's response to one concern."""

    response: str  # a RESPONSES key
    explanation: str = ""  # partly agreed: the part agreed; not agreed: the reasons
    steps: tuple[Step, ...] = ()

    @property
    def label(self) -> str:
        """'Agreed', 'Partly agreed' or 'Not agreed'."""
        return RESPONSES.get(self.response, self.response)

    def gaps(self) -> list[Gap]:
        """What the method asks for and the response lacks (empty when complete)."""
        out: list[Gap] = []
        if self.response == PARTLY_AGREED and not self.explanation:
            out.append(Gap(NO_PART))
        if self.response == NOT_AGREED and not self.explanation:
            out.append(Gap(NO_REASONS))
        if self.response in NEEDS_STEPS:
            if not self.steps:
                out.append(Gap(NO_STEPS))
            out += [Gap(STEP_INCOMPLETE, i, step.missing())
                    for i, step in enumerate(self.steps) if step.missing()]
        return out

    @property
    def complete(self) -> bool:
        """True when nothing the method asks for is missing."""
        return not self.gaps()

    def payload(self) -> dict[str, Any]:
        """The stored shape, with the first step repeated for the single-action version."""
        first = self.steps[0] if self.steps else Step(
            action=self.explanation if self.response == NOT_AGREED else "")
        return {"response": self.response, "explanation": self.explanation,
                "steps": [s.payload() for s in self.steps], **first.payload()}

    def plain(self) -> dict[str, Any]:
        """The stored shape and what is missing, for `--json` output."""
        return {**self.payload(), "complete": self.complete,
                "gaps": [g.text() for g in self.gaps()]}


def visit_start(inspection: Mapping[str, Any]) -> str | None:
    """The visit's first day (YYYY-MM-DD) from an inspection's stored payload, or None: the
    day `Step.due_before` is asked about wherever a previous item's plan is shown."""
    return _iso(inspection.get("start_date"))


def either(names: tuple[str, ...]) -> str:
    """'owner', 'owner or target date', 'action, owner or target date'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _iso(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        return None


def _step(value: Mapping[str, Any]) -> Step:
    return Step(_text(value.get("action")), _text(value.get("owner")),
                _iso(value.get("target_date")), _text(value.get("status")))


def read(value: Any) -> Response | None:
    """A stored `action_plan` (either shape), tolerant of anything a bundle may carry;
    None when there is no readable response."""
    if not isinstance(value, Mapping) or value.get("response") not in RESPONSES:
        return None
    response = str(value["response"])
    steps_value = value.get("steps")
    if isinstance(steps_value, list):
        steps = tuple(s for s in (_step(v) for v in steps_value[:MAX_STORED_STEPS]
                                  if isinstance(v, Mapping)) if not s.empty)
        return Response(response, _text(value.get("explanation")), steps)
    # Written by the single-action version.
    step = _step(value)
    if response == NOT_AGREED and not (step.owner or step.target_date):
        return Response(response, step.action, (Step(status=step.status),) if step.status
                        else ())
    return Response(response, "", () if step.empty else (step,))


def parse(value: Any) -> Response:
    """A response given to a service (either shape); ValidationError when it is wrong."""
    if not isinstance(value, Mapping) or value.get("response") not in RESPONSES:
        raise ValidationError("An action plan response needs a response of "
                              f"{', '.join(RESPONSES)}.")
    steps = value.get("steps")
    given = steps if isinstance(steps, list) else [value]
    if steps is not None and not isinstance(steps, list):
        raise ValidationError("An action plan's steps are a list.")
    for step in given:
        if not isinstance(step, Mapping):
            raise ValidationError("Each action plan step has an action, owner, target date "
                                  "and status.")
        target = step.get("target_date") or None
        if target is not None and _iso(str(target)) is None:
            raise ValidationError("An action plan target date must be YYYY-MM-DD.")
    if len(given) > MAX_STORED_STEPS:
        raise ValidationError(f"An action plan response has {len(given)} steps: over the "
                              f"limit of {MAX_STORED_STEPS}.")
    found = read({**value, "steps": list(given)} if steps is not None else value)
    assert found is not None
    return found


def plain(value: Any) -> dict[str, Any] | None:
    """A stored `action_plan` for `--json` output (None when there is none)."""
    found = read(value)
    return found.plain() if found is not None else None


def normalised(value: Any) -> dict[str, Any] | None:
    """A stored `action_plan` in the current shape (None when there is none)."""
    found = read(value)
    return found.payload() if found is not None else None


def summary(answer: Response, start_date: str | None) -> str:
    """A response in a few words, for a table cell and `hmip previous list`: 'Agreed, 2 steps,
    1 overdue', 'Partly agreed, 1 step', 'Agreed, no steps', 'Not agreed'. A step is overdue
    when due before `start_date` (this visit's first day; unknown: none is) and not done."""
    parts = [answer.label]
    if answer.steps:
        parts.append(plural(len(answer.steps), "step"))
        late = sum(1 for step in answer.steps if step.due_before(start_date))
        if late:
            parts.append(f"{late} overdue")
    elif answer.response in NEEDS_STEPS:
        parts.append("no steps")
    return ", ".join(parts)

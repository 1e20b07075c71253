"""Whether an action-plan import may move the status to action plan received, and on which
date (standard library only).

The move is the ordinary life-cycle move (lifecycle.plan_move), so its rules hold: only from
published, never to a date before publication. It is offered only when the inspection is
published and the workbook carries at least one response (an empty, re-imported export is not
the establishment's plan); once the status is action plan received, a re-import changes it no
more.

The date: the plan is received when HMIP has it, and establishments send it to HMIP the day
they submit it, so the workbook's "Date submitted" (hmip-method.md §8: the header the
establishment fills in) is that day. It cannot be right when it is missing, before the report
was published (the plan answers the published report) or after today (a typo); then today is
used, the day the team holds the plan, and the reason is said.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hmip_desktop.domain import lifecycle as L
from hmip_desktop.domain.errors import ValidationError

SUBMITTED_KEY = "action_plan_submitted_date"  # on the inspection record (INSPECTION_TRACKING_KEYS)
FROM_WORKBOOK = "the date submitted in the workbook"


@dataclass(frozen=True)
class ReceivedStatus:
    """The status after an action-plan import (or after marking the plan received).

    `moved`: this call moved it to action plan received, on `on`. Not moved but `on` set: the
    inspection is published and marking it would write `on` (`can_mark`). `basis` says where
    `on` comes from; `reason` why no move is possible ("" when one is or was made).
    """

    status: str
    moved: bool = False
    on: str | None = None
    basis: str = ""
    reason: str = ""

    @property
    def can_mark(self) -> bool:
        """Published, with a returned plan and a date the move accepts, and not yet moved."""
        return not self.moved and self.on is not None and self.status == L.PUBLISHED

    @property
    def status_label(self) -> str:
        """The status in words."""
        return L.status_label(self.status)


def received_date(payload: Mapping[str, Any], today: dt.date) -> tuple[dt.date, str]:
    """The date to record the plan as received, and where it comes from (see the module)."""
    try:
        submitted = L.parse_date(payload.get(SUBMITTED_KEY), "Date submitted")
    except ValidationError:
        submitted = None
    published = L.parse_date(payload.get("publication_date"), "Publication date")
    if submitted is None:
        return today, "today: the workbook gives no date submitted"
    if published is not None and submitted < published:
        return today, (f"today: the date submitted ({submitted.isoformat()}) is before the "
                       f"report was published ({published.isoformat()})")
    if submitted > today:
        return today, f"today: the date submitted ({submitted.isoformat()}) is after today"
    return submitted, FROM_WORKBOOK


def plan_received(payload: Mapping[str, Any], *, answered: bool, today: dt.date,
                  on: dt.date | None = None, by: str = "",
                  ) -> tuple[L.StatusMove | None, ReceivedStatus]:
    """The move an import may make (None when it may not) and the status as it stands.

    `answered`: the workbook held at least one response. `on` overrides the chosen date (the
    date a person was asked about); the life cycle still checks it.
    """
    status = str(payload.get("status") or L.FIELDWORK)
    if status == L.ACTION_PLAN_RECEIVED:
        when = payload.get("action_plan_received_date")
        return None, ReceivedStatus(status, reason="the status is already Action plan "
                                    "received" + (f" (on {when})" if when else ""))
    if status != L.PUBLISHED:
        return None, ReceivedStatus(status, reason=(
            f"the inspection is not published (its status is {L.status_label(status)}): the "
            "action plan answers the published report"))
    if not answered:
        return None, ReceivedStatus(status, reason="the workbook holds no response")
    day, basis = received_date(payload, today)
    if on is not None and on != day:
        day, basis = on, "the date given"
    try:
        move = L.plan_move(payload, L.ACTION_PLAN_RECEIVED, day, today=today, by=by)
    except ValidationError as exc:
        return None, ReceivedStatus(status, reason=str(exc))
    return move, ReceivedStatus(status, on=day.isoformat(), basis=basis)

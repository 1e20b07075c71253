"""The inspection's life cycle and the facts recorded beside it (standard library only).

Status runs fieldwork → drafting → factual accuracy check → published (with the publication
date) → action plan received. It only moves forward, except when the team leader reopens the
inspection with a reason (kept in the revision payload, so in the record's history).

A published inspection is read-only except for action-plan tracking. `guard_write` is the one
place that says so: `InspectionStore.put` calls it before every revision it writes, so no
service can forget the rule. (Revisions that arrive in a bundle are merged, not refused: the
team's work is never lost on the way in.)

Also here: the nation (England or Wales decides whether Ofsted or Estyn inspects education),
announced or unannounced, and Ofsted's or Estyn's own education judgement, recorded with the
purposeful activity section.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hmip_desktop.domain.date_words import long_date
from hmip_desktop.domain.entity import EntityView
from hmip_desktop.domain.errors import UserError, ValidationError
from hmip_desktop.domain.framework_nation import NATION_LABELS, inspection_nation
from hmip_desktop.domain.wording import plural

INSPECTION = "inspection"  # records.INSPECTION, kept literal so this module imports no records
CONCERN = "concern"
URGENT_NOTIFICATION = "urgent_notification"

FIELDWORK = "fieldwork"
DRAFTING = "drafting"
FACTUAL_ACCURACY_CHECK = "factual_accuracy_check"
PUBLISHED = "published"
ACTION_PLAN_RECEIVED = "action_plan_received"

# In order; each status's rank is its position.
STATUSES: dict[str, str] = {
    FIELDWORK: "Fieldwork",
    DRAFTING: "Drafting",
    FACTUAL_ACCURACY_CHECK: "Factual accuracy check",
    PUBLISHED: "Published",
    ACTION_PLAN_RECEIVED: "Action plan received",
}
# Statuses written by earlier versions: still read, ranked where they sit in the new order.
LEGACY_RANKS: dict[str, int] = {"ready_for_report": 1, "closed": 2}
READ_ONLY_STATUSES = frozenset({PUBLISHED, ACTION_PLAN_RECEIVED})

# Payload keys of the inspection record that the life cycle writes.
STATUS_KEYS = frozenset({"status", "publication_date", "action_plan_received_date",
                         "status_change", "reopenings"})
# What may still change once published: action-plan tracking (on the inspection record: the
# date the establishment submitted its action plan, read from the returned workbook).
INSPECTION_TRACKING_KEYS = frozenset({"action_plan_submitted_date"})
_TRACKING_KEYS: dict[str, frozenset[str]] = {
    CONCERN: frozenset({"action_plan"}),
    URGENT_NOTIFICATION: frozenset({"response_date"}),
}



class PublishedReadOnlyError(UserError):
    """A change to a published inspection other than action-plan tracking."""


def status_key(text: str) -> str:
    """A status from its key, kebab-case key or label ('factual-accuracy-check')."""
    wanted = str(text).strip().casefold().replace("-", "_").replace(" ", "_")
    for key, label in STATUSES.items():
        if wanted in (key, label.casefold().replace(" ", "_")):
            return key
    raise ValidationError(f"Unknown status '{text}': use one of "
                          + ", ".join(k.replace("_", "-") for k in STATUSES) + ".")


def status_label(key: str | None) -> str:
    """The status in words (legacy statuses keep their old label)."""
    legacy = {"ready_for_report": "Ready for report", "closed": "Closed"}
    return STATUSES.get(key or FIELDWORK) or legacy.get(str(key), str(key))


def rank(key: str | None) -> int:
    """Position of a status in the life cycle (unknown: fieldwork)."""
    key = key or FIELDWORK
    if key in STATUSES:
        return list(STATUSES).index(key)
    return LEGACY_RANKS.get(key, 0)


def is_read_only(payload: Mapping[str, Any] | None) -> bool:
    """True once the inspection is published (and after its action plan arrived)."""
    return payload is not None and payload.get("status") in READ_ONLY_STATUSES


def next_statuses(current: str | None) -> tuple[str, ...]:
    """Where the status may move forward to from `current`."""
    here = rank(current)
    out = []
    for key in STATUSES:
        if rank(key) <= here:
            continue
        if key == ACTION_PLAN_RECEIVED and here < rank(PUBLISHED):
            continue  # the action plan answers the published report
        out.append(key)
    return tuple(out)


def reopen_targets(current: str | None) -> tuple[str, ...]:
    """The earlier statuses a reopen may go back to (never to published or later)."""
    here = rank(current)
    return tuple(k for k in STATUSES if rank(k) < min(here, rank(PUBLISHED)))


def parse_date(value: str | dt.date | None, label: str) -> dt.date | None:
    """A date from YYYY-MM-DD (None stays None)."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(f"{label} must be a date written YYYY-MM-DD.") from None


def _long(d: dt.date | str | None) -> str:
    return long_date(parse_date(d, "Date")) or "an unrecorded date"


@dataclass(frozen=True)
class StatusMove:
    """The fields a status change writes on the inspection record."""

    fields: Mapping[str, Any]


class NotReadyForStatus(ValidationError):
    """A move to the factual accuracy check or to published while readiness still reports
    items that block the report (the concern limits, missing scores or findings...)."""

    def __init__(self, target: str, blockers: list[str]) -> None:
        shown = "; ".join(blockers[:5]) + (f"; and {len(blockers) - 5} more"
                                            if len(blockers) > 5 else "")
        block, them = ("blocks", "it") if len(blockers) == 1 else ("block", "them")
        super().__init__(
            f"Not moved to {status_label(target)}: {plural(len(blockers), 'item')} still "
            f"{block} the report ({shown}). Resolve {them} (see 'hmip readiness FILE' or the "
            "Reports page); if the team leader has decided to go ahead regardless, move it "
            "anyway with --despite-readiness (Overview: answer Yes when asked).")
        self.target = target
        self.blockers = blockers


def plan_move(payload: Mapping[str, Any], target: str, on: dt.date | None, *,
              today: dt.date, by: str = "") -> StatusMove:
    """Check a forward move and give the fields to write (ValidationError when refused)."""
    current = str(payload.get("status") or FIELDWORK)
    target = status_key(target)
    if rank(target) < rank(current) or (rank(target) == rank(current) and target != current):
        raise ValidationError(
            f"The status only moves forward (it is {status_label(current)}). To go back, the "
            "team leader reopens the inspection with a reason: 'hmip status reopen FILE "
            "--reason TEXT' or Overview ▸ Reopen….")
    if target == ACTION_PLAN_RECEIVED and rank(current) < rank(PUBLISHED):
        raise ValidationError("The action plan answers the published report: record the "
                              "publication (status published, with its date) first.")
    fields: dict[str, Any] = {"status": target}
    end = parse_date(payload.get("end_date") or payload.get("start_date"), "End date")
    day: dt.date | None
    if target == PUBLISHED:
        day = on or today
        if end is not None and day < end:
            raise ValidationError(f"The publication date ({day.isoformat()}) is before the "
                                  f"inspection ended ({end.isoformat()}).")
        fields["publication_date"] = day.isoformat()
    elif target == ACTION_PLAN_RECEIVED:
        day = on or today
        published = parse_date(payload.get("publication_date"), "Publication date")
        if published is not None and day < published:
            raise ValidationError(f"The action plan date ({day.isoformat()}) is before the "
                                  f"report was published ({published.isoformat()}).")
        fields["action_plan_received_date"] = day.isoformat()
    else:
        day = on
    fields["status_change"] = {"from": current, "to": target,
                               "on": day.isoformat() if day else None, "by": by}
    return StatusMove(fields)


def plan_reopen(payload: Mapping[str, Any], reason: str, target: str | None, *,
                today: dt.date, by: str = "") -> StatusMove:
    """Check a reopen and give the fields to write: the reason goes in the payload."""
    current = str(payload.get("status") or FIELDWORK)
    text = " ".join(str(reason or "").split())
    if not text:
        raise ValidationError("Give the reason for reopening (it is kept in the history).")
    allowed = reopen_targets(current)
    if not allowed:
        raise ValidationError("The inspection is at fieldwork: there is nothing to reopen.")
    if target is None:
        to = DRAFTING if DRAFTING in allowed else allowed[-1]
    else:
        to = status_key(target)
        if to not in allowed:
            raise ValidationError("Reopening goes back to an earlier status: one of "
                                  + ", ".join(k.replace("_", "-") for k in allowed) + ".")
    entry = {"from": current, "to": to, "on": today.isoformat(), "reason": text, "by": by,
             "publication_date": payload.get("publication_date")}
    reopenings = [dict(r) for r in payload.get("reopenings") or [] if isinstance(r, Mapping)]
    fields: dict[str, Any] = {"status": to, "publication_date": None,
                              "action_plan_received_date": None,
                              "status_change": {**entry, "reopened": True},
                              "reopenings": [*reopenings, entry]}
    return StatusMove(fields)


def read_only_message(payload: Mapping[str, Any]) -> str:
    """Why a published inspection refuses a change, and how to reopen it."""
    when = payload.get("publication_date")
    published = f"was published on {_long(when)}" if when else "is published"
    return (f"This inspection {published} and is read-only, except for action-plan tracking "
            "(responses to concerns, the Urgent Notification response date). To change it, "
            "the team leader reopens it with a reason: 'hmip status reopen FILE --reason "
            "TEXT', or Reopen… on the Overview page.")


def guard_write(lookup: Callable[[str], EntityView | None], inspection_id: str,
                entity_type: str, entity_id: str, payload: Mapping[str, Any],
                deleted: bool = False) -> None:
    """Refuse a revision a published inspection does not accept (PublishedReadOnlyError).

    Accepted once published: action-plan tracking (a concern's action_plan, the date the
    plan was submitted, an Urgent Notification's response date) and life-cycle fields of
    the inspection record that keep it published or add a reopening (with its reason).
    Everything is accepted before.
    """
    record = lookup(inspection_id) if inspection_id else None
    if record is None or not is_read_only(record.payload):
        return
    current = record.payload
    if entity_id == inspection_id:
        changed = _changed(current, payload)
        if not deleted and changed <= STATUS_KEYS | INSPECTION_TRACKING_KEYS:
            reopened = len(payload.get("reopenings") or []) > len(current.get("reopenings") or [])
            if reopened or payload.get("status") in READ_ONLY_STATUSES:
                return
        raise PublishedReadOnlyError(read_only_message(current))
    allowed = _TRACKING_KEYS.get(entity_type)
    if allowed is not None and not deleted:
        old = lookup(entity_id)
        if old is not None and not old.deleted and _changed(old.payload, payload) <= allowed:
            return
    raise PublishedReadOnlyError(read_only_message(current))


def _changed(old: Mapping[str, Any], new: Mapping[str, Any]) -> set[str]:
    return {k for k in set(old) | set(new) if old.get(k) != new.get(k)}


# -- nation and notice -------------------------------------------------------------------------
def nation_key(text: str | None) -> str:
    """'england' or 'wales' from a key or label (ValidationError otherwise)."""
    wanted = str(text or "").strip().casefold()
    for key, label in NATION_LABELS.items():
        if wanted in (key, label.casefold()):
            return key
    raise ValidationError("The nation is England or Wales ('england' or 'wales').")


def announced_of(payload: Mapping[str, Any]) -> bool:
    """True for an announced inspection; most are unannounced (the default)."""
    return payload.get("announced") is True


# -- Ofsted's or Estyn's education judgement ----------------------------------------------------
@dataclass(frozen=True)
class EducationGrade:
    """One grade of the partner inspectorate's overall judgement of education."""

    key: str
    label: str


@dataclass(frozen=True)
class EducationScale:
    """The partner inspectorate's grades, best first; `verified` False: wording unconfirmed."""

    inspectorate: str
    label: str
    grades: tuple[EducationGrade, ...]
    verified: bool

    def resolve(self, text: str) -> EducationGrade:
        """A grade from its key, kebab-case key or label."""
        wanted = str(text).strip().casefold().replace("-", "_").replace(" ", "_")
        for g in self.grades:
            if wanted in (g.key, g.label.casefold().replace(" ", "_")):
                return g
        raise ValidationError(f"Unknown {self.label} grade '{text}': use one of "
                              + ", ".join(g.key.replace("_", "-") for g in self.grades) + ".")


# Ofsted's Education Inspection Framework grades (hmip-method.md §15, §12.2: "good",
# "requires improvement" seen in prison reports). Estyn's wording for prisons is unconfirmed.
EDUCATION_SCALES: dict[str, EducationScale] = {
    "ofsted": EducationScale("ofsted", "Ofsted", (
        EducationGrade("outstanding", "Outstanding"),
        EducationGrade("good", "Good"),
        EducationGrade("requires_improvement", "Requires improvement"),
        EducationGrade("inadequate", "Inadequate"),
    ), verified=True),
    "estyn": EducationScale("estyn", "Estyn", (
        EducationGrade("excellent", "Excellent"),
        EducationGrade("good", "Good"),
        EducationGrade("adequate", "Adequate and needs improvement"),
        EducationGrade("unsatisfactory", "Unsatisfactory and needs urgent improvement"),
    ), verified=False),
}
NATION_INSPECTORATE = {"england": "ofsted", "wales": "estyn"}
EDUCATION_SECTION = "purposeful_activity"
NOT_VERIFIED_NOTE = "Estyn's grade wording for prisons is not verified."


def education_scale(payload: Mapping[str, Any]) -> EducationScale:
    """Ofsted's grades in England, Estyn's in Wales."""
    return EDUCATION_SCALES[NATION_INSPECTORATE[inspection_nation(payload)]]


def education_judgement(payload: Mapping[str, Any]) -> dict[str, Any] | None:
    """The recorded judgement {inspectorate, grade, label, section_key}, if any."""
    value = payload.get("education_judgement")
    if not isinstance(value, Mapping) or not value.get("grade"):
        return None
    return dict(value)


def education_text(payload: Mapping[str, Any]) -> str:
    """'Ofsted's judgement of education, skills and work: Good' (empty when none)."""
    j = education_judgement(payload)
    if j is None:
        return ""
    scale = EDUCATION_SCALES.get(str(j.get("inspectorate")))
    who = scale.label if scale else str(j.get("inspectorate", ""))
    return f"{who}'s judgement of education, skills and work: {j.get('label', j['grade'])}"

"""Entity types, their fields and the fixed vocabularies the product needs to store evidence.

Domain vocabularies that are HMIP method facts (frameworks, scales, concern limits, Urgent
Notification timelines) are data under resources/; what stays here is the product's own
record structure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.domain.ids import deterministic_id
from hmip_desktop.domain.people_words import DEFAULT_PEOPLE, PeopleWords

# Entity types. A new type only needs a name here and, if it must be queried, a projection.
INSPECTION = "inspection"
FRAMEWORK = "framework"
TEAM_MEMBER = "team_member"
NOTE = "note"
DOCUMENT = "document"
EXTRACT = "extract"
FIGURE = "figure"
LINK = "link"
SCORE = "score"
FINDINGS = "findings"
CONCERN = "concern"
NPP = "npp"
PREVIOUS_ITEM = "previous_item"
PROGRESS = "progress"
URGENT_NOTIFICATION = "urgent_notification"
REPORT_TEXT = "report_text"          # a part of the report the team leader writes
DISCLOSURE_TERM = "disclosure_term"  # a name or term the disclosure check looks for


def framework_record_id(inspection_id: str) -> str:
    """Deterministic id of the pinned framework record of an inspection (the same on every
    laptop of the team)."""
    return deterministic_id(FRAMEWORK, inspection_id)


ENTITY_TYPES = frozenset({
    INSPECTION, FRAMEWORK, TEAM_MEMBER, NOTE, DOCUMENT, EXTRACT, FIGURE, LINK, SCORE, FINDINGS,
    CONCERN, NPP, PREVIOUS_ITEM, PROGRESS, URGENT_NOTIFICATION, REPORT_TEXT, DISCLOSURE_TERM,
})

# Record types that can be linked as evidence (domain/readiness says what they count for;
# the evidence-link projection reads them without loading it).
EVIDENCE_TYPES = frozenset({NOTE, DOCUMENT, EXTRACT, FIGURE})

# Fields a person writes as prose: never merged automatically (sync-and-security.md §1.3).
FREE_TEXT_FIELDS = frozenset({"body", "rationale", "description", "text", "findings", "caption"})

# Evidence source kinds, in the order the method lists them (hmip-method.md §5). The words for
# the people held depend on the establishment (services.labels.source_kind_label):
# PEOPLE_INTERVIEW's label here is the neutral one, for a type that names none.
PEOPLE_INTERVIEW = "prisoner_interview"  # a stored key: never renamed
SOURCE_KINDS: dict[str, str] = {
    PEOPLE_INTERVIEW: DEFAULT_PEOPLE.interview,
    "group_discussion": "Group discussion",
    "staff_interview": "Staff interview",
    "other_organisation": "Other organisation",
    "observation": "Observation",
    "document_review": "Document review",
    "data": "Data",
    "survey": "Survey",
}



def source_kind_name(key: str | None, people: PeopleWords = DEFAULT_PEOPLE) -> str | None:
    """A known source kind's label where the people held are `people` ("Prisoner interview"
    in a men's prison); None for a key this version does not know. services.labels'
    source_kind_label gives it for an inspection's establishment type."""
    if key == PEOPLE_INTERVIEW:
        return people.interview
    return SOURCE_KINDS.get(key or "")


INSPECTION_KINDS: dict[str, str] = {
    "full": "Full inspection",
    "irp": "Independent review of progress",
}

INSPECTION_STATUSES: dict[str, str] = {
    "fieldwork": "Fieldwork",
    "drafting": "Drafting",
    "factual_accuracy_check": "Factual accuracy check",
    "published": "Published",
    "action_plan_received": "Action plan received",
    # Written by earlier versions; still read (domain/lifecycle.py ranks them).
    "ready_for_report": "Ready for report",
    "closed": "Closed",
}


def _required_text(payload: Mapping[str, Any], key: str, label: str) -> None:
    value = payload.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{label} is required")


def _iso_date_or_none(payload: Mapping[str, Any], key: str, label: str) -> None:
    import datetime as dt

    value = payload.get(key)
    if value in (None, ""):
        return
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(f"{label} must be a date written YYYY-MM-DD") from None


MAX_ESTABLISHMENT_NAME = 200  # "HMP/YOI ..." names are under 60; it heads every page


def check_new_establishment_name(name: str) -> str:
    """The name a new inspection is created with (trimmed): one line of at most
    MAX_ESTABLISHMENT_NAME characters. Only at creation: a file made by an earlier version
    with a longer name stays editable."""
    name = name.strip()
    if not name:
        raise ValidationError("Establishment name is required")
    if len(name) > MAX_ESTABLISHMENT_NAME:
        raise ValidationError(f"The establishment name is {len(name):,} characters long; "
                              f"the limit is {MAX_ESTABLISHMENT_NAME}.")
    if any(ch < " " or "\x7f" <= ch < "\xa0" or ch in "\u2028\u2029" for ch in name):
        raise ValidationError("The establishment name must be one line of text, without "
                              "line breaks or control characters.")
    return name


def validate_inspection(payload: Mapping[str, Any]) -> None:
    """Check an inspection record before it is written."""
    _required_text(payload, "establishment_name", "Establishment name")
    _required_text(payload, "establishment_type", "Establishment type")
    _required_text(payload, "framework_id", "Framework")
    if payload.get("kind") not in INSPECTION_KINDS:
        raise ValidationError("Kind must be 'full' or 'irp' (independent review of progress)")
    _iso_date_or_none(payload, "start_date", "Start date")
    _iso_date_or_none(payload, "end_date", "End date")
    start, end = payload.get("start_date"), payload.get("end_date")
    if start and end and str(end) < str(start):
        raise ValidationError("End date is before the start date")
    if payload.get("status", "fieldwork") not in INSPECTION_STATUSES:
        raise ValidationError("Unknown inspection status")


def validate_note(payload: Mapping[str, Any]) -> None:
    """Check a note before it is written."""
    if payload.get("source_kind") not in SOURCE_KINDS:
        allowed = ", ".join(SOURCE_KINDS)
        raise ValidationError(f"Source kind must be one of: {allowed}")
    _required_text(payload, "title", "Title")
    if not isinstance(payload.get("body", ""), str):
        raise ValidationError("Body must be text")


NOTE_FIELDS = ("source_kind", "title", "body", "occurred_at", "location", "subject_ref",
               "interpreter_used")


@dataclass(frozen=True)
class NoteView:
    """A note as the GUI and command line see it."""

    id: str
    source_kind: str
    title: str
    body: str
    occurred_at: str | None
    location: str | None
    subject_ref: str | None
    interpreter_used: bool
    author_id: str
    updated: str
    conflicted: bool
    # The clock stamp of the state shown: an editor saves `based_on` it (services.edit_base).
    updated_hlc: str = ""

    @classmethod
    def from_payload(cls, id: str, payload: Mapping[str, Any], *, author_id: str,
                     updated: str, conflicted: bool, updated_hlc: str = "") -> NoteView:
        """Build from a stored payload (unknown extra fields are ignored)."""
        return cls(
            id=id,
            source_kind=str(payload.get("source_kind", "")),
            title=str(payload.get("title", "")),
            body=str(payload.get("body", "")),
            occurred_at=payload.get("occurred_at"),
            location=payload.get("location"),
            subject_ref=payload.get("subject_ref"),
            interpreter_used=bool(payload.get("interpreter_used", False)),
            author_id=author_id,
            updated=updated,
            conflicted=conflicted,
            updated_hlc=updated_hlc,
        )

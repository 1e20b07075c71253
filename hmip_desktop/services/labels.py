"""The words people read for the app's vocabularies: one lookup per vocabulary.

The GUI and the CLI's text output show these labels ("Men's prison", "Prisoner interview");
keys stay in `--json` output, in files and in CLI arguments. An unknown key (a newer file, an
imported framework) is shown as itself rather than hidden. Words that depend on the kind of
establishment (the people held: prisoners, children, detainees) come from
establishment_types.json, so the labels that use them take the inspection's type.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from hmip_desktop.domain.errors import plain_text
from hmip_desktop.domain.people_words import PeopleWords
from hmip_desktop.domain.records import (
    INSPECTION_KINDS,
    INSPECTION_STATUSES,
    SOURCE_KINDS,
    source_kind_name,
)
from hmip_desktop.domain.wording import plural

UNKNOWN_SOURCE = "Unknown source"


def notice_label(announced: bool) -> str:
    """'Announced' or 'Unannounced'."""
    return "Announced" if announced else "Unannounced"

# Coverage of one expectation (services.coverage: GAP, THIN, TRIANGULATED).
COVERAGE_STATUSES: dict[str, str] = {
    "gap": "No evidence",
    "thin": "Not yet triangulated",
    "triangulated": "Triangulated",
}

# Kinds of record, as a person names them.
RECORD_TYPES: dict[str, str] = {
    "inspection": "Inspection",
    "framework": "Framework",
    "team_member": "Team member",
    "note": "Note",
    "document": "Document",
    "extract": "Data extract",
    "figure": "Pinned figure",
    "link": "Link",
    "score": "Score",
    "findings": "Findings",
    "concern": "Concern",
    "npp": "Notable positive practice",
    "previous_item": "Previous recommendation",
    "progress": "Progress judgement",
    "urgent_notification": "Urgent Notification",
}


@lru_cache(maxsize=1)
def _establishment_types() -> dict[str, str]:
    # The types file alone, not the framework registry (its modules and JSON Schema): the
    # Overview's first screen shows this label (issue 11).
    from hmip_desktop.storage import establishment_types

    return establishment_types.labels()


def establishment_type_label(key: str | None) -> str:
    """"Men's prison" for mens_prison."""
    if not key:
        return "not set"
    return _establishment_types().get(key, key)


def establishment_type_labels(keys: Iterable[str]) -> str:
    """Several establishment types, comma-separated."""
    return ", ".join(establishment_type_label(k) for k in keys)


@lru_cache(maxsize=64)
def people_words(establishment_type: str | None) -> PeopleWords:
    """The words for the people an establishment of this type holds ("prisoner",
    "prisoners"); the neutral "person held" for a type that names none or is unknown."""
    from hmip_desktop.storage import establishment_types  # the types file alone, as above

    return establishment_types.people(establishment_type)


def source_kind_label(key: str | None, establishment_type: str | None) -> str:
    """A source kind as people read it in an inspection of this type of establishment:
    prisoner_interview is "Prisoner interview" in a men's prison, "Detainee interview" in an
    IRC, "Interview with a child" in a children's YOI (the key never changes)."""
    if not key or key == "unknown":
        return UNKNOWN_SOURCE
    return source_kind_name(key, people_words(establishment_type)) or key


def source_kind_labels(establishment_type: str | None) -> dict[str, str]:
    """Every source kind's key and label for this type of establishment, in the method's
    order (the Notes filter and the note editor's Source choice)."""
    return {k: source_kind_label(k, establishment_type) for k in SOURCE_KINDS}


# How the file's key is kept, as the status bar and the Overview say it (the record's source
# names are internal).
KEY_SOURCE_TEXTS = {"keyring": "encrypted; its key is kept in this computer's keyring",
                    "passphrase": "encrypted; opened with your passphrase"}


def key_source_text(key: str | None) -> str:
    """'encrypted; opened with your passphrase' and the like."""
    return KEY_SOURCE_TEXTS.get(key or "", "encrypted")


def inspection_kind_label(key: str | None) -> str:
    """"Full inspection" or "Independent review of progress"."""
    return INSPECTION_KINDS.get(key or "", key or "not set")


def inspection_status_label(key: str | None) -> str:
    """"Fieldwork", "Drafting", "Ready for report", "Closed"."""
    return INSPECTION_STATUSES.get(key or "", key or "not set")


def coverage_status_label(key: str) -> str:
    """"No evidence", "Not yet triangulated" or "Triangulated"."""
    return COVERAGE_STATUSES.get(key, key)


def record_type_label(key: str) -> str:
    """"Data extract" for extract."""
    return RECORD_TYPES.get(key, key)


# What `hmip info` and the Overview count, as nouns (singular, plural): record types and the
# two totals that are not records.
COUNT_NOUNS: dict[str, tuple[str, str]] = {
    "note": ("note", "notes"),
    "document": ("document", "documents"),
    "extract": ("data extract", "data extracts"),
    "figure": ("figure", "figures"),
    "link": ("link", "links"),
    "score": ("score", "scores"),
    "concern": ("concern", "concerns"),
    "npp": ("notable positive practice", "notable positive practice"),
    "team_member": ("team member", "team members"),
    "attachments": ("attachment", "attachments"),
    "revisions": ("saved revision", "saved revisions"),
}


def count_text(key: str, n: int) -> str:
    """"3 data extracts" for ("extract", 3); an unknown key is shown as itself."""
    one, many = COUNT_NOUNS.get(key, (key, key))
    return plural(n, one, many)


def role_label(key: str) -> str:
    """A team role's label."""
    # Imported here: the roster's rules (6 ms of dataclasses) are not loaded by every command
    # that shows a label, such as `hmip note list` (issue 11).
    from hmip_desktop.domain.roster import ROLES

    return ROLES.get(key, key)


def section_labels(keys: Iterable[str], sections: Iterable[tuple[str, str]]) -> str:
    """Framework section keys as their titles, given the framework's (key, label) pairs."""
    names = dict(sections)
    return ", ".join(names.get(k, k) for k in keys)


# A record's fields, as the screens that edit them name them (note editor, register editor,
# new-inspection dialog, previous-item dialog): the conflict cards, the combine editor and
# `hmip conflicts` use these words. FIELD_LABELS_BY_TYPE holds the few names whose meaning
# depends on the kind of record.
_NAME_LIMIT = 60  # an unknown field's name, in words, on one line
FIELD_LABELS: dict[str, str] = {
    # notes and evidence
    "title": "Title", "body": "Text", "source_kind": "Source", "occurred_at": "When",
    "location": "Where", "subject_ref": "Subject", "interpreter_used": "Interpreter used",
    "description": "Description", "filename": "File name", "mime": "File type",
    "sha256": "Fingerprint (SHA-256)", "size": "Size (bytes)", "pages": "Pages",
    "name": "Name", "columns": "Columns", "format": "File format", "row_count": "Rows",
    "caption": "Caption", "extract_id": "Data extract", "extract_name": "Data extract name",
    "extract_sha256": "Data extract fingerprint", "spec": "Figure settings",
    "result": "Figure values",
    # links
    "evidence_id": "Evidence", "evidence_type": "Kind of evidence",
    "expectation_ref": "Expectation", "start": "Passage start", "end": "Passage end",
    "page": "Page", "quote": "Quoted passage",
    # scores, findings, judgements
    "evidence_ids": "Evidence", "inspector_id": "Inspector", "inspector_name": "Inspector",
    "kind": "Kind", "level_key": "Score", "level_label": "Score", "rationale": "Rationale",
    "scale_key": "Scale", "section_key": "Section", "value": "Score value",
    "demoted_from": "Earlier agreed score", "area_key": "Area", "author_id": "Author",
    "author_name": "Author", "text": "Text", "previous_item_id": "Previous recommendation",
    "recorded_by": "Recorded by", "recorded_by_name": "Recorded by",
    # concerns, notable positive practice, previous recommendations
    "addressee": "Addressed to", "order": "Order", "priority": "Priority",
    "sections": "Sections", "action_plan": "Action plan response", "followed_up": "Followed up",
    "ref": "Reference", "section": "Section", "source": "Source report",
    # inspection
    "establishment_name": "Establishment", "establishment_type": "Type",
    "framework_id": "Framework", "framework_version": "Framework version",
    "start_date": "Start", "end_date": "End", "status": "Status", "created_on": "Created on",
    "protective_marking": "Protective marking", "previous_scores": "Previous scores",
    "previous_year": "Previous inspection year", "nation": "Nation", "announced": "Announced",
    "publication_date": "Publication date",
    "action_plan_received_date": "Action plan received",
    "action_plan_submitted_date": "Action plan submitted", "reopenings": "Reopenings",
    "education_judgement": "Education judgement", "status_change": "Last status change",
    # Urgent Notification, report texts, disclosure terms
    "criteria": "Criteria met", "reasons": "Reasons", "letter_date": "Letter date",
    "response_date": "Response date", "part": "Report part", "term": "Term",
    # team roster and frameworks
    "device_id": "Device", "role": "Role", "signer": "Signing key",
    "recipient": "Encryption key", "removed_hlc": "Removed at", "frontier": "Last changes seen",
    "schema_version": "Schema version", "id": "Identifier", "version": "Version",
    "edition": "Edition", "establishment_types": "Establishment types", "scale": "Scale",
    "progress_scale": "Progress scale", "report_model": "Report model",
}
FIELD_LABELS_BY_TYPE: dict[tuple[str, str], str] = {
    ("note", "body"): "Note text",
    ("concern", "body"): "Description",
    ("npp", "body"): "Description",
    ("inspection", "kind"): "Kind of inspection",
    ("score", "kind"): "Kind of score",
    ("previous_item", "priority"): "Priority recommendation",
    ("concern", "priority"): "Priority concern",
}


def field_label(key: str, record_type: str | None = None) -> str:
    """"Interpreter used" for interpreter_used; a field this version does not know (a newer
    file's) is shown as its name in words ("some_field" as "Some field")."""
    label = FIELD_LABELS_BY_TYPE.get((record_type or "", key)) or FIELD_LABELS.get(key)
    if label:
        return label
    # A name another laptop chose: shown in words, one short line, nothing that could move a
    # terminal's cursor or reorder the text around it.
    words = " ".join(plain_text(key).replace("_", " ").split()).capitalize() or "(unnamed)"
    return words if len(words) <= _NAME_LIMIT else words[:_NAME_LIMIT - 1] + "…"

"""What a revision payload may hold, checked on every import before anything is merged.

Each record type has a table of known fields and their JSON types for payload schema 1
(fields not in the table are kept as they are: a newer version of the same schema may add
optional fields). On top, every payload is bounded: nesting depth, string length, number of
items and total size, so no hostile bundle can make the importer recurse, allocate or store
without limit. Messages name a limit or a field, never a value. Standard library only.
"""

from __future__ import annotations

import itertools
import re
from array import array
from collections.abc import Mapping
from typing import Any

from hmip_desktop.domain import records as R

MAX_DEPTH = 32  # lists and objects inside a payload (frameworks use 7)
MAX_STRING_CHARS = 8 * 1024 * 1024  # a long interview note is well under 1 MiB
MAX_ITEMS = 200_000  # list items and object keys in one payload (a framework: ~10,000)
MAX_KEY_CHARS = 200
# A revision travels as one line of a bundle; readers and writers refuse a longer one.
MAX_REVISION_LINE_BYTES = 64 * 1024 * 1024

# Type codes: s str, i int, b bool, l list, d dict; a trailing "?" allows null; "l:s" is a
# list of strings.
_S, _SN, _I, _IN, _B, _D, _DN, _LS, _LD = "s", "s?", "i", "i?", "b", "d", "d?", "l:s", "l:d"

FIELD_TYPES: dict[str, dict[str, str]] = {
    R.INSPECTION: {
        "establishment_name": _S, "establishment_type": _S, "framework_id": _S,
        "framework_version": _SN, "kind": _S, "start_date": _SN, "end_date": _SN,
        "status": _SN, "created_on": _SN, "protective_marking": _SN,
        "previous_scores": _DN, "previous_year": _SN, "nation": _SN, "announced": _B,
        "publication_date": _SN, "action_plan_received_date": _SN, "reopenings": _LD,
        "education_judgement": _DN, "status_change": _DN, "action_plan_submitted_date": _SN,
    },
    R.FRAMEWORK: {
        "schema_version": _I, "id": _S, "version": _S, "title": _S, "edition": _SN,
        "establishment_types": _LS, "sections": _LD, "scale": _DN, "progress_scale": _DN,
        "report_model": _DN,
    },
    R.TEAM_MEMBER: {
        "device_id": _S, "author_id": _SN, "name": _SN, "role": _SN, "signer": _SN,
        "recipient": _SN, "status": _SN, "removed_hlc": _SN, "frontier": _LS,
    },
    R.NOTE: {
        "source_kind": _S, "title": _S, "body": _S, "occurred_at": _SN, "location": _SN,
        "subject_ref": _SN, "interpreter_used": _B,
    },
    R.DOCUMENT: {
        "title": _S, "filename": _S, "mime": _S, "sha256": _S, "size": _I, "pages": _IN,
        "description": _SN, "source_kind": _SN,
    },
    R.EXTRACT: {
        "name": _S, "description": _SN, "filename": _S, "source_kind": _SN, "sha256": _S,
        "size": _I, "columns": _LD, "format": _D, "row_count": _IN,
    },
    R.FIGURE: {
        "caption": _SN, "extract_id": _S, "extract_name": _SN, "extract_sha256": _SN,
        "source_kind": _SN, "spec": _D, "result": _D,
    },
    R.LINK: {
        "evidence_id": _S, "evidence_type": _S, "expectation_ref": _S, "start": _IN,
        "end": _IN, "page": _IN, "quote": _SN,
    },
    R.SCORE: {
        "evidence_ids": _LS, "inspector_id": _SN, "inspector_name": _SN, "kind": _SN,
        "level_key": _SN, "level_label": _SN, "rationale": _SN, "scale_key": _SN,
        "section_key": _SN, "value": _IN, "demoted_from": _D,
    },
    R.FINDINGS: {
        "area_key": _SN, "author_id": _SN, "author_name": _SN, "section_key": _SN,
        "text": _SN,
    },
    R.CONCERN: {
        "addressee": _SN, "body": _SN, "evidence_ids": _LS, "order": _IN, "priority": _B,
        "sections": _LS, "title": _S, "action_plan": _DN,
    },
    R.NPP: {
        "body": _SN, "evidence_ids": _LS, "order": _IN, "sections": _LS, "title": _S,
    },
    R.PREVIOUS_ITEM: {
        "followed_up": _B, "ref": _SN, "section": _SN, "source": _SN, "text": _SN,
        "title": _SN, "priority": _B, "action_plan": _DN,
    },
    R.PROGRESS: {
        "evidence_ids": _LS, "level_key": _SN, "level_label": _SN, "previous_item_id": _SN,
        "rationale": _SN, "recorded_by": _SN, "recorded_by_name": _SN, "ref": _SN,
        "scale_key": _SN, "value": _IN,
    },
    R.URGENT_NOTIFICATION: {
        "criteria": _LS, "letter_date": _SN, "reasons": _LS, "response_date": _SN,
    },
    R.REPORT_TEXT: {"part": _S, "text": _S},
    R.DISCLOSURE_TERM: {"term": _S},
}
# A record type in R.ENTITY_TYPES without a table here is held to the bounds only; add its
# table when it is created.

_SHA256 = re.compile(r"[0-9a-f]{64}", re.ASCII)


class PayloadProblem(ValueError):
    """A payload outside its schema or its limits (the message names no value)."""


# Exact types that certainly fit a code: what a JSON parser makes. Anything else (null where
# not allowed, subclasses, lists) is decided by `_fits` itself.
_SURELY_FITS: dict[str, frozenset[type]] = {
    "s": frozenset({str}), "s?": frozenset({str, type(None)}),
    "i": frozenset({int}), "i?": frozenset({int, type(None)}),
    "b": frozenset({bool}), "d": frozenset({dict}), "d?": frozenset({dict, type(None)}),
}
_NO_TYPES: frozenset[type] = frozenset()
# Values that `check_bounds` never descends into (exact types, as parsed from JSON).
_LEAVES = frozenset({str, int, bool, float, type(None)})


def _fits(value: Any, code: str) -> bool:
    if code.endswith("?"):
        if value is None:
            return True
        code = code[:-1]
    if code == "s":
        return isinstance(value, str)
    if code == "i":
        return isinstance(value, int) and not isinstance(value, bool)
    if code == "b":
        return isinstance(value, bool)
    if code == "d":
        return isinstance(value, Mapping)
    if code.startswith("l"):
        if not isinstance(value, list):
            return False
        inner = code[2:]
        return not inner or all(_fits(v, inner) for v in value)
    raise AssertionError(code)


def check_bounds(payload: Any) -> None:
    """Depth, string length and item count of a parsed payload (iterative: no recursion)."""
    if type(payload) is dict and all(type(v) in _LEAVES for v in payload.values()):
        # Most records are one object of plain values: the same checks in the same order
        # as the walk below makes for them (items, field names, then texts), without it.
        if len(payload) > MAX_ITEMS:
            raise PayloadProblem(f"a record holds too many items (limit: {MAX_ITEMS:,})")
        if any(len(key) > MAX_KEY_CHARS for key in payload):
            raise PayloadProblem("a record has an oversized field name")
        if any(type(v) is str and len(v) > MAX_STRING_CHARS for v in payload.values()):
            raise PayloadProblem(f"a text is longer than allowed (limit: "
                                 f"{MAX_STRING_CHARS:,} characters)")
        return
    items = 0
    stack: list[tuple[Any, int]] = [(payload, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if len(value) > MAX_STRING_CHARS:
                raise PayloadProblem(f"a text is longer than allowed (limit: "
                                     f"{MAX_STRING_CHARS:,} characters)")
            continue
        if isinstance(value, Mapping | list | tuple):
            if depth > MAX_DEPTH:
                raise PayloadProblem(f"a record is nested too deeply (limit: depth {MAX_DEPTH})")
            items += len(value)
            if items > MAX_ITEMS:
                raise PayloadProblem(f"a record holds too many items (limit: {MAX_ITEMS:,})")
            if isinstance(value, Mapping):
                for key in value:
                    if len(key) > MAX_KEY_CHARS:
                        raise PayloadProblem("a record has an oversized field name")
                stack.extend((v, depth + 1) for v in value.values())
            else:
                stack.extend((v, depth + 1) for v in value)


def check_payload(entity_type: str, schema: int, payload: Mapping[str, Any], *,
                  deleted: bool = False) -> None:
    """Raise PayloadProblem unless the payload fits its record type and the limits.

    `schema` is the payload schema version; only version 1 exists (newer ones are refused
    earlier as "made by a newer version").
    """
    if entity_type not in R.ENTITY_TYPES:
        raise PayloadProblem("a revision has an unknown record type")
    fields = FIELD_TYPES.get(entity_type, {})
    if schema != 1:
        raise PayloadProblem("a revision has an unknown payload version")
    check_bounds(payload)
    for name, code in fields.items():
        if name in payload and type(payload[name]) not in _SURELY_FITS.get(code, _NO_TYPES) \
                and not _fits(payload[name], code):
            raise PayloadProblem(f"a {entity_type} record has a wrongly typed field '{name}'")
    plan = payload.get("action_plan")
    if isinstance(plan, Mapping) and "steps" in plan and not _fits(plan["steps"], _LD):
        # An action plan's steps (domain.action_plan); older payloads have none.
        raise PayloadProblem(f"a {entity_type} record has a wrongly typed field "
                             "'action_plan.steps'")
    for name in ("sha256", "extract_sha256"):
        value = payload.get(name)
        if isinstance(value, str) and value and not _SHA256.fullmatch(value):
            raise PayloadProblem(f"a {entity_type} record has a malformed field '{name}'")
    for name in ("size", "pages", "row_count", "start", "end", "page"):
        value = payload.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value < 0:
            raise PayloadProblem(f"a {entity_type} record has a negative field '{name}'")
    del deleted  # tombstones carry the last payload and are held to the same rules


# --- depth before parsing ------------------------------------------------------------------

_STRING_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = bytes.maketrans(b"[]{}", b"\x01\xff\x01\xff")


def json_depth(data: bytes | str) -> int:
    """Deepest nesting of a JSON text, found without parsing it (strings are skipped), so
    that a hostile text cannot exhaust the parser's recursion."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    brackets = _STRING_TOKEN.sub(b"", raw).translate(None, _NOT_BRACKETS)
    opens = brackets.count(b"[") + brackets.count(b"{")
    if opens <= 1:
        return opens
    steps = array("b", brackets.translate(_STEP))  # +1 for [ {, -1 for ] }
    return max(itertools.accumulate(steps))

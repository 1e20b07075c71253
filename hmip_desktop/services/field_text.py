"""A record field and its value as a person reads them: "Interpreter used: No", not
"interpreter_used: False".

The conflict cards, the combine editor and `hmip conflicts` show versions of a record field by
field with these words (labels from services.labels). Booleans read Yes/No, nothing reads
"(empty)", a vocabulary key reads as its label; `short_value` makes one line for tables,
choices and the command line, shortened with "…". Values, labels and names may come from
another laptop's bundle: what could move a terminal's cursor or reorder the text after it is
removed (domain.errors.plain_text) wherever they are turned into text here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from hmip_desktop.domain.errors import plain_text
from hmip_desktop.services import labels

EMPTY = "(empty)"
NONE = "(none)"
SHORT_LIMIT = 60  # a field's value on one line: a table cell, a choice, a CLI line
HIDDEN_FIELDS = frozenset({"attestation"})  # signatures, not content: never shown as a field
# A one-line value is cut from at most this many times its limit of the text (a note's body
# may be megabytes: it is never copied whole to show 60 characters of it).
_HEAD = 8

# Fields whose value is a key of one of the app's vocabularies. A source kind is named in the
# words of the inspection's establishment type ("Prisoner interview"): `establishment_type`.
_VOCABULARIES: dict[str, Callable[[str], str]] = {
    "establishment_type": labels.establishment_type_label,
    "establishment_types": labels.establishment_type_label,
    "role": labels.role_label,
    "evidence_type": labels.record_type_label,
}
_VOCABULARIES_BY_TYPE: dict[tuple[str, str], Callable[[str], str]] = {
    ("inspection", "kind"): labels.inspection_kind_label,
    ("inspection", "status"): labels.inspection_status_label,
}


def _word(key: str, record_type: str | None, value: str,
          establishment_type: str | None = None) -> str:
    if key == "source_kind":
        return labels.source_kind_label(value, establishment_type)
    label = (_VOCABULARIES_BY_TYPE.get((record_type or "", key))
             or _VOCABULARIES.get(key))
    return label(value) if label is not None else value


def value_text(key: str, value: Any, record_type: str | None = None, *,
               establishment_type: str | None = None) -> str:
    """The whole value: lists one item a line, objects as indented JSON; a source kind in the
    words of `establishment_type`, the inspection's."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        return plain_text(_word(key, record_type, value, establishment_type), lines=True)
    if isinstance(value, (list, tuple)):
        return "\n".join(value_text(key, v, record_type, establishment_type=establishment_type)
                         for v in value) or NONE
    if isinstance(value, Mapping):
        return plain_text(json.dumps(value, indent=1, ensure_ascii=False, sort_keys=True,
                                     default=str), lines=True)
    return plain_text(value, lines=True)


def shorten(text: str, limit: int = SHORT_LIMIT) -> str:
    """One line of at most `limit` characters, cut at a word where one is near the end."""
    head = text[:limit * _HEAD]
    line = plain_text(" ".join(head.split()))
    if len(line) <= limit and len(head) == len(text):
        return line
    cut = line[:limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 2 // 3:  # a word boundary not far back: do not split the word
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


def short_value(key: str, value: Any, record_type: str | None = None,
                limit: int = SHORT_LIMIT, *, establishment_type: str | None = None) -> str:
    """The value on one line: list items comma-separated, objects as compact JSON."""
    if isinstance(value, (list, tuple)) and value:
        text = ", ".join(short_value(key, v, record_type, limit,
                                     establishment_type=establishment_type) for v in value)
    elif isinstance(value, Mapping):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    elif isinstance(value, str) and value:
        # shorten cleans only the part it shows
        text = _word(key, record_type, value, establishment_type)
    else:
        text = value_text(key, value, record_type)
    return shorten(text, limit)


def field_line(key: str, value: Any, record_type: str | None = None,
               limit: int = SHORT_LIMIT, *, establishment_type: str | None = None) -> str:
    """"Interpreter used: No" — a field and its value on one line."""
    shown = short_value(key, value, record_type, limit, establishment_type=establishment_type)
    return f"{labels.field_label(key, record_type)}: {shown}"


def shown_fields(keys: Iterable[str]) -> list[str]:
    """The fields a person reads about (signatures left out), in the given order."""
    return [k for k in keys if k not in HIDDEN_FIELDS]


def field_names(keys: Iterable[str], record_type: str | None = None) -> str:
    """Several fields by their labels, comma-separated ("Where, Title")."""
    return ", ".join(labels.field_label(k, record_type) for k in shown_fields(keys))

"""The words for the people held come from establishment_types.json, per type, with a neutral
default for a type that names none; what the file says is bounded like its other fields."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.domain.framework import EstablishmentType
from hmip_desktop.domain.people_words import (
    DEFAULT_PEOPLE,
    NOUN_LIMIT,
    fill_people,
    parse_people,
)
from hmip_desktop.services import labels
from hmip_desktop.storage import establishment_types
from hmip_desktop.storage.framework_registry import FrameworkRegistry

# hmip-method.md sections 1.2 and 3: the word HMIP's documents use for each kind.
EXPECTED = {
    "mens_prison": "prisoners", "young_adults_yoi": "prisoners", "womens_prison": "women",
    "children_yoi": "children", "stc": "children", "irc": "detainees", "sthf": "detainees",
    "family_detention": "detainees", "police_custody": "detainees",
    "court_custody": "detainees", "mctc": "detainees", "service_custody": "detainees",
    "csc": "prisoners", "separation_centre": "prisoners",
}


def test_every_shipped_type_names_its_people() -> None:
    types = {t.key: t for t in FrameworkRegistry().establishment_types()}
    for key, many in EXPECTED.items():
        assert types[key].people.many == many, key
    assert all(t.people != DEFAULT_PEOPLE for t in types.values())
    assert labels.source_kind_label("prisoner_interview", "mens_prison") == "Prisoner interview"
    assert labels.source_kind_label("prisoner_interview", "irc") == "Detainee interview"
    assert labels.source_kind_label("prisoner_interview", "children_yoi") == \
        "Interview with a child"
    assert labels.source_kind_label("prisoner_interview", "womens_prison") == \
        "Interview with a woman"


def _types_file(tmp_path: Path, entry: dict) -> Path:
    path = tmp_path / "types.json"
    path.write_text(json.dumps({"schema_version": 1, "establishment_types": [entry]}),
                    encoding="utf-8")
    return path


def test_a_type_without_people_reads_the_default(tmp_path: Path) -> None:
    """Older data and types from another file name no people: 'people held' reads well."""
    entry = {"key": "castle", "label": "Castle"}
    assert EstablishmentType.from_dict(entry).people == DEFAULT_PEOPLE
    path = _types_file(tmp_path, entry)
    assert establishment_types.people("castle", path) == DEFAULT_PEOPLE
    assert establishment_types.people("not_in_the_file", path) == DEFAULT_PEOPLE
    assert DEFAULT_PEOPLE.many == "people held"
    assert labels.source_kind_label("prisoner_interview", "no_such_type") == \
        "Interview with a person held"
    assert labels.source_kind_label("prisoner_interview", None) == \
        "Interview with a person held"


def test_the_interview_label_is_built_when_the_file_gives_only_nouns() -> None:
    assert parse_people({"one": "resident", "many": "residents"}).interview == \
        "Interview with a resident"
    assert parse_people({"one": "inmate", "many": "inmates"}).interview == \
        "Interview with an inmate"


@pytest.mark.parametrize(("people", "message"), [
    ({"one": "x" * (NOUN_LIMIT + 1), "many": "xs"}, f"longer than {NOUN_LIMIT} characters"),
    ({"one": "pris\x1b[2Joner", "many": "prisoners"}, "without control characters"),
    ({"one": "prisoner", "many": "prisoners\n"}, "on one line"),
    ({"one": "prisoner"}, "needs both 'one' and 'many'"),
    ({"one": "prisoner", "many": 3}, "expected text"),
    ({"one": "prisoner", "many": "prisoners", "colour": "red"}, "unknown field 'colour'"),
    ("prisoners", "expected an object"),
])
def test_bad_words_are_refused_naming_the_path_and_limit(people: object, message: str) -> None:
    with pytest.raises(ValidationError, match="people") as caught:
        EstablishmentType.from_dict({"key": "k", "label": "K", "people": people},
                                    "$.establishment_types[0]")
    assert message in str(caught.value)
    assert "$.establishment_types[0].people" in str(caught.value)
    assert "\x1b" not in str(caught.value)


def test_a_screen_reads_the_default_for_a_broken_entry(tmp_path: Path) -> None:
    """A label must not stop a screen: the registry refuses the file, the lookup does not."""
    path = _types_file(tmp_path, {"key": "k", "label": "K", "people": {"one": "x" * 500}})
    assert establishment_types.people("k", path) == DEFAULT_PEOPLE


def test_placeholders_are_filled_and_other_braces_kept() -> None:
    words = parse_people({"one": "prisoner", "many": "prisoners"})
    assert fill_people("How vulnerable the {people} are", words) == \
        "How vulnerable the prisoners are"
    assert fill_people("each {person} {unknown}", words) == "each prisoner {unknown}"

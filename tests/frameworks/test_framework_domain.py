"""Pure domain behaviour of frameworks: sort keys, parsing errors, lookup."""

from __future__ import annotations

import copy
import json

import pytest

from hmip_desktop import paths
from hmip_desktop.domain.errors import NotFoundError, ValidationError
from hmip_desktop.domain.framework import (
    Framework,
    expectation_sort_key,
    natural_key,
    recency_key,
    slugify,
)


def _men() -> dict:
    # The current men's framework (version 6): leadership section first, then the four tests.
    path = paths.resource_path("frameworks", "shipped", "men-prisons--6.json")
    return json.loads(path.read_text(encoding="utf-8"))


def test_expectation_numbers_sort_naturally() -> None:
    """'2' < '10' < '72' < '72.1' < '72.2' < '73'."""
    numbers = ["73", "72.1", "10", "2", "72", "72.2", "1.1", "1.10", "1.2"]
    assert sorted(numbers, key=expectation_sort_key) == [
        "1.1", "1.2", "1.10", "2", "10", "72", "72.1", "72.2", "73"]


def test_versions_sort_naturally() -> None:
    """Imports sort just above the version they came from."""
    versions = ["10", "5-imported-2", "5", "6", "5-imported-10", "5-imported-1"]
    assert sorted(versions, key=natural_key) == [
        "5", "5-imported-1", "5-imported-2", "5-imported-10", "6", "10"]


def test_slugify() -> None:
    """Labels give snake_case keys."""
    assert slugify("Staff–prisoner relationships") == "staff_prisoner_relationships"
    assert slugify("Health, well-being and social care") == "health_well_being_and_social_care"
    assert slugify("2nd area") == "k_2nd_area"


def test_lookup() -> None:
    """Sections, areas and expectations are found by key and number."""
    fw = Framework.from_dict(_men())
    assert fw.section("safety").label == "Safety"
    assert fw.area("safety", "early_days_in_custody").expectations[0].number == "1"
    assert fw.expectation("72.1").title.endswith("72.1")
    assert fw.expectation_numbers() == ["1", "2", "72", "72.1", "73", "73.1", "80", "81"]
    assert [s.key for s in fw.scored_sections] == [
        "safety", "respect", "purposeful_activity", "preparation_for_release"]
    with pytest.raises(NotFoundError):
        fw.expectation("999")
    with pytest.raises(NotFoundError):
        fw.section("nope")


def test_duplicate_number_is_refused_with_its_path() -> None:
    """A number used twice is a ValidationError naming the JSON path."""
    data = _men()
    data["sections"][1]["areas"][1]["expectations"] = [
        copy.deepcopy(data["sections"][1]["areas"][0]["expectations"][0])]
    with pytest.raises(ValidationError, match=r"\$\.sections\[1\]\.areas\[1\]\.expectations\[0\]"
                       r"\.number.*used twice"):
        Framework.from_dict(data)


def test_missing_property_and_wrong_type_name_the_path() -> None:
    """Parsing errors say where the fault is."""
    data = _men()
    del data["sections"][2]["areas"][0]["key"]
    with pytest.raises(ValidationError, match=r"\$\.sections\[2\]\.areas\[0\].*'key'"):
        Framework.from_dict(data)
    data = _men()
    data["verified"] = "yes"
    with pytest.raises(ValidationError, match=r"\$\.verified"):
        Framework.from_dict(data)


def test_scored_section_needs_a_graded_scale() -> None:
    """A section cannot be scored on a scale with no levels."""
    data = _men()
    data["scale"] = {"key": "not_graded", "label": "Not graded", "levels": []}
    with pytest.raises(ValidationError, match="scored section needs a scale"):
        Framework.from_dict(data)


def test_sub_area_must_be_declared() -> None:
    """An expectation's sub-area must be one of its area's sub-areas."""
    data = _men()
    data["sections"][1]["areas"][0]["expectations"][0]["sub_area"] = "nowhere"
    with pytest.raises(ValidationError, match="sub_area"):
        Framework.from_dict(data)


def test_recency_prefers_date_then_version() -> None:
    """Newer dates first; within a date, the higher version."""
    base = Framework.from_dict(_men()).replace(version="5", effective_date=None,
                                               published="2017")
    newer = base.replace(version="6", published="2024")
    imported = base.replace(version="5-imported-1")
    ordered = sorted([base, newer, imported], key=recency_key, reverse=True)
    assert [f.version for f in ordered] == ["6", "5-imported-1", "5"]

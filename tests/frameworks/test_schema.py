"""The schema is documented and every shipped framework validates, parses and is canonical."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from hmip_desktop import paths
from hmip_desktop.domain.framework import Framework
from hmip_desktop.storage.framework_registry import FrameworkRegistry

SCHEMA_PATH = paths.resource_path("frameworks", "framework.schema.json")
SHIPPED = sorted(paths.resource_path("frameworks", "shipped").glob("*.json"))
EXPECTED_TYPES = [
    "mens_prison", "young_adults_yoi", "womens_prison", "children_yoi", "irc", "sthf",
    "family_detention", "pre_departure_accommodation", "overseas_escort",
    "uk_in_country_escort", "police_custody", "border_force_customs_custody",
    "court_custody", "mctc", "service_custody", "stc", "csc", "separation_centre",
]


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _properties_without_description(node: Any, where: str = "#") -> list[str]:
    missing = []
    if isinstance(node, dict):
        for name, sub in (node.get("properties") or {}).items():
            if "description" not in sub:
                missing.append(f"{where}/properties/{name}")
        for key, value in node.items():
            missing += _properties_without_description(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            missing += _properties_without_description(value, f"{where}[{i}]")
    return missing


def test_schema_is_valid_draft_2020_12_and_documented() -> None:
    """The schema is a valid 2020-12 schema with a description on every property."""
    schema = _load(SCHEMA_PATH)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert _properties_without_description(schema) == []


def test_there_is_a_file_per_framework() -> None:
    """Seventeen shipped frameworks, one file each, named <id>--<version>.json."""
    assert len(SHIPPED) == 17
    for path in SHIPPED:
        data = _load(path)
        assert path.name == f"{data['id']}--{data['version']}.json"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_framework_validates_parses_and_is_canonical(path: Path) -> None:
    """Each shipped file matches the schema, parses, and equals its own canonical form."""
    data = _load(path)
    validator = Draft202012Validator(_load(SCHEMA_PATH))
    assert [e.message for e in validator.iter_errors(data)] == []
    framework = Framework.from_dict(data)
    assert framework.to_dict() == data
    assert Framework.from_dict(framework.to_dict()) == framework
    assert framework.status == "shipped"
    assert framework.source_url.startswith("https://")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_expectation_numbers_are_unique(path: Path) -> None:
    """No expectation number appears twice in a framework."""
    numbers = [e.number for _, _, e in Framework.from_dict(_load(path)).iter_expectations()]
    assert len(numbers) == len(set(numbers))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_no_official_wording_is_claimed(path: Path) -> None:
    """Shipped content comes from summaries: nothing claims to be verified HMIP wording."""
    fw = Framework.from_dict(_load(path))
    assert fw.verified is False
    for _, area, exp in fw.iter_expectations():
        assert exp.verified is False and exp.indicators == () and exp.outcome == ""
        assert area.incomplete is True
    for level in fw.scale.levels:
        assert level.descriptor_verified is False


def test_establishment_types_cover_the_brief_and_every_type_has_a_framework(
        registry: FrameworkRegistry) -> None:
    """All eighteen types exist, and each has at least one framework."""
    assert [t.key for t in registry.establishment_types()] == EXPECTED_TYPES
    by_type = registry.by_establishment_type()
    assert all(by_type[key] for key in EXPECTED_TYPES)
    for fw in registry.shipped():
        assert set(fw.establishment_types) <= set(EXPECTED_TYPES)


def test_stable_keys_and_version_labels(registry: FrameworkRegistry) -> None:
    """Tests keep stable keys while labels follow the document version and type."""
    men = registry.get("men-prisons", "5")
    assert [s.key for s in men.sections] == [
        "safety", "respect", "purposeful_activity", "preparation_for_release"]
    assert men.section("preparation_for_release").label == "Rehabilitation and release planning"
    current = registry.get("men-prisons", "6")
    assert [s.key for s in current.sections] == [
        "leadership", "safety", "respect", "purposeful_activity", "preparation_for_release"]
    assert current.section("preparation_for_release").label == "Preparation for release"
    assert not current.section("leadership").scored
    children = registry.get("children-custody")
    assert children.section("respect").label == "Care"
    assert children.section("preparation_for_release").label == "Resettlement"
    irc = registry.get("immigration-removal-centres")
    assert [s.label for s in irc.sections] == [
        "Safety", "Respect", "Activities", "Preparation for removal and release"]
    assert irc.section("purposeful_activity").label == "Activities"
    assert irc.report_model.action_plan_owner == "home_office"
    assert [s.key for s in registry.get("police-custody").sections] == [
        "leadership", "pre_custody", "in_the_custody_suite", "in_the_custody_cell",
        "release_and_transfer"]
    assert len(registry.get("court-custody").sections) == 5


def test_scales_are_data(registry: FrameworkRegistry) -> None:
    """hmip4, irp_progress, ofsted and not_graded scales are carried by the frameworks."""
    men = registry.get("men-prisons")
    assert [(lv.label, lv.value) for lv in men.scale.levels] == [
        ("Good", 4), ("Reasonably good", 3), ("Not sufficiently good", 2), ("Poor", 1)]
    assert men.progress_scale is not None
    assert [lv.label for lv in men.progress_scale.levels] == [
        "Good progress", "Reasonable progress", "Insufficient progress",
        "No meaningful progress"]
    stc = registry.get("secure-training-centres")
    assert stc.scale.key == "ofsted"
    assert {lv.label: lv.verified for lv in stc.scale.levels} == {
        "Outstanding": False, "Good": False, "Requires improvement to be good": True,
        "Inadequate": True}
    police = registry.get("police-custody")
    assert police.scale.key == "not_graded" and police.scale.levels == ()
    assert not police.scored_sections
    assert men.report_model.concerns is not None
    assert (men.report_model.concerns.max_key, men.report_model.concerns.priority_min,
            men.report_model.concerns.priority_max) == (15, 3, 6)


def test_confirmed_expectations_are_where_the_reference_puts_them(
        registry: FrameworkRegistry) -> None:
    """Confirmed numbers sit in their areas; adopted education areas are marked."""
    men = registry.get("men-prisons")
    section, area, _ = men.locate("72.1")
    assert (section.key, area.adopted_from) == ("purposeful_activity", "Ofsted")
    assert men.locate("73")[1].adopted_from == "Estyn"
    assert men.locate("80")[1].key == "reducing_risk_rehabilitation_and_progression"
    irc = registry.get("immigration-removal-centres")
    assert irc.expectation("1").title == "Transfer conditions"
    assert registry.get("family-detention").expectation_numbers() == ["7", "8", "28", "29"]
    assert registry.get("separation-centres").expectation_numbers() == [
        "1", "2", "9", "10", "36", "37", "45", "46"]
    family = registry.get("family-detention")
    assert family.unverified_establishment_types == ("pre_departure_accommodation",)

"""Issue 10, frameworks as data: the men's fourth-test label per version, the version in force
on the start date (and --framework-version), one leadership model per version, the confirmed
structure of hmip-method.md section 15 and the two new inspected types."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from hmip_desktop.domain.errors import NotFoundError, ValidationError
from hmip_desktop.domain.framework import Framework, in_force, in_force_from
from hmip_desktop.services.frameworks import FrameworkService, split_version_choice
from hmip_desktop.storage.framework_registry import FrameworkRegistry
from tests.report.support import cli_runner


@pytest.fixture
def run(capsys):  # type: ignore[no-untyped-def]
    return cli_runner(capsys)


@pytest.fixture
def service(hmip_home: Path) -> FrameworkService:
    return FrameworkService()


def _label(fw: dict, key: str = "preparation_for_release") -> str:
    return next(s["label"] for s in fw["sections"] if s["key"] == key)


# -- the fourth test and the version in force ----------------------------------------------------
def test_wandsworth_2024_gets_preparation_for_release(service: FrameworkService) -> None:
    """An April 2024 men's inspection is pinned to the current version and its label."""
    fw = service.resolve_for_new("mens_prison", start_date="2024-04-22")
    assert (fw["id"], fw["version"]) == ("men-prisons", "6")
    assert _label(fw) == "Preparation for release"


def test_2017_inspection_keeps_the_2017_label(service: FrameworkService) -> None:
    """A 2017 men's inspection takes version 5, in force then, not the newest."""
    fw = service.resolve_for_new("mens_prison", start_date="2017-09-11")
    assert (fw["id"], fw["version"]) == ("men-prisons", "5")
    assert _label(fw) == "Rehabilitation and release planning"
    # The stable key is the same in both versions: comparisons join on it.
    assert "preparation_for_release" in [s["key"] for s in fw["sections"]]


def test_young_adults_yoi_follows_the_mens_versions(service: FrameworkService) -> None:
    """The men's Expectations also apply to 18-21 YOIs: the same date rule."""
    assert service.resolve_for_new("young_adults_yoi", start_date="2018-01-01")["version"] == "5"
    assert service.resolve_for_new("young_adults_yoi", start_date="2025-02-03")["version"] == "6"


def test_no_start_date_means_today(service: FrameworkService) -> None:
    """Without a start date the version in force today is used."""
    assert service.resolve_for_new("mens_prison")["version"] == "6"


def test_versions_carry_their_date_in_force_as_data(hmip_home: Path) -> None:
    """Each men's version says when it came into force, and that the date is an assumption."""
    registry = FrameworkRegistry()
    v5, v6 = registry.get("men-prisons", "5"), registry.get("men-prisons", "6")
    assert (v5.effective_date, v6.effective_date) == ("2017-01-01", "2024-01-01")
    assert not v5.effective_date_verified and not v6.effective_date_verified
    rows = {r.version: r for r in FrameworkService().list_frameworks("mens_prison")}
    assert rows["6"].in_force_from == "2024-01-01" and rows["6"].in_force_from_verified is False
    stc = registry.get("secure-training-centres")
    assert stc.effective_date == "2019-04-01" and stc.effective_date_verified


def test_in_force_rule(hmip_home: Path) -> None:
    """Latest started by the day wins; a day before every version gets the earliest; an
    undated version counts from its publication period."""
    registry = FrameworkRegistry()
    v5, v6 = registry.get("men-prisons", "5"), registry.get("men-prisons", "6")
    assert in_force([v5, v6], dt.date(2023, 12, 31)) is v5
    assert in_force([v5, v6], dt.date(2024, 1, 1)) is v6
    assert in_force([v5, v6], dt.date(2010, 1, 1)) is v5
    undated = v5.replace(effective_date=None, published="2021-04", version="x")
    assert in_force_from(undated) == "2021-04-01"
    assert in_force([v5, undated, v6], dt.date(2022, 1, 1)) is undated
    assert in_force([], dt.date(2022, 1, 1)) is None


def test_framework_version_overrides_and_accepts_kebab_case(service: FrameworkService) -> None:
    """--framework-version pins a version whatever the date; id--version, id@version and
    snake_case ids are accepted."""
    for choice in ("5", "men-prisons--5", "men-prisons@5", "men_prisons--5"):
        fw = service.resolve_for_new("mens_prison", None, choice, start_date="2024-04-22")
        assert (fw["id"], fw["version"]) == ("men-prisons", "5"), choice
    fw = service.resolve_for_new("mens_prison", "men_prisons", None, start_date="2024-04-22")
    assert fw["version"] == "6"
    assert split_version_choice("men-prisons--5-imported-1") == ("men-prisons", "5-imported-1")
    with pytest.raises(NotFoundError, match="no framework version '9'"):
        service.resolve_for_new("mens_prison", None, "9")
    with pytest.raises(ValidationError, match="different frameworks"):
        service.resolve_for_new("mens_prison", "women-prisons", "men-prisons--5")
    with pytest.raises(ValidationError, match="does not apply"):
        service.resolve_for_new("irc", None, "men-prisons--5")


def test_cli_new_takes_the_version_in_force(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`hmip new --start` pins the version in force; `info` shows its fourth-test label."""
    wandsworth = tmp_path / "wandsworth.hmip"
    assert run("new", wandsworth, "--establishment", "HMP Wandsworth", "--type",
               "mens_prison", "--start", "2024-04-22", "--end", "2024-05-03",
               "--json").code == 0
    info = json.loads(run("info", wandsworth, "--json").out)
    assert (info["framework_id"], info["framework_version"]) == ("men-prisons", "6")
    labels = {s["key"]: s["label"] for s in info["sections"]}
    assert labels["preparation_for_release"] == "Preparation for release"
    old = tmp_path / "old.hmip"
    assert run("new", old, "--establishment", "HMP Wandsworth", "--type", "mens-prison",
               "--start", "2017-06-05").code == 0
    info = json.loads(run("info", old, "--json").out)
    assert info["framework_version"] == "5"
    labels = {s["key"]: s["label"] for s in info["sections"]}
    assert labels["preparation_for_release"] == "Rehabilitation and release planning"
    assert "leadership" not in labels  # one leadership model: v5 has per-test areas


def test_cli_framework_version_overrides(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`--framework-version men-prisons--5` pins version 5 for a 2024 inspection."""
    path = tmp_path / "pinned.hmip"
    out = run("new", path, "--establishment", "HMP P", "--type", "mens_prison", "--start",
              "2024-04-22", "--framework-version", "men-prisons--5", "--json")
    assert out.code == 0 and json.loads(out.out)["framework"] == "men-prisons@5"
    bad = run("new", tmp_path / "bad.hmip", "--establishment", "HMP P", "--type",
              "mens_prison", "--framework-version", "42")
    assert bad.code != 0 and "42" in bad.err and not (tmp_path / "bad.hmip").exists()


# -- one leadership model per version ------------------------------------------------------------
@pytest.mark.parametrize("framework", FrameworkRegistry().shipped(), ids=lambda f: str(f.ref))
def test_one_leadership_model_per_version(framework: Framework) -> None:
    """Where the unscored Leadership section (the four practices) applies, the per-test
    'Leadership and management of <test>' areas are not part of the version."""
    keys = [s.key for s in framework.sections]
    practices = {"direction", "engagement"}
    has_leadership_section = "leadership" in keys and practices <= {
        a.key for a in framework.section("leadership").areas}
    per_test = [a.key for s in framework.sections for a in s.areas
                if a.key.startswith("leadership_and_management_of_")]
    assert not (has_leadership_section and per_test), (framework.ref, per_test)


def test_men_v5_per_test_leadership_and_v6_leadership_section(hmip_home: Path) -> None:
    """v5 (2017) has the per-test areas (65 respect, 100 rehabilitation and release
    planning); v6 has the unscored Leadership section and none of them."""
    registry = FrameworkRegistry()
    v5, v6 = registry.get("men-prisons", "5"), registry.get("men-prisons", "6")
    assert [s.key for s in v5.sections] == [
        "safety", "respect", "purposeful_activity", "preparation_for_release"]
    assert v5.locate("65")[1].key == "leadership_and_management_of_respect"
    rrp = v5.locate("100")[1]
    assert rrp.key == "leadership_and_management_of_rehabilitation_and_release_planning"
    assert rrp.verified  # the title is confirmed
    assert v6.sections[0].key == "leadership" and not v6.sections[0].scored
    assert [a.key for a in v6.section("leadership").areas] == [
        "direction", "engagement", "enabling", "continuous_improvement"]
    assert v6.incomplete and not v6.verified


# -- the confirmed structure (hmip-method.md section 15) -----------------------------------------
def test_confirmed_structure_is_loaded(hmip_home: Path) -> None:
    """Women's Security (25-26), children's Safety areas and Care's first area, IRC
    Safeguarding (7), separation centre and MCTC leadership, EIF sub-areas."""
    registry = FrameworkRegistry()
    women = registry.get("women-prisons")
    assert [e.number for e in women.area("safety", "security").expectations] == ["25", "26"]
    children = registry.get("children-custody")
    assert [a.label for a in children.section("safety").areas] == [
        "Early days in custody", "Safeguarding of children", "Suicide and self-harm prevention",
        "Security", "Behaviour management", "Bullying and violence reduction",
        "The use of force"]
    assert children.section("safety").incomplete  # the list continues
    assert children.locate("1")[1].key == "early_days_in_custody"
    care = children.section("respect")
    assert care.areas[0].label == "Relationships between staff and children"
    assert children.locate("21")[1].key == "relationships_between_staff_and_children"
    irc = registry.get("immigration-removal-centres")
    section, area, exp = irc.locate("7")
    assert (section.key, area.label) == ("safety", "Safeguarding")
    assert area.sub_area_label(exp.sub_area) == "Safeguarding of vulnerable adults"
    sep = registry.get("separation-centres")
    lead = sep.section("leadership")
    assert not lead.scored and sep.locate("1")[1].key == "direction"
    assert sep.locate("2")[1].key == "engagement"
    assert not sep.area("leadership", "enabling").verified  # still unconfirmed: flagged
    mctc = registry.get("mctc")
    assert mctc.sections[0].key == "leadership" and not mctc.sections[0].scored
    ofsted = registry.get("men-prisons", "6").area("purposeful_activity",
                                                   "education_skills_and_work_ofsted")
    assert [s.label for s in ofsted.sub_areas] == [
        "Quality of education", "Behaviour and attitudes", "Personal development",
        "Leadership and management"]


def test_education_areas_are_marked_by_nation(hmip_home: Path) -> None:
    """Ofsted's education applies in England, Estyn's in Wales (data, not code)."""
    for fw in FrameworkRegistry().shipped():
        for section in fw.sections:
            for area in section.areas:
                if area.adopted_from == "Ofsted":
                    assert area.nations == ("england",), (fw.ref, area.key)
                if area.adopted_from == "Estyn":
                    assert area.nations == ("wales",), (fw.ref, area.key)


def test_nations_are_checked_and_round_trip(hmip_home: Path) -> None:
    """An unknown nation is refused with its JSON path; nations survive to_dict."""
    data = FrameworkRegistry().get("men-prisons", "6").to_dict()
    pa = next(s for s in data["sections"] if s["key"] == "purposeful_activity")
    estyn = next(a for a in pa["areas"] if a["key"] == "education_skills_and_work_estyn")
    assert estyn["nations"] == ["wales"]
    estyn["nations"] = ["scotland"]
    with pytest.raises(ValidationError, match="nations"):
        Framework.from_dict(data)


# -- the two new inspected types ------------------------------------------------------------------
@pytest.mark.parametrize(("etype", "framework_id"), [
    ("uk_in_country_escort", "in-country-escorts"),
    ("border_force_customs_custody", "border-force-customs-custody")])
def test_new_types_have_incomplete_frameworks(service: FrameworkService, etype: str,
                                              framework_id: str) -> None:
    """UK in-country escorts and Border Force customs custody exist, flagged incomplete."""
    assert etype in dict(service.establishment_types())
    fw = Framework.from_dict(service.resolve_for_new(etype))
    assert fw.id == framework_id and fw.incomplete and not fw.verified
    assert all(not s.verified and s.incomplete for s in fw.sections)
    assert fw.scale.key == "not_graded"


def test_cli_new_for_a_new_type(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`hmip new --type border-force-customs-custody` works and lists the flagged type."""
    path = tmp_path / "bf.hmip"
    assert run("new", path, "--establishment", "Border Force, Heathrow", "--type",
               "border-force-customs-custody").code == 0
    info = json.loads(run("info", path, "--json").out)
    assert info["framework_id"] == "border-force-customs-custody"
    listing = run("frameworks", "list").out
    assert "in-country-escorts" in listing and "not verified" in listing

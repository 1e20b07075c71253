"""The registry: listing, lookup, JSON import, collisions with shipped versions, export."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from hmip_desktop.domain.errors import NotFoundError, UserError, ValidationError
from hmip_desktop.storage.framework_registry import FrameworkRegistry
from tests.frameworks.conftest import HEADER, snapshot


def test_shipped_frameworks_load(registry: FrameworkRegistry) -> None:
    """All shipped frameworks load with the ids and versions we ship."""
    refs = {(f.id, f.version) for f in registry.shipped()}
    assert refs == {
        ("men-prisons", "5"), ("men-prisons", "6"), ("women-prisons", "2"),
        ("children-custody", "4"),
        ("immigration-removal-centres", "4"), ("short-term-holding-facilities", "4"),
        ("family-detention", "4"), ("overseas-escorts", "4"), ("police-custody", "4"),
        ("court-custody", "2"), ("mctc", "1"), ("service-custody", "1"),
        ("secure-training-centres", "2019"), ("close-supervision-centres", "1"),
        ("separation-centres", "1"), ("in-country-escorts", "4"),
        ("border-force-customs-custody", "1"),
    }


def test_lookup_by_id_and_version(registry: FrameworkRegistry) -> None:
    """get() finds a version, the newest by default, and says what exists otherwise."""
    assert registry.get("men-prisons").version == "6"
    assert registry.get("men-prisons", "5").title.startswith("Expectations")
    with pytest.raises(NotFoundError, match="versions: 6, 5"):
        registry.get("men-prisons", "9")
    with pytest.raises(NotFoundError, match="known frameworks"):
        registry.get("no-such-framework")
    with pytest.raises(NotFoundError, match="valid types"):
        registry.for_type("prison_ship")


def test_json_import_with_shipped_id_and_version_gets_a_distinct_version(
        registry: FrameworkRegistry, user_dir: Path, tmp_path: Path) -> None:
    """Importing men-prisons 5 again never overwrites: 5-imported-1, then 5-imported-2."""
    exported = registry.export("men-prisons", "5", tmp_path / "men.json")
    first = registry.import_file(exported)
    second = registry.import_file(exported)
    assert (first.version, second.version) == ("5-imported-1", "5-imported-2")
    assert first.status == second.status == "imported"
    assert registry.get("men-prisons", "5").status == "shipped"  # shipped untouched
    assert sorted(snapshot(user_dir)) == ["men-prisons--5-imported-1.json",
                                          "men-prisons--5-imported-2.json"]
    stored = json.loads((user_dir / "men-prisons--5-imported-1.json").read_text("utf-8"))
    assert stored["version"] == "5-imported-1" and stored["status"] == "imported"


def test_list_newest_first_per_type(registry: FrameworkRegistry,
                                    write_file: Callable[..., Path], tmp_path: Path) -> None:
    """Per establishment type, the newest framework comes first."""
    exported = json.loads(registry.export("men-prisons", None, tmp_path / "m.json")
                          .read_text("utf-8"))
    exported.update(version="7", published="2025", effective_date="2025-01-01",
                    title="Men v7 (test)")
    registry.import_file(write_file("v7.json", json.dumps(exported)))
    registry.import_file(write_file("v5.csv", HEADER + "Safety,Early days in custody,,1,X,,\n"),
                         framework_id="men-prisons", version="5")
    versions = [f.version for f in registry.for_type("mens_prison")]
    assert versions == ["7", "6", "5-imported-1", "5"]
    assert [f.version for f in registry.by_establishment_type()["young_adults_yoi"]] == versions
    assert registry.newest_for_type("mens_prison").version == "7"
    assert [f.version for f in registry.versions("men-prisons")] == versions
    assert registry.for_type("womens_prison")[0].id == "women-prisons"


def test_json_import_schema_error_names_the_json_path(
        registry: FrameworkRegistry, user_dir: Path, write_file: Callable[..., Path],
        tmp_path: Path) -> None:
    """A JSON file that breaks the schema is refused with its JSON path; nothing written."""
    data = json.loads(registry.export("court-custody", None, tmp_path / "c.json")
                      .read_text("utf-8"))
    data["sections"][2]["key"] = "Not A Key"
    path = write_file("bad.json", json.dumps(data))
    with pytest.raises(ValidationError, match=r"\$\.sections\[2\]\.key"):
        registry.import_file(path)
    plan = registry.plan_import(path)
    assert plan.problems and plan.problems[0].column == "$.sections[2].key"
    assert snapshot(user_dir) == {}


def test_json_import_domain_rule_and_syntax_errors(
        registry: FrameworkRegistry, user_dir: Path, write_file: Callable[..., Path],
        tmp_path: Path) -> None:
    """Duplicate numbers and broken JSON are refused; nothing is written."""
    data = json.loads(registry.export("separation-centres", None, tmp_path / "s.json")
                      .read_text("utf-8"))
    data["sections"][2]["areas"][0]["expectations"][0]["number"] = "9"  # 36 -> 9
    with pytest.raises(ValidationError, match="used twice"):
        registry.import_file(write_file("dup.json", json.dumps(data)))
    with pytest.raises(ValidationError, match="not valid JSON"):
        registry.import_file(write_file("broken.json", '{"id": '))
    assert snapshot(user_dir) == {}


def test_csv_options_are_checked(registry: FrameworkRegistry,
                                 write_file: Callable[..., Path]) -> None:
    """CSV imports need an id, and a title and type for a new framework; types must exist."""
    path = write_file("x.csv", HEADER + "Safety,A,,1,One,,\n")
    with pytest.raises(UserError, match="--id"):
        registry.import_file(path)
    with pytest.raises(UserError, match="--title"):
        registry.import_file(path, framework_id="brand-new", establishment_types=["irc"])
    with pytest.raises(UserError, match="--type"):
        registry.import_file(path, framework_id="brand-new", title="New")
    with pytest.raises(NotFoundError, match="unknown establishment type"):
        registry.import_file(path, framework_id="brand-new", title="New",
                             establishment_types=["castle"])
    with pytest.raises(UserError, match=r"\.csv or \.json"):
        registry.import_file(write_file("x.txt", "hello"))


def test_new_csv_framework_copies_scales_from_the_type_template(
        registry: FrameworkRegistry, write_file: Callable[..., Path]) -> None:
    """A new CSV framework for IRCs gets the IRC scale, report model and section keys."""
    path = write_file("irc.csv", HEADER + "Activities,Work,,40,Paid work,,\n")
    fw = registry.import_file(path, framework_id="irc-local", title="Local IRC",
                              establishment_types=["irc"])
    assert fw.section("purposeful_activity").label == "Activities"
    assert fw.scale.key == "hmip4" and fw.report_model.action_plan_owner == "home_office"
    assert fw.area("purposeful_activity", "work").incomplete is False


def test_broken_user_file_is_skipped_not_fatal(registry: FrameworkRegistry,
                                               user_dir: Path) -> None:
    """A corrupt file in the user folder is reported and the rest still list."""
    (user_dir / "junk--1.json").write_text("{not json", encoding="utf-8")
    assert len(registry.all()) == 17
    assert registry.load_problems and "junk--1.json" in registry.load_problems[0]


def test_export_formats(registry: FrameworkRegistry, tmp_path: Path) -> None:
    """Export writes JSON or CSV by extension and refuses anything else."""
    js = registry.export("women-prisons", "2", tmp_path / "w.json")
    assert json.loads(js.read_text("utf-8"))["id"] == "women-prisons"
    cs = registry.export("women-prisons", "2", tmp_path / "w.csv")
    assert cs.read_text("utf-8-sig").splitlines()[0] == HEADER.strip()
    with pytest.raises(UserError, match=r"\.json or \.csv"):
        registry.export("women-prisons", "2", tmp_path / "w.xlsx")
    with pytest.raises(NotFoundError):
        registry.export("women-prisons", "2", tmp_path / "missing" / "w.json")


def test_user_folder_file_is_never_treated_as_shipped(registry: FrameworkRegistry,
                                                      user_dir: Path, tmp_path: Path) -> None:
    """A hand-copied file claiming status 'shipped' lists as imported; a clash is skipped."""
    data = json.loads(registry.export("mctc", None, tmp_path / "m.json").read_text("utf-8"))
    (user_dir / "mctc--1.json").write_text(json.dumps(data), encoding="utf-8")
    data["version"] = "2"
    (user_dir / "mctc--2.json").write_text(json.dumps(data), encoding="utf-8")
    assert [(f.version, f.status) for f in registry.versions("mctc")] == [
        ("2", "imported"), ("1", "shipped")]
    assert any("already exists" in p for p in registry.load_problems)

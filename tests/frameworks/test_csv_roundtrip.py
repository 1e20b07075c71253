"""CSV import and export: round trips, and malformed files refused with row and column."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hmip_desktop.domain.errors import ImportFormatError
from hmip_desktop.domain.framework_build import CsvImportTarget, build_framework
from hmip_desktop.domain.framework_csv import (
    join_indicators,
    read_csv,
    split_indicators,
    write_csv,
)
from hmip_desktop.storage.framework_registry import FrameworkRegistry
from tests.frameworks.conftest import HEADER, snapshot

SAMPLE = HEADER + (
    "Safety,Early days in custody,,1,Safe transfers,Prisoners travel safely.,"
    "Vans are clean | Journeys are short\n"
    "Safety,Early days in custody,First night,2,First night,\"Support, on the first night.\","
    "Staff check on new arrivals\n"
    "Safety,Early days in custody,Induction,3,Induction,,\n"
    "Safety,Security,,,,,\n"
    "Care,Health care,,10,Health care,Care matches the community.,"
    "A pipe \\| inside | Second\n"
    "Care,Health care,,10.1,Sub-item,,\n"
    "Purposeful activity,,,,,,\n"
)


def _target(version: str = "1") -> CsvImportTarget:
    return CsvImportTarget("test-children", version, "Test children", ("children_yoi",),
                           "2026-01-01T00:00:00+00:00")


def test_indicator_cell_escaping_round_trips() -> None:
    """Indicators containing '|' or backslashes survive join and split."""
    items = ("plain", "with | pipe", "back\\slash", "both \\| mixed")
    assert split_indicators(join_indicators(items)) == items
    assert split_indicators("a | b |  | c") == ("a", "b", "c")


def test_domain_csv_import_export_import_is_identical(registry: FrameworkRegistry) -> None:
    """CSV -> framework -> CSV -> framework gives the same dict (template mode)."""
    template = registry.newest_for_type("children_yoi")
    content = read_csv(SAMPLE.encode("utf-8"))
    assert content.problems == ()
    first, problems = build_framework(content.rows, _target(), template, merge=False)
    assert problems == [] and first is not None
    assert first.section("respect").label == "Care"  # key taken from the template's "Care"
    assert first.expectation("10").indicators == ("A pipe | inside", "Second")
    assert first.expectation("2").sub_area == "first_night"
    assert first.section("purposeful_activity").areas == ()
    exported = write_csv(first)
    again, problems = build_framework(read_csv(exported.encode("utf-8")).rows, _target(),
                                      template, merge=False)
    assert problems == [] and again is not None
    assert again.to_dict() == first.to_dict()
    assert write_csv(again) == exported


@pytest.mark.parametrize("framework_id", ["men-prisons", "children-custody", "court-custody",
                                          "separation-centres", "family-detention"])
def test_shipped_export_reimports_to_the_same_content(registry: FrameworkRegistry,
                                                      framework_id: str) -> None:
    """Exporting a shipped framework to CSV and merging it back changes no section."""
    shipped = registry.get(framework_id)
    rows = read_csv(write_csv(shipped).encode("utf-8-sig")).rows
    target = CsvImportTarget(shipped.id, "x", shipped.title, shipped.establishment_types)
    merged, problems = build_framework(rows, target, shipped, merge=True)
    assert problems == [] and merged is not None
    assert merged.to_dict()["sections"] == shipped.to_dict()["sections"]
    assert merged.based_on == shipped.ref and merged.status == "imported"


def test_registry_csv_import_export_import_round_trips(
        registry: FrameworkRegistry, write_file: Callable[..., Path], tmp_path: Path) -> None:
    """Import a CSV, export it, import the export: identical content, new version."""
    source = write_file("in.csv", SAMPLE)
    first = registry.import_file(source, framework_id="test-children", title="Test children",
                                 establishment_types=["children_yoi"])
    assert (first.version, first.status) == ("1", "imported")
    out = registry.export("test-children", "1", tmp_path / "out.csv")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM so Excel reads UTF-8
    second = registry.import_file(out, framework_id="test-children")
    assert second.version == "1-imported-1"
    assert second.to_dict()["sections"] == first.to_dict()["sections"]
    strip = ("version", "based_on", "imported_at")
    assert {k: v for k, v in second.to_dict().items() if k not in strip} == \
        {k: v for k, v in first.to_dict().items() if k not in strip}


def test_sub_area_order_survives_export(registry: FrameworkRegistry) -> None:
    """A declared but unused sub-area keeps its place ahead of a used one."""
    csv_text = HEADER + ("Safety,Behaviour,Unused first,,,,\n"
                         "Safety,Behaviour,Used second,5,Five,,\n")
    template = registry.newest_for_type("mens_prison")
    first, _ = build_framework(read_csv(csv_text.encode()).rows, _target(), template,
                               merge=False)
    assert first is not None
    again, _ = build_framework(read_csv(write_csv(first).encode()).rows, _target(), template,
                               merge=False)
    assert again is not None and again.to_dict() == first.to_dict()
    assert [s.key for s in again.area("safety", "behaviour").sub_areas] == [
        "unused_first", "used_second"]


# ---- malformed files ------------------------------------------------------------------

BAD_FILES: list[tuple[str, bytes, int | None, str | None]] = [
    ("missing column", b"test,area,sub-area,number,title,outcome\nSafety,A,,1,T,,\n",
     1, "indicators"),
    ("duplicate number", (HEADER + "Safety,A,,1,One,,\nSafety,B,,2,Two,,\n"
                          "Safety,B,,1,Again,,\n").encode(), 4, "number"),
    ("bad encoding", (HEADER + "Safety,A,,1,One,,\n").encode() + b"Safety,B,,2,Caf\xe9,,\n",
     3, "title"),
    ("empty file", b"", 1, None),
    ("header only", HEADER.encode(), 2, None),
    ("empty title", (HEADER + "Safety,A,,1,,,\n").encode(), 2, "title"),
    ("empty test", (HEADER + ",A,,1,One,,\n").encode(), 2, "test"),
    ("bad number", (HEADER + "Safety,A,,1a,One,,\n").encode(), 2, "number"),
    ("unknown column", b"test,area,sub-area,number,title,outcome,indicators,extra\n", 1,
     "extra"),
]


@pytest.mark.parametrize(("case", "data", "row", "column"), BAD_FILES,
                         ids=[c[0] for c in BAD_FILES])
def test_malformed_csv_is_refused_and_nothing_is_written(
        registry: FrameworkRegistry, user_dir: Path, write_file: Callable[..., Path],
        case: str, data: bytes, row: int | None, column: str | None) -> None:
    """Each malformed file raises ImportFormatError naming row and column; user dir unchanged."""
    before = snapshot(user_dir)
    path = write_file("bad.csv", data)
    with pytest.raises(ImportFormatError) as caught:
        registry.import_file(path, framework_id="new-one", title="New",
                             establishment_types=["mens_prison"])
    assert (caught.value.row, caught.value.column) == (row, column)
    if row is not None:
        assert f"row {row}" in str(caught.value)
    assert snapshot(user_dir) == before
    assert [f.id for f in registry.user()] == []


def test_utf8_bom_is_accepted(registry: FrameworkRegistry,
                              write_file: Callable[..., Path]) -> None:
    """A UTF-8 file with a BOM (Excel's 'CSV UTF-8') imports."""
    path = write_file("bom.csv", b"\xef\xbb\xbf" + (HEADER + "Safety,A,,1,Café,,\n").encode())
    fw = registry.import_file(path, framework_id="bom-one", title="BOM",
                              establishment_types=["mens_prison"])
    assert fw.expectation("1").title == "Café"


def test_preview_lists_every_bad_row_while_import_raises_the_first(
        registry: FrameworkRegistry, user_dir: Path, write_file: Callable[..., Path]) -> None:
    """plan_import collects all problems; import_file raises only the first."""
    path = write_file("many.csv", HEADER + "Safety,A,,1,One,,\n"
                      "Safety,A,,,Title without number,,\n"
                      "Safety,A,,1,Duplicate,,\n"
                      ",A,,3,No test,,\n"
                      "Safety,A,,4,,,\n")
    plan = registry.plan_import(path, framework_id="new-one", title="New",
                                establishment_types=["mens_prison"])
    assert [(p.row, p.column) for p in plan.problems] == [
        (3, "number"), (4, "number"), (5, "test"), (6, "title")]
    assert plan.framework is None and not plan.ok
    with pytest.raises(ImportFormatError) as caught:
        registry.import_file(path, framework_id="new-one", title="New",
                             establishment_types=["mens_prison"])
    assert (caught.value.row, caught.value.column) == (3, "number")
    assert snapshot(user_dir) == {}


def test_unknown_test_refused_when_importing_into_existing_framework(
        registry: FrameworkRegistry, user_dir: Path, write_file: Callable[..., Path]) -> None:
    """Merging into men-prisons refuses a test the framework does not have."""
    path = write_file("merge.csv", HEADER + "Safety,Early days in custody,,1,New text,,\n"
                      "Wellbeing,Something,,500,Unknown,,\n")
    with pytest.raises(ImportFormatError) as caught:
        registry.import_file(path, framework_id="men-prisons")
    assert (caught.value.row, caught.value.column) == (3, "test")
    assert "unknown test" in str(caught.value)
    assert snapshot(user_dir) == {}


def test_merge_keeps_unnamed_areas_and_marks_edited_rows(
        registry: FrameworkRegistry, write_file: Callable[..., Path]) -> None:
    """A partial CSV edits one area and keeps the rest of the framework."""
    path = write_file("partial.csv", HEADER + (
        "safety,Early days in custody,,1,Transfers are safe and decent,"
        "Prisoners transferring are safe.,Escort vans are clean\n"
        "Safety,Early days in custody,,2,Early days in custody: expectation 2,,\n"))
    fw = registry.import_file(path, framework_id="men-prisons")
    shipped = registry.get("men-prisons", "6")  # merged into the newest version
    assert fw.version == "6-imported-1" and fw.based_on == shipped.ref
    assert fw.expectation("1").verified is True
    assert fw.expectation("2") == shipped.expectation("2")  # untouched: kept as shipped
    assert fw.area("safety", "early_days_in_custody").incomplete is True  # 2 still unverified
    assert fw.section("safety").label == "Safety"  # "safety" only repeats the key
    assert fw.expectation("80") == shipped.expectation("80")
    assert [s.key for s in fw.sections] == [s.key for s in shipped.sections]

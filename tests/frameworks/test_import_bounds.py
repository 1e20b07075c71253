"""Framework imports are bounded before the costly work: values before the schema, schema
problems collected, CSV rows and indicators, and the size of the file that would be stored
(which must be readable back); an unreadable stored version never blocks its id."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from hmip_desktop.domain import framework_csv
from hmip_desktop.domain.errors import UserError
from hmip_desktop.storage import framework_registry
from hmip_desktop.storage.framework_registry import FrameworkRegistry
from tests.frameworks.conftest import HEADER, snapshot

NEW = {"framework_id": "local", "title": "Local", "establishment_types": ["mens_prison"]}


def _rows(count: int, indicators: str = "") -> str:
    return HEADER + "".join(f"Safety,Early days,,{i},Title {i},,{indicators}\n"
                            for i in range(1, count + 1))


def test_schema_problems_are_capped_with_a_last_line_saying_there_are_more(
        registry: FrameworkRegistry, write_file: Callable[..., Path]) -> None:
    """Every bad item used to become a message (2,000,000 items: 5 GB, killed)."""
    path = write_file("errs.json", json.dumps({"sections": [1] * 500}))
    plan = registry.plan_import(path)
    assert not plan.ok
    assert len(plan.problems) == 100 + 1  # MAX_IMPORT_PROBLEMS, then "and more"
    assert "and more problems" in plan.problems[-1].message
    assert plan.problems[-1].column is None


def test_too_many_values_are_refused_before_the_schema_is_applied(
        registry: FrameworkRegistry, user_dir: Path, write_file: Callable[..., Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(framework_registry, "MAX_FRAMEWORK_ITEMS", 1000)

    def no_validator() -> None:
        raise AssertionError("the schema was applied to an oversized file")

    path = write_file("big.json", json.dumps({"sections": [{"key": "k"}] * 2000}))
    registry.shipped()  # shipped files are read (and validated) before the check
    monkeypatch.setattr(registry, "_schema_validator", no_validator)
    plan = registry.plan_import(path)
    assert [p.message for p in plan.problems] == [
        "the framework holds more than 1,000 values (limit: values in one framework; a "
        "framework has a few thousand)"]
    with pytest.raises(UserError, match="limit: values"):
        registry.import_file(path)
    assert snapshot(user_dir) == {}


def test_a_csv_with_more_rows_than_a_framework_has_is_refused(
        registry: FrameworkRegistry, user_dir: Path, write_file: Callable[..., Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(framework_csv, "MAX_CSV_ROWS", 50)
    assert registry.plan_import(write_file("ok.csv", _rows(50) + ",,,,,,\n" * 20), **NEW).ok
    path = write_file("rows.csv", _rows(51))
    plan = registry.plan_import(path, **NEW)
    assert [(p.row, p.message) for p in plan.problems] == [
        (52, "the file has more than 50 rows (limit: rows in a framework CSV; a framework "
             "has a few hundred expectations)")]
    with pytest.raises(UserError, match="limit: rows"):
        registry.import_file(path, **NEW)
    assert snapshot(user_dir) == {}


def test_an_expectation_with_too_many_indicators_is_refused(
        registry: FrameworkRegistry, write_file: Callable[..., Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(framework_csv, "MAX_INDICATORS", 3)
    assert registry.plan_import(write_file("ok.csv", _rows(2, "a | b | c")), **NEW).ok
    plan = registry.plan_import(write_file("ind.csv", _rows(2, "a | b | c | d")), **NEW)
    assert [(p.row, p.column) for p in plan.problems] == [(2, "indicators"),
                                                          (3, "indicators")]
    assert "limit: indicators" in plan.problems[0].message


def test_a_framework_whose_file_would_be_too_large_to_read_back_is_not_stored(
        registry: FrameworkRegistry, user_dir: Path, write_file: Callable[..., Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """It used to be written (then skipped by every listing, its id blocked for good)."""
    path = write_file("many.csv", _rows(40))
    assert path.stat().st_size < 4096
    monkeypatch.setattr(framework_registry, "MAX_FRAMEWORK_FILE_BYTES", 4096)
    plan = registry.plan_import(path, **NEW)
    assert not plan.ok
    assert "more than a framework file may (limit: 4,096 bytes)" in plan.problems[0].message
    with pytest.raises(UserError, match="more than a framework file may"):
        registry.import_file(path, **NEW)
    assert snapshot(user_dir) == {}


def test_an_unreadable_stored_version_does_not_block_its_id(
        registry: FrameworkRegistry, user_dir: Path, write_file: Callable[..., Path]) -> None:
    """A stored file that cannot be read (too large, damaged) is skipped by the listing but
    still holds its name: an import takes the next version instead of failing for ever."""
    (user_dir / "local--1.json").write_text("{not json", encoding="utf-8")
    fw = registry.import_file(write_file("one.csv", _rows(3)), **NEW)
    assert fw.version == "1-imported-1"
    assert (user_dir / "local--1.json").read_text("utf-8") == "{not json"
    assert [f.version for f in registry.versions("local")] == ["1-imported-1"]

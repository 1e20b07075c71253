"""Issue 12 §3: one framework model. The pinned framework is read into the typed Framework
(cached per open file until its record changes), scales resolve levels on the one Scale, and
the dict walkers and the second Scale/Level do not come back."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import hmip_desktop
from hmip_desktop.domain import framework_nation
from hmip_desktop.domain import records as R
from hmip_desktop.domain import scoring as S
from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.domain.framework import Framework
from hmip_desktop.domain.framework_elements import Scale
from hmip_desktop.domain.framework_pinned import read_pinned
from hmip_desktop.services.inspection_record import pinned_framework, pinned_framework_data
from tests.factories import minimal_framework, scored_framework

WALKERS = ("parse_scale", "framework_scale", "progress_scale", "sections", "section",
           "is_judged", "judged_sections", "areas", "area", "expectations", "Scale", "Level",
           "DEFAULT_SCALE", "DEFAULT_PROGRESS_SCALE")
PACKAGE = Path(hmip_desktop.__file__).parent


@pytest.mark.parametrize("name", WALKERS)
def test_scoring_has_no_dict_walker_or_second_scale(name: str) -> None:
    """domain.scoring keeps rules only; the framework's shape lives in domain.framework."""
    assert not hasattr(S, name)


@pytest.mark.parametrize("name", ["applicable_framework", "excluded_numbers", "applies_in",
                                  "area_refs"])
def test_nation_rules_walk_the_typed_model(name: str) -> None:
    """Framework.for_nation / excluded_numbers replace the dict filters."""
    assert not hasattr(framework_nation, name)


def test_only_one_scale_and_level_class() -> None:
    """No module under hmip_desktop defines another Scale or Level class."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [(path.relative_to(PACKAGE).as_posix(), node.name) for node in tree.body
                  if isinstance(node, ast.ClassDef) and node.name in ("Scale", "Level",
                                                                      "ScaleLevel")]
    assert sorted(found) == [("domain/framework_elements.py", "Scale"),
                             ("domain/framework_elements.py", "ScaleLevel")]


def test_the_one_scale_resolves_levels() -> None:
    """Key, label, short form, kebab-case key or value; anything else names the levels."""
    scale = read_pinned(scored_framework()).scale
    assert isinstance(scale, Scale) and scale.graded
    for given in ("good", "Good", "G", "4", 4, " good "):
        assert scale.resolve(given).key == "good"
    assert scale.resolve("not-sufficiently-good").value == 2
    with pytest.raises(ValidationError, match="reasonably_good"):
        scale.resolve("excellent")


def test_pinned_framework_is_typed_and_cached_until_its_record_changes(store) -> None:  # type: ignore[no-untyped-def]
    """One parse per open file; a new revision of the framework record (a merge) re-reads."""
    first = pinned_framework(store)
    assert isinstance(first, Framework)
    assert first == Framework.from_dict(minimal_framework())
    assert pinned_framework(store) is first
    changed = {**pinned_framework_data(store), "title": "Changed by a merge"}
    with store.uow(write=True) as tx:
        store.put(tx, R.FRAMEWORK, R.framework_record_id(store.inspection_id), changed)
    again = pinned_framework(store)
    assert again is not first and again.title == "Changed by a merge"


def test_a_loose_pinned_framework_still_reads() -> None:
    """Older or hand-made data the strict parser refuses is still walked by the same model:
    documented defaults, and a top-level leadership object listed unscored."""
    fw = minimal_framework()
    del fw["scale"]
    fw["leadership"] = {"areas": []}
    del fw["schema_version"]
    with pytest.raises(ValidationError):
        Framework.from_dict(fw)
    model = read_pinned(fw)
    assert [lv.key for lv in model.scale.levels][0] == "good"
    assert model.sections[-1].key == "leadership" and not model.sections[-1].scored
    assert [s.key for s in model.judged_sections] == ["safety", "respect"]

"""Pure scoring rules: ids, scale resolution, validation by kind and section, disagreement."""

from __future__ import annotations

import pytest

from hmip_desktop.domain import readiness as RD
from hmip_desktop.domain import scoring as S
from hmip_desktop.domain.concerns import ConcernLimits
from hmip_desktop.domain.errors import NotFoundError, ValidationError
from hmip_desktop.domain.framework_pinned import read_pinned
from tests.factories import minimal_framework, scored_framework


def validate_score(fw: dict, kind: str, section: str, given: object,
                   rationale: str | None):  # type: ignore[no-untyped-def]
    """The rule on the typed model a pinned framework is read into."""
    return S.validate_score(read_pinned(fw), kind, section, given, rationale)  # type: ignore[arg-type]


def test_score_ids_are_deterministic_and_distinct() -> None:
    """Same key, same id on every laptop; inspectors and the agreed score never collide."""
    a = S.provisional_score_id("insp", "safety", "alice")
    assert a == S.provisional_score_id("insp", "safety", "alice")
    ids = {a, S.provisional_score_id("insp", "safety", "bob"),
           S.provisional_score_id("insp", "respect", "alice"), S.agreed_score_id("insp", "safety"),
           S.agreed_score_id("insp", "respect"), S.agreed_score_id("other", "safety")}
    assert len(ids) == 6


@pytest.mark.parametrize(("given", "level"), [
    ("good", "good"), ("4", "good"), (4, "good"), ("3", "reasonably_good"),
    ("Reasonably good", "reasonably_good"), ("NSG", "not_sufficiently_good"),
    ("POOR", "poor"), (1, "poor"), (" reasonably_good ", "reasonably_good"),
])
def test_scores_resolve_on_the_framework_scale(given: object, level: str) -> None:
    """A score is a level key, label, short form or value of the framework's own scale."""
    assert validate_score(scored_framework(), "full", "safety", given, "why").key == level


@pytest.mark.parametrize("given", ["5", "0", "-1", "excellent", "", "3.5", "outstanding"])
def test_values_outside_the_scale_are_refused(given: str) -> None:
    """Anything that is not a level of the scale is refused with the allowed levels named."""
    with pytest.raises(ValidationError, match="reasonably_good"):
        validate_score(scored_framework(), "full", "safety", given, "why")


def test_the_scale_is_data_not_code() -> None:
    """A framework with another scale accepts only its own levels."""
    fw = scored_framework()
    fw["scale"] = {"key": "ofsted", "label": "Ofsted", "levels": [
        {"key": "outstanding", "label": "Outstanding", "value": 4},
        {"key": "inadequate", "label": "Inadequate", "value": 1}]}
    assert validate_score(fw, "full", "safety", "outstanding", "why").value == 4
    with pytest.raises(ValidationError):
        validate_score(fw, "full", "safety", "good", "why")


@pytest.mark.parametrize("rationale", ["", "   ", None, "\n\t"])
def test_a_rationale_is_required(rationale: str | None) -> None:
    """No judgement without a rationale."""
    with pytest.raises(ValidationError, match="rationale"):
        validate_score(scored_framework(), "full", "safety", "good", rationale)


@pytest.mark.parametrize(("kind", "section", "error"), [
    ("irp", "safety", ValidationError),
    ("irp", "respect", ValidationError),
    ("full", "leadership", ValidationError),
    ("full", "no_such_test", NotFoundError),
])
def test_refused_section_scores(kind: str, section: str, error: type[Exception]) -> None:
    """An IRP gives no section scores; leadership is not scored; unknown sections are named."""
    with pytest.raises(error):
        validate_score(scored_framework(), kind, section, "good", "why")


def test_an_ungraded_framework_gives_no_scores() -> None:
    """A framework whose scale has no levels (e.g. police custody) scores nothing."""
    fw = scored_framework()
    fw["scale"] = {"key": "not_graded", "label": "Not graded", "levels": []}
    assert read_pinned(fw).judged_sections == ()
    with pytest.raises(ValidationError):
        validate_score(fw, "full", "safety", "good", "why")


def test_defaults_apply_only_when_keys_are_absent() -> None:
    """No scale key: the documented four levels; no progress scale: the IRP levels."""
    fw = minimal_framework()
    del fw["scale"]
    assert [lv.key for lv in read_pinned(fw).scale.levels] == [
        "good", "reasonably_good", "not_sufficiently_good", "poor"]
    assert read_pinned(fw).follow_up_scale.resolve("no_meaningful_progress").value == 1
    custom = scored_framework()
    custom["progress_scale"]["levels"] = [{"key": "done", "label": "Done", "value": 1}]
    assert [lv.key for lv in read_pinned(custom).follow_up_scale.levels] == ["done"]


def test_judged_sections_follow_the_framework() -> None:
    """Scored sections only; the leadership section (scored: false) carries findings."""
    assert [s.key for s in read_pinned(scored_framework()).judged_sections] == [
        "safety", "respect", "purposeful_activity", "preparation_for_release"]
    fw = minimal_framework()
    fw["leadership"] = {"label": "Leadership", "areas": [{"key": "direction", "label": "D",
                                                          "expectations": []}]}
    keys = [s.key for s in read_pinned(fw).sections]
    assert keys[-1] == "leadership" and not read_pinned(fw).section("leadership").scored


@pytest.mark.parametrize(("rows", "agreed", "disagree", "spread", "highlighted"), [
    ([("a", "good", 4), ("b", "good", 4), ("c", "good", 4)], None, False, 0, ()),
    ([("a", "good", 4), ("b", "good", 4), ("c", "poor", 1)], None, True, 3, ("c",)),
    ([("a", "good", 4), ("b", "poor", 1)], None, True, 3, ("a", "b")),
    ([("a", "good", 4), ("b", "reasonably_good", 3), ("c", "poor", 1)], "reasonably_good",
     True, 3, ("a", "c")),
    ([("a", "good", 4)], "poor", False, 0, ("a",)),
    ([], None, False, None, ()),
])
def test_disagreement(rows, agreed, disagree, spread, highlighted) -> None:  # type: ignore[no-untyped-def]
    """Different levels disagree; highlighted are those off the agreed or most common level."""
    d = S.disagreement(rows, agreed)
    assert (d.disagree, d.spread, d.highlighted) == (disagree, spread, highlighted)



JUDGED = ("safety", "respect", "purposeful_activity", "preparation_for_release")
ALL_FINDINGS = [(k, "") for k in ("leadership", *JUDGED)]
ALL_AGREED = [RD.ScoreFact(k, S.AGREED) for k in JUDGED]
DONE = {"findings": ALL_FINDINGS, "scores": ALL_AGREED}
UNJUDGED = [RD.PreviousFact("id", "S1", True, False)]
JUDGED_ITEM = [RD.PreviousFact("id", "S1", True, True)]


@pytest.mark.parametrize(("kind", "facts", "codes"), [
    ("full", {}, {"no_agreed_score", "no_findings"}),
    ("full", {"findings": ALL_FINDINGS}, {"no_agreed_score"}),
    ("full", DONE, set()),
    ("full", {**DONE, "key_concerns": 16}, {"too_many_key_concerns"}),
    ("full", {**DONE, "priority_concerns": 7}, {"priority_count"}),
    ("full", {**DONE, "priority_concerns": 2}, {"priority_count"}),
    ("full", {**DONE, "other_conflicts": 1}, {"conflicts"}),
    ("full", {**DONE, "scores": [*ALL_AGREED, RD.ScoreFact("safety", S.AGREED, True)]},
     {"agreed_score_conflict"}),
    ("full", {**DONE, "previous": UNJUDGED}, set()),  # progress only warns at a full one
    ("irp", {}, {"no_previous_items"}),
    ("irp", {"previous": UNJUDGED}, {"no_progress_judgement"}),
    ("irp", {"previous": JUDGED_ITEM}, set()),
    ("irp", {"previous": JUDGED_ITEM, "priority_concerns": 0}, set()),
])
def test_readiness_rules(kind: str, facts: dict, codes: set[str]) -> None:
    """What blocks a draft depends on the kind: scores and findings, or progress per item."""
    args: dict = {"links": [], "findings": [], "scores": [], "key_concerns": 4,
                  "priority_concerns": 3, "limits": ConcernLimits(15, 3, 6), "previous": []}
    args.update(facts)
    report = RD.build_report(read_pinned(scored_framework()), kind, **args)
    assert {i.code for i in report.blockers} == codes
    assert report.ready == (not codes)

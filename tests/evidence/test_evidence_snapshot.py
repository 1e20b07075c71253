"""The evidence snapshot: one read of links, evidence and counts that gives the answers the
old per-area reads gave, with the pinned framework parsed once until a merge changes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from hmip_desktop.domain import records as R
from hmip_desktop.domain.errors import NotFoundError, ValidationError
from hmip_desktop.services.coverage import coverage
from hmip_desktop.services.evidence_snapshot import evidence_snapshot
from hmip_desktop.services.inspections import create_inspection, pinned_framework_data
from hmip_desktop.services.links import LinkService
from hmip_desktop.services.notes import NoteService
from hmip_desktop.services.readiness import readiness_report
from hmip_desktop.services.scoring import ScoringService, evidence_links
from tests.factories import complete_framework, scored_framework


@pytest.fixture
def fw_store(tmp_path: Path):  # type: ignore[no-untyped-def]
    """An inspection on the scored framework, completed so the strict parser accepts it."""
    s = create_inspection(tmp_path / "snap.hmip", establishment_name="HMP Testfield",
                          establishment_type="mens_prison",
                          framework=complete_framework(scored_framework()))
    yield s
    s.close()


def test_snapshot_holds_every_live_link_in_order_with_counts(fw_store) -> None:
    """Live links to live evidence, oldest first, with titles, kinds, passages and counts."""
    notes, links = NoteService(fw_store), LinkService(fw_store)
    first = notes.add(source_kind="observation", title="Wing", body="Night visit, C wing",
                      expectations=["1"])
    passage = links.add(first, "1", start=0, end=5)
    for kind in ("survey", "staff_interview"):
        notes.add(source_kind=kind, title=kind, body="b", expectations=["1", "3"])
    gone = notes.add(source_kind="data", title="gone", body="b", expectations=["2"])
    notes.delete(gone)
    links.add(first, "99")  # a ref the framework does not have
    ScoringService(fw_store).set_findings("safety", "early_days", "Text")
    snap = evidence_snapshot(fw_store)
    one = snap.expectations["1"]
    assert [r.title for r in one.evidence] == ["Wing", "Wing", "survey", "staff_interview"]
    assert one.evidence[1].link_id == passage and (one.evidence[1].start,
                                                   one.evidence[1].end) == (0, 5)
    assert one.source_kinds == ("observation", "staff_interview", "survey")
    assert one.triangulated and not snap.expectations["2"].covered
    assert snap.unknown_refs == ("99",) and coverage(fw_store).unknown_refs == ("99",)
    with fw_store.uow() as tx:
        legacy = {(link.id, ev.id) for link, ev in evidence_links(tx)}
    assert legacy == {(r.link_id, r.evidence_id) for refs in snap.by_ref.values()
                      for r in refs}
    safety = snap.section("safety")
    assert [(a.key, a.expectations_total, a.expectations_covered,
             a.expectations_triangulated, a.findings_count) for a in safety.areas] == [
        ("early_days", 2, 1, 1, 1), ("managing_behaviour", 1, 1, 0, 0)]
    assert (safety.expectations_total, safety.expectations_covered) == (3, 2)
    ready = {r.key: r for r in readiness_report(fw_store).sections}["safety"]
    assert (ready.expectations_covered, ready.expectations_triangulated) == (2, 1)
    with pytest.raises(NotFoundError):
        snap.area_evidence("safety", "nowhere")


def test_framework_is_parsed_once_until_its_record_changes(fw_store) -> None:
    """Two reads share one parsed framework; a new framework revision (a merge) re-parses."""
    first, second = evidence_snapshot(fw_store), evidence_snapshot(fw_store)
    assert first.framework is second.framework and first.framework is not None
    changed = {**pinned_framework_data(fw_store), "title": "Changed by a merge"}
    with fw_store.uow(write=True) as tx:
        fw_store.put(tx, R.FRAMEWORK, R.framework_record_id(fw_store.inspection_id), changed)
    third = evidence_snapshot(fw_store)
    assert third.framework_rev != first.framework_rev
    assert third.require_framework().title == "Changed by a merge"


def test_unparsable_framework_still_gives_counts(tmp_path: Path) -> None:
    """A framework the strict parser refuses still serves the walkthrough's counts; only
    the screens that need the typed form see the error."""
    s = create_inspection(tmp_path / "loose.hmip", establishment_name="HMP Testfield",
                          establishment_type="mens_prison", framework=scored_framework())
    try:
        NoteService(s).add(source_kind="observation", title="o", body="b", expectations=["3"])
        snap = evidence_snapshot(s)
        assert snap.framework is None
        assert [a.expectations_covered for a in snap.section_overview("safety")] == [0, 1]
        with pytest.raises(ValidationError):
            snap.require_framework()
    finally:
        s.close()

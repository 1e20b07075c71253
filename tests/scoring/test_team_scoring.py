"""The scoring service: provisional scores, the team view, agreed-score conflicts, findings
and evidence per area."""

from __future__ import annotations

import pytest

from hmip_desktop.domain import records as R
from hmip_desktop.domain import scoring as S
from hmip_desktop.domain.errors import NotFoundError, ValidationError
from hmip_desktop.services import history
from hmip_desktop.services.notes import NoteService
from hmip_desktop.services.scoring import ScoringService
from tests.scoring.support import score_payload, write_as


def test_provisional_score_is_stored_under_the_deterministic_id(full_store) -> None:
    """(inspection, section, inspector) names the record; re-saving the same is a no-op."""
    service = ScoringService(full_store)
    view = service.set_provisional("safety", "3", "Most areas fine")
    assert view.id == S.provisional_score_id(full_store.inspection_id, "safety",
                                             full_store.device.author_id)
    assert (view.level_key, view.value, view.kind) == ("reasonably_good", 3, "provisional")
    service.set_provisional("safety", "reasonably_good", "Most areas fine")
    service.set_provisional("safety", 2, "On reflection, not good enough")
    assert [e.payload["value"] for e in history.history(full_store, view.id)] == [3, 2]


def test_an_irp_accepts_no_section_score(irp_store) -> None:
    """An independent review of progress refuses provisional and agreed scores alike."""
    service = ScoringService(irp_store)
    assert service.judged_sections() == []
    for setter in (service.set_provisional, service.set_agreed):
        with pytest.raises(ValidationError, match="no section scores"):
            setter("safety", "good", "why")
    with irp_store.uow() as tx:
        assert tx.records.count(R.SCORE) == 0


def test_score_evidence_must_exist(full_store) -> None:
    """A score rests on evidence the team can point to."""
    note = NoteService(full_store).add(source_kind="observation", title="Wing", body="b")
    service = ScoringService(full_store)
    assert service.set_provisional("safety", 3, "r", [note]).evidence_ids == (note,)
    with pytest.raises(NotFoundError):
        service.set_provisional("safety", 3, "r", ["not-an-id"])


def _other(store, author: str, name: str, level: str, label: str, value: int) -> None:
    sid = S.provisional_score_id(store.inspection_id, "safety", author)
    write_as(store, author=author, device=f"dev-{author}", entity_type=R.SCORE, entity_id=sid,
             payload=score_payload("safety", author, name, level, label, value, "their view"))


def test_team_view_with_three_inspectors(full_store) -> None:
    """Three inspectors' scores side by side; the outlier is highlighted, then the agreed."""
    service = ScoringService(full_store)
    service.set_provisional("safety", "reasonably_good", "mine")
    _other(full_store, "bob", "Bob", "reasonably_good", "Reasonably good", 3)
    _other(full_store, "cat", "Cat", "poor", "Poor", 1)
    team = service.team_view("safety")
    assert len(team.rows) == 3
    assert {r.inspector_id for r in team.rows} == {full_store.device.author_id, "bob", "cat"}
    assert team.disagreement and team.spread == 2
    assert team.highlighted == ("cat",)
    assert [lv.descriptor for lv in team.levels][0] == "No sign that outcomes are being harmed."
    assert team.agreed is None
    service.set_agreed("safety", "not_sufficiently_good", "After the team meeting")
    team = service.team_view("safety")
    assert team.agreed is not None and team.agreed.level_key == "not_sufficiently_good"
    assert set(team.highlighted) == {full_store.device.author_id, "bob", "cat"}
    assert service.team_view("respect").rows == ()
    assert not service.team_view("respect").disagreement


def test_team_without_disagreement(full_store) -> None:
    """Everyone on the same level: nothing highlighted."""
    service = ScoringService(full_store)
    service.set_provisional("safety", "poor", "mine")
    _other(full_store, "bob", "Bob", "poor", "Poor", 1)
    team = service.team_view("safety")
    assert not team.disagreement and team.highlighted == ()


def test_concurrent_agreed_scores_surface_as_a_conflict(full_store) -> None:
    """Two agreed-score edits on the same parent from two devices leave two heads."""
    service = ScoringService(full_store)
    first = service.set_agreed("safety", "reasonably_good", "agreed on day 3")
    with full_store.uow() as tx:
        parent = tx.records.get(first.id).winner_rev
    service.set_agreed("safety", "not_sufficiently_good", "re-agreed here")
    write_as(full_store, author="leader2", device="dev-leader2", entity_type=R.SCORE,
             entity_id=first.id, parents=[parent],
             payload=score_payload("safety", "leader2", "Deputy", "poor", "Poor", 1,
                                   "re-agreed there", kind="agreed"))
    with full_store.uow() as tx:
        view = tx.records.get(first.id)
        assert view.head_count == 2 and view.conflicted
        assert len(tx.records.heads(first.id)) == 2
    assert service.team_view("safety").agreed.conflicted
    # An edit that saw only the winner keeps the conflict; resolving names every head.
    service.set_agreed("safety", "poor", "still unresolved")
    with full_store.uow() as tx:
        assert tx.records.get(first.id).head_count == 2
    resolved = service.set_agreed("safety", "poor", "resolved", resolve=True)
    assert not resolved.conflicted


def test_sequential_agreed_edits_do_not_conflict(full_store) -> None:
    """An edit on another device that saw the latest revision is not a conflict."""
    service = ScoringService(full_store)
    first = service.set_agreed("safety", "reasonably_good", "agreed")
    with full_store.uow() as tx:
        parent = tx.records.get(first.id).winner_rev
    write_as(full_store, author="leader2", device="dev-leader2", entity_type=R.SCORE,
             entity_id=first.id, parents=[parent],
             payload=score_payload("safety", "leader2", "Deputy", "poor", "Poor", 1,
                                   kind="agreed"))
    with full_store.uow() as tx:
        assert tx.records.get(first.id).head_count == 1


def test_findings_per_author_and_area(full_store) -> None:
    """Area and leadership findings are kept per author; unchanged autosaves write nothing."""
    service = ScoringService(full_store)
    assert service.set_findings("safety", "early_days", "Reception was calm").ids
    assert service.set_findings("safety", "early_days", "Reception was calm").ids == frozenset()
    service.set_findings("leadership", "direction", "Clear vision")
    service.set_findings("leadership", None, "Leaders were visible")
    fid = S.findings_id(full_store.inspection_id, "safety", "early_days", "bob")
    write_as(full_store, author="bob", device="dev-bob", entity_type=R.FINDINGS, entity_id=fid,
             payload={"section_key": "safety", "area_key": "early_days", "author_id": "bob",
                      "author_name": "Bob", "text": "Cells were dirty"})
    texts = sorted(f.text for f in service.findings("safety", "early_days"))
    assert texts == ["Cells were dirty", "Reception was calm"]
    assert service.my_findings("leadership", None) == "Leaders were visible"
    assert len(service.findings("leadership")) == 2
    with pytest.raises(NotFoundError):
        service.set_findings("safety", "no_area", "x")


def test_area_evidence_lists_expectations_with_sources(full_store) -> None:
    """Each expectation of an area with its linked evidence and source kinds."""
    notes = NoteService(full_store)
    for kind in ("observation", "prisoner_interview", "staff_interview"):
        notes.add(source_kind=kind, title=kind, body="b", expectations=["1"])
    notes.add(source_kind="survey", title="survey", body="b", expectations=["2"])
    gone = notes.add(source_kind="data", title="gone", body="b", expectations=["2"])
    notes.delete(gone)
    rows = ScoringService(full_store).area_evidence("safety", "early_days")
    assert [(r.number, r.covered, r.triangulated) for r in rows] == [
        ("1", True, True), ("2", True, False)]
    assert rows[0].source_kinds == ("observation", "prisoner_interview", "staff_interview")
    assert [e.source_kind for e in rows[1].evidence] == ["survey"]


def test_section_overview_counts_coverage_triangulation_and_findings(full_store) -> None:
    """Walkthrough step 1: each area's coverage and triangulation gaps at a glance."""
    notes = NoteService(full_store)
    for kind in ("observation", "survey", "data"):
        notes.add(source_kind=kind, title=kind, body="b", expectations=["1"])
    notes.add(source_kind="observation", title="o", body="b", expectations=["3"])
    service = ScoringService(full_store)
    service.set_findings("safety", "early_days", "Text")
    overview = service.section_overview("safety")
    assert [(a.key, a.expectations_total, a.expectations_covered,
             a.expectations_triangulated, a.findings_count) for a in overview] == [
        ("early_days", 2, 1, 1, 1), ("managing_behaviour", 1, 1, 0, 0)]

"""Concern rules from the report model, and the concerns register and NPP services."""

from __future__ import annotations

import pytest

from hmip_desktop.domain import concerns as C
from hmip_desktop.domain import records as R
from hmip_desktop.domain.errors import NotFoundError, ValidationError
from hmip_desktop.services import history
from hmip_desktop.services.concerns import ConcernService, NppService
from hmip_desktop.services.inspections import update_inspection
from hmip_desktop.services.notes import NoteService
from hmip_desktop.services.readiness import readiness_report
from tests.factories import minimal_framework, scored_framework

LIMITS = C.ConcernLimits(15, 3, 6)


@pytest.mark.parametrize(("key", "priority", "codes"), [
    (15, 3, []),
    (15, 6, []),
    (10, 4, []),
    (16, 3, ["too_many_key_concerns"]),
    (16, 6, ["too_many_key_concerns"]),
    (10, 2, ["priority_count"]),
    (10, 7, ["priority_count"]),
    (0, 0, ["priority_count"]),
    (20, 8, ["too_many_key_concerns", "priority_count"]),
])
def test_concern_limits(key: int, priority: int, codes: list[str]) -> None:
    """At most 15 key concerns; 3 to 6 of them priority."""
    assert [i.code for i in C.check_concerns(key, priority, LIMITS)] == codes


@pytest.mark.parametrize(("status", "severity"), [
    ("fieldwork", C.WARNING), ("drafting", C.WARNING), ("ready_for_report", C.BLOCKING),
    ("closed", C.BLOCKING), (None, C.WARNING),
])
def test_severity_follows_the_inspection_status(status: str | None, severity: str) -> None:
    """Warnings while drafting, blocking once ready for report."""
    assert C.severity_for_status(status) == severity
    assert {i.severity for i in C.check_concerns(16, 2, LIMITS,
                                                 severity=C.severity_for_status(status))} == {
        severity}


def test_limits_come_from_the_report_model() -> None:
    """Limits are data; defaults only when absent; a model without concerns has no limits."""
    assert C.limits_from(scored_framework(concerns={"max_key": 10, "priority_min": 1,
                                                    "priority_max": 2})) == C.ConcernLimits(
        10, 1, 2)
    assert C.limits_from(minimal_framework()) == C.ConcernLimits(15, 3, 6)
    legacy = scored_framework()
    legacy["report_model"]["concerns"] = None
    assert C.limits_from(legacy) is None
    assert C.check_concerns(40, 0, None) == []
    assert C.check_concerns(40, 0, C.ConcernLimits(15, 3, 6), kind="irp") == []
    assert [a.key for a in C.addressees_from(scored_framework())] == [
        "establishment_leaders", "hmpps"]


def _fill(service: ConcernService, total: int, priority: int) -> list[str]:
    return [service.add(title=f"Concern {i}", body="Problem and its effect", sections=["safety"],
                        priority=i < priority) for i in range(total)]


def test_sixteenth_concern_warns_while_drafting_and_blocks_at_readiness(full_store) -> None:
    """15 key concerns pass; the 16th is a warning, and blocks at readiness."""
    service = ConcernService(full_store)
    _fill(service, 15, 3)
    assert service.check() == []
    service.add(title="One too many", body="b", sections=["respect"])
    issues = service.check()
    assert [(i.code, i.severity) for i in issues] == [("too_many_key_concerns", C.WARNING)]
    assert [i.severity for i in service.check(at_readiness=True)] == [C.BLOCKING]
    update_inspection(full_store, status="ready_for_report")
    assert [i.severity for i in service.check()] == [C.BLOCKING]
    report = readiness_report(full_store)
    assert "too_many_key_concerns" in {b.code for b in report.blockers}


@pytest.mark.parametrize("priority", [2, 7])
def test_two_or_seven_priorities_are_flagged(full_store, priority: int) -> None:
    """Too few or too many priority concerns: a warning now, a blocker at readiness."""
    service = ConcernService(full_store)
    _fill(service, 8, priority)
    assert [(i.code, i.severity, i.count) for i in service.check()] == [
        ("priority_count", C.WARNING, priority)]
    assert "priority_count" in {b.code for b in readiness_report(full_store).blockers}


def test_priority_flag_edits_and_rule_recovery(full_store) -> None:
    """Flagging a third priority concern clears the warning; each change is a revision."""
    service = ConcernService(full_store)
    ids = _fill(service, 4, 2)
    assert service.check()
    service.set_priority(ids[3], True)
    assert service.check() == []
    assert service.get(ids[3]).priority
    assert len(history.history(full_store, ids[3])) == 2


def test_concern_fields_are_validated(full_store) -> None:
    """Sections, addressee and evidence must exist; title and body are required."""
    service = ConcernService(full_store)
    note = NoteService(full_store).add(source_kind="observation", title="n", body="b")
    cid = service.add(title="T", body="B", sections=["safety", "respect"], addressee="hmpps",
                      evidence_ids=[note, note])
    view = service.get(cid)
    assert view.sections == ("safety", "respect") and view.evidence_ids == (note,)
    assert view.addressee_label == "HMPPS"
    with pytest.raises(ValidationError, match="section"):
        service.add(title="T", body="B", sections=[])
    with pytest.raises(NotFoundError):
        service.add(title="T", body="B", sections=["nope"])
    with pytest.raises(ValidationError, match="addressee"):
        service.add(title="T", body="B", sections=["safety"], addressee="home_office")
    with pytest.raises(NotFoundError, match="evidence"):
        service.add(title="T", body="B", sections=["safety"], evidence_ids=["missing"])
    with pytest.raises(ValidationError, match="Title"):
        service.add(title=" ", body="B", sections=["safety"])
    with pytest.raises(ValidationError, match="Unknown"):
        service.edit(cid, colour="red")


def test_reorder_writes_only_moved_concerns(full_store) -> None:
    """Order is a field; reordering writes a revision for each concern that moved."""
    service = ConcernService(full_store)
    a, b, c, d = _fill(service, 4, 0)
    assert [x.id for x in service.list()] == [a, b, c, d]
    changes = service.reorder([a, c, b, d])
    assert changes.ids == {b, c}
    assert [x.id for x in service.list()] == [a, c, b, d]
    assert len(history.history(full_store, a)) == 1
    assert len(history.history(full_store, c)) == 2
    assert service.reorder([a, c, b, d]).ids == frozenset()
    with pytest.raises(ValidationError):
        service.reorder([a, b])


def test_delete_keeps_history_and_frees_the_count(full_store) -> None:
    """A deleted concern no longer counts, but its history stays."""
    service = ConcernService(full_store)
    ids = _fill(service, 16, 3)
    service.delete(ids[-1])
    assert service.check() == []
    assert len(service.list()) == 15
    assert history.history(full_store, ids[-1])[-1].deleted


def test_notable_positive_practice_with_evidence(full_store) -> None:
    """NPP entries carry evidence and keep their order."""
    note = NoteService(full_store).add(source_kind="observation", title="n", body="b")
    npp = NppService(full_store)
    first = npp.add(title="Peer mentors", body="Good", evidence_ids=[note])
    second = npp.add(title="Library", body="Good too", sections=["purposeful_activity"])
    assert [(e.id, e.evidence_ids) for e in npp.list()] == [(first, (note,)), (second, ())]
    npp.edit(second, body="Better")
    assert npp.list()[1].body == "Better"
    with full_store.uow() as tx:
        assert tx.records.get(first).type == R.NPP

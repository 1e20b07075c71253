"""Issue 10, the inspection's life cycle through the services: status moves forward only, a
published file refuses edits but accepts action-plan tracking, the leader reopens with a reason
kept in history, only the leader publishes; nation, notice and the education judgement."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hmip_desktop.domain import lifecycle as L
from hmip_desktop.domain import records as R
from hmip_desktop.domain.errors import UserError, ValidationError
from hmip_desktop.domain.framework_nation import inspection_nation
from hmip_desktop.services import history
from hmip_desktop.services.concerns import ConcernService
from hmip_desktop.services.inspections import create_inspection, facts, update_inspection
from hmip_desktop.services.lifecycle import LifecycleService
from hmip_desktop.services.notes import NoteService
from hmip_desktop.services.scoring import ScoringService
from tests.factories import scored_framework

TODAY = dt.date(2026, 3, 2)


def _service(store) -> LifecycleService:  # type: ignore[no-untyped-def]
    return LifecycleService(store, today=lambda: TODAY)


def _publish(store, on: str = "2026-03-01") -> None:  # type: ignore[no-untyped-def]
    _service(store).set_status("published", on, despite_readiness=True)


def _add_note(store) -> str:  # type: ignore[no-untyped-def]
    return NoteService(store).add(source_kind="observation", title="Night visit",
                                  body="Cell bells unanswered.")


@pytest.mark.parametrize(("text", "key"), [
    ("factual-accuracy-check", L.FACTUAL_ACCURACY_CHECK),
    ("Factual accuracy check", L.FACTUAL_ACCURACY_CHECK),
    ("action_plan_received", L.ACTION_PLAN_RECEIVED), ("PUBLISHED", L.PUBLISHED)])
def test_status_names_accept_kebab_case_and_labels(text: str, key: str) -> None:
    """Statuses are typed as keys, kebab-case or labels."""
    assert L.status_key(text) == key


def test_status_moves_forward_only_and_returns_what_changed(full_store) -> None:  # type: ignore[no-untyped-def]
    """Forward moves write one revision; backward moves are refused and point at reopening."""
    svc = _service(full_store)
    assert svc.view().status == L.FIELDWORK
    changes = svc.set_status("drafting")
    assert changes.touches(R.INSPECTION) and full_store.inspection_id in changes.ids
    assert not svc.set_status("drafting").types  # no change, nothing written
    svc.set_status("factual-accuracy-check", despite_readiness=True)
    with pytest.raises(ValidationError, match="only moves forward.*reopen"):
        svc.set_status("drafting")
    with pytest.raises(ValidationError, match="publication"):
        svc.set_status("action-plan-received")
    assert svc.view().next_statuses == (L.PUBLISHED,)


def test_publication_date_defaults_to_today_and_cannot_precede_the_end(full_store) -> None:  # type: ignore[no-untyped-def]
    """Published carries its date; a date before the inspection ended is refused."""
    svc = _service(full_store)
    with pytest.raises(ValidationError, match="before the inspection ended"):
        svc.set_status("published", "2026-01-20", despite_readiness=True)
    svc.set_status("published", despite_readiness=True)
    f = facts(full_store)
    assert f.status == L.PUBLISHED and f.publication_date == TODAY.isoformat()
    with pytest.raises(ValidationError, match="before the report was published"):
        svc.set_status("action-plan-received", "2026-02-01")
    svc.set_status("action-plan-received", "2026-04-01")
    assert facts(full_store).action_plan_received_date == "2026-04-01"


def test_published_file_refuses_edits_but_accepts_action_plan_tracking(full_store) -> None:  # type: ignore[no-untyped-def]
    """Notes, scores, concerns and the inspection's facts are locked; action plans are not."""
    concerns = ConcernService(full_store)
    cid = concerns.add(title="Violence is too high", body="Violence rose.",
                       sections=["safety"], priority=True)
    _publish(full_store)
    with pytest.raises(L.PublishedReadOnlyError, match="published on 1 March 2026.*reopen"):
        _add_note(full_store)
    with pytest.raises(L.PublishedReadOnlyError):
        ScoringService(full_store).set_provisional("safety", "poor", "Violence is high")
    with pytest.raises(L.PublishedReadOnlyError):
        update_inspection(full_store, establishment_name="HMP Elsewhere")
    with pytest.raises(L.PublishedReadOnlyError):  # going back needs a reopening
        update_inspection(full_store, status="drafting")
    with pytest.raises(L.PublishedReadOnlyError):
        _service(full_store).set_nation("wales")
    # Action-plan tracking: a concern's response and the action plan's arrival.
    plan = {"response": "agreed", "action": "Recruit staff", "owner": "Governor",
            "target_date": "2026-09-01", "status": ""}
    assert concerns.edit(cid, action_plan=plan).touches(R.CONCERN)
    with full_store.uow() as tx:
        stored = tx.records.get(cid)
        assert stored is not None and stored.payload["action_plan"]["owner"] == "Governor"
    with full_store.uow(write=True) as tx, pytest.raises(L.PublishedReadOnlyError):
        current = tx.records.get(cid)
        assert current is not None
        full_store.put(tx, R.CONCERN, cid, {**current.payload, "title": "Changed"})
    _service(full_store).set_status("action-plan-received", "2026-03-20")
    assert facts(full_store).status == L.ACTION_PLAN_RECEIVED


def test_reopen_keeps_the_reason_in_history_and_unlocks(full_store) -> None:  # type: ignore[no-untyped-def]
    """The leader reopens with a reason: the status goes back and the reason is in the log."""
    svc = _service(full_store)
    _publish(full_store)
    with pytest.raises(ValidationError, match="reason"):
        svc.reopen("   ")
    changes = svc.reopen("Typo in the Respect section", "factual-accuracy-check")
    assert changes.touches(R.INSPECTION)
    view = svc.view()
    assert view.status == L.FACTUAL_ACCURACY_CHECK and not view.read_only
    assert view.publication_date is None
    assert view.reopenings[0]["reason"] == "Typo in the Respect section"
    assert view.reopenings[0]["publication_date"] == "2026-03-01"
    entries = history.history(full_store, full_store.inspection_id)
    assert any((e.payload.get("status_change") or {}).get("reason") ==
               "Typo in the Respect section" for e in entries)
    _add_note(full_store)  # editable again
    _publish(full_store, "2026-03-02")
    assert len(svc.view().reopenings) == 1  # the history of reopenings stays


def test_nation_announced_and_education_judgement(tmp_path: Path) -> None:
    """Nation and notice at creation and by setter; Estyn grades in Wales, Ofsted's in England."""
    store = create_inspection(tmp_path / "w.hmip", establishment_name="HMP Cardiff",
                              establishment_type="mens_prison", framework=scored_framework(),
                              nation="wales", announced=True)
    try:
        f = facts(store)
        assert (f.nation, f.announced) == ("wales", True)
        svc = _service(store)
        edu = svc.education()
        assert edu.inspectorate == "estyn" and not edu.verified
        assert edu.section_label == "Purposeful activity" and edu.agreed_label is None
        with pytest.raises(ValidationError, match="Unknown Estyn grade"):
            svc.set_education_judgement("requires-improvement")
        svc.set_education_judgement("adequate")
        assert facts(store).education_judgement == {
            "inspectorate": "estyn", "grade": "adequate",
            "label": "Adequate and needs improvement", "section_key": "purposeful_activity"}
        assert svc.set_facts(nation="England", announced=False).types
        f = facts(store)
        assert (f.nation, f.announced) == ("england", False)
        edu = svc.education()
        assert edu.inspectorate == "ofsted" and edu.grade is None and edu.other is not None
        svc.set_education_judgement("requires-improvement")
        assert svc.education().grade_label == "Requires improvement"
        svc.set_education_judgement(None)
        assert facts(store).education_judgement is None
        with pytest.raises(ValidationError, match="England or Wales"):
            svc.set_nation("scotland")
    finally:
        store.close()


def test_nation_absent_reads_as_england(full_store) -> None:  # type: ignore[no-untyped-def]
    """Files made before the nation was recorded are in England."""
    assert inspection_nation({}) == "england" and not L.announced_of({})
    assert facts(full_store).nation == "england"


def test_non_leader_cannot_publish_or_reopen(tmp_path: Path) -> None:
    """On a team, only the team leader publishes or reopens; others still move earlier states."""
    from tests.sync.conftest import TeamKit, acting
    from tests.sync.test_leader_only_agreed import _scored_team

    kit = TeamKit(tmp_path / "team")
    try:
        lead, alice = _scored_team(kit, "lead", "alice")
        with acting(alice):
            svc = LifecycleService(alice.store)
            assert not svc.view().leads_here
            svc.set_status("drafting")
            with pytest.raises(UserError, match="Only the team leader can publish"):
                svc.set_status("published", "2026-03-01", despite_readiness=True)
            with pytest.raises(UserError, match="Only the team leader"):
                svc.reopen("because")
        with acting(lead):
            svc = LifecycleService(lead.store)
            assert svc.view().leads_here
            svc.set_status("published", "2026-03-01", despite_readiness=True)
            svc.reopen("Correction requested by the establishment")
    finally:
        kit.close()


def test_concern_limits_block_from_the_factual_accuracy_check() -> None:
    """While drafting the limits warn; once the draft goes for the factual accuracy check
    (and after publication) they block, as 'ready for report' did before."""
    from hmip_desktop.domain import concerns as C

    assert C.severity_for_status("drafting") == C.WARNING
    assert C.severity_for_status("fieldwork") == C.WARNING
    for status in ("factual_accuracy_check", "published", "ready_for_report"):
        assert C.severity_for_status(status) == C.BLOCKING

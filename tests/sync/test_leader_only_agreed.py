"""Only the team leader records agreed scores and resolves conflicts (issue 10).

A non-leader's agreed score is refused locally (service and CLI); arriving in a bundle (an
older app, a tampered file) it is kept as that person's provisional score, never as agreed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hmip_desktop.domain import records as R
from hmip_desktop.domain import scoring as S
from hmip_desktop.domain.errors import UserError
from hmip_desktop.services import conflicts, join, team
from hmip_desktop.services.inspections import create_inspection
from hmip_desktop.services.roster_access import NOT_TEAM_LEADER
from hmip_desktop.services.scoring import ScoringService
from tests.factories import scored_framework
from tests.report.support import cli_runner
from tests.sync.conftest import Device, TeamKit, acting


def _scored_team(kit: TeamKit, *names: str) -> list[Device]:
    """Like TeamKit.team, on the scored framework: the first name leads."""
    lead = kit.device(names[0], "team_leader")
    others = [kit.device(n) for n in names[1:]]
    with acting(lead):
        lead.store = create_inspection(
            kit.root / f"{lead.name}.hmip", establishment_name="HMP Testfield",
            establishment_type="mens_prison", framework=scored_framework(),
            start_date="2026-01-19", end_date="2026-01-28")
        team.add_members(lead.store, [d.card for d in others], keys=lead.keys)
        invite = kit.root / "invite.hmipbundle"
        team.write_invite(lead.store, invite, keys=lead.keys)
    for dev in others:
        with acting(dev):
            dev.store, _ = join.join_open(invite, kit.root / f"{dev.name}.hmip", keys=dev.keys)
    return [lead, *others]


def _sneak_agreed(dev: Device, level: str, value: int, why: str) -> str:
    """An agreed-score revision written past the service's check (an older app, say)."""
    assert dev.store is not None
    store = dev.store
    sid = S.agreed_score_id(store.inspection_id, "safety")
    payload = {"section_key": "safety", "kind": S.AGREED,
               "inspector_id": store.device.author_id,
               "inspector_name": store.device.author_name, "scale_key": "hmip4",
               "level_key": level, "level_label": level, "value": value, "rationale": why,
               "evidence_ids": []}
    with acting(dev), store.uow(write=True) as tx:
        store.put(tx, R.SCORE, sid, payload)
    return sid


def test_non_leader_agreed_score_is_refused_by_the_service(kit: TeamKit) -> None:
    lead, alice = _scored_team(kit, "lead", "alice")
    with acting(alice):
        service = ScoringService(alice.store)
        assert not service.can_record_agreed()
        with pytest.raises(UserError, match="Only the team leader"):
            service.set_agreed("safety", 3, "we agreed")
        service.set_provisional("safety", 3, "my view")  # still fine
        with alice.store.uow() as tx:
            assert tx.records.get(S.agreed_score_id(alice.store.inspection_id,
                                                    "safety")) is None
    with acting(lead):
        lead_service = ScoringService(lead.store)
        assert lead_service.can_record_agreed()
        assert lead_service.set_agreed("safety", 2, "after the meeting").kind == S.AGREED


def test_non_leader_agreed_score_is_refused_by_the_cli(kit: TeamKit, capsys) -> None:
    _lead, alice = _scored_team(kit, "lead", "alice")
    assert alice.store is not None
    path = Path(alice.store.path)
    alice.store.close()
    alice.store = None
    run = cli_runner(capsys)
    with acting(alice):
        result = run("score", "set", path, "--test", "safety", "--score", "3",
                     "--rationale", "we agreed", "--agreed")
        assert result.code != 0
        assert "Only the team leader" in result.err
        assert run("score", "set", path, "--test", "safety", "--score", "3",
                   "--rationale", "my view").code == 0


def test_agreed_score_from_a_non_leader_arrives_as_their_provisional(kit: TeamKit) -> None:
    lead, alice, bob = _scored_team(kit, "lead", "alice", "bob")
    with acting(lead):
        ScoringService(lead.store).set_agreed("safety", "good", "team meeting")
    kit.import_(alice, [kit.export(lead)])
    _sneak_agreed(alice, "poor", 1, "I think it is poor")
    alice_bundle = kit.export(alice)
    for dev in (lead, bob):
        kit.import_(dev, [alice_bundle])
        with acting(dev):
            team_view = ScoringService(dev.store).team_view("safety")
        assert team_view.agreed is not None
        assert (team_view.agreed.level_key, team_view.agreed.conflicted) == ("good", False)
        row = next(r for r in team_view.rows if r.inspector_id == alice.store.device.author_id)
        assert (row.level_key, row.rationale, row.kind) == ("poor", "I think it is poor",
                                                              S.PROVISIONAL)
    # Every laptop derives the same revision: lead and bob agree after exchanging.
    kit.import_(lead, [kit.export(bob)])
    kit.import_(bob, [kit.export(lead)])
    assert kit.digest(lead) == kit.digest(bob)


def test_leader_agreed_score_still_merges(kit: TeamKit) -> None:
    lead, alice = _scored_team(kit, "lead", "alice")
    with acting(lead):
        ScoringService(lead.store).set_agreed("safety", "reasonably_good", "agreed")
    kit.import_(alice, [kit.export(lead)])
    with acting(alice):
        agreed = ScoringService(alice.store).team_view("safety").agreed
    assert agreed is not None and agreed.level_key == "reasonably_good"


def test_conflict_resolution_by_a_non_leader_is_refused(kit: TeamKit) -> None:
    lead, alice = _scored_team(kit, "lead", "alice")
    with acting(lead):
        note = lead.notes.add(source_kind="observation", title="Wing", body="base")
    kit.import_(alice, [kit.export(lead)])
    with acting(lead):
        lead.notes.edit(note, body="lead says")
    with acting(alice):
        alice.notes.edit(note, body="alice says")
    kit.import_(alice, [kit.export(lead)])
    with acting(alice):
        view = conflicts.get_conflict(alice.store, note)
        with pytest.raises(UserError, match="Only the team leader"):
            conflicts.resolve_take(alice.store, note, view.versions[0].rev_id)
        with pytest.raises(UserError, match="Only the team leader"):
            conflicts.resolve_text(alice.store, note, "both")
        with pytest.raises(UserError, match="Only the team leader"):
            conflicts.auto_resolve(alice.store)
    kit.import_(lead, [kit.export(alice)])
    with acting(lead):
        view = conflicts.get_conflict(lead.store, note)
        conflicts.resolve_take(lead.store, note, view.versions[0].rev_id)
    assert NOT_TEAM_LEADER.startswith("Only the team leader")

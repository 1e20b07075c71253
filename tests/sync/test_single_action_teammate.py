"""A teammate still on the single-action version edits a concern with a multi-step plan: the
steps and the explanation it cannot show are carried forward (domain.plan_carry), the same on
every laptop whatever order bundles arrive in."""

from __future__ import annotations

from typing import Any

from hmip_desktop.domain import action_plan as AP
from hmip_desktop.domain import records as R
from hmip_desktop.domain.plan_carry import carried_plan, current_payload
from hmip_desktop.domain.revision import Revision
from hmip_desktop.services.concerns import ConcernService
from tests.sync.conftest import Device, TeamKit, acting

PLAN = AP.Response("partly_agreed", "Wings A and C only", (
    AP.Step("Body cameras", "Governor", "2027-03-01", "In progress"),
    AP.Step("Train staff", "Head of safety", "2027-05-01"),
    AP.Step("Audit footage", "Deputy governor", "2027-07-01"),
))


def _single_action(plan: Any) -> dict[str, Any]:
    """What the single-action version's save made of a stored plan (its _check_action_plan)."""
    return {"response": plan["response"], "action": str(plan.get("action") or ""),
            "owner": str(plan.get("owner") or ""),
            "target_date": plan.get("target_date") or None,
            "status": str(plan.get("status") or "")}


def _old_version_edit(dev: Device, cid: str, **changes: Any) -> None:
    """Save the concern as that version did: its own record, changes, the plan rebuilt."""
    assert dev.store is not None
    with acting(dev), dev.store.uow(write=True) as tx:
        raw = tx.records.heads(cid)[0].payload  # that version shows the winner as written
        plan = changes.pop("action_plan", None) or _single_action(raw["action_plan"])
        dev.store.put(tx, R.CONCERN, cid, {**raw, **changes, "action_plan": plan})


def _plan(dev: Device, cid: str) -> AP.Response | None:
    assert dev.store is not None
    return AP.read(ConcernService(dev.store).get(cid).action_plan)


def _concern_with_plan(kit: TeamKit, trio: list[Device]) -> str:
    lead, alice, bob = trio
    with acting(lead):
        svc = ConcernService(lead.store)
        cid = str(svc.add(title="Violence", body="Violence was high.", sections=["safety"]))
        svc.edit(cid, action_plan=PLAN.payload())
    shared = kit.export(lead)
    kit.import_(alice, [shared])
    kit.import_(bob, [shared])
    return cid


def test_a_title_edit_on_the_single_action_version_keeps_every_step(kit, trio) -> None:
    lead, alice, bob = trio
    cid = _concern_with_plan(kit, trio)
    _old_version_edit(alice, cid, title="Violence and self-harm")
    from_alice = kit.export(alice)
    kit.import_(lead, [from_alice])
    assert ConcernService(lead.store).get(cid).title == "Violence and self-harm"
    assert _plan(lead, cid) == PLAN
    # Bob gets Alice's bundle and then the lead's: the same state, shown the same way.
    kit.import_(bob, [kit.export(lead), from_alice])
    assert kit.digest(bob) == kit.digest(lead) and _plan(bob, cid) == PLAN
    # The next edit in this version writes the whole plan back into the log.
    with acting(lead):
        ConcernService(lead.store).edit(cid, body="Violence was very high.")
    with lead.store.uow() as tx:
        assert AP.read(tx.records.heads(cid)[0].payload["action_plan"]) == PLAN


def test_a_changed_first_step_is_kept_with_the_other_steps(kit, trio) -> None:
    lead, alice, _bob = trio
    cid = _concern_with_plan(kit, trio)
    with alice.store.uow() as tx:
        mine = _single_action(tx.records.get(cid).payload["action_plan"])
    _old_version_edit(alice, cid, action_plan={**mine, "owner": "Deputy governor",
                                               "status": "Started"})
    kit.import_(lead, [kit.export(alice)])
    assert _plan(lead, cid) == AP.Response(PLAN.response, PLAN.explanation, (
        AP.Step("Body cameras", "Deputy governor", "2027-03-01", "Started"), *PLAN.steps[1:]))


def test_a_new_response_on_the_single_action_version_stands_as_written(kit, trio) -> None:
    lead, alice, _bob = trio
    cid = _concern_with_plan(kit, trio)
    _old_version_edit(alice, cid, action_plan={
        "response": "not_agreed", "action": "No budget this year", "owner": "",
        "target_date": None, "status": ""})
    kit.import_(lead, [kit.export(alice)])
    assert _plan(lead, cid) == AP.Response("not_agreed", "No budget this year")


# ------------------------------------------------------------------- the rule on its own

def _rev(n: int, plan: Any, *parents: Revision, deleted: bool = False) -> Revision:
    payload = {"title": f"t{n}"} if plan is None else {"title": f"t{n}", "action_plan": plan}
    return Revision(entity_type=R.CONCERN, entity_id="c1",
                    parents=tuple(p.rev_id for p in parents), hlc=f"{n:020d}",
                    device_id="d", author_id="a", deleted=deleted, schema=1,
                    payload=payload, rev_id=f"{n:064x}")


def test_carried_through_a_chain_of_single_action_saves_but_not_past_a_removal() -> None:
    full = PLAN.payload()
    a = _rev(1, full)
    b = _rev(2, _single_action(full), a)
    c = _rev(3, _single_action(full), b)
    assert current_payload(c, [a, b, c])["action_plan"] == full
    assert current_payload(c, [c, b, a])["title"] == "t3"
    # The plan removed in between: what came after it is a new answer.
    gone = _rev(2, None, a)
    again = _rev(3, _single_action(full), gone)
    assert current_payload(again, [a, gone, again]) is again.payload
    # A plan in the current shape, or a record with no earlier plan, reads as written.
    assert current_payload(a, [a]) is a.payload
    lone = _rev(4, _single_action(full))
    assert current_payload(lone, [lone]) is lone.payload


def test_not_agreed_reasons_and_an_emptied_first_step() -> None:
    reasons = AP.Response("not_agreed", "No money").payload()
    assert carried_plan(_single_action(reasons), reasons) == reasons
    changed = {**_single_action(reasons), "action": "No money this year"}
    assert carried_plan(changed, reasons) is None  # their new reasons, as written
    emptied = {**_single_action(PLAN.payload()), "action": "", "owner": "",
               "target_date": None, "status": ""}
    assert AP.read(carried_plan(emptied, PLAN.payload())).steps == PLAN.steps[1:]


def test_a_file_merged_before_this_rule_shows_the_steps_once_reopened(  # type: ignore[no-untyped-def]
        tmp_path, monkeypatch) -> None:
    """Materialised by a version that did not carry plans (simulated), the concern shows the
    collapsed plan; opening the file with this version puts the steps back, once."""
    from hmip_desktop.services.inspections import create_inspection, open_inspection
    from hmip_desktop.storage import records_repo
    from tests.factories import minimal_framework

    store = create_inspection(tmp_path / "old.hmip", establishment_name="HMP Old",
                              establishment_type="mens_prison", framework=minimal_framework())
    svc = ConcernService(store)
    cid = str(svc.add(title="Violence", body="High.", sections=["safety"]))
    svc.edit(cid, action_plan=PLAN.payload())
    with monkeypatch.context() as m:  # as that version materialised the teammate's save
        m.setattr(records_repo, "current_payload", lambda winner, _revs: winner.payload)
        with store.uow(write=True) as tx:
            raw = tx.records.get(cid).payload
            store.put(tx, R.CONCERN, cid, {**raw, "title": "Violence (2)",
                                           "action_plan": _single_action(raw["action_plan"])})
    assert AP.read(ConcernService(store).get(cid).action_plan).steps == PLAN.steps[:1]
    store.close()
    with open_inspection(tmp_path / "old.hmip") as again:
        assert AP.read(ConcernService(again).get(cid).action_plan) == PLAN
        with again.uow() as tx:
            assert tx.records.stale_carried_plans() == []  # nothing to do at the next open

"""Handing the report on (factual accuracy check, publication) needs readiness: the method's
concern limits (up to 15 key concerns, 3-6 priority) and every other blocking item stop the
move unless the team leader decides to go ahead regardless."""

from __future__ import annotations

import datetime as dt

import pytest

from hmip_desktop.domain import lifecycle as L
from hmip_desktop.services.concerns import ConcernService
from hmip_desktop.services.lifecycle import LifecycleService
from tests.scoring.conftest import make_ready


def _service(store) -> LifecycleService:  # type: ignore[no-untyped-def]
    return LifecycleService(store, today=lambda: dt.date(2026, 12, 1))


@pytest.mark.parametrize("target", [L.FACTUAL_ACCURACY_CHECK, L.PUBLISHED])
def test_too_many_priority_concerns_stop_the_move(full_store, target) -> None:
    make_ready(full_store, priority=7)
    with pytest.raises(L.NotReadyForStatus) as refused:
        _service(full_store).set_status(target)
    assert refused.value.blockers == ["7 priority concerns: a report needs 3 to 6."]
    assert "--despite-readiness" in str(refused.value)
    assert _service(full_store).view().status == L.FIELDWORK  # nothing written


def test_a_ready_inspection_moves_and_the_leader_may_go_ahead_regardless(full_store) -> None:
    make_ready(full_store)
    svc = _service(full_store)
    assert svc.set_status(L.FACTUAL_ACCURACY_CHECK).types
    ConcernService(full_store).add(title="Late", body="b", sections=["safety"], priority=True)
    ConcernService(full_store).add(title="Later", body="b", sections=["safety"],
                                   priority=True)
    ConcernService(full_store).add(title="Latest", body="b", sections=["safety"],
                                   priority=True)
    ConcernService(full_store).add(title="Too many", body="b", sections=["safety"],
                                   priority=True)  # 7 priority concerns now
    with pytest.raises(L.NotReadyForStatus):
        svc.set_status(L.PUBLISHED, "2026-11-30")
    assert svc.set_status(L.PUBLISHED, "2026-11-30", despite_readiness=True).types
    assert svc.view().status == L.PUBLISHED
    # Moves that do not hand the report on are not gated.
    assert svc.set_status(L.ACTION_PLAN_RECEIVED, "2026-12-01").types

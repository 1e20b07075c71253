"""Fixtures for scoring, concern, review and readiness tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from hmip_desktop.services.concerns import ConcernService
from hmip_desktop.services.inspections import create_inspection
from hmip_desktop.services.scoring import ScoringService
from tests.factories import scored_framework

# The scored framework's judged tests and areas.
JUDGED = ("safety", "respect", "purposeful_activity", "preparation_for_release")
AREAS = {"leadership": ["direction"], "safety": ["early_days", "managing_behaviour"],
         "respect": ["relationships"], "purposeful_activity": ["time_out_of_cell"],
         "preparation_for_release": ["release_planning"]}


def make_ready(store, priority: int = 3, key: int = 1) -> None:  # type: ignore[no-untyped-def]
    """Findings in every area, agreed scores for every judged test and `priority` priority
    plus `key` key concerns: nothing else blocks readiness."""
    scoring = ScoringService(store)
    for section, areas in AREAS.items():
        for area in areas:
            scoring.set_findings(section, area, "Findings")
    for section in JUDGED:
        scoring.set_provisional(section, "reasonably_good", "mine")
        scoring.set_agreed(section, 3, "agreed")
    concerns = ConcernService(store)
    for i in range(priority + key):
        concerns.add(title=f"C{i}", body="b", sections=["safety"], priority=i < priority)


@pytest.fixture
def full_store(tmp_path: Path):
    """A full inspection on the scored framework, ending 2026-01-28."""
    s = create_inspection(tmp_path / "full.hmip", establishment_name="HMP Testfield",
                          establishment_type="mens_prison", framework=scored_framework(),
                          start_date="2026-01-19", end_date="2026-01-28")
    yield s
    s.close()


@pytest.fixture
def irp_store(tmp_path: Path):
    """An independent review of progress on the scored framework."""
    s = create_inspection(tmp_path / "irp.hmip", establishment_name="HMP Testfield",
                          establishment_type="mens_prison", framework=scored_framework(),
                          kind="irp", start_date="2026-03-02", end_date="2026-03-04")
    yield s
    s.close()

"""Fixtures for scoring, concern, review and readiness tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from hmip_desktop.services.inspections import create_inspection
from tests.factories import scored_framework


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

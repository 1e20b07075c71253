"""`hmip history` tells the devices of one team apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hmip_desktop.domain.ids import short_id, uuid7
from tests.report.support import cli_runner


def test_short_ids_of_one_day_differ() -> None:
    """Ids made the same day share their first 8 characters (UUIDv7 time); the short form
    keeps the random end instead."""
    a, b = uuid7(), uuid7()
    assert a[:8] == b[:8]
    assert short_id(a) != short_id(b) and short_id(a) == f"…{a[-8:]}"


def test_history_names_the_device_by_the_end_of_its_id(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each revision line shows the device as the GUI's conflict view does (…last 8), not the
    time prefix every device created that week shares."""
    run = cli_runner(capsys)
    f = tmp_path / "insp.hmip"
    assert run("new", f, "--establishment", "HMP History", "--type", "mens_prison").code == 0
    note = run("note", "add", f, "--source", "observation", "--title", "Gate",
               "--body", "x").out.strip()
    device = json.loads(run("identity", "show", "--json").out)["device_id"]
    out = run("history", f, note).out
    assert f"device …{device[-8:]}" in out
    assert f"device {device[:8]}" not in out

"""`hmip new` over a name whose file was deleted but whose key record is still there says
so (it said "'x.hmip' already exists" of a file that did not), and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.report.support import cli_runner


@pytest.fixture
def run(capsys):  # type: ignore[no-untyped-def]
    return cli_runner(capsys)


def test_a_leftover_key_record_is_named(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "wing.hmip"
    assert run("new", path, "--establishment", "HMP A", "--type", "mens-prison").code == 0
    record = tmp_path / "wing.hmip.key"
    kept = record.read_bytes()
    path.unlink()
    again = run("new", path, "--establishment", "HMP B", "--type", "mens-prison")
    assert again.code == 2
    assert "key record 'wing.hmip.key'" in again.err and "is not" in again.err
    assert "already exists" not in again.err
    assert record.read_bytes() == kept and not path.exists()

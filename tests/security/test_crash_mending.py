"""Findings 6 and 7: an import killed (SIGKILL) at each point between its first file and
its rebuild leaves nothing behind once the file is opened again, and nothing is lost."""

from __future__ import annotations

import json
import os
import shutil
import signal
from pathlib import Path

import pytest

from tests.security.helpers import runner as _runner

POINTS = ["import.after_blobs", "import.after_snapshot", "import.after_commit"]

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and flock")


@pytest.fixture(scope="module")
def team(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The leader's file before the import, and Alice's bundle with an attachment and an
    extract (whose row table the leader must rebuild)."""
    root = tmp_path_factory.mktemp("crash")
    lead, alice = _runner(root, "lead"), _runner(root, "alice")
    alice("identity", "export", "--out", "alice.card")
    lead("new", "lead.hmip", "--establishment", "HMP Crash", "--type", "mens_prison")
    lead("team", "add", "lead.hmip", "alice.card")
    lead("team", "invite", "lead.hmip", "--out", "invite.hmipbundle")
    alice("join", "invite.hmipbundle", "--out", "alice.hmip")
    (root / "policy.txt").write_text("a policy about segregation\n", encoding="utf-8")
    alice("doc", "add", "alice.hmip", "policy.txt")
    (root / "uof.csv").write_text("date,count\n2026-01-01,3\n2026-01-02,4\n", encoding="utf-8")
    extract_id = alice("extract", "import", "alice.hmip", "uof.csv").stdout.strip()
    alice("bundle", "export", "alice.hmip", "--out", "alice.hmipbundle")
    return root, lead, extract_id


def _copy_lead(root: Path, dest: Path) -> Path:
    dest.mkdir()
    for p in root.iterdir():
        if p.name.startswith("lead.hmip"):
            (shutil.copytree if p.is_dir() else shutil.copy2)(p, dest / p.name)
    return dest / "lead.hmip"


def _debris(folder: Path) -> tuple[list[str], list[str], list[str]]:
    names = sorted(p.name for p in folder.iterdir())
    blobs = sorted(p.name for p in (folder / "lead.hmip.blobs").iterdir()) \
        if (folder / "lead.hmip.blobs").exists() else []
    return ([n for n in names if n.endswith(".pending")], [n for n in names if ".undo-" in n],
            blobs)


@pytest.mark.parametrize("point", POINTS)
def test_killed_import_is_mended_at_the_next_open(team, tmp_path: Path, point: str) -> None:
    root, lead, extract_id = team
    f = _copy_lead(root, tmp_path / "w")
    _pending, _snaps, blobs_before = _debris(f.parent)
    killed = lead("bundle", "import", str(f), str(root / "alice.hmipbundle"), fault=point)
    assert killed.returncode == -signal.SIGKILL
    committed = point == "import.after_commit"
    pending, snaps, blobs = _debris(f.parent)
    assert len(blobs) > len(blobs_before)
    assert len(pending) == (0 if committed else 1)  # the journal of a dead import
    checks = json.loads(lead("self-check", str(f), "--json").stdout)
    by_name = {c["name"]: c for c in checks}
    assert ("none" if committed else "1 found") in by_name["interrupted imports"]["detail"]
    assert by_name["derived data"]["ok"]
    pending, snaps, blobs = _debris(f.parent)
    assert pending == []
    if committed:
        assert len(snaps) == 1  # the snapshot "undo last merge" needs
        assert "rebuilt" in by_name["derived data"]["detail"]
        rows = json.loads(lead("extract", "query", str(f), extract_id, "--json").stdout)
        assert len(rows["rows"] if isinstance(rows, dict) else rows) == 2
        again = json.loads(lead("bundle", "import", str(f), str(root / "alice.hmipbundle"),
                                "--json").stdout)
        assert [o["status"] for o in again["outcomes"]] == ["already_imported"]
    else:
        assert snaps == [] and blobs == blobs_before  # nothing of the dead import is left
        lead("bundle", "import", str(f), str(root / "alice.hmipbundle"))
        assert len(_debris(f.parent)[2]) > len(blobs_before)
    assert _debris(f.parent)[0] == []

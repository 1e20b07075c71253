"""The sync commands through real subprocesses; each inspector has their own HMIP_HOME."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

PASSPHRASE = "cli sync passphrase 123"
Runner = Callable[..., subprocess.CompletedProcess]


@pytest.fixture
def as_user(tmp_path: Path) -> Callable[[str], Runner]:
    """as_user(name)(*args): run `hmip` as that inspector, in the shared work folder."""

    def make(name: str) -> Runner:
        home = tmp_path / "homes" / name
        home.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "HMIP_HOME": str(home), "HMIP_KEY_SOURCE": "passphrase",
               "HMIP_PASSPHRASE": PASSPHRASE, "PYTHONIOENCODING": "utf-8",
               "HMIP_AUTHOR_NAME": name.title()}

        def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
            proc = subprocess.run([sys.executable, "-m", "hmip_desktop.cli.main", *args],
                                  capture_output=True, text=True, env=env, cwd=tmp_path,
                                  timeout=120)
            if check and proc.returncode != 0:
                raise AssertionError(f"hmip {' '.join(args[:2])} failed: {proc.stderr}")
            return proc

        return run

    return make


@pytest.mark.slow
def test_team_bundle_conflict_cycle(as_user, tmp_path: Path) -> None:
    """Leader sets up the team from cards, Alice joins, they exchange, clash and resolve."""
    lead, alice = as_user("lead"), as_user("alice")
    lead("identity", "set", "--name", "Lena Lead", "--role", "team_leader")
    alice("identity", "set", "--name", "Alice Inspector")
    shown = json.loads(alice("identity", "show", "--json").stdout)
    assert shown["name"] == "Alice Inspector" and len(shown["fingerprint"]) == 24
    assert "PRIVATE" not in json.dumps(shown) and "SECRET" not in json.dumps(shown)
    alice("identity", "export", "--out", "alice.card")
    lead("new", "lead.hmip", "--establishment", "HMP Testfield", "--type", "mens_prison")
    lead("team", "add", "lead.hmip", "alice.card")
    roster = json.loads(lead("team", "list", "lead.hmip", "--json").stdout)
    assert [m["name"] for m in roster["members"]] == ["Lena Lead", "Alice Inspector"]
    out = lead("team", "invite", "lead.hmip", "--out", "invite.hmipbundle").stdout
    lead_fp = out.split("fingerprint: ")[1].split()[0]
    info = json.loads(alice("bundle", "inspect", "invite.hmipbundle", "--json").stdout)
    assert info["kind"] == "invite" and info["signer_fingerprint"] == lead_fp
    joined = json.loads(alice("join", "invite.hmipbundle", "--out", "alice.hmip",
                              "--leader-fingerprint", lead_fp, "--json").stdout)
    assert joined["leader_fingerprint"] == lead_fp

    note = alice("note", "add", "alice.hmip", "--source", "observation", "--title", "Wing",
                 "--body", "first").stdout.strip()
    alice("bundle", "export", "alice.hmip", "--out", "a1.hmipbundle")
    first = json.loads(lead("bundle", "import", "lead.hmip", "a1.hmipbundle", "--json").stdout)
    assert first["outcomes"][0]["status"] == "imported" and first["revisions_new"] >= 1
    again = json.loads(lead("bundle", "import", "lead.hmip", "a1.hmipbundle", "--json").stdout)
    assert again["outcomes"][0]["status"] == "already_imported" and not again["changed"]

    lead("note", "edit", "lead.hmip", note, "--body", "lead's words")
    alice("note", "edit", "alice.hmip", note, "--body", "alice's words")
    alice("bundle", "export", "alice.hmip", "--out", "a2.hmipbundle")
    lead("bundle", "import", "lead.hmip", "a2.hmipbundle")
    found = json.loads(lead("conflicts", "lead.hmip", "--json").stdout)
    assert [c["record_id"] for c in found] == [note]
    (tmp_path / "combined.txt").write_text("both sets of words", encoding="utf-8")
    lead("resolve", "lead.hmip", note, "--text-file", "combined.txt")
    assert json.loads(lead("conflicts", "lead.hmip", "--json").stdout) == []
    assert "resolved 0 conflicts" in lead("resolve", "lead.hmip", "--auto").stdout

    lead("bundle", "export", "lead.hmip", "--out", "l1.hmipbundle")
    alice("bundle", "import", "alice.hmip", "l1.hmipbundle")
    notes = json.loads(alice("note", "list", "alice.hmip", "--json").stdout)
    assert notes[0]["body"] == "both sets of words" and not notes[0]["conflicted"]
    history = json.loads(alice("bundle", "history", "alice.hmip", "--json").stdout)
    assert history[0]["undoable"]
    alice("bundle", "undo-merge", "alice.hmip")
    notes = json.loads(alice("note", "list", "alice.hmip", "--json").stdout)
    assert notes[0]["body"] == "alice's words"


@pytest.mark.slow
def test_cli_refusals_are_one_clear_line(as_user, tmp_path: Path) -> None:
    """Outsiders, members changing the roster and take-by-revision errors exit 2, no trace."""
    lead, bob, eve = as_user("lead"), as_user("bob"), as_user("eve")
    bob("identity", "export", "--out", "bob.card")
    lead("new", "lead.hmip", "--establishment", "HMP Testfield", "--type", "mens_prison")
    lead("team", "add", "lead.hmip", "bob.card")
    lead("team", "invite", "lead.hmip", "--out", "invite.hmipbundle")
    bob("join", "invite.hmipbundle", "--out", "bob.hmip")
    lead("identity", "export", "--out", "lead.card")
    refused = bob("team", "add", "bob.hmip", "lead.card", check=False)
    assert refused.returncode == 2 and "Only the team leader" in refused.stderr
    bad = eve("bundle", "inspect", "invite.hmipbundle", check=False)
    assert bad.returncode == 2 and "not encrypted to you" in bad.stderr
    assert "Traceback" not in bad.stderr
    lead("team", "remove", "lead.hmip", "Bob")
    listed = json.loads(lead("team", "list", "lead.hmip", "--json").stdout)
    assert [m["status"] for m in listed["members"]] == ["active", "removed"]
    bob("note", "add", "bob.hmip", "--source", "observation", "--title", "t", "--body", "b")
    bob("bundle", "export", "bob.hmip", "--out", "b1.hmipbundle")
    late = lead("bundle", "import", "lead.hmip", "b1.hmipbundle", check=False)
    assert late.returncode == 2 and "when they were removed" in late.stderr
    nothing = lead("bundle", "undo-merge", "lead.hmip", check=False)
    assert nothing.returncode == 2 and "no merge to undo" in nothing.stderr
    missing = lead("resolve", "lead.hmip", "no-such-record", "--take", "abcdef", check=False)
    assert missing.returncode == 2

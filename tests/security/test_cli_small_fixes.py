"""Findings 14 and 15 through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pyrage

from tests.cli.conftest import as_json


def test_recover_holds_the_new_passphrase_to_the_minimum(hmip, tmp_path: Path) -> None:
    """Re-wrapping a recovered key with a one-character passphrase is refused; the key
    record is unchanged; a proper passphrase works."""
    org = pyrage.x25519.Identity.generate()
    hmip("settings", "recovery-key", str(org.to_public()))
    f = tmp_path / "r.hmip"
    hmip("new", str(f), "--establishment", "HMP R", "--type", "mens_prison")
    ident = tmp_path / "org.key"
    ident.write_text(f"{org}\n")
    record = Path(str(f) + ".key")
    before = record.read_bytes()
    proc = hmip("recover", str(f), "--identity-file", str(ident), check=False,
                extra_env={"HMIP_PASSPHRASE": "x"})
    assert proc.returncode == 2 and "at least 10 characters" in proc.stderr, proc.stderr
    assert proc.stderr.count("\n") == 1
    assert record.read_bytes() == before
    hmip("recover", str(f), "--identity-file", str(ident),
         extra_env={"HMIP_PASSPHRASE": "a new long passphrase"})
    assert json.loads(record.read_text())["wrapped"] != json.loads(before)["wrapped"]


def test_team_list_says_the_leader_can_manage(hmip, tmp_path: Path) -> None:
    f = tmp_path / "t.hmip"
    hmip("new", str(f), "--establishment", "HMP T", "--type", "mens_prison")
    card = tmp_path / "alice.card"
    other = tmp_path / "other-home"
    other.mkdir()
    hmip("identity", "export", "--out", str(card), extra_env={"HMIP_HOME": str(other)})
    hmip("team", "add", str(f), str(card))
    view = as_json(hmip("team", "list", str(f), "--json"))
    assert view["can_manage"] is True and view["me"]["role"] == "team_leader"


def test_note_help_names_the_private_way(hmip) -> None:
    text = " ".join(hmip("note", "add", "--help").stdout.split())
    assert "process list" in text and "--body-file" in text

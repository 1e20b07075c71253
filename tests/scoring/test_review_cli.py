"""The score, concern, previous, progress, un and readiness commands, run as `hmip` would be."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hmip_desktop.services.inspections import create_inspection
from tests.factories import scored_framework

PASSPHRASE = "a long test passphrase"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def hmip_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An inspection file the subprocess can open with a passphrase (no keyring)."""
    monkeypatch.setenv("HMIP_KEY_SOURCE", "passphrase")
    monkeypatch.setenv("HMIP_PASSPHRASE", PASSPHRASE)
    store = create_inspection(tmp_path / "cli.hmip", establishment_name="HMP Testfield",
                              establishment_type="mens_prison", framework=scored_framework(),
                              start_date="2026-01-19", end_date="2026-01-28",
                              provider=lambda purpose: PASSPHRASE)
    path = store.path
    store.close()
    return path


def hmip(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run one `hmip` command in a subprocess with this test's environment."""
    return subprocess.run([sys.executable, "-m", "hmip_desktop.cli.main", *map(str, args)],
                          cwd=ROOT, env=dict(os.environ), capture_output=True, text=True,
                          timeout=120)


def test_score_set_and_list(hmip_file: Path) -> None:
    """Provisional and agreed scores by value or level key; list shows both; bad input is
    one line on stderr with exit code 2."""
    r = hmip("score", "set", hmip_file, "--test", "safety", "--score", "3", "--rationale", "ok")
    assert r.returncode == 0, r.stderr
    assert "Reasonably good" in r.stdout
    r = hmip("score", "set", hmip_file, "--test", "safety", "--score", "poor", "--rationale",
             "agreed", "--agreed")
    assert r.returncode == 0, r.stderr
    listed = json.loads(hmip("score", "list", hmip_file, "--json").stdout)
    assert sorted((s["kind"], s["level_key"]) for s in listed["scores"]) == [
        ("agreed", "poor"), ("provisional", "reasonably_good")]
    safety = next(s for s in listed["sections"] if s["section_key"] == "safety")
    assert safety["agreed"]["value"] == 1 and len(safety["rows"]) == 1
    bad = hmip("score", "set", hmip_file, "--test", "safety", "--score", "9", "--rationale", "x")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
    bad = hmip("score", "set", hmip_file, "--test", "leadership", "--score", "3",
               "--rationale", "x")
    assert bad.returncode == 2 and "not scored" in bad.stderr


def test_concern_add_and_list_with_rule_warnings(hmip_file: Path) -> None:
    """Concerns are added with sections, priority, addressee and evidence; list warns."""
    note = hmip("note", "add", hmip_file, "--source", "observation", "--title", "Wing",
                "--body", "Observed")
    assert note.returncode == 0, note.stderr
    note_id = note.stdout.strip()
    r = hmip("concern", "add", hmip_file, "--title", "Violence", "--body", "Effect on men",
             "--test", "safety", "--test", "respect", "--priority", "--to", "hmpps",
             "--evidence", note_id)
    assert r.returncode == 0, r.stderr
    assert "warning: 1 priority concern: a report needs 3 to 6." in r.stderr
    listed = hmip("concern", "list", hmip_file)
    assert "Violence" in listed.stdout and "warning:" in listed.stdout
    data = json.loads(hmip("concern", "list", hmip_file, "--json").stdout)
    assert data["concerns"][0]["sections"] == ["safety", "respect"]
    assert data["concerns"][0]["evidence_ids"] == [note_id]
    assert [i["code"] for i in data["issues"]] == ["priority_count"]
    npp = hmip("npp", "add", hmip_file, "--title", "Mentors", "--body", "Good",
               "--evidence", note_id)
    assert npp.returncode == 0, npp.stderr
    assert json.loads(hmip("npp", "list", hmip_file, "--json").stdout)[0]["title"] == "Mentors"


def test_readiness_exit_codes(hmip_file: Path, tmp_path: Path) -> None:
    """readiness exits 1 while anything blocks and 0 once nothing does."""
    r = hmip("readiness", hmip_file, "--json")
    assert r.returncode == 1
    assert {b["code"] for b in json.loads(r.stdout)["blockers"]} >= {
        "no_agreed_score", "no_findings", "priority_count"}
    from hmip_desktop.services.concerns import ConcernService
    from hmip_desktop.services.inspections import open_inspection
    from hmip_desktop.services.scoring import ScoringService

    store = open_inspection(hmip_file, provider=lambda purpose: PASSPHRASE)
    try:
        scoring = ScoringService(store)
        for sec in scored_framework()["sections"]:
            for area in sec["areas"]:
                scoring.set_findings(sec["key"], area["key"], "Findings")
        for key, _label in scoring.judged_sections():
            scoring.set_agreed(key, "reasonably_good", "agreed")
        for i in range(3):
            ConcernService(store).add(title=f"C{i}", body="b", sections=["safety"],
                                      priority=True)
    finally:
        store.close()
    r = hmip("readiness", hmip_file)
    assert r.returncode == 0, r.stdout
    assert r.stdout.startswith("Ready: nothing blocks a draft")
    csv_path = tmp_path / "prev.csv"
    csv_path.write_text("ref,title,text\nS1,Violence,Too high\n", encoding="utf-8")
    assert hmip("previous", "import", hmip_file, csv_path).returncode == 0
    r = hmip("progress", "set", hmip_file, "--previous", "S1", "--judgement",
             "insufficient_progress", "--rationale", "little change")
    assert r.returncode == 0, r.stderr
    items = json.loads(hmip("previous", "list", hmip_file, "--json").stdout)
    assert items[0]["progress"]["level_key"] == "insufficient_progress"


def test_previous_import_refuses_malformed_csv(hmip_file: Path, tmp_path: Path) -> None:
    """A malformed file names its row and column and changes nothing."""
    csv_path = tmp_path / "bad.csv"
    csv_path.write_text("ref,title,text\nS1,,x\n", encoding="utf-8")
    r = hmip("previous", "import", hmip_file, csv_path)
    assert r.returncode == 2 and "row 2" in r.stderr and "'title'" in r.stderr
    assert json.loads(hmip("previous", "list", hmip_file, "--json").stdout) == []


def test_un_set_show_and_clear(hmip_file: Path) -> None:
    """The flag with reasons and criteria; show gives the due dates; clear removes it."""
    r = hmip("un", "set", hmip_file, "--reason", "Violence", "Drugs", "--criterion",
             "vulnerability", "--letter-date", "2026-02-03")
    assert r.returncode == 0, r.stderr
    shown = json.loads(hmip("un", "show", hmip_file, "--json").stdout)
    assert shown["active"] and shown["reasons"] == ["Violence", "Drugs"]
    assert shown["dates"]["letter_due"] == "2026-02-04"
    assert shown["dates"]["response_due"] == "2026-03-03"
    assert hmip("un", "set", hmip_file, "--clear", "--reason", "x").returncode == 2
    assert hmip("un", "set", hmip_file, "--clear").returncode == 0
    assert "no Urgent Notification" in hmip("un", "show", hmip_file).stdout

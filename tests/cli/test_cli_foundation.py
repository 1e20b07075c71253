"""`hmip` end to end through subprocesses on real encrypted files."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import as_json


def test_new_note_search_history_info(hmip, tmp_path: Path) -> None:
    """The foundation commands work together on one file."""
    f = tmp_path / "cli.hmip"
    out = hmip("new", str(f), "--establishment", "HMP Clitown", "--type", "mens_prison",
               "--start", "2026-11-16", "--end", "2026-11-27", "--json")
    created = as_json(out)
    assert created["framework"].startswith("men-prisons@")
    assert created["key_source"] == "passphrase"
    note_id = hmip("note", "add", str(f), "--source", "observation", "--title", "Night visit",
                   "--body", "Cell bells unanswered on C wing", "--expectation", "1",
                   "--where", "C wing").stdout.strip()
    assert len(note_id) == 36
    body = tmp_path / "body.txt"
    body.write_text("Staff interview about segregation reviews", encoding="utf-8")
    hmip("note", "add", str(f), "--source", "staff_interview", "--title", "Officer A",
         "--body-file", str(body))
    hmip("note", "add", str(f), "--source", "survey", "--title", "From stdin", "--body-file",
         "-", input="survey comments about food")
    notes = as_json(hmip("note", "list", str(f), "--json"))
    assert {n["title"] for n in notes} == {"Night visit", "Officer A", "From stdin"}
    assert hmip("note", "edit", str(f), note_id, "--title", "Night visit (2)").stdout.strip() \
        == "updated"
    hits = as_json(hmip("search", str(f), "segregation", "--json"))
    assert [h["title"] for h in hits] == ["Officer A"] and "[segregation]" in hits[0]["snippet"]
    history = as_json(hmip("history", str(f), note_id, "--json"))
    assert [h["payload"]["title"] for h in history] == ["Night visit", "Night visit (2)"]
    info = as_json(hmip("info", str(f), "--json"))
    assert info["establishment_name"] == "HMP Clitown"
    assert info["counts"]["note"] == 3 and info["counts"]["link"] == 1
    assert info["key_source"] == "passphrase" and info["unexported_changes"] >= 5
    assert info["framework_id"] == "men-prisons"
    text = hmip("info", str(f)).stdout
    assert "Not exported" in text


def test_user_errors_are_one_line_without_traceback(hmip, tmp_path: Path) -> None:
    """Mistakes exit 2 with one clear line on stderr."""
    f = tmp_path / "e.hmip"
    hmip("new", str(f), "--establishment", "HMP E", "--type", "mens_prison")
    cases = [
        ("note", "add", str(f), "--source", "observation", "--title", " ", "--body", "x"),
        ("note", "edit", str(f), "00000000-0000-7000-8000-000000000000", "--title", "x"),
        ("history", str(f), "no-such-id"),
        ("info", str(tmp_path / "missing.hmip")),
        ("new", str(f), "--establishment", "HMP E", "--type", "mens_prison"),
        ("new", str(tmp_path / "x.hmip"), "--establishment", "X", "--type", "no_such_type"),
    ]
    for args in cases:
        proc = hmip(*args, check=False)
        assert proc.returncode == 2, (args, proc.stderr)
        assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
    wrong = hmip("info", str(f), check=False, extra_env={"HMIP_PASSPHRASE": "wrong passphrase"})
    assert wrong.returncode == 2 and "passphrase is wrong" in wrong.stderr


def test_search_input_can_never_break_the_query(hmip, tmp_path: Path) -> None:
    """FTS syntax characters in user input are quoted, never an error."""
    f = tmp_path / "s.hmip"
    hmip("new", str(f), "--establishment", "HMP S", "--type", "mens_prison")
    hmip("note", "add", str(f), "--source", "observation", "--title", "t", "--body", "a b c")
    for query in ['"unbalanced', "AND OR NOT", "a:b", "(x", "*", "NEAR(a b)", "-x", "^"]:
        assert hmip("search", str(f), "--", query, check=False).returncode == 0, query


def test_self_check_passes(hmip) -> None:
    """The installation check reports keyring, SQLCipher, FTS5 and migrations."""
    out = hmip("self-check").stdout
    for name in ("keyring", "SQLCipher", "migrations", "FTS5", "encryption at rest"):
        assert name in out
    assert "FAIL" not in out


def test_every_command_documents_itself(hmip) -> None:
    """--help works for every command group."""
    for args in (["--help"], ["new", "--help"], ["note", "add", "--help"],
                 ["search", "--help"], ["history", "--help"], ["info", "--help"],
                 ["self-check", "--help"]):
        assert hmip(*args).stdout.startswith("usage:")

"""Every edit the Concerns and Scoring pages can make has a CLI verb: concern edit | remove |
move, npp edit | remove | move, score withdraw (run in-process)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from hmip_desktop.cli.main import main
from tests.report.support import Run, cli_runner


@pytest.fixture
def run(capsys):  # type: ignore[no-untyped-def]
    """`run("concern", "add", …)` in-process."""
    return cli_runner(capsys)


@pytest.fixture
def path(run, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """A new men's prison inspection."""
    f = tmp_path / "insp.hmip"
    assert run("new", f, "--establishment", "HMP Edits", "--type", "mens_prison").code == 0
    return f


def _ok(result: Run) -> str:
    assert result.code == 0, result.err
    return result.out.strip()


def _concerns(run, path: Path) -> list[dict]:  # type: ignore[no-untyped-def]
    return json.loads(_ok(run("concern", "list", path, "--json")))["concerns"]


def _npps(run, path: Path) -> list[dict]:  # type: ignore[no-untyped-def]
    return json.loads(_ok(run("npp", "list", path, "--json")))


def _add_concerns(run, path: Path, *titles: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [_ok(run("concern", "add", path, "--title", t, "--body", f"{t}.", "--test", "safety"))
            for t in titles]


def test_concern_edit_changes_only_the_given_fields(run, path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Title, body from stdin, sections (kebab-case), priority and addressee; rest unchanged."""
    [cid] = _add_concerns(run, path, "Dirty cells")
    monkeypatch.setattr("sys.stdin", io.StringIO("Cells on C wing were filthy."))
    out = _ok(run("concern", "edit", path, cid, "--title", "Filthy cells", "--body-file", "-",
                  "--test", "purposeful-activity", "--test", "respect", "--priority",
                  "--to", "establishment-leaders"))
    assert out == f"{cid} changed"
    [c] = _concerns(run, path)
    assert (c["title"], c["body"], c["sections"], c["priority"], c["addressee"]) == (
        "Filthy cells", "Cells on C wing were filthy.", ["purposeful_activity", "respect"],
        True, "establishment_leaders")
    assert _ok(run("concern", "edit", path, cid, "--no-priority", "--no-addressee")) \
        == f"{cid} changed"
    [c] = _concerns(run, path)
    assert (c["title"], c["priority"], c["addressee"]) == ("Filthy cells", False, None)
    assert _ok(run("concern", "edit", path, cid, "--title", "Filthy cells")) == "nothing changed"


def test_concern_edit_refuses_bad_values(run, path: Path) -> None:  # type: ignore[no-untyped-def]
    """Unknown ids, sections and addressees are user errors (exit 2), nothing written."""
    [cid] = _add_concerns(run, path, "Dirty cells")
    assert run("concern", "edit", path, "nope", "--title", "x").code == 2
    bad = run("concern", "edit", path, cid, "--test", "no-such-test")
    assert bad.code == 2 and "no-such-test" not in bad.out
    assert run("concern", "edit", path, cid, "--to", "nobody").code == 2
    assert _concerns(run, path)[0]["title"] == "Dirty cells"


def test_concern_add_reads_the_body_from_a_file(run, path: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """--body-file PATH is the private way to add a concern too."""
    body = tmp_path / "body.txt"
    body.write_text("Private description.", encoding="utf-8")
    _ok(run("concern", "add", path, "--title", "T", "--body-file", body, "--test", "safety"))
    assert _concerns(run, path)[0]["body"] == "Private description."


def test_concern_remove(run, path: Path) -> None:  # type: ignore[no-untyped-def]
    """Remove takes the concern out of the register; removing it again is refused."""
    first, second = _add_concerns(run, path, "One", "Two")
    assert _ok(run("concern", "remove", path, first)) == f"{first} removed"
    assert [c["id"] for c in _concerns(run, path)] == [second]
    assert run("concern", "remove", path, first).code == 2


def test_concern_move_every_way(run, path: Path) -> None:  # type: ignore[no-untyped-def]
    """--position, --up, --down, --first, --last, --before, --after, and the priority flag."""
    a, b, c, d = _add_concerns(run, path, "A", "B", "C", "D")

    def order() -> list[str]:
        return [x["id"] for x in _concerns(run, path)]

    assert _ok(run("concern", "move", path, d, "--position", "1")) == f"{d} now at place 1"
    assert order() == [d, a, b, c]
    _ok(run("concern", "move", path, d, "--down"))
    assert order() == [a, d, b, c]
    _ok(run("concern", "move", path, b, "--up"))
    assert order() == [a, b, d, c]
    _ok(run("concern", "move", path, a, "--last"))
    assert order() == [b, d, c, a]
    _ok(run("concern", "move", path, a, "--first"))
    assert order() == [a, b, d, c]
    _ok(run("concern", "move", path, a, "--after", d))
    assert order() == [b, d, a, c]
    _ok(run("concern", "move", path, c, "--before", b))
    assert order() == [c, b, d, a]
    assert [x["order"] for x in _concerns(run, path)] == [1, 2, 3, 4]
    assert _ok(run("concern", "move", path, c, "--up")) == "nothing changed"
    _ok(run("concern", "move", path, d, "--priority"))
    # Listed as the report lists them, priority first, with the report's numbers.
    assert order() == [d, c, b, a]
    assert [x["priority"] for x in _concerns(run, path)] == [True, False, False, False]
    assert [x["ref"] for x in _concerns(run, path)] == ["1", "2", "3", "4"]
    refused = run("concern", "move", path, a, "--position", "1")
    assert refused.code == 2 and "places 2–4" in refused.err
    assert run("concern", "move", path, d, "--position", "9").code == 2
    assert run("concern", "move", path, d).code == 2


def test_npp_edit_remove_and_move(run, path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Entries of notable positive practice are edited, reordered and removed."""
    first = _ok(run("npp", "add", path, "--title", "Peer mentors", "--body", "Good."))
    monkeypatch.setattr("sys.stdin", io.StringIO("Very good library."))
    second = _ok(run("npp", "add", path, "--title", "Library", "--body-file", "-",
                     "--test", "purposeful-activity"))
    assert _npps(run, path)[1]["body"] == "Very good library."
    assert _ok(run("npp", "edit", path, second, "--title", "The library", "--no-tests")) \
        == f"{second} changed"
    entry = _npps(run, path)[1]
    assert (entry["title"], entry["sections"], entry["body"]) == (
        "The library", [], "Very good library.")
    _ok(run("npp", "move", path, second, "--first"))
    assert [e["id"] for e in _npps(run, path)] == [second, first]
    assert _ok(run("npp", "remove", path, second)) == f"{second} removed"
    assert [e["id"] for e in _npps(run, path)] == [first]
    assert run("npp", "edit", path, second, "--title", "x").code == 2


def test_score_withdraw(run, path: Path) -> None:  # type: ignore[no-untyped-def]
    """A provisional score can be withdrawn and recorded again; none to withdraw is refused."""
    assert run("score", "withdraw", path, "--test", "safety").code == 2
    _ok(run("score", "set", path, "--test", "safety", "--score", "reasonably-good",
            "--rationale", "Mostly safe."))
    assert _ok(run("score", "withdraw", path, "--test", "safety")) \
        == "Safety: provisional score withdrawn"
    scores = json.loads(_ok(run("score", "list", path, "--json")))["scores"]
    assert scores == []
    assert run("score", "withdraw", path, "--test", "safety").code == 2
    assert run("score", "withdraw", path, "--test", "no-such-test").code == 2
    _ok(run("score", "set", path, "--test", "safety", "--score", "poor", "--rationale", "No."))
    scores = json.loads(_ok(run("score", "list", path, "--json")))["scores"]
    assert [s["level_key"] for s in scores] == ["poor"]


@pytest.mark.parametrize("words", [("concern", "add"), ("concern", "edit"), ("npp", "add"),
                                   ("npp", "edit")])
def test_help_names_the_private_way(capsys, words: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    """--help says --body-file keeps the text out of the process list."""
    with pytest.raises(SystemExit):
        main([*words, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--body-file" in text and "process list" in text and "private way" in text


def test_concern_list_is_one_read_and_says_what_the_service_says(run, path: Path,  # type: ignore[no-untyped-def]
                                                                 monkeypatch) -> None:
    """`concern list` reads the register, its rules and the sections in one read
    transaction, and prints what ConcernService's own reads give, field for field."""
    from hmip_desktop.cli.json_out import to_plain
    from hmip_desktop.services.concerns import ConcernService
    from hmip_desktop.services.inspection_store import InspectionStore
    from hmip_desktop.services.inspections import open_inspection

    _add_concerns(run, path, "One", "Two")
    _ok(run("concern", "edit", path, _concerns(run, path)[0]["id"], "--priority"))
    store = open_inspection(path)
    try:
        service = ConcernService(store)
        expected = to_plain({"concerns": service.list(), "issues": service.check()})
    finally:
        store.close()
    reads = []
    real_uow = InspectionStore.uow
    monkeypatch.setattr(InspectionStore, "uow",
                        lambda self, *a, **k: (reads.append(1), real_uow(self, *a, **k))[1])
    open_inspection(path).close()
    opening = len(reads)  # what opening the file reads
    listed = json.loads(_ok(run("concern", "list", path, "--json")))
    assert listed == json.loads(json.dumps(expected))
    assert expected["issues"]  # the rules have something to say (fewer than 3 priorities)
    assert len(reads) - 2 * opening == 1

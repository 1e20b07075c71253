"""--body-file / --text-file (and '-' for standard input) read at most the longest text a
record may hold; a file too large, a folder or non-UTF-8 bytes is one clear refusal and
nothing is written (a 200 MB file was exit 70; a folder was exit 70)."""

from __future__ import annotations

import io
import sys

import pytest

from hmip_desktop.cli.common import MAX_TEXT_FILE_BYTES
from tests.security.helpers import runner

ADD = ("note", "add", "insp.hmip", "--source", "observation", "--title", "Visit",
       "--body-file")


@pytest.fixture(scope="module")
def made(tmp_path_factory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("textfiles")
    run = runner(root, "inspector")
    run("new", "insp.hmip", "--establishment", "HMP Lewes", "--type", "mens-prison")
    return root, run


def _notes(run) -> str:  # type: ignore[no-untyped-def]
    return run("note", "list", "insp.hmip").stdout


def test_a_wrong_text_file_is_a_clear_refusal(made) -> None:  # type: ignore[no-untyped-def]
    root, run = made
    before = _notes(run)
    with open(root / "big.txt", "wb") as handle:  # sparse: no disk used, NULs when read
        handle.truncate(MAX_TEXT_FILE_BYTES + 1)
    (root / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (root / "folder.txt").mkdir()
    for name, words in (("big.txt", "limit: 8 MiB"), ("latin1.txt", "not UTF-8 text"),
                        ("folder.txt", "is a folder")):
        out = run(*ADD, name, check=False)
        assert out.returncode == 2 and words in out.stderr, (name, out.stderr)
        assert f"'{name}'" in out.stderr and out.stderr.count("\n") == 1, out.stderr
    out = run("report", "text", "set", "insp.hmip", "--part", "introduction",
              "--text-file", "latin1.txt", check=False)
    assert out.returncode == 2 and "'latin1.txt' is not UTF-8" in out.stderr, out.stderr
    assert _notes(run) == before


def test_standard_input_is_bounded_too(made, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _root, run = made
    before = _notes(run)
    monkeypatch.setattr(sys, "stdin", io.StringIO("a" * (MAX_TEXT_FILE_BYTES + 10)))
    out = run(*ADD, "-", check=False)
    assert out.returncode == 2 and "standard input" in out.stderr and "8 MiB" in out.stderr
    assert _notes(run) == before
    monkeypatch.setattr(sys, "stdin", io.StringIO("Night visit"))
    assert run(*ADD, "-").returncode == 0


def test_a_folder_given_as_an_import_is_named_a_folder(made) -> None:  # type: ignore[no-untyped-def]
    """Not "there is no file": the person sees the folder and needs to hear what it is."""
    root, run = made
    for name in ("rows.csv", "report.docx", "framework.json"):
        (root / name).mkdir()
    for args in (("extract", "import", "insp.hmip", "rows.csv"),
                 ("doc", "add", "insp.hmip", "report.docx"),
                 ("frameworks", "import", "framework.json", "--dry-run")):
        out = run(*args, check=False)
        assert out.returncode == 2 and "is a folder" in out.stderr, (args, out.stderr)

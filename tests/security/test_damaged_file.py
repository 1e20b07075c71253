"""A damaged inspection file (a disk fault, a copy cut short, bytes changed outside the app)
is reported as damaged, in words that say what to do, and is not written to; never as an
internal error (the command line's exit 70, the GUI's "something went wrong")."""

from __future__ import annotations

from pathlib import Path

import pytest

from hmip_desktop.cli.main import EXIT_USER_ERROR
from hmip_desktop.domain.errors import DamagedFileError
from hmip_desktop.services.inspections import open_inspection
from hmip_desktop.services.notes import NoteService
from hmip_desktop.ui.errors import error_text
from tests.security.helpers import runner

PAGE = 4096  # SQLCipher 4's page size


def _damage_after_first_page(path: Path) -> bytes:
    """Overwrite a stretch inside every page but the first (which holds the schema and is
    checked with the key: a damaged first page reads as "wrong key or not a file")."""
    data = bytearray(path.read_bytes())
    for start in range(PAGE + 100, len(data), PAGE):
        data[start:start + 64] = b"\x5a" * 64
    path.write_bytes(bytes(data))
    return bytes(data)


def _damage_newest_half(path: Path) -> None:
    """Overwrite a stretch inside each page of the file's second half (notes, their index,
    the search index): damage deep inside, which only the reads that meet it find."""
    data = bytearray(path.read_bytes())
    pages = len(data) // PAGE
    for page in range(pages // 2, pages):
        data[page * PAGE + 100:page * PAGE + 164] = b"\x5a" * 64
    path.write_bytes(bytes(data))


def test_a_damaged_file_is_named_damaged_and_left_alone(tmp_path: Path) -> None:
    run = runner(tmp_path, "ann")
    file = tmp_path / "insp.hmip"
    run("new", str(file), "--establishment", "HMP Testfield", "--type", "mens-prison",
        "--start", "2026-11-16", "--end", "2026-11-27")
    for i in range(30):
        run("note", "add", str(file), "--source", "observation", "--title", f"Visit {i}",
            "--body", "Night visit to the wing " * 20)
    damaged = _damage_after_first_page(file)
    for args in (("note", "list", str(file)), ("info", str(file)),
                 ("note", "add", str(file), "--source", "observation", "--title", "More",
                  "--body", "x")):
        result = run(*args, check=False)
        assert result.returncode == EXIT_USER_ERROR, (args, result.stderr)
        assert "damaged" in result.stderr and "internal error" not in result.stderr
        assert "Nothing was changed" in result.stderr
    assert file.read_bytes() == damaged  # nothing was written to it


def test_damage_deep_inside_is_found_by_the_read_that_meets_it(tmp_path: Path) -> None:
    """Damaged data pages (not the schema) surface in whichever command reads them."""
    run = runner(tmp_path, "ann")
    file = tmp_path / "insp.hmip"
    run("new", str(file), "--establishment", "HMP Testfield", "--type", "mens-prison")
    for i in range(60):
        run("note", "add", str(file), "--source", "observation", "--title", f"Visit {i}",
            "--body", f"Night visit {i} to the wing " * 40)
    _damage_newest_half(file)
    said_damaged = 0
    for args in (("info", str(file)), ("note", "list", str(file)),
                 ("search", str(file), "night"), ("report", "check", str(file))):
        result = run(*args, check=False)
        assert result.returncode in (0, EXIT_USER_ERROR), (args, result.stderr)
        if result.returncode:
            assert "damaged" in result.stderr, (args, result.stderr)
            said_damaged += 1
    assert said_damaged


def test_the_service_the_first_screen_and_the_gui_say_damaged(store, tmp_path: Path) -> None:  # noqa: ANN001
    from hmip_desktop.storage import first_screen, keys

    for i in range(60):
        NoteService(store).add(source_kind="observation", title=f"Visit {i}",
                               body=f"Night visit {i} to the wing " * 40)
    path = store.path
    store.close()
    _damage_newest_half(path)
    key = keys.load_file_key(path, provider=None)[0]
    with pytest.raises(DamagedFileError):  # the GUI's first screen, read before the store
        first_screen.read_first_screen(path, key, notes=first_screen.FIRST_NOTES)
    with pytest.raises(DamagedFileError) as caught:
        reopened = open_inspection(path)
        try:
            NoteService(reopened).list()
        finally:
            reopened.close()
    assert "damaged" in error_text(caught.value)  # what the GUI's error box shows


def test_an_empty_file_or_a_folder_is_refused_and_not_written(tmp_path: Path) -> None:
    """SQLite takes an empty file for a new database: opening one must not migrate (write)
    it; a folder in the file's place is named, not a disk error."""
    from hmip_desktop.storage import first_screen

    run = runner(tmp_path, "ann")
    run("new", "insp.hmip", "--establishment", "HMP Testfield", "--type", "mens-prison")
    key_record = (tmp_path / "insp.hmip.key").read_bytes()
    (tmp_path / "cut.hmip").write_bytes(b"")
    (tmp_path / "cut.hmip.key").write_bytes(key_record)
    (tmp_path / "dir.hmip").mkdir()
    (tmp_path / "dir.hmip.key").write_bytes(key_record)
    for name, words in (("cut.hmip", "is empty (0 bytes)"), ("dir.hmip", "is a folder")):
        for args in (("info", name), ("note", "add", name, "--source", "observation",
                                       "--title", "t", "--body", "x")):
            result = run(*args, check=False)
            assert result.returncode == EXIT_USER_ERROR, (args, result.stderr)
            assert words in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert (tmp_path / "cut.hmip").read_bytes() == b""
    assert sorted(p.name for p in tmp_path.glob("cut.hmip*")) == ["cut.hmip", "cut.hmip.key"]
    with pytest.raises(DamagedFileError):  # the GUI's first screen, read before the store
        first_screen.read_first_screen(tmp_path / "cut.hmip", b"k" * 32, notes=1)
    assert (tmp_path / "cut.hmip").read_bytes() == b""

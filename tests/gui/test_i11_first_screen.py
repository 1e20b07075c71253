"""Issue 11 §1: a file's first screen (Overview facts, newest notes) is read with sqlcipher3
alone before the store loads, shows the same as the store would, and the window shows it
read-only until the store is open."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hmip_desktop.domain.errors import Cancelled, WrongKeyError
from hmip_desktop.services import inspections
from hmip_desktop.services.documents import DocumentService
from hmip_desktop.services.first_screen import Abandoned, Opening
from hmip_desktop.services.notes import NoteService
from hmip_desktop.storage import keys
from hmip_desktop.storage.connection import connect
from tests.factories import minimal_framework

PASSPHRASE = "a first screen passphrase"


def _file(tmp_path: Path, notes: int = 3) -> tuple[Path, list[str]]:
    store = inspections.create_inspection(
        tmp_path / "first.hmip", establishment_name="HMP Firstscreen",
        establishment_type="mens_prison", framework=minimal_framework(),
        start_date="2026-11-16", end_date="2026-11-27")
    ids = [str(NoteService(store).add(source_kind="observation", title=f"Note {i}"))
           for i in range(notes)]
    doc = tmp_path / "policy.txt"
    doc.write_text("Use of force policy", encoding="utf-8")
    DocumentService(store).import_files([doc])
    path = store.path
    store.close()
    return path, ids


def test_first_screen_shows_what_the_store_shows(tmp_path: Path) -> None:
    """One way to read the Overview: the facts read before the store are the store's facts
    (the same statements, the same builder), field for field."""
    path, ids = _file(tmp_path)
    opening = Opening(path, None)
    screen = opening.first_screen()
    assert screen is not None and screen.path == path
    assert [n.id for n in screen.notes] == list(reversed(ids))  # newest saved first
    store = opening.open_store()
    try:
        assert screen.facts == inspections.facts(store)
        assert screen.facts.counts["note"] == 3 and screen.facts.counts["document"] == 1
        assert screen.facts.establishment_name == "HMP Firstscreen"
        assert screen.facts.framework_title  # from the pinned framework record
    finally:
        store.close()


def test_a_file_from_a_newer_version_has_no_first_screen(tmp_path: Path) -> None:
    """A schema that is not this version's: no first screen; the store opens it (read-only)
    and says so."""
    path, _ids = _file(tmp_path)
    key, _source, _fid = keys.load_file_key(path, provider=None)
    conn = connect(path, key, read_only=False)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    opening = Opening(path, None)
    assert opening.first_screen() is None
    store = opening.open_store()
    try:
        assert store.read_only
    finally:
        store.close()


def test_a_wrong_passphrase_is_said_once(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HMIP_KEY_SOURCE", keys.KEY_SOURCE_PASSPHRASE)
    store = inspections.create_inspection(
        tmp_path / "locked.hmip", establishment_name="HMP Locked",
        establishment_type="mens_prison", framework=minimal_framework(),
        provider=lambda _p: PASSPHRASE)
    path = store.path
    store.close()
    opening = Opening(path, lambda _p: "not the passphrase at all")
    with pytest.raises(WrongKeyError):
        opening.first_screen()
    with pytest.raises(Abandoned):  # the first step said why: nothing twice
        opening.open_store()


def test_a_cancelled_opening_closes_its_store(tmp_path: Path) -> None:
    path, _ids = _file(tmp_path)
    opening = Opening(path, None)
    assert opening.first_screen() is not None
    opening.cancel()
    with pytest.raises(Cancelled):
        opening.open_store()
    again = Opening(path, None)  # nothing left open or locked
    assert again.first_screen() is not None
    again.open_store().close()


def test_the_first_screen_needs_no_sqlalchemy() -> None:
    """What a start needs to show the first screen imports neither SQLAlchemy nor the store
    (they load on the DB lane once it is shown)."""
    code = ("import sys, hmip_desktop.app, hmip_desktop.services.first_screen, "
            "hmip_desktop.ui.overview.overview_page, hmip_desktop.ui.evidence.evidence_page; "
            "print(sorted(m for m in ('sqlalchemy', 'hmip_desktop.services.inspection_store', "
            "'openpyxl') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""})
    assert out.stdout.strip() == "[]", out.stderr


def test_the_window_shows_the_first_screen_read_only_until_the_store_opens(
        window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path, ids = _file(tmp_path)
    opening = Opening(path, None)
    screen = opening.first_screen()
    window.opener._opening = opening  # the second step is run by hand below
    window.opener._show_first_screen(opening, screen)
    overview = window.show_page("Overview")
    evidence = window.show_page("Evidence")
    assert window.ctx.store is None and window.ctx.first_screen is screen
    assert overview.first_data_shown()
    assert overview.values["establishment"].text() == "HMP Firstscreen"
    assert evidence.first_data_shown() and evidence.notes.model.rowCount() == len(ids)
    assert not window.stack.isEnabled()  # nothing typed now could be lost
    assert window.key_label.text() == f"Opening {path.name}…"
    window.opener._store_opened(opening, opening.open_store())
    assert window.ctx.store is not None and window.ctx.first_screen is None
    assert window.stack.isEnabled()
    assert evidence.notes.model.rowCount() == len(ids)


def test_open_path_opens_in_two_steps(window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Through the window's own open: the file ends open and editable."""
    path, ids = _file(tmp_path)
    window.open_path(path)
    assert window.ctx.store is not None and window.ctx.store.path == path
    assert window.ctx.first_screen is None and window.stack.isEnabled()
    evidence = window.show_page("Evidence")
    assert evidence.notes.model.rowCount() == len(ids)


def test_a_store_that_fails_to_open_leaves_no_first_screen(window, tmp_path: Path, monkeypatch,
                                                          shown_errors) -> None:  # type: ignore[no-untyped-def]
    """The first screen was shown, then the store could not be opened: the error is said
    once and the pages forget the file."""
    from hmip_desktop.domain.errors import UserError

    path, _ids = _file(tmp_path)
    overview = window.show_page("Overview")

    def refuse(_self):  # type: ignore[no-untyped-def]
        raise UserError("The file is locked by another program.")

    monkeypatch.setattr(Opening, "open_store", refuse)
    window.open_path(path)
    assert shown_errors == ["The file is locked by another program."]
    assert window.ctx.store is None and window.ctx.first_screen is None
    assert window.stack.isEnabled() and not overview.first_data_shown()


def test_the_key_childs_first_screen_is_the_one_read_here(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """On Linux the key child reads the first screen with the key it found and sends it
    (storage/key_child.py): the app shows exactly what its own read would show, without
    reading; a damaged one is read again here."""
    from hmip_desktop.storage import first_screen, key_child

    path, ids = _file(tmp_path, notes=5)
    expected = Opening(path, None).first_screen()
    # What the child does once it has the key (the fork itself: tests/storage/test_i11_key_child).
    reply = key_child.child_reply(path, None, then=lambda key: key_child._first_screen(path, key))
    assert reply is not None

    def no_read(*_args: object, **_kw: object) -> None:
        raise AssertionError("read again although the child sent it")

    with monkeypatch.context() as patched:
        patched.setattr(first_screen, "read_first_screen", no_read)
        keys.begin_unlock(path, child=lambda: reply)
        assert Opening(path, None).first_screen() == expected
    assert [n.id for n in expected.notes] == list(reversed(ids))
    damaged = reply[:-10]  # cut short: not a first screen
    keys.begin_unlock(path, child=lambda: damaged)
    assert Opening(path, None).first_screen() == expected


def test_first_screen_wire_is_exact_and_refuses_what_it_did_not_make(tmp_path: Path) -> None:
    from hmip_desktop.storage import first_screen as first

    path, _ids = _file(tmp_path)
    key, _source, _fid = keys.load_file_key(path, provider=None)
    rows = first.read_first_screen(path, key, notes=first.FIRST_NOTES)
    assert rows is not None
    assert first.rows_from_wire(first.rows_to_wire(rows)) == rows
    for bad in (b"", b"[]", b"{}", b'{"inspection": 1}', b"[" * 100_000, b"\xff"):
        with pytest.raises(ValueError):
            first.rows_from_wire(bad)

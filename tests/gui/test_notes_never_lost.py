"""What an inspector types in a note is never lost: closing or opening a file, steady typing
with no pause, a save that fails (disk full), an emptied title, Undo while a save is on the DB
lane. Most run on the synchronous lane; the races need the real threaded one."""

from __future__ import annotations

import errno
import logging
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from hmip_desktop.app import build_window
from hmip_desktop.services.inspections import create_inspection, open_inspection
from hmip_desktop.services.notes import NoteService
from hmip_desktop.ui import errors
from hmip_desktop.ui.evidence.notes_table_model import NotesTableModel
from hmip_desktop.ui.scoring.findings_editor import FindingsEditor
from tests.factories import minimal_framework

TYPED = " cell bell 21:05"


def _file(tmp_path: Path, name: str = "ev.hmip"):  # type: ignore[no-untyped-def]
    store = create_inspection(tmp_path / name, establishment_name="HMP Evidence",
                              establishment_type="mens_prison", framework=minimal_framework())
    ids = [NoteService(store).add(source_kind="observation", title=f"Note {i}", body="Start")
           for i in range(2)]
    return store, ids


def _open(window, tmp_path: Path):  # type: ignore[no-untyped-def]
    store, ids = _file(tmp_path)
    window._set_store(store)
    panel = window.show_page("Evidence").notes
    panel.reload()
    panel.select_note(ids[0])
    return store, panel, ids


def _type(qtbot, panel, text: str) -> None:  # type: ignore[no-untyped-def]
    panel.editor.body.setFocus()
    panel.editor.body.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(panel.editor.body, text)


def _stored_body(path: Path, note_id: str) -> str:
    store = open_inspection(path)
    try:
        return NoteService(store).get(note_id).body
    finally:
        store.close()


# -- D1: closing the file, or opening another, saves the last typing into the closing file --
@pytest.mark.parametrize("how", ["close action", "open another file"])
def test_typing_is_saved_when_the_file_closes(window, qtbot, tmp_path: Path, how: str) -> None:
    store, panel, ids = _open(window, tmp_path)
    path = store.path
    _type(qtbot, panel, TYPED)  # well within the pause that would save it
    assert panel.editor.has_unsaved()
    if how == "close action":
        window.close_action.trigger()
    else:
        other, _ = _file(tmp_path, "other.hmip")
        window._set_store(other)  # what Open and Open recent end in
    assert _stored_body(path, ids[0]) == "Start" + TYPED


def test_close_flushes_every_page_while_the_file_is_still_open(window, tmp_path: Path,
                                                               monkeypatch) -> None:
    """Pages without their own reference to the file save into ctx.store: the window lets
    them flush before it lets go of it (as closing the window does)."""
    store, panel, _ids = _open(window, tmp_path)
    page = window.show_page("Evidence")
    seen: list[object] = []
    monkeypatch.setattr(page, "flush", lambda: seen.append(window.ctx.store))
    window.close_action.trigger()
    assert seen == [store]


# -- D4: steady typing (never a pause) is saved every few seconds, without a pause in it -----
def test_steady_typing_is_saved_at_the_latest_after_the_max_wait(window, qtbot,
                                                                tmp_path: Path) -> None:
    store, panel, ids = _open(window, tmp_path)
    ed = panel.editor
    ed.autosave.idle.setInterval(10 * 60_000)  # no pause ever long enough: only the cap saves
    ed.autosave.max_wait.setInterval(200)
    typed = ""
    while NoteService(store).get(ids[0]).body == "Start" and len(typed) < 200:
        _type(qtbot, panel, "a")
        typed += "a"
        qtbot.wait(20)
    assert NoteService(store).get(ids[0]).body.startswith("Starta")
    _type(qtbot, panel, "b")  # typing goes on where it was, nothing lost on screen
    assert ed.body.toPlainText() == "Start" + typed + "b"
    assert ed.autosave.max_wait.isActive()  # the next change starts the next deadline


def test_steady_typing_in_findings_is_saved_at_the_latest_after_the_max_wait(qtbot) -> None:
    editor = FindingsEditor("Area findings")
    qtbot.addWidget(editor)
    saves: list[str] = []
    editor.save_requested.connect(lambda _key, text: saves.append(text))
    editor.load(("A", "1"), "")
    editor.autosave.idle.setInterval(10 * 60_000)
    editor.autosave.max_wait.setInterval(200)
    editor.show()
    editor.setFocus()
    for _ in range(200):
        if saves:
            break
        qtbot.keyClicks(editor, "a")
        qtbot.wait(20)
    assert saves and saves[0].startswith("a")


# -- D5: a failed save keeps the note open, says "not saved", and offers to discard ----------
@pytest.fixture
def full_disk(monkeypatch):  # type: ignore[no-untyped-def]
    """Note saves fail as SQLite does on a full disk until the fixture's `fixed()` is called."""
    real = NoteService.edit

    def full(self, *_a, **_k):  # type: ignore[no-untyped-def]
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(NoteService, "edit", full)
    return lambda: monkeypatch.setattr(NoteService, "edit", real)


def test_failed_save_keeps_the_note_and_says_it_is_not_saved(window, qtbot, tmp_path: Path,
                                                            shown_errors, full_disk) -> None:
    store, panel, ids = _open(window, tmp_path)
    ed = panel.editor
    _type(qtbot, panel, TYPED)
    ed.flush()  # what the pause, leaving the field or another note do
    assert shown_errors and "Not saved" in shown_errors[-1]
    assert "disk is full" in shown_errors[-1] and "saved work is safe" not in shown_errors[-1]
    assert not any("21:05" in m for m in shown_errors)  # no note text in messages
    assert ed.discard_button.isVisible()
    panel.select_note(ids[1])  # another note: refused while the typing is not saved
    assert ed.note_id == ids[0]
    assert panel.table.currentIndex().data(NotesTableModel.NOTE_ROLE).id == ids[0]
    assert ed.body.toPlainText() == "Start" + TYPED
    full_disk()  # space freed: leaving now saves
    panel.select_note(ids[1])
    assert ed.note_id == ids[1]
    assert NoteService(store).get(ids[0]).body == "Start" + TYPED


def test_discard_my_changes_lets_the_person_leave(window, qtbot, tmp_path: Path, shown_errors,
                                                  full_disk, monkeypatch) -> None:
    store, panel, ids = _open(window, tmp_path)
    ed = panel.editor
    _type(qtbot, panel, TYPED)
    ed.flush()
    monkeypatch.setattr(errors, "ask_yes_no", lambda *_a, **_k: True)
    ed.discard_button.click()
    assert ed.body.toPlainText() == "Start" and not ed.discard_button.isVisible()
    panel.select_note(ids[1])
    assert ed.note_id == ids[1]


def _threaded(qtbot, store):  # type: ignore[no-untyped-def]
    """A window on the real threaded DB lane with the file's two notes listed."""
    win = build_window()
    qtbot.addWidget(win)
    win.show()
    win._set_store(store)
    panel = win.show_page("Evidence").notes
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=5000)
    return win, panel


def test_a_save_failing_after_the_person_moved_on_brings_the_note_back(qtbot, tmp_path: Path,
                                                                       shown_errors,
                                                                       full_disk) -> None:
    store, ids = _file(tmp_path)
    win, panel = _threaded(qtbot, store)  # the save fails after the switch
    panel.select_note(ids[0])
    _type(qtbot, panel, TYPED)
    panel.select_note(ids[1])
    qtbot.waitUntil(lambda: bool(shown_errors) and not win.ctx.tasks.busy, timeout=5000)
    assert panel.editor.note_id == ids[0]
    assert panel.editor.body.toPlainText() == "Start" + TYPED
    assert panel.editor.has_unsaved()
    win.close()


def test_storage_failures_get_their_own_message_and_log_no_text(caplog, shown_errors) -> None:
    from sqlalchemy.exc import OperationalError

    wrapped = OperationalError("UPDATE records SET payload=?", ("secret words",),
                               sqlite3.OperationalError("attempt to write a readonly database"))
    caplog.set_level(logging.ERROR)
    errors.present_error(None, wrapped)
    assert "not writable" in shown_errors[0] and "saved work is safe" not in shown_errors[0]
    assert "secret words" not in caplog.text
    assert "disk is full" in errors.error_text(OSError(errno.ENOSPC, "No space left"))
    assert "saved work is safe" in errors.error_text(RuntimeError("a bug"))


# -- D8: an emptied title does not hold the text back -----------------------------------------
def test_text_under_an_empty_title_is_saved_and_kept(window, qtbot, tmp_path: Path) -> None:
    store, panel, ids = _open(window, tmp_path)
    ed = panel.editor
    ed.title.setFocus()
    ed.title.selectAll()
    qtbot.keyClick(ed.title, Qt.Key.Key_Delete)
    _type(qtbot, panel, " cell flooded 21:00")
    ed.flush()
    assert NoteService(store).get(ids[0]).body == "Start cell flooded 21:00"
    assert NoteService(store).get(ids[0]).title == "Note 0"  # the stored title stays
    panel.select_note(ids[1])
    panel.select_note(ids[0])
    assert ed.title.text() == "Note 0" and ed.body.toPlainText().endswith("21:00")
    ed.title.selectAll()
    qtbot.keyClick(ed.title, Qt.Key.Key_Delete)
    _type(qtbot, panel, " more")
    path = store.path
    window.close()  # quitting saves it too
    assert _stored_body(path, ids[0]) == "Start cell flooded 21:00 more"


# -- D9: Undo while a save is on the DB lane undoes that one step; Redo brings it back --------
def test_undo_with_typing_unsaved_undoes_one_step_and_redo_restores(qtbot,
                                                                    tmp_path: Path) -> None:
    store, ids = _file(tmp_path)
    win, panel = _threaded(qtbot, store)  # the save is still queued when Undo runs
    panel.select_note(ids[0])
    ed = panel.editor
    _type(qtbot, panel, " one")
    qtbot.waitUntil(lambda: ed.status.text() == "Saved", timeout=5000)
    _type(qtbot, panel, " two")
    idle = lambda: not win.ctx.tasks.busy  # noqa: E731

    qtbot.mouseClick(panel.undo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: idle() and ed.body.toPlainText() == "Start one", timeout=5000)
    assert NoteService(store).get(ids[0]).body == "Start one"
    assert panel.undo_stack.canRedo()
    qtbot.mouseClick(panel.redo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: idle() and ed.body.toPlainText() == "Start one two", timeout=5000)
    assert NoteService(store).get(ids[0]).body == "Start one two"
    win.close()

"""After a review of the note editor's saves: every note saves from the state it showed,
even when opened while another note's save is on the DB lane; Undo puts back only what the
person changed; a note whose save failed is named by the question before closing; typing in
a note deleted meanwhile is kept beside the deletion."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from hmip_desktop.app import build_window
from hmip_desktop.services.inspections import create_inspection, open_inspection
from hmip_desktop.services.notes import NoteService
from tests.factories import minimal_framework


def _file(tmp_path: Path, n: int = 2):  # type: ignore[no-untyped-def]
    store = create_inspection(tmp_path / "ev.hmip", establishment_name="HMP Evidence",
                              establishment_type="mens_prison", framework=minimal_framework())
    ids = [str(NoteService(store).add(source_kind="observation", title=f"Note {i}",
                                      body="Start")) for i in range(n)]
    return store, ids


def _type(qtbot, panel, text: str) -> None:  # type: ignore[no-untyped-def]
    panel.editor.body.setFocus()
    panel.editor.body.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(panel.editor.body, text)


def _elsewhere(path: Path, work) -> None:  # type: ignore[no-untyped-def]
    """A change made by another handle on the file (hmip in a terminal; a merged bundle)."""
    other = open_inspection(path)
    try:
        work(NoteService(other))
    finally:
        other.close()


@pytest.fixture
def threaded(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    store, ids = _file(tmp_path)
    win = build_window()  # the real threaded DB lane
    qtbot.addWidget(win)
    win.show()
    win._set_store(store)
    panel = win.show_page("Evidence").notes
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=5000)
    idle = lambda: not win.ctx.tasks.busy  # noqa: E731
    yield store, ids, win, panel, (lambda: qtbot.waitUntil(idle, timeout=5000))
    win.close()


def _block_lane(win) -> threading.Event:  # type: ignore[no-untyped-def]
    gate = threading.Event()
    win.ctx.tasks.submit(lambda: gate.wait(10))  # a long job on the lane (merge, import...)
    return gate


def test_a_note_opened_while_another_saves_keeps_a_change_made_elsewhere(
        qtbot, threaded) -> None:  # type: ignore[no-untyped-def]
    store, ids, win, panel, settle = threaded
    panel.select_note(ids[0])
    _type(qtbot, panel, " zero")
    gate = _block_lane(win)
    panel.select_note(ids[1])  # leaving note 0 saves it: that save waits on the lane
    _type(qtbot, panel, " one")
    gate.set()
    settle()
    _elsewhere(store.path, lambda notes: notes.edit(ids[1], title="Renamed by teammate"))
    panel.editor.flush()
    settle()
    note = NoteService(store).get(ids[1])
    assert (note.title, note.body, note.conflicted) == ("Renamed by teammate", "Start one",
                                                        False)


def test_undo_then_a_quick_switch_makes_no_conflict_with_oneself(qtbot, threaded) -> None:  # type: ignore[no-untyped-def]
    store, ids, win, panel, settle = threaded
    panel.select_note(ids[1])
    _type(qtbot, panel, " x")
    panel.editor.flush()
    settle()
    panel.select_note(ids[0])
    settle()
    qtbot.mouseClick(panel.undo_button, Qt.MouseButton.LeftButton)  # undo note 1's edit
    settle()
    assert NoteService(store).get(ids[1]).body == "Start"
    _type(qtbot, panel, " zero")
    gate = _block_lane(win)
    panel.select_note(ids[1])
    _type(qtbot, panel, " z")
    gate.set()
    settle()
    panel.editor.flush()
    settle()
    note = NoteService(store).get(ids[1])
    assert (note.body, note.conflicted) == ("Start z", False)


def test_undo_puts_back_only_what_the_person_changed(window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store, (nid, _other) = _file(tmp_path)
    window._set_store(store)
    panel = window.show_page("Evidence").notes
    panel.reload()
    panel.select_note(nid)
    _type(qtbot, panel, " cold")
    panel.editor.flush()
    _elsewhere(store.path, lambda notes: notes.edit(nid, title="Kitchen, servery"))
    panel.reload()
    panel.undo_button.click()
    note = NoteService(store).get(nid)
    assert (note.body, note.title) == ("Start", "Kitchen, servery")
    panel.redo_button.click()
    note = NoteService(store).get(nid)
    assert (note.body, note.title) == ("Start cold", "Kitchen, servery")


def test_typing_in_a_note_deleted_meanwhile_is_kept_beside_the_deletion(
        window, qtbot, tmp_path: Path, shown_errors) -> None:  # type: ignore[no-untyped-def]
    store, (nid, _other) = _file(tmp_path)
    window._set_store(store)
    panel = window.show_page("Evidence").notes
    panel.reload()
    panel.select_note(nid)
    _elsewhere(store.path, lambda notes: notes.delete(nid))
    _type(qtbot, panel, " two paragraphs of interview notes")
    panel.editor.flush()
    assert shown_errors == []
    with store.uow() as tx:
        heads = tx.records.heads(nid)
    assert len(heads) == 2 and {h.deleted for h in heads} == {True, False}
    assert any(h.payload.get("body") == "Start two paragraphs of interview notes"
               for h in heads if not h.deleted)


@pytest.mark.parametrize("answer", ["save", "discard"])
def test_a_note_whose_save_failed_is_named_before_closing(
        window, qtbot, tmp_path: Path, shown_errors, unsaved_questions, monkeypatch,
        answer: str) -> None:  # type: ignore[no-untyped-def]
    from hmip_desktop.ui import unsaved

    store, (nid, _other) = _file(tmp_path)
    window._set_store(store)
    panel = window.show_page("Evidence").notes
    panel.reload()
    panel.select_note(nid)
    real = NoteService.edit

    def full(self, *_a, **_k):  # type: ignore[no-untyped-def]
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(NoteService, "edit", full)
    _type(qtbot, panel, " interview")
    panel.editor.flush()
    assert shown_errors and panel.editor.save_failed
    shown_errors.clear()
    monkeypatch.setattr(NoteService, "edit", real)  # space freed
    unsaved_questions.answers.append(unsaved.SAVE if answer == "save" else unsaved.DISCARD)
    window._on_close_action_triggered()
    assert len(unsaved_questions.asked) == 1
    assert "the note “Note 0”" in " ".join(map(str, unsaved_questions.asked[0]))
    assert window.ctx.store is None and shown_errors == []
    with open_inspection(tmp_path / "ev.hmip") as again:
        body = NoteService(again).get(nid).body
    assert body == ("Start interview" if answer == "save" else "Start")

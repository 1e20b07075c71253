"""A person typing while a teammate's bundle is merged keeps both: their text, and the
teammate's change to the record's other fields (services.edit_base). It was written over
(the editor saved every field as it had loaded them)."""

from __future__ import annotations

from PySide6.QtGui import QTextCursor

from hmip_desktop.app import build_window
from hmip_desktop.services.notes import NoteService
from hmip_desktop.ui.evidence.notes_panel import KEPT_BOTH
from hmip_desktop.ui.tasks import SyncExecutor, TaskRunner
from tests.gui.sync_pages import gkit, heads, trio  # noqa: F401 - fixtures
from tests.sync.conftest import acting


def _window(qtbot, dev):  # type: ignore[no-untyped-def]
    win = build_window(TaskRunner(SyncExecutor()))
    qtbot.addWidget(win)
    win.show()
    win._set_store(dev.store)
    return win


def _type_at_end(qtbot, editor, text: str) -> None:  # type: ignore[no-untyped-def]
    editor.body.setFocus()
    editor.body.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(editor.body, text)


def _merge(win, bundle) -> None:  # type: ignore[no-untyped-def]
    sync = win.show_page("Team & sync")
    win.show_page("Evidence")
    sync.import_paths([bundle])
    sync.preview_dialog.merge_button.click()


def _type_while_merging(qtbot, dev, nid: str, text: str, bundle):  # type: ignore[no-untyped-def]
    """Open the note in a window, type, have the bundle merged before the typing is saved,
    then let the editor save: (window, notes panel)."""
    win = _window(qtbot, dev)
    panel = win.show_page("Evidence").notes
    panel.reload()
    panel.select_note(nid)
    _type_at_end(qtbot, panel.editor, text)
    _merge(win, bundle)  # the bundle arrives while the typing is not yet saved
    panel.editor.flush()
    return win, panel


def test_typing_kept_with_a_teammates_retitle_merged_meanwhile(qtbot, gkit, trio) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    lead, alice, _bob = trio
    with acting(alice):
        nid = str(NoteService(alice.store).add(source_kind="observation", title="C wing 21:00",
                                               body="Cell bells", location="C wing"))
    gkit.import_(lead, [gkit.export(alice)])
    with acting(alice):
        NoteService(alice.store).edit(nid, location="C wing, landing 3", title="C wing 21:05")
    bundle = gkit.export(alice)
    with acting(lead):
        win, panel = _type_while_merging(qtbot, lead, nid, " unanswered", bundle)
        note = NoteService(lead.store).get(nid)
        assert (note.title, note.location, note.body) == (
            "C wing 21:05", "C wing, landing 3", "Cell bells unanswered")
        assert not note.conflicted and heads(lead, nid) == 1
        win.close_inspection()
    lead.store = None


def test_the_same_text_typed_on_both_sides_is_kept_twice(qtbot, gkit, trio) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    lead, alice, _bob = trio
    with acting(alice):
        nid = str(NoteService(alice.store).add(source_kind="observation", title="Kitchen",
                                               body="Food cold"))
    gkit.import_(lead, [gkit.export(alice)])
    with acting(alice):
        NoteService(alice.store).edit(nid, body="Food cold; trolleys late")
    bundle = gkit.export(alice)
    with acting(lead):
        win, panel = _type_while_merging(qtbot, lead, nid, " at 17:30", bundle)
        assert panel.editor.status.text() == KEPT_BOTH
        assert NoteService(lead.store).get(nid).conflicted and heads(lead, nid) == 2
        with lead.store.uow() as tx:
            bodies = {h.payload["body"] for h in tx.records.heads(nid)}
        assert bodies == {"Food cold; trolleys late", "Food cold at 17:30"}
        win.close_inspection()
    lead.store = None


def test_a_concern_saved_after_a_merge_keeps_the_teammates_priority(qtbot, gkit, trio) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from hmip_desktop.services.concerns import ConcernService

    lead, alice, _bob = trio
    with acting(alice):
        cid = str(ConcernService(alice.store).add(title="Keys at night",
                                                  body="No keys on C wing",
                                                  sections=["safety"]))
    gkit.import_(lead, [gkit.export(alice)])
    with acting(alice):
        ConcernService(alice.store).edit(cid, title="No keys held on C wing at night",
                                         priority=True)
    bundle = gkit.export(alice)
    with acting(lead):
        win = _window(qtbot, lead)
        page = win.show_page("Concerns")
        page.reload()
        panel = page.concerns
        qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
        panel.table.selectRow(0)
        _type_at_end(qtbot, panel.editor, "; a 40 minute wait")
        sync = win.show_page("Team & sync")
        sync.import_paths([bundle])
        sync.preview_dialog.merge_button.click()
        win.show_page("Concerns")
        panel.editor.save.click()  # the lead saves the addition over the merged record
        concern = ConcernService(lead.store).get(cid)
        assert (concern.title, concern.priority, concern.body) == (
            "No keys held on C wing at night", True, "No keys on C wing; a 40 minute wait")
        assert not concern.conflicted and heads(lead, cid) == 1
        win.close_inspection()
    lead.store = None

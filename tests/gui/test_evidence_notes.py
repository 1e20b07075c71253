"""Evidence page, notes: type → autosave → reopen; undo/redo; passage links; search."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from hmip_desktop.services.history import history
from hmip_desktop.services.inspections import create_inspection
from hmip_desktop.services.links import LinkService
from hmip_desktop.services.notes import NoteService
from hmip_desktop.ui.evidence.note_editor import AUTOSAVE_MS
from hmip_desktop.ui.evidence.search_dialog import SearchDialog
from hmip_desktop.ui.expectations.expectation_picker_dialog import ExpectationPickerDialog
from tests.factories import minimal_framework


def _open(window, tmp_path: Path):  # type: ignore[no-untyped-def]
    store = create_inspection(tmp_path / "ev.hmip", establishment_name="HMP Evidence",
                              establishment_type="mens_prison", framework=minimal_framework())
    window._set_store(store)
    page = window.show_page("Evidence")
    return store, page.notes


def test_typing_autosaves_and_survives_reopen(window, qtbot, tmp_path: Path) -> None:
    """Typed text is saved within a second of stopping and is there after reopening."""
    store, panel = _open(window, tmp_path)
    qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    note_id = panel.editor.note_id
    assert note_id is not None
    panel.editor.title.selectAll()
    qtbot.keyClicks(panel.editor.title, "Night visit C wing")
    panel.editor.body.setFocus()
    qtbot.keyClicks(panel.editor.body, "Cell bells unanswered for 20 minutes")
    qtbot.waitUntil(lambda: panel.editor.status.text() == "Saved", timeout=AUTOSAVE_MS + 2000)
    assert NoteService(store).get(note_id).body == "Cell bells unanswered for 20 minutes"
    path = store.path
    window.close_inspection()
    from hmip_desktop.services.inspections import open_inspection

    window._set_store(open_inspection(path))
    panel.select_note(note_id)
    assert panel.editor.title.text() == "Night visit C wing"
    assert panel.editor.body.toPlainText() == "Cell bells unanswered for 20 minutes"


def test_focus_change_saves_immediately(window, qtbot, tmp_path: Path) -> None:
    """Leaving the editor saves without waiting for the timer."""
    store, panel = _open(window, tmp_path)
    nid = NoteService(store).add(source_kind="observation", title="t", body="")
    panel.reload()
    panel.select_note(nid)
    panel.editor.body.setPlainText("written then left")
    panel.editor.flush()  # what focus-out and note switching call
    assert NoteService(store).get(nid).body == "written then left"


def test_undo_and_redo_write_new_revisions(window, qtbot, tmp_path: Path) -> None:
    """Undo restores the previous text as a new revision; redo re-applies it."""
    store, panel = _open(window, tmp_path)
    nid = NoteService(store).add(source_kind="observation", title="t", body="first")
    panel.reload()
    panel.select_note(nid)
    panel.editor.body.setPlainText("second")
    panel.editor.flush()
    assert NoteService(store).get(nid).body == "second"
    panel.undo_stack.undo()
    assert NoteService(store).get(nid).body == "first"
    assert panel.editor.body.toPlainText() == "first"
    panel.undo_stack.redo()
    assert NoteService(store).get(nid).body == "second"
    bodies = [h.payload["body"] for h in history(store, nid)]
    assert bodies == ["first", "second", "first", "second"]


def test_delete_and_undo_delete(window, qtbot, tmp_path: Path) -> None:
    """Deleting a note can be undone; both are revisions."""
    store, panel = _open(window, tmp_path)
    nid = NoteService(store).add(source_kind="observation", title="keep", body="b")
    panel.reload()
    panel.select_note(nid)
    panel.delete_button.click()
    assert NoteService(store).list() == []
    panel.undo_stack.undo()
    assert [n.id for n in NoteService(store).list()] == [nid]


def test_passage_link_is_highlighted_and_removable(window, qtbot, tmp_path: Path) -> None:
    """Select text, link it to an expectation; the passage is highlighted; remove it."""
    store, panel = _open(window, tmp_path)
    nid = NoteService(store).add(source_kind="prisoner_interview", title="Interview",
                                 body="He said reception was rushed and unsafe.")
    panel.reload()
    panel.select_note(nid)
    cursor = panel.editor.body.textCursor()
    cursor.setPosition(8)
    cursor.setPosition(31, cursor.MoveMode.KeepAnchor)
    panel.editor.body.setTextCursor(cursor)

    def pick() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ExpectationPickerDialog)
        qtbot.keyClicks(dialog.filter, "reception")
        qtbot.keyClick(dialog.filter, Qt.Key.Key_Return)
    QTimer.singleShot(0, pick)
    panel.editor._on_link_button_clicked()
    links = LinkService(store).for_evidence(nid)
    assert [(lk.expectation_ref, lk.start, lk.end, lk.quote) for lk in links] == [
        ("2", 8, 31, "reception was rushed an")]
    assert len(panel.editor.body.extraSelections()) == 1
    panel.editor.link_list.setCurrentRow(0)
    panel.editor.unlink_button.click()
    assert LinkService(store).for_evidence(nid) == []
    panel.undo_stack.undo()
    assert len(LinkService(store).for_evidence(nid)) == 1


def test_filters_by_kind_and_text(window, tmp_path: Path) -> None:
    """The list filters by source kind and words."""
    store, panel = _open(window, tmp_path)
    notes = NoteService(store)
    notes.add(source_kind="observation", title="Wing", body="showers broken")
    notes.add(source_kind="staff_interview", title="Officer", body="staffing short")
    panel.reload()
    assert panel.proxy.rowCount() == 2
    panel.kind.setCurrentIndex(panel.kind.findData("staff_interview"))
    assert panel.proxy.rowCount() == 1
    panel.kind.setCurrentIndex(0)
    panel.search.setText("showers")
    assert panel.proxy.rowCount() == 1


def test_search_result_opens_the_passage(window, qtbot, tmp_path: Path) -> None:
    """Ctrl+K search: Enter opens the note with the matching words selected."""
    store, panel = _open(window, tmp_path)
    nid = NoteService(store).add(source_kind="observation", title="Segregation",
                                 body="The exercise yard in segregation was filthy.")
    window.show_page("Overview")

    def type_query() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, SearchDialog)
        qtbot.keyClicks(dialog.query, "filthy")
        qtbot.keyClick(dialog.query, Qt.Key.Key_Return)
    QTimer.singleShot(0, type_query)
    window.on_search()
    assert window.stack.currentWidget() is window.pages["Evidence"]
    assert panel.editor.note_id == nid
    assert panel.editor.body.textCursor().selectedText() == "filthy"


def test_notes_model_passes_qt_model_tester(qtmodeltester, window, tmp_path: Path) -> None:
    """The notes table model follows Qt's model rules."""
    store, panel = _open(window, tmp_path)
    NoteService(store).add(source_kind="observation", title="a", body="b")
    panel.reload()
    qtmodeltester.check(panel.model)


def test_history_dialog_lists_every_revision(window, qtbot, tmp_path: Path) -> None:
    """The History button shows each saved revision with the fields it changed."""
    from hmip_desktop.ui.history_dialog import HistoryDialog

    store, panel = _open(window, tmp_path)
    nid = NoteService(store).add(source_kind="observation", title="t", body="one")
    NoteService(store).edit(nid, body="two")
    panel.reload()
    panel.select_note(nid)
    seen = {}

    def inspect() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, HistoryDialog)
        seen["rows"] = [dialog.list.item(i).text() for i in range(dialog.list.count())]
        dialog.reject()
    QTimer.singleShot(0, inspect)
    panel.history_button.click()
    assert len(seen["rows"]) == 2 and "body" in seen["rows"][1] and "(me)" in seen["rows"][0]


def test_newer_file_opens_read_only_with_a_message(window, shown_errors,
                                                    tmp_path: Path) -> None:
    """A file from a newer app version opens read-only and says so."""
    import sqlalchemy

    from hmip_desktop.services.inspections import open_inspection

    store = create_inspection(tmp_path / "new.hmip", establishment_name="HMP Future",
                              establishment_type="mens_prison", framework=minimal_framework())
    with store.raw_write_engine().begin() as conn:
        conn.execute(sqlalchemy.text("UPDATE alembic_version SET version_num='9999'"))
    store.close()
    window._set_store(open_inspection(tmp_path / "new.hmip"))
    assert window.ctx.store.read_only
    assert "READ-ONLY" in window.key_label.text()
    assert any("read-only" in m for m in shown_errors)


def test_passage_linked_in_the_editor_appears_in_coverage(window, qtbot, tmp_path: Path) -> None:
    """A passage linked on the Evidence page is counted on the Expectations page at once."""
    from hmip_desktop.ui.expectations.expectations_tree_model import ExpectationsTreeModel as M

    store, panel = _open(window, tmp_path)
    nid = NoteService(store).add(source_kind="observation", title="Reception",
                                 body="Reception staff were calm and kind.")
    panel.reload()
    panel.select_note(nid)
    cursor = panel.editor.body.textCursor()
    cursor.setPosition(0)
    cursor.setPosition(15, cursor.MoveMode.KeepAnchor)
    panel.editor.body.setTextCursor(cursor)

    def pick() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ExpectationPickerDialog)
        qtbot.keyClicks(dialog.filter, "reception")
        qtbot.keyClick(dialog.filter, Qt.Key.Key_Return)
    QTimer.singleShot(0, pick)
    panel.editor._on_link_button_clicked()
    page = window.show_page("Expectations")
    index = page.model.index_for_key("e:2")
    assert page.model.index(index.row(), M.COL_EVIDENCE, index.parent()).data() == "1"


@pytest.mark.parametrize(("etype", "label"), [
    ("mens_prison", "Prisoner interview"),
    ("irc", "Detainee interview"),
    ("children_yoi", "Interview with a child"),
])
def test_source_names_the_people_the_establishment_holds(window, tmp_path: Path, etype: str,
                                                         label: str) -> None:
    """The Source column, the filter and the editor's choice say prisoners, detainees or
    children as the establishment's type does (establishment_types.json), never "prisoner
    or detainee"; the stored key stays prisoner_interview."""
    framework = minimal_framework()
    framework["establishment_types"] = [etype]
    store = create_inspection(tmp_path / "p.hmip", establishment_name="Example",
                              establishment_type=etype, framework=framework)
    window._set_store(store)
    panel = window.show_page("Evidence").notes
    nid = NoteService(store).add(source_kind="prisoner_interview", title="Talk", body="x")
    panel.reload()
    row = panel.model.row_of(nid)
    cell = panel.model.index(row, panel.model.COL_SOURCE)
    assert cell.data() == label
    assert panel.kind.itemText(panel.kind.findData("prisoner_interview")) == label
    panel.select_note(nid)
    assert panel.editor.source.currentText() == label
    assert panel.editor.payload()["source_kind"] == "prisoner_interview"
    shown = [panel.kind.itemText(i) for i in range(panel.kind.count())]
    assert not any("or detainee" in text for text in shown)

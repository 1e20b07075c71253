"""The Concerns page by keyboard: add, rule warnings (16th key concern, 2 or 7 priorities),
reorder by keyboard and by drag, delete, notable positive practice."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt

from hmip_desktop.domain import records as R
from hmip_desktop.services.concerns import ConcernService, NppService
from hmip_desktop.services.inspections import inspection_payload
from hmip_desktop.services.notes import NoteService
from hmip_desktop.ui.concerns.concerns_page import TAB_NPP, ConcernsPage
from tests.gui.keyboard import focused, make_store, open_page, press, tab_to, type_text

K = Qt.Key
ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def store(tmp_path: Path):
    """A full inspection on the scored framework (at most 15 key concerns, 3-6 priority)."""
    s = make_store(tmp_path)
    yield s
    s.close()


def _page(qtbot, store) -> ConcernsPage:  # type: ignore[no-untyped-def]
    page = open_page(qtbot, ConcernsPage, store)
    assert isinstance(page, ConcernsPage)
    return page


def _add(store, n: int, *, priority: int = 0) -> list[str]:  # type: ignore[no-untyped-def]
    service = ConcernService(store)
    return [service.add(title=f"Concern {i + 1}", body="Effect on prisoners",
                        sections=["safety"], priority=i < priority) for i in range(n)]


def _new_concern_by_keyboard(qtbot, page: ConcernsPage, title: str, *,  # type: ignore[no-untyped-def]
                             priority: bool = False) -> None:
    editor = page.concerns.editor
    press(qtbot, K.Key_N, ALT)  # "&New concern": a button mnemonic clicks after a short delay
    qtbot.waitUntil(lambda: focused() is editor.title)
    type_text(qtbot, title)
    press(qtbot, K.Key_Tab)
    assert focused() is editor.body
    type_text(qtbot, "Prisoners waited hours for healthcare.")
    press(qtbot, K.Key_S, ALT)  # "&Sections": the first section is current
    assert focused() is editor.sections
    press(qtbot, K.Key_Down)  # Leadership -> Safety
    press(qtbot, K.Key_Space)
    if priority:
        press(qtbot, K.Key_I, ALT)  # "Pr&iority concern" toggles the box
        qtbot.waitUntil(lambda: editor.priority.isChecked())
    press(qtbot, K.Key_Return, CTRL)


def test_add_a_concern_by_keyboard(qtbot, qtmodeltester, store) -> None:  # type: ignore[no-untyped-def]
    """Every field reachable by keys; the new concern shows in the register and is selected."""
    note = NoteService(store).add(source_kind="observation", title="Wing", body="b",
                                  expectations=["1"])
    page = _page(qtbot, store)
    editor = page.concerns.editor
    _new_concern_by_keyboard(qtbot, page, "Healthcare waits", priority=True)
    # Addressee and evidence, then save again: an edit of the same concern.
    press(qtbot, K.Key_R, ALT)
    assert focused() is editor.addressee
    press(qtbot, K.Key_Down)
    tab_to(qtbot, editor.evidence)
    press(qtbot, K.Key_Space)
    press(qtbot, K.Key_Return, CTRL)
    concerns = ConcernService(store).list()
    assert len(concerns) == 1
    c = concerns[0]
    assert (c.title, c.sections, c.priority, c.addressee) == (
        "Healthcare waits", ("safety",), True, "establishment_leaders")
    assert c.evidence_ids == (note,)
    model = page.concerns.model
    qtmodeltester.check(model)
    assert [model.index(0, col).data() for col in range(6)] == [
        "1", "priority", "Healthcare waits", "Safety", "The establishment's leaders", "1"]
    assert page.concerns.table.currentIndex().row() == 0
    assert editor.status.text() == "Concern saved."


def test_required_fields_are_named_beside_them(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    """Saving an empty concern says what is missing next to each field."""
    page = _page(qtbot, store)
    editor = page.concerns.editor
    press(qtbot, K.Key_N, ALT)
    qtbot.waitUntil(lambda: focused() is editor.title)
    press(qtbot, K.Key_Return, CTRL)
    assert editor.title_error.isVisible() and editor.body_error.isVisible()
    assert editor.sections_error.isVisible()
    assert focused() is editor.title
    assert ConcernService(store).list() == []


def test_sixteenth_key_concern_is_warned(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    """15 concerns hold the rule; drafting and saving a 16th shows a warning."""
    _add(store, 15, priority=3)
    page = _page(qtbot, store)
    assert not page.warnings.isVisible()
    assert page.summary.text().startswith("15 key concerns, 3 priority")
    editor = page.concerns.editor
    press(qtbot, K.Key_N, ALT)
    qtbot.waitUntil(lambda: focused() is editor.title)
    type_text(qtbot, "One too many")
    assert page.warnings.isVisible()  # live, while drafting
    assert "If you save this concern: 16 key concerns" in page.warnings.text()
    press(qtbot, K.Key_Tab)
    type_text(qtbot, "Effect")
    press(qtbot, K.Key_S, ALT)
    press(qtbot, K.Key_Down)
    press(qtbot, K.Key_Space)
    press(qtbot, K.Key_Return, CTRL)
    assert len(ConcernService(store).list()) == 16
    assert page.warnings.isVisible()
    assert page.warnings.text() == "Warning: 16 key concerns: a report has at most 15."


@pytest.mark.parametrize(("start", "toggle_row", "expected"), [
    (3, 0, "2 priority concerns: a report needs 3 to 6."),
    (6, 6, "7 priority concerns: a report needs 3 to 6."),
])
def test_two_or_seven_priorities_are_warned(qtbot, store, start: int, toggle_row: int,  # type: ignore[no-untyped-def]
                                            expected: str) -> None:
    """Un-flagging the 3rd or flagging a 7th priority concern by keyboard warns."""
    _add(store, 8, priority=start)
    page = _page(qtbot, store)
    assert not page.warnings.isVisible()
    tab_to(qtbot, page.concerns.table)
    press(qtbot, K.Key_Home, CTRL)
    for _ in range(toggle_row):
        press(qtbot, K.Key_Down)
    press(qtbot, K.Key_I, ALT)
    qtbot.waitUntil(lambda: page.concerns.editor.dirty)
    assert f"If you save this concern: {expected}" in page.warnings.text()
    press(qtbot, K.Key_Return, CTRL)
    assert page.warnings.isVisible()
    assert page.warnings.text() == f"Warning: {expected}"


def test_rules_block_once_ready_for_report(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    """At 'ready for report' the same rule is shown as blocking."""
    from hmip_desktop.services.scoring import write_if_changed

    payload = {**inspection_payload(store), "status": "ready_for_report"}
    with store.uow(write=True) as tx:
        write_if_changed(store, tx, R.INSPECTION, store.inspection_id, payload)
    page = _page(qtbot, store)
    assert page.warnings.text() == ("Blocks the draft report: 0 priority concerns: a report "
                                    "needs 3 to 6.")


def test_reorder_by_keyboard(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    """Alt+Down and Alt+Up in the table move the current concern; the order is stored."""
    ids = _add(store, 3)
    page = _page(qtbot, store)
    panel = page.concerns
    tab_to(qtbot, panel.table)
    press(qtbot, K.Key_Home, CTRL)
    press(qtbot, K.Key_Down, ALT)
    assert [c.id for c in ConcernService(store).list()] == [ids[1], ids[0], ids[2]]
    assert panel.table.currentIndex().row() == 1  # the moved concern stays selected
    assert focused() is panel.table
    press(qtbot, K.Key_Down, ALT)
    assert [c.id for c in ConcernService(store).list()] == [ids[1], ids[2], ids[0]]
    assert not panel.down_button.isEnabled()  # already last
    press(qtbot, K.Key_Up, ALT)
    press(qtbot, K.Key_Up, ALT)
    assert [c.id for c in ConcernService(store).list()] == ids
    assert [panel.model.index(r, 0).data() for r in range(3)] == ["1", "2", "3"]


def test_reorder_by_drag(qtbot, qtmodeltester, store) -> None:  # type: ignore[no-untyped-def]
    """A drop (as the view performs it) moves the row and stores the new order."""
    ids = _add(store, 3)
    page = _page(qtbot, store)
    model = page.concerns.model
    data = model.mimeData([model.index(2, 0)])
    assert model.canDropMimeData(data, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    model.dropMimeData(data, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert [c.id for c in ConcernService(store).list()] == [ids[2], ids[0], ids[1]]
    # Dropping onto a row puts the dragged one before it.
    data = model.mimeData([model.index(0, 0)])
    model.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1, model.index(2, 0))
    assert [c.id for c in ConcernService(store).list()] == [ids[0], ids[2], ids[1]]
    qtmodeltester.check(model)


def test_delete_asks_first(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    """Delete asks; No keeps the concern, Yes removes it (history kept)."""
    ids = _add(store, 2)
    page = _page(qtbot, store)
    panel = page.concerns
    answers = [False, True]
    panel.confirm = lambda _q: answers.pop(0)
    tab_to(qtbot, panel.table)
    press(qtbot, K.Key_Home, CTRL)
    tab_to(qtbot, panel.delete_button)
    press(qtbot, K.Key_Space)
    assert len(ConcernService(store).list()) == 2
    press(qtbot, K.Key_Space)
    assert [c.id for c in ConcernService(store).list()] == [ids[1]]
    assert panel.model.rowCount() == 1


def test_unsaved_edits_are_not_dropped_silently(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    """Moving to another concern with unsaved edits asks; No keeps the edits."""
    _add(store, 2)
    page = _page(qtbot, store)
    panel = page.concerns
    panel.confirm = lambda _q: False
    tab_to(qtbot, panel.table)
    press(qtbot, K.Key_Home, CTRL)
    press(qtbot, K.Key_T, ALT)  # focus by mnemonic selects the title: End keeps it
    press(qtbot, K.Key_End)
    type_text(qtbot, " (edited)")
    tab_to(qtbot, panel.table)
    press(qtbot, K.Key_Down)
    qtbot.waitUntil(lambda: panel.table.currentIndex().row() == 0)
    assert panel.editor.title.text() == "Concern 1 (edited)"


def test_notable_positive_practice_by_keyboard(qtbot, qtmodeltester, store) -> None:  # type: ignore[no-untyped-def]
    """The second tab adds an entry; sections are optional there."""
    page = _page(qtbot, store)
    press(qtbot, K.Key_P, ALT)
    assert page.tabs.currentIndex() == TAB_NPP
    editor = page.npp.editor
    press(qtbot, K.Key_N, ALT)
    qtbot.waitUntil(lambda: focused() is editor.title)
    type_text(qtbot, "Peer mentors at reception")
    press(qtbot, K.Key_Tab)
    type_text(qtbot, "New arrivals met a trained peer within an hour.")
    press(qtbot, K.Key_Return, CTRL)
    entries = NppService(store).list()
    assert [e.title for e in entries] == ["Peer mentors at reception"]
    assert page.npp.model.index(0, 1).data() == "Peer mentors at reception"
    qtmodeltester.check(page.npp.model)
    assert not page.warnings.isVisible() or "priority" in page.warnings.text()

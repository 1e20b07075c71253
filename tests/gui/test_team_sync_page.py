"""The Team & sync page with three simulated devices in one process: export, preview and merge,
the conflict queue, undo of the last merge, drag and drop, Cancel, and the page's models."""

from __future__ import annotations

import os
import re
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from hmip_desktop.services import bundles, conflicts
from hmip_desktop.services.attachments import add_bytes
from hmip_desktop.ui.team.sync_models import (
    conflicts_model,
    history_model,
    preview_model,
    roster_model,
)
from tests.gui.conftest import cancel_at_first_progress
from tests.gui.sync_pages import gkit, heads, merge_via_page, page_for, trio  # noqa: F401
from tests.sync.conftest import acting

BUNDLE_NAME = re.compile(r"^hmip-\d{4}-\d{2}-\d{2}-[0-9a-f]{6}\.hmipbundle$")


def _export_via_page(qtbot, dev, folder: Path) -> Path:  # type: ignore[no-untyped-def]
    page = page_for(qtbot, dev)
    folder.mkdir(parents=True, exist_ok=True)
    with acting(dev):
        page.export_to(folder)
    [written] = list(folder.glob("*.hmipbundle"))
    assert "Bundle written" in page.status.text()
    return written


def _clash(gkit, trio, alice_change: dict, bob_change: dict) -> tuple[str, list[Path]]:  # type: ignore[no-untyped-def]  # noqa: F811
    """A note Alice and Bob both changed without seeing each other's change."""
    _lead, alice, bob = trio
    note = alice.notes.add(source_kind="observation", title="Wing visit", body="first",
                           location="A wing")
    gkit.import_(bob, [gkit.export(alice)])
    alice.notes.edit(note, **alice_change)
    bob.notes.edit(note, **bob_change)
    return note, [gkit.export(alice), gkit.export(bob)]


def test_export_then_preview_and_merge_on_another_device(qtbot, gkit, trio,  # noqa: F811
                                                         tmp_path: Path) -> None:
    """A bundle named without the establishment or a person; preview first, then merge."""
    lead, alice, _bob = trio
    note = alice.notes.add(source_kind="observation", title="Healthcare queue", body="long")
    bundle = _export_via_page(qtbot, alice, tmp_path / "usb")
    assert BUNDLE_NAME.match(bundle.name)
    assert "testfield" not in bundle.name.lower() and "alice" not in bundle.name.lower()
    page = page_for(qtbot, lead)
    with acting(lead):
        page.import_paths([bundle])
    dialog = page.preview_dialog
    assert dialog is not None and dialog.isVisible()
    [preview] = dialog.previews()
    assert preview.status == "ready" and preview.summary is not None
    assert preview.summary.author_name == "Alice" and preview.summary.revisions > 0
    assert dialog.model.data(dialog.model.index(0, 5)) == "Trusted — ready to merge"
    assert dialog.merge_button.isEnabled()
    with lead.store.uow() as tx:
        assert tx.records.get(note) is None, "nothing is merged before Merge is pressed"
    with acting(lead):
        dialog.merge_button.click()
    report = page.last_report
    assert report is not None and report.imported == 1 and report.revisions_new > 0
    assert page.status.text().startswith("Merged 1 bundle:")
    assert "0 new conflicts" in page.status.text()
    with lead.store.uow() as tx:
        assert tx.records.get(note).payload["title"] == "Healthcare queue"
    assert page.history_model.rowCount() == 1
    assert page.history_model.row_at(0).author_name == "Alice"
    assert page.undo_button.isEnabled()
    # The same bundle again: the preview says so and Merge stays disabled.
    with acting(lead):
        page.import_paths([bundle])
    assert page.preview_dialog is not dialog
    assert [p.status for p in page.preview_dialog.previews()] == ["already_imported"]
    assert not page.preview_dialog.merge_button.isEnabled()
    page.preview_dialog.reject()


def test_refused_bundles_are_shown_with_their_reasons(qtbot, gkit, trio,  # noqa: F811
                                                      tmp_path: Path) -> None:
    """A truncated bundle is refused in the preview; one damaged inside is refused at the
    merge, which still takes the good one and says what it refused."""
    lead, alice, bob = trio
    alice.notes.add(source_kind="observation", title="t", body="b")
    good = gkit.export(alice)
    data = bytearray(gkit.export(bob).read_bytes())
    truncated = tmp_path / "truncated.hmipbundle"
    truncated.write_bytes(bytes(data[: len(data) // 2]))
    flipped = tmp_path / "flipped.hmipbundle"
    data[len(data) // 2] ^= 0xFF
    flipped.write_bytes(bytes(data))
    page = page_for(qtbot, lead)
    with acting(lead):
        page.import_paths([good, truncated, flipped])
    dialog = page.preview_dialog
    assert [p.status for p in dialog.previews()] == ["ready", "refused", "ready"]
    assert dialog.model.is_highlighted(1) and dialog.model.data(dialog.model.index(1, 6))
    assert "1 bundle refused" in dialog.summary.text()
    assert dialog.ready_paths() == [good, flipped]
    with acting(lead):
        dialog.merge_button.click()
    report = page.last_report
    assert [o.status for o in report.outcomes] == ["imported", "refused"]
    assert "flipped.hmipbundle was refused:" in page.status.text()


def test_conflict_queue_keep_one_version(qtbot, gkit, trio) -> None:  # noqa: F811
    """Conflicting edits make a queue entry; keeping one version leaves one head."""
    lead, _alice, _bob = trio
    note, paths = _clash(gkit, trio, {"body": "alice says"}, {"body": "bob says"})
    page = page_for(qtbot, lead)
    report = merge_via_page(page, lead, paths)
    assert report.new_conflicts == (note,) and "1 new conflict" in page.status.text()
    assert page.tabs.currentWidget() is page.queue
    assert page.tabs.tabText(page.conflicts_tab) == "Conflict&s (1)"
    queue = page.queue
    assert queue.model.rowCount() == 1 and queue.selected().record_id == note
    cards = queue.versions.cards
    assert {c.facts["Author"].text() for c in cards} == {"Alice", "Bob"}
    assert all(c.facts["Time"].text().endswith(" (approx.)") for c in cards)
    assert {c.facts["Source"].text().split(" …")[0] for c in cards} == {"from their own bundle"}
    assert all(c.facts["Changed"].text() == "Note text" for c in cards)
    assert not queue.field_merge_button.isEnabled(), "free text is never merged automatically"
    assert heads(lead, note) == 2
    bob_card = next(c for c in cards if c.facts["Author"].text() == "Bob")
    with acting(lead):
        bob_card.keep_button.click()
    assert heads(lead, note) == 1
    with lead.store.uow() as tx:
        assert tx.records.get(note).payload["body"] == "bob says"
    assert queue.model.rowCount() == 0 and "kept Bob's version" in queue.status.text()
    assert page.tabs.tabText(page.conflicts_tab) == "Conflict&s"
    assert not page.undo_button.isEnabled(), "a resolution after the merge ends undo"


def test_conflict_cards_show_fields_as_a_person_reads_them(qtbot, gkit, trio) -> None:  # noqa: F811
    """Labels the note editor uses, Yes/No, "(empty)", and a long unchanged text on one
    shortened line: never "interpreter_used: False"."""
    lead, alice, bob = trio
    long_body = "The wing was calm during the evening visit. " * 20
    note = alice.notes.add(source_kind="observation", title="Wing visit", body=long_body,
                           location="A wing")
    gkit.import_(bob, [gkit.export(alice)])
    alice.notes.edit(note, interpreter_used=True)
    bob.notes.edit(note, location="")
    page = page_for(qtbot, lead)
    merge_via_page(page, lead, [gkit.export(alice), gkit.export(bob)])
    queue = page.queue
    assert queue.select_record(note)
    cards = {c.facts["Author"].text(): c for c in queue.versions.cards}
    alice_text = cards["Alice"].content.toPlainText()
    bob_text = cards["Bob"].content.toPlainText()
    assert cards["Alice"].facts["Changed"].text() == "Interpreter used"
    assert cards["Bob"].facts["Changed"].text() == "Where"
    assert alice_text.startswith("Interpreter used (changed in this version): Yes\n"), alice_text
    assert "Where: A wing" in alice_text and "Source: Observation" in alice_text
    assert bob_text.startswith("Where (changed in this version): (empty)\n"), bob_text
    assert "Interpreter used: No" in bob_text
    body_line = next(line for line in bob_text.splitlines() if line.startswith("Note text: "))
    assert body_line.endswith("…") and len(body_line) < 80, body_line
    for raw in ("interpreter_used", "False", "True", "source_kind", "location", "None"):
        assert raw not in alice_text + bob_text, raw
    combo_dialog = queue.open_combine()
    assert combo_dialog is not None
    interpreter = combo_dialog.choices["interpreter_used"]
    assert {interpreter.itemText(i) for i in range(interpreter.count())} == {
        "Yes — Alice", "No — Bob"}
    combo_dialog.reject()


def test_combine_free_text_in_the_editor(qtbot, gkit, trio) -> None:  # noqa: F811
    """Combine opens an editor pre-filled with both texts; saving closes the conflict."""
    lead, *_ = trio
    note, paths = _clash(gkit, trio, {"body": "alice says"}, {"body": "bob says"})
    page = page_for(qtbot, lead)
    merge_via_page(page, lead, paths)
    dialog = page.queue.open_combine()
    assert dialog is not None and list(dialog.editors) == ["body"] and not dialog.choices
    prefilled = dialog.editors["body"].toPlainText()
    assert "alice says" in prefilled and "bob says" in prefilled
    dialog.editors["body"].setPlainText("alice says; bob adds")
    with acting(lead):
        dialog.save_button.click()
    assert heads(lead, note) == 1
    with lead.store.uow() as tx:
        assert tx.records.get(note).payload["body"] == "alice says; bob adds"
    assert page.queue.model.rowCount() == 0


def test_accept_all_that_do_not_overlap(qtbot, gkit, trio) -> None:  # noqa: F811
    """Disjoint structured edits merge; the prose conflict stays for the leader."""
    lead, alice, bob = trio
    structured, paths = _clash(gkit, trio, {"location": "B wing"},
                               {"title": "Wing visit (night)"})
    prose = alice.notes.add(source_kind="observation", title="Another", body="x")
    gkit.import_(bob, [gkit.export(alice)])
    alice.notes.edit(prose, body="alice prose")
    bob.notes.edit(prose, body="bob prose")
    page = page_for(qtbot, lead)
    merge_via_page(page, lead, [gkit.export(alice), gkit.export(bob)])
    queue = page.queue
    assert queue.model.rowCount() == 2
    assert queue.select_record(structured) and queue.field_merge_button.isEnabled()
    assert queue.select_record(prose) and not queue.field_merge_button.isEnabled()
    assert queue.model.is_highlighted(queue.model.row_of(lambda v: v.record_id == prose))
    with acting(lead):
        queue.accept_all_button.click()
    assert "Merged 1 conflict field by field; 1 left" in queue.status.text()
    assert [v.record_id for v in queue.model.rows()] == [prose]
    with lead.store.uow() as tx:
        merged = tx.records.get(structured).payload
    assert (merged["location"], merged["title"]) == ("B wing", "Wing visit (night)")
    assert not queue.accept_all_button.isEnabled()


def test_apply_field_merge_and_structured_combine(qtbot, gkit, trio) -> None:  # noqa: F811
    """The proposal applies in one click; Combine offers each version's value to choose."""
    lead, *_ = trio
    note, paths = _clash(gkit, trio, {"location": "B wing"}, {"location": "C wing"})
    page = page_for(qtbot, lead)
    merge_via_page(page, lead, paths)
    queue = page.queue
    assert not queue.field_merge_button.isEnabled(), "the same field changed twice"
    dialog = queue.open_combine()
    combo = dialog.choices["location"]
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert any("B wing — Alice" == t for t in labels) and any("C wing — Bob" == t
                                                             for t in labels)
    combo.setCurrentIndex(next(i for i, t in enumerate(labels) if t.startswith("C wing")))
    with acting(lead):
        dialog.accept()
    with lead.store.uow() as tx:
        assert tx.records.get(note).payload["location"] == "C wing"
    assert heads(lead, note) == 1


def _merged_on_the_page(qtbot, gkit, trio):  # type: ignore[no-untyped-def]  # noqa: F811
    """Alice's note merged into the leader's file through the page: (lead, page, digest
    before the merge)."""
    lead, alice, _bob = trio
    alice.notes.add(source_kind="observation", title="t", body="b")
    path = gkit.export(alice)
    before = gkit.digest(lead)
    page = page_for(qtbot, lead)
    merge_via_page(page, lead, [path])
    return lead, page, before


def test_undo_last_merge_restores_the_digest(qtbot, gkit, trio) -> None:  # noqa: F811
    """Undo asks first; confirmed, it brings the digest back to what it was."""
    lead, page, before = _merged_on_the_page(qtbot, gkit, trio)
    assert gkit.digest(lead) != before
    questions: list[str] = []
    page.confirm = lambda q: questions.append(q) or False  # type: ignore[func-returns-value]
    with acting(lead):
        page.undo_button.click()
    assert questions and gkit.digest(lead) != before, "declined: nothing changes"
    page.confirm = lambda _q: True
    with acting(lead):
        page.undo_button.click()
    assert gkit.digest(lead) == before
    assert "Last merge undone: 1 bundle" in page.status.text()
    assert page.history_model.rowCount() == 0 and not page.undo_button.isEnabled()


def test_undo_last_merge_shows_progress_and_cancel_changes_nothing(  # noqa: F811
        qtbot, gkit, trio) -> None:  # noqa: F811
    """Undo runs with the page's progress bar; Cancel pressed during the copy back rolls it
    back: the file stays merged, and the merge can still be undone afterwards."""
    lead, page, before = _merged_on_the_page(qtbot, gkit, trio)
    merged = gkit.digest(lead)
    page.confirm = lambda _q: True
    seen = cancel_at_first_progress(page.progress, page.undo_button)
    with acting(lead):
        page.undo_button.click()
    assert seen == [False]  # the undo button waited while the bar ran
    assert gkit.digest(lead) == merged
    assert page.status.text() == "Cancelled. Nothing was changed."
    assert page.undo_button.isEnabled() and not page.progress.running
    steps: list[int] = []
    page.progress.progressed.connect(lambda done, total: steps.append(1000 * done // total))
    with acting(lead):
        page.undo_button.click()
    assert gkit.digest(lead) == before
    assert steps and steps[-1] == 1000 and steps == sorted(steps)
    assert "Last merge undone: 1 bundle" in page.status.text()


def test_drag_and_drop_previews_the_dropped_bundles(qtbot, gkit, trio,  # noqa: F811
                                                    tmp_path: Path) -> None:
    """Bundle files dropped on the page open the preview; other files are ignored."""
    lead, alice, bob = trio
    alice.notes.add(source_kind="observation", title="a", body="a")
    bob.notes.add(source_kind="observation", title="b", body="b")
    dropped = [gkit.export(alice), gkit.export(bob)]
    other = tmp_path / "notes.txt"
    other.write_text("x")
    page = page_for(qtbot, lead)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in [*dropped, other]])
    enter = QDragEnterEvent(QPoint(20, 20), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with acting(lead):
        QApplication.sendEvent(page, enter)
        assert enter.isAccepted()
        drop = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime,
                          Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(page, drop)
    dialog = page.preview_dialog
    assert dialog is not None and [p.file for p in dialog.previews()] == [p.name
                                                                          for p in dropped]
    assert [p.summary.author_name for p in dialog.previews()] == ["Alice", "Bob"]
    dialog.reject()
    text_only = QMimeData()
    text_only.setUrls([QUrl.fromLocalFile(str(other))])
    refused = QDragEnterEvent(QPoint(20, 20), Qt.DropAction.CopyAction, text_only,
                              Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(page, refused)
    assert not refused.isAccepted()
    assert page.drop_mime(text_only) == []


def test_cancel_during_import_changes_nothing(qtbot, gkit, trio) -> None:  # noqa: F811
    """Cancel pressed while a bundle merges: nothing written, controls back afterwards."""
    lead, alice, _bob = trio
    alice.notes.add(source_kind="observation", title="t", body="b")
    add_bytes(alice.store, os.urandom(3 << 20), "application/pdf")  # progress every MiB
    path = gkit.export(alice)
    before = gkit.digest(lead)
    page = page_for(qtbot, lead)
    seen: list[bool] = []

    def press_cancel(done: int, total: int) -> None:
        if not seen:
            seen.append(page.import_button.isEnabled() or page.export_button.isEnabled())
            assert page.progress.isVisible() and page.progress.cancel_button.isEnabled()
            page.progress.cancel_button.click()

    page.progress.progressed.connect(press_cancel)
    merge_via_page(page, lead, [path])
    assert seen == [False], "controls are disabled while the import runs"
    assert gkit.digest(lead) == before
    assert page.status.text() == "Cancelled. Nothing was changed."
    assert page.history_model.rowCount() == 0 and page.last_report is None
    assert not page.progress.isVisible() and page.import_button.isEnabled()
    page.progress.progressed.disconnect(press_cancel)
    assert merge_via_page(page, lead, [path]).imported == 1, "it still imports afterwards"


def test_models_pass_the_model_tester(qtmodeltester, gkit, trio) -> None:  # noqa: F811
    """Roster, preview, history and conflict models are sound Qt models."""
    lead, alice, bob = trio
    from hmip_desktop.services import team

    note = alice.notes.add(source_kind="observation", title="t", body="b")
    gkit.import_(bob, [gkit.export(alice)])
    alice.notes.edit(note, body="a")
    bob.notes.edit(note, body="b2")
    paths = [gkit.export(alice), gkit.export(bob)]
    with acting(lead):
        previews = bundles.preview_bundles(lead.store, paths, keys=lead.keys)
    gkit.import_(lead, paths)
    for model, rows in ((roster_model(), team.roster_view(lead.store).members),
                        (preview_model(), previews),
                        (history_model(), bundles.import_history(lead.store)),
                        (conflicts_model(), conflicts.list_conflicts(lead.store))):
        model.set_rows(rows)
        assert model.rowCount() > 0
        qtmodeltester.check(model)


def test_export_and_merge_on_the_real_worker_thread(qtbot, gkit, trio,  # noqa: F811
                                                    tmp_path: Path) -> None:
    """The same flow with the threaded DB lane: results and progress arrive on the GUI thread."""
    from hmip_desktop.ui.context import UiContext
    from hmip_desktop.ui.tasks import TaskRunner
    from hmip_desktop.ui.team.team_sync_page import TeamSyncPage

    lead, alice, _bob = trio
    alice.notes.add(source_kind="observation", title="threaded", body="b")
    ctx = UiContext(tasks=TaskRunner())
    ctx.store = alice.store
    page = TeamSyncPage(ctx)
    qtbot.addWidget(page)
    folder = tmp_path / "out"
    folder.mkdir()
    with acting(alice):  # the worker reads HMIP_HOME too: stay this device until done
        page.show()
        ctx.signals.inspection_opened.emit(alice.store)
        page.export_to(folder)
        qtbot.waitUntil(lambda: "Bundle written" in page.status.text(), timeout=20000)
        qtbot.waitUntil(lambda: page.export_button.isEnabled())
    [bundle] = list(folder.iterdir())
    ctx.store = lead.store
    with acting(lead):
        ctx.signals.inspection_opened.emit(lead.store)
        page.import_paths([bundle])
        qtbot.waitUntil(lambda: page.preview_dialog is not None, timeout=20000)
        page.preview_dialog.merge_button.click()
        qtbot.waitUntil(lambda: page.last_report is not None, timeout=20000)
        qtbot.waitUntil(lambda: page.history_model.rowCount() == 1, timeout=20000)
    assert page.last_report.imported == 1 and page.import_button.isEnabled()
    ctx.tasks.shutdown()


def test_conflict_queue_by_keyboard(qtbot, gkit, trio) -> None:  # noqa: F811
    """Alt+S opens the queue (Alt+C is the progress bar's Cancel), arrows pick a conflict,
    Alt+2 keeps the second version."""
    from tests.gui.keyboard import focused, press

    lead, *_ = trio
    note, paths = _clash(gkit, trio, {"body": "alice says"}, {"body": "bob says"})
    page = page_for(qtbot, lead)
    merge_via_page(page, lead, paths)
    page.tabs.setCurrentIndex(0)
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    page.import_button.setFocus()
    press(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: page.tabs.currentWidget() is page.queue)
    page.queue.table.setFocus()
    press(qtbot, Qt.Key.Key_Down)
    assert focused() is page.queue.table and page.queue.selected().record_id == note
    second = page.queue.versions.cards[1].version
    with acting(lead):
        press(qtbot, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(lambda: heads(lead, note) == 1)
    with lead.store.uow() as tx:
        assert tx.records.get(note).payload["body"] == second.payload["body"]


# A field name, a title and a value another laptop put in its bundle: terminal escapes (a
# window title, a screen clear, colours), a right-to-left override and rich-text tags.
_HOSTILE = "x\x1b]0;owned\x07\x1b[2J\x1b[31m<h1>KEEP VERSION 2</h1>\x1b[0m\u202e"


def test_hostile_field_names_and_values_reach_no_terminal_and_no_rich_text(
        qtbot, gkit, trio, capsys) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from hmip_desktop.cli.main import main as cli_main
    from hmip_desktop.domain import records as R
    from hmip_desktop.services.field_text import short_value

    lead, alice, _bob = trio
    note = alice.notes.add(source_kind="observation", title="Wing visit", body="calm")
    gkit.import_(lead, [gkit.export(alice)])
    with acting(alice), alice.store.uow(write=True) as tx:  # as a modified app would write
        current = dict(tx.records.get(note).payload)
        alice.store.put(tx, R.NOTE, note, {**current, _HOSTILE: _HOSTILE,
                                           "title": "A" + _HOSTILE})
    lead.notes.edit(note, title="L")
    page = page_for(qtbot, lead)
    merge_via_page(page, lead, [gkit.export(alice)])
    with acting(lead):
        capsys.readouterr()
        assert cli_main(["conflicts", str(lead.store.path)]) == 0
    out = capsys.readouterr().out
    assert "Wing visit" not in out and "L" in out
    for bad in ("\x1b", "\x07", "\u202e"):
        assert bad not in out, repr(bad)
    assert page.queue.select_record(note)
    cards = page.queue.versions.cards
    shown = [c.facts["Changed"] for c in cards] + [c.content for c in cards]
    for widget in shown:
        text = widget.text() if hasattr(widget, "text") else widget.toPlainText()
        assert not any(bad in text for bad in ("\x1b", "\x07", "\u202e")), repr(text)
    assert all(c.facts["Changed"].textFormat() == Qt.TextFormat.PlainText for c in cards)
    # A megabytes-long value is cut before it is cleaned: never copied whole for one line.
    line = short_value("body", "ab " * 3_000_000)
    assert line.endswith("…") and len(line) <= 60

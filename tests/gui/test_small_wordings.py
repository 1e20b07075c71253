"""Words a person reads on screen: no "All 1 inspector", and no "not linked" said of an
item that is not chosen."""

from __future__ import annotations

from types import SimpleNamespace

from hmip_desktop.services.links import LinkView
from hmip_desktop.ui.evidence.evidence_links import EvidenceLinksList
from hmip_desktop.ui.scoring.walkthrough_judgement import team_summary


def _team(n: int, disagreement: bool = False):  # type: ignore[no-untyped-def]
    return SimpleNamespace(rows=tuple(range(n)), disagreement=disagreement, spread=None,
                           agreed=None)


def test_team_summary_counts_in_words() -> None:
    assert team_summary(_team(1)) == "One inspector has given a provisional score so far."
    assert team_summary(_team(2)) == "Both inspectors gave the same provisional score."
    assert team_summary(_team(4)) == "All 4 inspectors gave the same provisional score."


def test_link_list_says_not_linked_only_of_a_chosen_item(qtbot) -> None:  # type: ignore[no-untyped-def]
    links = EvidenceLinksList("Expectations this document is linked to")
    qtbot.addWidget(links)
    assert links.list.count() == 0  # nothing chosen yet
    links.set_links([])
    assert links.list.item(0).text() == "(not linked to any expectation yet)"
    links.set_links([LinkView("l1", "d1", "document", "12", None, None, 3, None,
                              "Expectation 12")])
    assert links.list.item(0).text() == "Expectation 12 — page 3"
    links.set_links(None)
    assert links.list.count() == 0 and not links.remove_button.isEnabled()


def test_note_buttons_need_a_file_and_a_chosen_note(window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from hmip_desktop.services.notes import NoteService
    from tests.gui.keyboard import make_store

    panel = window.show_page("Evidence").notes
    buttons = (panel.new_button, panel.delete_button, panel.history_button)
    assert [b.isEnabled() for b in buttons] == [False, False, False]  # no file open
    store = make_store(tmp_path)
    nid = str(NoteService(store).add(source_kind="observation", title="Gate"))
    window._set_store(store)
    panel.reload()
    panel.table.clearSelection()
    panel.table.setCurrentIndex(panel.table.model().index(-1, -1))
    assert panel.new_button.isEnabled() and not panel.delete_button.isEnabled()
    panel.select_note(nid)
    assert all(b.isEnabled() for b in buttons)


def test_note_times_are_short_in_the_list_and_whole_in_the_tip(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import os
    import time

    from PySide6.QtCore import Qt

    from hmip_desktop.domain.date_words import short_stamp
    from hmip_desktop.domain.records import NoteView
    from hmip_desktop.ui.evidence.notes_table_model import NotesTableModel

    assert short_stamp("2026-11-25 21:00") == "25 Nov 21:00"
    assert short_stamp("2026-11-25T09:05:00+00:00") == "25 Nov 09:05"
    assert short_stamp("2026-11-25") == "25 Nov 2026"
    assert short_stamp("after lunch") == "after lunch" and short_stamp(None) == ""
    monkeypatch.setitem(os.environ, "TZ", "Europe/London")
    time.tzset()
    try:
        note = NoteView("n1", "observation", "Wing", "", "2026-07-01 21:00", None, None,
                        False, "a", "2026-07-01T20:05:00+00:00", False)
        model = NotesTableModel()
        model.set_rows([note])
        cell = model.index(0, NotesTableModel.COL_UPDATED)
        assert cell.data() == "1 Jul 21:05"  # British Summer Time, not UTC
        assert "2026-07-01 21:05" in cell.data(Qt.ItemDataRole.ToolTipRole)
        assert model.index(0, NotesTableModel.COL_WHEN).data() == "1 Jul 21:00"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_the_key_is_described_in_words(window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.gui.keyboard import make_store

    window._set_store(make_store(tmp_path))
    overview = window.show_page("Overview")
    overview.reload()
    text = overview.values["security"].text()
    assert text == "encrypted; its key is kept in this computer's keyring"
    assert "schema" not in text and window.key_label.text().endswith(text)


def test_times_from_device_clocks_are_local_and_say_approximate(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import os
    import time

    from hmip_desktop.ui.widgets.times import approx_time

    monkeypatch.setitem(os.environ, "TZ", "Europe/London")
    time.tzset()
    try:
        assert approx_time("2026-07-01T20:05:00+00:00") == "2026-07-01 21:05 (approx.)"
        assert approx_time("2026-12-01T20:05:00Z") == "2026-12-01 20:05 (approx.)"
        assert approx_time(None) == "—"
    finally:
        monkeypatch.undo()
        time.tzset()

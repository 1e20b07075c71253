"""Issue 11: pages built on first visit, the notes list's first page, counts off the GUI
thread, and a start-up path that does not import the store before the window is shown."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hmip_desktop.services import startup
from hmip_desktop.services.bundle_export import BUNDLE_SUFFIX
from hmip_desktop.services.extracts import ExtractService
from hmip_desktop.services.inspections import create_inspection
from hmip_desktop.services.notes import NoteService
from hmip_desktop.ui.models.extract_table_model import ExtractTableModel
from tests.factories import minimal_framework


def _store(tmp_path: Path):  # type: ignore[no-untyped-def]
    return create_inspection(tmp_path / "x.hmip", establishment_name="HMP Lazy",
                             establishment_type="mens_prison", framework=minimal_framework())


def test_the_app_module_does_not_import_the_store() -> None:
    """The window can be shown before SQLAlchemy, the store and the pages are imported."""
    code = ("import sys, hmip_desktop.app; "
            "print(sorted(m for m in ('sqlalchemy', 'hmip_desktop.services.store', "
            "'hmip_desktop.ui.pages.evidence_page', 'openpyxl') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""})
    assert out.stdout.strip() == "[]"


def test_bundle_suffix_is_the_same_in_both_places() -> None:
    """startup keeps its own copy of the bundle suffix (to stay light)."""
    assert startup.BUNDLE_SUFFIX == BUNDLE_SUFFIX


def test_pages_are_built_on_first_visit(window, tmp_path: Path) -> None:
    """Listing the pages builds none; showing one builds it, and it reads the open file."""
    assert list(window.pages) == ["Overview", "Evidence", "Expectations", "Scoring",
                                  "Concerns", "Team & sync", "Reports"]
    assert not window.pages.is_built("Reports")
    store = _store(tmp_path)
    window._set_store(store)
    assert not window.pages.is_built("Concerns")
    page = window.show_page("Concerns")
    assert window.pages.is_built("Concerns")
    assert window.stack.currentWidget() is page
    assert window.nav.currentRow() == list(window.pages).index("Concerns")


def test_evidence_tabs_are_built_when_first_shown(window, tmp_path: Path) -> None:
    """Documents, extracts and figures are built on first use, and then load the file."""
    store = _store(tmp_path)
    window._set_store(store)
    page = window.show_page("Evidence")
    assert page._panels == {}
    page.tabs.setCurrentIndex(2)
    assert "extracts" in page._panels
    assert page.tabs.currentWidget() is page.extracts
    assert page.tabs.tabText(2) == "Data e&xtracts"


def test_first_notes_are_the_newest_saved(store) -> None:
    """The first page of the notes list: newest saved first, at most `limit`."""
    notes = NoteService(store)
    ids = [notes.add(source_kind="observation", title=f"Note {i}") for i in range(5)]
    notes.edit(ids[1], title="Edited last")
    first = startup.first_notes(store, limit=3)
    assert [n.id for n in first][:1] == [ids[1]]
    assert len(first) == 3 and all(n.id in ids for n in first)


def test_notes_list_shows_rows_after_opening(window, tmp_path: Path) -> None:
    """Opening a file fills the notes list (first page, then all)."""
    store = _store(tmp_path)
    for i in range(3):
        NoteService(store).add(source_kind="observation", title=f"N{i}")
    window._set_store(store)
    notes = window.pages["Evidence"].notes
    assert notes.first_rows_shown
    assert notes.model.rowCount() == 3


def test_filtered_count_runs_through_the_runner(store, tmp_path: Path) -> None:
    """With a runner, the table is empty while counting and fills when the count arrives."""
    path = tmp_path / "w.csv"
    path.write_text("n,wing\n1,A\n2,B\n3,A\n", encoding="utf-8")
    service = ExtractService(store)
    view = service.import_file(path)
    model = ExtractTableModel()
    pending: list = []  # type: ignore[type-arg]
    model.count_runner = lambda work, ok, failed: pending.append((work, ok))
    counted: list[bool] = []
    model.counted.connect(lambda: counted.append(True))
    model.set_extract(service, view)
    assert model.rowCount() == 3  # no filter: the record's count, no query
    model.set_filters([(1, "=", "A")])
    assert model.counting and model.rowCount() == 0
    work, ok = pending.pop()
    ok(work())
    assert not model.counting and model.rowCount() == 2 and counted == [True]
    model.set_filters([(1, "=", "B")])
    model.set_filters([(1, "=", "A")])
    stale_work, stale_ok = pending.pop(0)
    stale_ok(stale_work())  # the count of filters since replaced: ignored
    assert model.counting and model.rowCount() == 0
    work, ok = pending.pop()
    ok(work())
    assert model.rowCount() == 2


def _note(i: int):  # type: ignore[no-untyped-def]
    from hmip_desktop.domain.records import NoteView

    return NoteView.from_payload(f"id{i:04d}", {"source_kind": "observation",
                                                "title": f"Note {i:04d}", "body": f"b{i}"},
                                 author_id="me", updated=f"2026-11-{1 + i % 28:02d}T10:00:00",
                                 conflicted=False)


def test_notes_model_shows_a_page_at_a_time(qtmodeltester) -> None:
    """250 notes: 100 shown, more on fetchMore; a filter sees them all; row_of shows a row."""
    from hmip_desktop.ui.models.notes_table_model import (
        FETCH_ROWS,
        NotesFilterProxy,
        NotesTableModel,
    )

    model = NotesTableModel()
    proxy = NotesFilterProxy()
    proxy.setSourceModel(model)
    model.set_rows([_note(i) for i in range(250)])
    assert model.rowCount() == FETCH_ROWS and model.total == 250 and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 2 * FETCH_ROWS
    proxy.set_filters(text="note 0245")
    assert model.rowCount() == 250
    assert proxy.rowCount() == 1  # found beyond the pages shown so far
    proxy.set_filters()
    model.set_rows([_note(i) for i in range(250)])
    assert model.rowCount() == FETCH_ROWS
    last = model.row_of("id0000")
    assert last >= 0 and model.rowCount() == last + 1
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)

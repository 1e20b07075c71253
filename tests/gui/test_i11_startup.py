"""Issue 11: pages built on first visit, the notes list's first page, counts off the GUI
thread, and a start-up path that does not import the store before the window is shown."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hmip_desktop.services import startup
from hmip_desktop.services.bundle_export import BUNDLE_SUFFIX
from hmip_desktop.services.extracts import ExtractService
from hmip_desktop.services.inspection_store import FILE_SUFFIX
from hmip_desktop.services.inspections import create_inspection
from hmip_desktop.services.notes import NoteService
from hmip_desktop.ui.evidence.extract_table_model import ExtractTableModel
from tests.factories import minimal_framework


def _store(tmp_path: Path):  # type: ignore[no-untyped-def]
    return create_inspection(tmp_path / "x.hmip", establishment_name="HMP Lazy",
                             establishment_type="mens_prison", framework=minimal_framework())


def test_the_app_module_does_not_import_the_store() -> None:
    """The window can be shown before SQLAlchemy, the store and the pages are imported."""
    code = ("import sys, hmip_desktop.app; "
            "print(sorted(m for m in ('sqlalchemy', 'hmip_desktop.services.inspection_store', "
            "'hmip_desktop.ui.evidence.evidence_page', 'openpyxl') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""})
    assert out.stdout.strip() == "[]"


def test_bundle_suffix_is_the_same_in_both_places() -> None:
    """startup keeps its own copy of the bundle suffix (to stay light)."""
    assert startup.BUNDLE_SUFFIX == BUNDLE_SUFFIX
    assert startup.FILE_SUFFIX == FILE_SUFFIX


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


def test_first_notes_are_the_newest_saved(tmp_path: Path) -> None:
    """The first screen's notes: newest saved first, at most FIRST_NOTES."""
    from hmip_desktop.services import first_screen

    store = _store(tmp_path)
    notes = NoteService(store)
    ids = [notes.add(source_kind="observation", title=f"Note {i}") for i in range(5)]
    notes.edit(ids[1], title="Edited last")
    path = store.path
    store.close()
    screen = first_screen.Opening(path, None).first_screen()
    assert screen is not None
    assert [n.id for n in screen.notes][:1] == [ids[1]]
    assert sorted(n.id for n in screen.notes) == sorted(ids)


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
    from hmip_desktop.ui.evidence.notes_table_model import (
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


# -- §1 second pass: the typed passphrase unlocks early; nothing the first screen does not need

PASSPHRASE = "a long enough passphrase"


class _TypedPassphrase:
    """Stands in for the passphrase dialog: the person types PASSPHRASE and presses OK."""

    class DialogCode:
        Accepted = 1

    events: list[str] = []

    def __init__(self, _parent: object, *, creating: bool, file_label: str = "") -> None:
        assert not creating and file_label

    def exec(self) -> int:
        self.events.append("dialog")
        return self.DialogCode.Accepted

    def passphrase(self) -> str:
        return PASSPHRASE


def test_a_typed_passphrase_starts_the_derivation_as_soon_as_it_is_entered(
        window, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The derivation starts when OK is pressed (beside the rest of the open), the store
    loads while the dialog is up, and the open takes the early key: Argon2id runs once."""
    from hmip_desktop.storage import keys, passphrase_wrap
    from hmip_desktop.ui import main_window

    monkeypatch.setenv("HMIP_KEY_SOURCE", keys.KEY_SOURCE_PASSPHRASE)
    monkeypatch.delenv("HMIP_PASSPHRASE", raising=False)
    store = create_inspection(tmp_path / "typed.hmip", establishment_name="HMP Typed",
                              establishment_type="mens_prison", framework=minimal_framework(),
                              provider=lambda _p: PASSPHRASE)
    path = store.path
    store.close()
    started: list[tuple[Path, str | None]] = []
    real_begin = startup.begin_unlock
    monkeypatch.setattr(startup, "begin_unlock",
                        lambda p, passphrase=None: started.append((p, passphrase))
                        or real_begin(p, passphrase))
    events: list[str] = []
    monkeypatch.setattr(_TypedPassphrase, "events", events)
    monkeypatch.setattr(startup, "preload_store", lambda: events.append("preload"))
    derivations: list[int] = []
    real_kek = passphrase_wrap.kek
    monkeypatch.setattr(passphrase_wrap, "kek", lambda *a: derivations.append(1) or real_kek(*a))
    monkeypatch.setattr(main_window, "PassphraseDialog", _TypedPassphrase, raising=False)
    window.open_path(path)
    assert window.ctx.store is not None and window.ctx.store.path == path
    assert started == [(path, PASSPHRASE)]
    assert events[:2] == ["preload", "dialog"]  # the store loads while the person types
    assert derivations == [1]  # derived once, on the early-unlock thread
    assert keys._early is None


def test_begin_unlock_does_not_load_the_store() -> None:
    """From the first line of the GUI's run the key is found on a helper thread, but the
    store's modules are not loaded: the first screen is read without them, and their imports
    would hold the GIL the window needs (issue 11)."""
    code = ("import sys, threading, time, pathlib; from hmip_desktop.services import startup; "
            "assert 'sqlalchemy' not in sys.modules; "
            "startup.begin_unlock(pathlib.Path('absent.hmip')); time.sleep(0.5); "
            "print(sorted(t.name for t in threading.enumerate() if t.name == 'store-import'), "
            "'sqlalchemy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == "[] False", out.stderr


def test_the_collector_is_back_on_once_the_file_is_open(window, qtbot, tmp_path: Path,
                                                       monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The entry point turns the collector off while the modules load; start-up ends (heap
    frozen, collector on) once the file is open, and at the latest after a time limit."""
    import gc

    from hmip_desktop import app

    frozen: list[int] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(1))
    gc.disable()
    try:
        app._end_start_up_with_the_file(window)
        assert not gc.isenabled()
        window._set_store(_store(tmp_path))
        qtbot.waitUntil(gc.isenabled)
        assert frozen == [1]
        gc.disable()
        window.ctx.signals.inspection_opened.emit(window.ctx.store)  # a later open: not again
        qtbot.wait(20)
        assert not gc.isenabled() and frozen == [1]
    finally:
        gc.enable()
    monkeypatch.setattr(app, "START_UP_LIMIT_MS", 1)
    gc.disable()
    try:
        app._end_start_up_with_the_file(window)  # no file ever opens: the limit ends it
        qtbot.waitUntil(gc.isenabled)
    finally:
        gc.enable()


def test_the_overview_page_loads_no_life_cycle_service() -> None:
    """The life-cycle panel's service (roster signatures, the bundle format: ~60 ms of
    imports) loads on the DB lane at its first read, after the Overview's facts."""
    code = ("import sys, hmip_desktop.ui.overview.overview_page; "
            "print(sorted(m for m in ('hmip_desktop.services.lifecycle', "
            "'hmip_desktop.services.roster_access', 'hmip_desktop.bundle.format') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120, env={"QT_QPA_PLATFORM": "offscreen",
                                                       "PATH": ""})
    assert out.stdout.strip() == "[]", out.stderr


def test_the_overview_label_needs_no_json_schema_validator() -> None:
    """The establishment-type label the Overview shows at start-up reads the types file only:
    jsonschema (~100 ms of imports) loads with the first framework validation."""
    code = ("import sys; from hmip_desktop.services import labels; "
            "print(labels.establishment_type_label('mens_prison'), "
            "'jsonschema' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == "Men's prison False", out.stderr


def test_attachments_are_walked_only_when_their_folder_was_left_open(
        tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Opening stats every attachment only for a folder an earlier version left open (whose
    files it tightens); a private folder costs one stat, however many attachments it holds."""
    import os
    import stat

    from hmip_desktop.services import inspection_store as store_module
    from hmip_desktop.services.attachments import add_bytes

    store = _store(tmp_path)
    for i in range(3):
        add_bytes(store, b"attachment %d" % i * 50, "application/pdf")
    store.close()
    blob_dir = store_module.blob_dir_for(store.path)
    children = list(blob_dir.iterdir())
    assert children
    touched: list[Path] = []
    real_restrict = store_module.restrict
    monkeypatch.setattr(store_module, "restrict",
                        lambda p: touched.append(Path(p)) or real_restrict(p))
    store_module.restrict_inspection_files(store.path)
    assert not set(children) & set(touched)  # a private folder: its files are not walked
    if os.name != "posix":
        return
    blob_dir.chmod(0o755)  # as an earlier version left it
    for child in children:
        child.chmod(0o644)
    touched.clear()
    store_module.restrict_inspection_files(store.path)
    assert set(children) <= set(touched)
    assert stat.S_IMODE(blob_dir.stat().st_mode) == 0o700
    assert {stat.S_IMODE(c.stat().st_mode) for c in children} == {0o600}


def test_the_note_editor_is_made_at_first_use_in_the_lists_tab_order(window) -> None:  # type: ignore[no-untyped-def]
    """A start's hidden Evidence page makes no note editor (its first screen is the list);
    made later, after the page's other parts, the editor still follows the list in the Tab
    order."""
    from PySide6.QtCore import Qt

    page = window.show_page("Evidence")
    panel = page.notes
    assert panel._editor is None
    page.tabs.setCurrentIndex(2)  # another part of the page made first
    page.tabs.setCurrentIndex(0)
    editor = panel.editor
    assert panel.editor is editor and editor.isVisible()
    widget, order = panel.table.nextInFocusChain(), []
    while widget is not panel.table and len(order) < 3:
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisible():
            order.append(widget.accessibleName())
        widget = widget.nextInFocusChain()
    assert order[:2] == ["Note title", "Source kind"]

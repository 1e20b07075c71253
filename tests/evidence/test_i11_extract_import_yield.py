"""Issue 11 §4: a long extract import lets other writers in, and still finishes or vanishes."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from hmip_desktop.domain import records as R
from hmip_desktop.domain.errors import Cancelled
from hmip_desktop.services import extract_import
from hmip_desktop.services.extracts import ExtractService
from hmip_desktop.services.notes import NoteService
from hmip_desktop.storage import extract_tables as T


def _csv(tmp_path: Path, rows: int) -> Path:
    path = tmp_path / "rows.csv"
    lines = ["n,wing,cost"] + [f"{i},{'AB'[i % 2]},{i}.50" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _staging(store) -> set[str]:  # type: ignore[no-untyped-def]
    with store.uow() as tx:
        return tx.extract_tables.staging()


def test_a_note_is_saved_while_an_import_holds_the_file(store, tmp_path, monkeypatch) -> None:
    """When another writer waits, the import commits its chunk and lets the note in first."""
    monkeypatch.setattr(extract_import, "YIELD_EVERY_ROWS", 500)
    monkeypatch.setattr(extract_import, "BATCH_ROWS", 250)
    path = _csv(tmp_path, 5_000)
    saved = threading.Event()
    note_ids: list[str] = []

    def autosave() -> None:  # another thread, as the GUI's DB lane
        note_ids.append(NoteService(store).add(source_kind="observation", title="Autosaved"))
        saved.set()

    writer = threading.Thread(target=autosave)
    started: list[bool] = []

    def yield_to() -> bool:
        if not started:
            started.append(True)
            writer.start()
            return True
        return not saved.is_set()

    view = ExtractService(store).import_file(path, yield_to=yield_to)
    writer.join(5)
    assert saved.is_set() and note_ids
    assert view.row_count == 5_000
    assert ExtractService(store).row_count(view.id) == 5_000
    assert NoteService(store).get(note_ids[0]).title == "Autosaved"
    assert _staging(store) == set()


def test_a_cancel_after_committed_chunks_leaves_nothing(store, tmp_path, monkeypatch) -> None:
    """Chunks already committed into the staging table go too: no rows, record or blob."""
    monkeypatch.setattr(extract_import, "YIELD_EVERY_ROWS", 500)
    monkeypatch.setattr(extract_import, "BATCH_ROWS", 250)
    path = _csv(tmp_path, 5_000)
    cancel = threading.Event()
    pauses: list[int] = []

    def yield_to() -> bool:  # always someone waiting: every chunk is committed
        pauses.append(1)
        if len(pauses) > 3:
            cancel.set()
        return len(pauses) % 2 == 1

    with pytest.raises(Cancelled):
        ExtractService(store).import_file(path, yield_to=yield_to, cancel=cancel)
    assert len(pauses) > 3
    assert _staging(store) == set()
    with store.uow() as tx:
        assert tx.records.list(R.EXTRACT, include_deleted=True) == []
        assert tx.extract_tables.existing() == set()
    with store.uow() as tx:
        assert tx.blobs.count() == 0


def test_a_killed_imports_staging_table_is_dropped_later(store, tmp_path) -> None:
    """A staging table nobody runs (the import died) is dropped by the next import."""
    with store.uow(write=True) as tx:
        T.create(tx.extract_tables.cursor(), T.staging_name("dead-import"), ["integer"])
    assert _staging(store) == {T.staging_name("dead-import")}
    view = ExtractService(store).import_file(_csv(tmp_path, 10))
    assert view.row_count == 10
    assert _staging(store) == set()
    with store.uow(write=True) as tx:
        T.create(tx.extract_tables.cursor(), T.staging_name("dead-again"), ["integer"])
    assert extract_import.drop_stale_staging(store) == 1
    assert _staging(store) == set()


def test_another_process_does_not_drop_a_running_imports_staging_table(
        store, tmp_path, monkeypatch) -> None:
    """Staging tables are dropped when no running import owns them; an import of another
    program (the CLI beside the app) knows nothing of this one's, which has committed chunks
    while it waited: it must still see that this one is running."""
    monkeypatch.setattr(extract_import, "YIELD_EVERY_ROWS", 500)
    monkeypatch.setattr(extract_import, "BATCH_ROWS", 250)
    dropped: list[int] = []

    def yield_to() -> bool:
        if not dropped:  # at a pause (chunk committed): another process's import starts
            dropped.append(-1)
            return True
        if len(dropped) == 1:
            with monkeypatch.context() as m:
                m.setattr(extract_import, "_staging_active", set())  # that process's view
                dropped.append(extract_import.drop_stale_staging(store))
        return False

    view = ExtractService(store).import_file(_csv(tmp_path, 5_000), yield_to=yield_to)
    assert dropped == [-1, 0]
    assert ExtractService(store).row_count(view.id) == 5_000


def test_an_import_started_while_the_db_lane_holds_the_file_waits_for_it(
        store, tmp_path, monkeypatch) -> None:
    """The DB lane may hold the write lock for long (a merge appending a large bundle): an
    import begun meanwhile waits for the lane instead of giving up as if another program
    held the file."""
    from hmip_desktop.storage import unit_of_work as U

    monkeypatch.setattr(U, "QUIET_LOCK_WAIT_S", 0.2)
    holding, done = threading.Event(), threading.Event()

    def merge_like() -> None:  # the DB lane, writing for longer than the lock-wait limit
        with store.uow(write=True):
            holding.set()
            done.wait(10)

    lane = threading.Thread(target=merge_like)
    lane.start()
    assert holding.wait(10)
    asked: list[int] = []

    def yield_to() -> bool:
        asked.append(1)
        if len(asked) == 100:  # about half a second of waiting: the lane's work ends
            done.set()
            lane.join(10)
        return lane.is_alive()

    try:
        view = ExtractService(store).import_file(_csv(tmp_path, 50), yield_to=yield_to)
    finally:
        done.set()
        lane.join(10)
    assert ExtractService(store).row_count(view.id) == 50


def test_a_note_is_saved_while_a_large_workbook_opens(store, tmp_path, monkeypatch) -> None:
    """Opening a workbook (shared strings, the merged-cell scan of the whole sheet) takes
    seconds on a large one, before the first batch of rows: that happens before the import
    takes the write lock, so an autosave meanwhile is written at once, not refused as busy."""
    from hmip_desktop.ingest import xlsx
    from hmip_desktop.storage import unit_of_work as U
    from tests.evidence.conftest import make_xlsx

    monkeypatch.setattr(U, "QUIET_LOCK_WAIT_S", 0.3)
    path = make_xlsx(tmp_path / "uof.xlsx", {"Sheet": [["n", "wing"]]
                                             + [[i, "AB"[i % 2]] for i in range(300)]})
    found = ExtractService(store).preview(path)  # the GUI's preview: the import only reads
    opening, saved = threading.Event(), threading.Event()
    real_check = xlsx.check_merged

    def slow_check(stream, sheet):  # type: ignore[no-untyped-def]
        opening.set()  # the workbook is being opened: a note is autosaved now
        assert saved.wait(10), "the autosave could not write while the workbook opened"
        return real_check(stream, sheet)

    monkeypatch.setattr(xlsx, "check_merged", slow_check)
    failures: list[BaseException] = []

    def autosave() -> None:
        assert opening.wait(10)
        try:
            NoteService(store).add(source_kind="observation", title="Autosaved")
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)
        saved.set()

    writer = threading.Thread(target=autosave)
    writer.start()
    try:
        view = ExtractService(store).import_file(path, sniff=found, yield_to=lambda: False)
    finally:
        saved.set()
        writer.join(10)
    assert failures == []
    assert ExtractService(store).row_count(view.id) == 300
    assert [n.title for n in NoteService(store).list()] == ["Autosaved"]

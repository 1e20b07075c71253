"""A merge, and its undo, while a long extract import has committed chunks of its rows.

The import runs beside the DB lane (issue 11 §4): between its chunks the lane may merge
bundles and undo that merge. The undo puts back every table as the merge's snapshot had it,
which once included the import's staging table: the rows loaded between the snapshot and the
undo vanished, and the import then published an extract whose record counted rows that were
not there.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from hmip_desktop.domain.errors import UserError
from hmip_desktop.services import bundle_import, bundles, extract_import
from hmip_desktop.services.extracts import ExtractService
from hmip_desktop.services.notes import NoteService
from hmip_desktop.storage import extract_tables as T
from hmip_desktop.storage import sync_repo
from tests.sync.conftest import Device, TeamKit, acting, use_of_force_csv

ROWS = 6_000


def test_undoing_a_merge_mid_import_keeps_every_imported_row(
        kit: TeamKit, trio: list[Device], tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    lead, alice, _ = trio
    alice.notes.add(source_kind="observation", title="Wing B at night", body="b")
    bundle = kit.export(alice)
    monkeypatch.setattr(extract_import, "YIELD_EVERY_ROWS", 500)
    monkeypatch.setattr(extract_import, "BATCH_ROWS", 250)
    steps = iter(["start", "merge", "load more", "undo", "load more"])
    done: list[str] = []

    def yield_to() -> bool:
        """Called before the import takes the lock ("start": nothing waits), at each pause
        (True: commit the chunk) and then while waiting (the lane's work runs here, with the
        import's rows committed and its lock released)."""
        if len(done) % 2 == 0:  # at a pause: let the lane in
            done.append("paused")
            return True
        step = next(steps, "load more")
        done.append(step)
        if step == "merge":
            assert kit.import_(lead, [bundle]).snapshot
        elif step == "undo":
            bundles.undo_last_merge(lead.store)
        return False

    assert lead.store is not None
    with acting(lead):
        csv = use_of_force_csv(tmp_path, ROWS)
        view = ExtractService(lead.store).import_file(csv, yield_to=yield_to)
        assert "undo" in done  # the undo did run while the import had rows committed
        assert view.row_count == ROWS
        assert ExtractService(lead.store).row_count(view.id) == ROWS


def test_an_import_that_publishes_while_a_merge_waits_survives_its_undo(
        kit: TeamKit, trio: list[Device], tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """The merge's snapshot is taken before it takes the write lock; an import holding the
    lock meanwhile may publish first. Undoing that merge must not take the import back."""
    lead, alice, _ = trio
    alice.notes.add(source_kind="observation", title="Wing B at night", body="b")
    bundle = kit.export(alice)
    monkeypatch.setattr(extract_import, "YIELD_EVERY_ROWS", 500)
    monkeypatch.setattr(extract_import, "BATCH_ROWS", 250)
    snapshot_taken = threading.Event()
    real_snapshot = bundle_import.take_snapshot

    def take_snapshot(engine, dest) -> None:  # noqa: ANN001
        real_snapshot(engine, dest)
        snapshot_taken.set()

    monkeypatch.setattr(bundle_import, "take_snapshot", take_snapshot)
    merged: list[object] = []
    merge = threading.Thread(target=lambda: merged.append(kit.import_(lead, [bundle])))
    asked: list[int] = []

    def yield_to() -> bool:
        """Asked once before the import takes the lock, then at each pause: at the first
        pause the merge starts on another thread (the DB lane) and takes its snapshot; the
        import goes on holding the lock and publishes before the merge writes."""
        asked.append(1)
        if len(asked) == 2:
            merge.start()
            assert snapshot_taken.wait(30)
        return False

    assert lead.store is not None
    with acting(lead):
        csv = use_of_force_csv(tmp_path, ROWS)
        view = ExtractService(lead.store).import_file(csv, yield_to=yield_to)
        merge.join(60)
        assert merged and merged[0].snapshot  # type: ignore[attr-defined]
        bundles.undo_last_merge(lead.store)
        assert ExtractService(lead.store).get(view.id).row_count == ROWS
        assert [n.title for n in lead.notes.list()] == []


def test_an_import_published_between_undo_check_and_restore_is_kept(
        kit: TeamKit, trio: list[Device], tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """"Undo last merge" checks that nothing was written since the merge, then restores the
    snapshot in another transaction; a small import (no pause) can publish in between."""
    lead, alice, _ = trio
    alice.notes.add(source_kind="observation", title="Wing B at night", body="b")
    assert kit.import_(lead, [kit.export(alice)]).snapshot
    assert lead.store is not None
    store = lead.store
    imported: list[str] = []
    real_restore = bundles.restore_snapshot

    def restore_snapshot(*args, **kwargs) -> None:  # noqa: ANN002, ANN003
        csv = use_of_force_csv(tmp_path, ROWS)
        imported.append(ExtractService(store).import_file(csv).id)  # import lane
        real_restore(*args, **kwargs)

    monkeypatch.setattr(bundles, "restore_snapshot", restore_snapshot)
    with acting(lead):
        with pytest.raises(UserError, match="can no longer be undone"):
            bundles.undo_last_merge(store)
        assert ExtractService(store).get(imported[0]).row_count == ROWS
        assert [n.title for n in lead.notes.list()] == ["Wing B at night"]


def test_a_snapshot_is_taken_while_an_import_changes_the_schema(store, tmp_path: Path) -> None:  # noqa: ANN001
    """An import creates, renames or drops its table (publishing, or falling back to the
    careful reader) whenever it holds the lock, not only at its pauses: a merge's snapshot
    taken at that moment must not fail with "database schema has changed"."""
    engine = store.raw_write_engine()

    def import_changes_schema() -> None:  # on the import's own connection
        with store.bulk_uow() as tx:
            T.create(tx.extract_tables.cursor(), T.staging_name("beside"), ["integer"])

    class Cursor:
        def __init__(self, real) -> None:  # noqa: ANN001
            self._real = real

        def execute(self, sql: str, *args):  # noqa: ANN002, ANN202
            if "sqlcipher_export" in sql:
                import_changes_schema()
            return self._real.execute(sql, *args)

    class Connection:
        def __init__(self, real) -> None:  # noqa: ANN001
            self._real = real

        def cursor(self) -> Cursor:
            return Cursor(self._real.cursor())

        def close(self) -> None:
            self._real.close()

    class Engine:
        def raw_connection(self) -> Connection:
            return Connection(engine.raw_connection())

    NoteService(store).add(source_kind="observation", title="Before", body="b")
    snap = tmp_path / "insp.hmip.undo-x"
    sync_repo.take_snapshot(Engine(), snap)  # type: ignore[arg-type]
    sync_repo.restore_snapshot(engine, snap, seq=_seq(store), blobs=0)
    assert [n.title for n in NoteService(store).list()] == ["Before"]


def _seq(store) -> int:  # noqa: ANN001
    with store.uow() as tx:
        return tx.records.max_seq()

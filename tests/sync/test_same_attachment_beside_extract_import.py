"""A merge bringing the very file an extract import is loading (a colleague imported the same
spreadsheet), while that import fails: neither may remove the attachment file the other is
about to commit a row for.

The import writes its snapshot into the attachment store before its transaction; a merge that
finds the file there does not copy it again, and a failed operation removes the file it
stored when no committed row refers to it. Interleaved, one removed the file the other's row
then pointed to: the extract's snapshot was lost.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from hmip_desktop.domain.errors import Cancelled
from hmip_desktop.services import bundle_import, extract_import
from hmip_desktop.services.extracts import ExtractService
from tests.sync.conftest import Device, TeamKit, acting, use_of_force_csv

ROWS = 3_000


def test_a_cancelled_import_leaves_the_file_a_merge_is_adding(
        kit: TeamKit, trio: list[Device], tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    lead, alice, _ = trio
    csv = use_of_force_csv(tmp_path, ROWS)
    with acting(alice):
        theirs = ExtractService(alice.store).import_file(csv)  # type: ignore[arg-type]
    bundle = kit.export(alice)
    monkeypatch.setattr(extract_import, "YIELD_EVERY_ROWS", 500)
    monkeypatch.setattr(extract_import, "BATCH_ROWS", 250)
    planned, go_on = threading.Event(), threading.Event()
    real_snapshot = bundle_import.take_snapshot

    def take_snapshot(engine, dest) -> None:  # noqa: ANN001
        """The merge has chosen its attachments (the file is held: not copied)."""
        planned.set()
        assert go_on.wait(30)
        real_snapshot(engine, dest)

    monkeypatch.setattr(bundle_import, "take_snapshot", take_snapshot)
    merged: list[object] = []
    merge = threading.Thread(target=lambda: merged.append(kit.import_(lead, [bundle])))
    cancel = threading.Event()

    def yield_to() -> bool:
        """When the import first asks, the merge starts (the DB lane); the person cancels."""
        if not merge.is_alive() and not merged:
            merge.start()
            assert planned.wait(30)
            cancel.set()
        return True

    assert lead.store is not None
    with acting(lead):
        with pytest.raises(Cancelled):
            ExtractService(lead.store).import_file(csv, yield_to=yield_to, cancel=cancel)
        go_on.set()
        merge.join(60)
        assert merged
        assert lead.store.blobs.has(theirs.sha256)
        assert ExtractService(lead.store).row_count(theirs.id) == ROWS


def test_a_failed_merge_leaves_the_file_an_import_is_using(
        kit: TeamKit, trio: list[Device], tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """The merge copied the file first; the import found it stored and relies on it; the
    merge then fails (a cancel, a refusal) and removes the files it made."""
    lead, alice, _ = trio
    csv = use_of_force_csv(tmp_path, ROWS)
    with acting(alice):
        theirs = ExtractService(alice.store).import_file(csv)  # type: ignore[arg-type]
    bundle = kit.export(alice)
    assert lead.store is not None
    store = lead.store
    encrypted = threading.Event()
    real_encrypt = extract_import.encrypt_file

    def encrypt_file(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        out = real_encrypt(*args, **kwargs)
        encrypted.set()
        return out

    monkeypatch.setattr(extract_import, "encrypt_file", encrypt_file)
    imported: list[str] = []
    importing = threading.Thread(target=lambda: imported.append(
        ExtractService(store).import_file(csv).id))

    def fault_point(name: str) -> None:
        """Inside the merge's transaction, its attachments copied: the import (its own
        lane) stores its snapshot, then the merge is cancelled."""
        if name == "import.after_blobs":
            assert store.blobs.has(theirs.sha256)
            importing.start()
            assert encrypted.wait(30)
            raise Cancelled("the merge was cancelled")

    monkeypatch.setattr(bundle_import, "fault_point", fault_point)
    with acting(lead):
        with pytest.raises(Cancelled):
            kit.import_(lead, [bundle])
        importing.join(60)
        assert imported
        assert ExtractService(store).get(imported[0]).sha256 == theirs.sha256
        assert store.blobs.has(theirs.sha256)

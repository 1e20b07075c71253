"""Closing the file while an extract import waits behind a long write on the DB lane (a
merge): the window does not wait for the import's clean-up, the file closes after it, and
nothing of the import stays."""

from __future__ import annotations

import threading
from pathlib import Path

from hmip_desktop.domain import records as R
from hmip_desktop.services import extract_import
from hmip_desktop.services.extracts import ExtractService
from hmip_desktop.services.inspections import open_inspection
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.evidence.extract_import_dialog import ExtractImportRequest
from hmip_desktop.ui.evidence.extracts_panel import ExtractsPanel
from hmip_desktop.ui.tasks import TaskRunner
from tests.sync.conftest import use_of_force_csv


def test_closing_while_an_import_waits_for_a_merge_does_not_freeze(
        qtbot, store, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(extract_import, "YIELD_EVERY_ROWS", 500)
    monkeypatch.setattr(extract_import, "BATCH_ROWS", 250)
    path = use_of_force_csv(tmp_path, 5_000)
    ctx = UiContext(tasks=TaskRunner())
    ctx.store = store
    panel = ExtractsPanel(ctx)
    qtbot.addWidget(panel)
    holding, release = threading.Event(), threading.Event()

    def merge_like() -> None:  # the DB lane writing for long, as a merge of big bundles
        with store.uow(write=True):
            holding.set()
            release.wait(20)

    cleaned = threading.Event()
    real_drop = extract_import._drop_staging

    def drop(store_, staging):  # type: ignore[no-untyped-def]
        real_drop(store_, staging)
        cleaned.set()

    monkeypatch.setattr(extract_import, "_drop_staging", drop)
    waiting = threading.Event()
    real_give_way = extract_import.give_way

    def give_way(yield_to, cancel):  # type: ignore[no-untyped-def]
        waiting.set()
        real_give_way(yield_to, cancel)

    monkeypatch.setattr(extract_import, "give_way", give_way)
    ctx.tasks.submit(merge_like)
    assert holding.wait(10)
    found = ExtractService(store).preview(path)
    panel.start_import(ExtractImportRequest(path, "Use of force", found, {}))
    assert waiting.wait(10)  # the import waits for the lane (which holds the lock)
    try:
        # What closing the file does: forget the store, clear the pages, close on the lane.
        ctx.store = None
        panel.clear()
        # The import's clean-up needs the lock the "merge" holds: had clear() waited for it,
        # the window would have frozen until the lock wait gave up.
        assert not cleaned.is_set()
        closed = threading.Event()
        ctx.tasks.submit(lambda: (store.close(), closed.set()))
    finally:
        release.set()
    qtbot.waitUntil(lambda: closed.is_set() and not ctx.tasks.busy, timeout=20_000)
    assert cleaned.is_set()  # the lane waited for the import before closing the file
    reopened = open_inspection(store.path)
    try:
        with reopened.uow() as tx:
            assert tx.records.list(R.EXTRACT, include_deleted=True) == []
            assert tx.extract_tables.staging() == set()
            assert tx.extract_tables.existing() == set()
    finally:
        reopened.close()

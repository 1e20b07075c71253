"""Closing the window (or the file) while long work runs with a progress bar cancels it: the
window does not sit frozen until the work ends, and nothing of the work stays."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from hmip_desktop.app import build_window
from hmip_desktop.services import documents
from hmip_desktop.services.documents import DocumentService
from hmip_desktop.services.inspections import open_inspection
from hmip_desktop.ui.tasks import TaskRunner

SLOW_S = 10.0  # how long the "long PDF" takes to read when nobody cancels it


def test_closing_the_window_cancels_a_long_document_import(qtbot, store, tmp_path: Path,
                                                           monkeypatch) -> None:
    reading = threading.Event()

    def slow_text(path, mime, *, cancel=None, progress=None):  # type: ignore[no-untyped-def]
        reading.set()
        end = time.monotonic() + SLOW_S
        while time.monotonic() < end:  # a thousand-page PDF, checking Cancel per page
            documents._check_cancel(cancel)
            time.sleep(0.01)
        return ["every page read"]

    monkeypatch.setattr(documents, "extract_text", slow_text)
    policy = tmp_path / "policy.txt"
    policy.write_text("Use of force policy", encoding="utf-8")
    window = build_window(TaskRunner())
    qtbot.addWidget(window)
    window.show()
    window._set_store(store)
    panel = window.show_page("Evidence").documents
    panel.import_paths([policy])
    assert reading.wait(10)
    started = time.monotonic()
    window.close()  # pages clear, the file closes, the DB lane finishes its queue
    assert time.monotonic() - started < SLOW_S / 2
    reopened = open_inspection(store.path)
    try:
        assert DocumentService(reopened).list() == []
    finally:
        reopened.close()

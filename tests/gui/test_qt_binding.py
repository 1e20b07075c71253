"""Guards against known defects of the Qt binding that would crash the app."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication


def test_process_events_keeps_the_refcount_of_none(qapp: QApplication) -> None:
    """PySide6 6.12.0 released None once per processEvents() until Python aborted."""
    before = sys.getrefcount(None)
    for _ in range(20_000):
        qapp.processEvents()
    assert sys.getrefcount(None) - before > -1000

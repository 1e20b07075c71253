"""At the smallest window the app supports, no page makes the window scroll sideways: the
page area takes the widest minimum of the pages shown so far, so one wide tab (the extract's
grouping controls in one row, with long column names) made every page 1017 pixels wide."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from hmip_desktop.services.extracts import ExtractService
from tests.gui.keyboard import make_store
from tests.gui.page_walk import every_view
from tests.gui.text_fit import SMALLEST

LONG_HEADERS = ("incident_date,wing_or_residential_unit,incident_type_as_recorded,"
                "age_band_at_incident,hospital_attendance_required\n")


def test_every_view_fits_the_smallest_window(window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = make_store(tmp_path)
    csv = tmp_path / "self-harm.csv"
    csv.write_text(LONG_HEADERS + "".join(
        f"2026-01-{d:02d},B wing,Cutting,21-24,No\n" for d in range(1, 20)), encoding="utf-8")
    ExtractService(store).import_file(csv, name="Self-harm incidents")
    window._set_store(store)
    window.resize(*SMALLEST)
    wide = []
    for title, view in every_view(window):
        QApplication.processEvents()
        need = window.page_scroll.widget().minimumSizeHint().width()
        have = window.page_scroll.viewport().width()
        if need > have:
            wide.append(f"{title} / {view}: needs {need} px, has {have}")
    assert wide == []

"""Reading how a data extract file reads (a big workbook: seconds) happens on the import lane,
with a "Reading…" line: the DB lane stays free for note autosaves, and a late answer for an
earlier file never replaces the chosen file's."""

from __future__ import annotations

import threading
from pathlib import Path

from hmip_desktop.services.extracts import ExtractService
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.evidence.extract_import_dialog import ExtractImportDialog
from hmip_desktop.ui.evidence.extracts_panel import ExtractsPanel
from hmip_desktop.ui.tasks import TaskRunner
from tests.sync.conftest import use_of_force_csv


def test_a_slow_preview_leaves_the_db_lane_free(qtbot, store, tmp_path: Path,
                                                monkeypatch) -> None:
    path = use_of_force_csv(tmp_path, 50)
    other = tmp_path / "other.csv"
    other.write_text("a;b\n1;2\n", encoding="utf-8")
    release = {path: threading.Event(), other: threading.Event()}
    answered = threading.Event()
    real_preview = ExtractService.preview

    def slow_preview(self, chosen, **overrides):  # type: ignore[no-untyped-def]
        assert release[Path(chosen)].wait(20)  # a big workbook being read
        try:
            return real_preview(self, chosen, **overrides)
        finally:
            answered.set()

    monkeypatch.setattr(ExtractService, "preview", slow_preview)
    ctx = UiContext(tasks=TaskRunner())
    ctx.store = store
    panel = ExtractsPanel(ctx)
    qtbot.addWidget(panel)
    seen: dict[str, object] = {}

    def exec_(dialog: ExtractImportDialog) -> int:
        seen["reading"] = dialog.summary.text()
        saved = threading.Event()
        ctx.tasks.submit(saved.set)  # an autosave, say, while the file is read
        try:
            qtbot.waitUntil(saved.is_set, timeout=5_000)
        finally:
            seen["saved"] = saved.is_set()
            dialog.load(other)  # the person picks another file before the first answer came
            release[path].set()
        qtbot.waitUntil(answered.is_set, timeout=20_000)
        qtbot.wait(300)  # the first file's late answer is delivered, and must not show
        seen["late"] = (dialog.import_button.isEnabled(), dialog.summary.text())
        release[other].set()
        qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=20_000)
        seen["columns"] = [c.name for c in dialog.request().sniff.columns]
        return ExtractImportDialog.DialogCode.Rejected

    monkeypatch.setattr(ExtractImportDialog, "exec", exec_)
    try:
        panel.open_import_dialog(path)
    finally:
        for event in release.values():
            event.set()
        panel._import_tasks.shutdown()
        ctx.tasks.shutdown()
    assert seen["reading"] == f"Reading {path.name}…"
    assert seen["saved"] is True
    assert seen["late"] == (False, "Reading other.csv…")
    assert seen["columns"] == ["a", "b"]

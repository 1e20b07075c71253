"""Work survives the app process being killed mid-edit (no clean shutdown)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from hmip_desktop.services.inspections import create_inspection, open_inspection
from hmip_desktop.services.notes import NoteService
from tests.factories import minimal_framework

PASSPHRASE = "kill test passphrase 42"


def test_autosaved_text_survives_sigkill(tmp_path: Path, monkeypatch) -> None:
    """Reopening after SIGKILL shows everything up to the last autosave."""
    monkeypatch.setenv("HMIP_KEY_SOURCE", "passphrase")
    monkeypatch.setenv("HMIP_PASSPHRASE", PASSPHRASE)
    store = create_inspection(tmp_path / "kill.hmip", establishment_name="HMP Kill",
                              establishment_type="mens_prison", framework=minimal_framework(),
                              provider=lambda _p: PASSPHRASE)
    note_id = NoteService(store).add(source_kind="observation", title="Night", body="Start")
    path = store.path
    store.close()
    proc = subprocess.run([sys.executable, "-m", "tests.gui.kill_child", str(path)],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
                          cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert "SAVED" in proc.stdout
    reopened = open_inspection(path, provider=lambda _p: PASSPHRASE)
    try:
        assert NoteService(reopened).get(note_id).body == "Start — autosaved line"
    finally:
        reopened.close()

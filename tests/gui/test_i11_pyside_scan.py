"""Issue 11: PySide6's per-module scan ("does this module use PySide6?") is answered from the
file's bytes instead of inspect.getsource, with the same answers (ui/pyside_scan.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import hmip_desktop.domain.records
import hmip_desktop.ui.launch
from hmip_desktop.ui import pyside_scan

ROOT = Path(__file__).resolve().parents[2]


def _upstream():
    replacement = sys.modules["shibokensupport.feature"]._mod_uses_pyside
    return replacement, replacement.fallback


def test_the_scan_is_replaced_once_the_ui_is_imported() -> None:
    replacement, upstream = _upstream()
    assert isinstance(replacement, pyside_scan.ByteScan)
    assert pyside_scan.install() is True  # a second install keeps the one replacement
    assert sys.modules["shibokensupport.feature"]._mod_uses_pyside is replacement
    assert upstream is not replacement


def test_it_answers_as_pyside_does() -> None:
    replacement, upstream = _upstream()
    for module in (hmip_desktop.ui.launch, hmip_desktop.domain.records, sys, subprocess):
        assert replacement(module) == upstream(module), module.__name__
    assert replacement(hmip_desktop.ui.launch) is True
    assert replacement(hmip_desktop.domain.records) is False


def test_a_start_reads_no_module_source_through_linecache() -> None:
    """In a fresh process, importing as the entry point does (hmip_desktop.__main__: the UI
    package first): no module of ours is read into linecache (PySide6's own scan put every
    module imported after it there). The UI package's own six lines are read by PySide6's
    scan, as it imports PySide6 before it can replace it."""
    code = ("import linecache, hmip_desktop.ui, hmip_desktop.app, hmip_desktop.ui.main_window; "
            "from pathlib import Path; "
            "print(sorted(k for k in linecache.cache if 'hmip_desktop' in Path(k).parts "
            "and Path(k).parts[-2:] != ('ui', '__init__.py')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"

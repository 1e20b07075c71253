"""Start-up: process start to a usable main window with a 10k-note inspection open, against a
bare PySide6 window in the same run. Goal (issue 2): <= 2x the bare window.

Each side runs in a fresh subprocess (cold Python, warm disk cache), three times; the median
is compared. "Usable" means the window is shown, the file is open and the notes list and
overview are filled, with the event loop turning.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BARE = """
import time, sys
t0 = float(sys.argv[1])
from PySide6.QtWidgets import QApplication, QMainWindow, QLabel
app = QApplication([])
w = QMainWindow(); w.setCentralWidget(QLabel("hello")); w.resize(1200, 780); w.show()
app.processEvents()
print(f"READY {time.time() - t0:.4f}")
"""

APP = """
import time, sys, os
t0 = float(sys.argv[1])
from pathlib import Path
from PySide6.QtWidgets import QApplication
from hmip_desktop.app import build_window
from hmip_desktop.services.inspections import open_inspection
app = QApplication([])
w = build_window(); w.show()
store = open_inspection(Path(sys.argv[2]), provider=lambda _p: os.environ["HMIP_PASSPHRASE"])
w._set_store(store)
page = w.show_page("Evidence")
while page.notes.model.rowCount() == 0 or not w.pages["Overview"].values["establishment"].text():
    app.processEvents()
print(f"READY {time.time() - t0:.4f} rows={page.notes.model.rowCount()}")
"""


def run(code: str, *args: str) -> float:
    """Seconds from process start to READY."""
    t0 = time.time()
    out = subprocess.run([sys.executable, "-c", code, str(t0), *args], capture_output=True,
                         text=True, env=os.environ, timeout=600, cwd=ROOT)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("READY")), None)
    if line is None:
        raise SystemExit(f"startup run failed: {out.stderr[-2000:]}")
    return float(line.split()[1])


def main(count: int = 10_000) -> None:
    """Make the file once, then time both sides three times."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["HMIP_KEY_SOURCE"] = "passphrase"
    os.environ["HMIP_PASSPHRASE"] = "startup bench passphrase"
    from bench.common import create_with_notes, isolated_environment

    home = isolated_environment()
    store = create_with_notes(home / "startup.hmip", count)
    path = store.path
    store.close()
    bare = statistics.median(run(BARE) for _ in range(3))
    app = statistics.median(run(APP, str(path)) for _ in range(3))
    print(f"startup: bare PySide6 window {bare * 1000:.0f} ms; app with {count} notes "
          f"{app * 1000:.0f} ms")
    print(f"RATIO startup app/bare = {app / bare:.2f}x (goal <= 2x)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)

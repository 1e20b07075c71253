"""Child process for the kill test: types into a note through the real GUI, then dies.

Usage: python -m tests.gui.kill_child FILE. Prints SAVED when the autosaved text is on disk,
then keeps typing (unsaved) and kills itself with SIGKILL — no clean shutdown at all.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtGui import QTextCursor  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from hmip_desktop.app import build_window  # noqa: E402
from hmip_desktop.services.inspections import open_inspection  # noqa: E402


def main(path: str) -> None:
    """Open the file in the real window (threaded DB lane), type, autosave, die."""
    app = QApplication(sys.argv)
    window = build_window()
    window.show()
    window._set_store(open_inspection(Path(path), provider=lambda _p: os.environ[
        "HMIP_PASSPHRASE"]))
    panel = window.show_page("Evidence").notes
    state = {"phase": "select"}

    def tick() -> None:
        if state["phase"] == "select" and panel.model.rowCount() > 0:
            panel.table.selectRow(0)
            panel.editor.body.setFocus()
            panel.editor.body.moveCursor(QTextCursor.MoveOperation.End)
            panel.editor.body.insertPlainText(" — autosaved line")
            state["phase"] = "wait_save"
        elif state["phase"] == "wait_save" and panel.editor.status.text() == "Saved":
            print("SAVED", flush=True)
            panel.editor.body.insertPlainText(" — typed after the last autosave")
            os.kill(os.getpid(), signal.SIGKILL)

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(50)
    app.exec()


if __name__ == "__main__":
    main(sys.argv[1])

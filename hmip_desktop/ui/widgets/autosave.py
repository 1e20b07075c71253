"""When a text editor saves by itself: after a pause in typing, and at the latest a few seconds
after the first unsaved change. Shared by the note editor and the findings editor."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

# A pause this long means the person stopped typing: save then.
AUTOSAVE_IDLE_MS = 800
# Steady typing never pauses 800 ms, so the pause alone would never save it, and a crash or a
# flat battery would lose everything since the last pause. Saving at the latest 5 s after the
# first unsaved change bounds that loss to a sentence; a save runs on the DB lane, so typing
# goes on meanwhile, and 5 s keeps revisions and undo steps few (one per save).
AUTOSAVE_MAX_WAIT_MS = 5000


class Autosave(QObject):
    """Calls `save` once typing pauses (`idle`), and at the latest `max_wait` after the first
    change since the last save; `stop()` (called by the save itself) starts both afresh."""

    def __init__(self, parent: QObject, save: Callable[[], None]) -> None:
        super().__init__(parent)
        self.idle = self._timer(AUTOSAVE_IDLE_MS, save)
        self.max_wait = self._timer(AUTOSAVE_MAX_WAIT_MS, save)

    def _timer(self, interval_ms: int, save: Callable[[], None]) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(interval_ms)
        timer.timeout.connect(save)
        return timer

    def changed(self) -> None:
        """A change: the pause starts again; the deadline stays where the first change set it."""
        self.idle.start()
        if not self.max_wait.isActive():
            self.max_wait.start()

    def stop(self) -> None:
        """Nothing is waiting to be saved (it was just saved, or the editor was reloaded)."""
        self.idle.stop()
        self.max_wait.stop()

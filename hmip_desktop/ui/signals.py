"""App-wide signals, emitted on the GUI thread only."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class AppSignals(QObject):
    """What changed, broadcast so each view reloads only what it shows."""

    changes_applied = Signal(object)  # a domain ChangeSet
    # A file's first screen (services.first_screen.FirstScreen), read before its store opens.
    first_screen_read = Signal(object)
    # The first pages show it: the store starts opening behind it.
    first_screen_shown = Signal()
    inspection_opened = Signal(object)  # the InspectionStore
    inspection_closed = Signal()

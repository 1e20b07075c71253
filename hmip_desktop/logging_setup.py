"""Logging to a rotating file in the data directory.

Rule for every module: log ids, counts and durations, never note text, names, keys or
passphrases.
"""

from __future__ import annotations

import logging
import os

from hmip_desktop import paths
from hmip_desktop.private_files import create_private, private_umask

MAX_BYTES = 1_000_000
BACKUPS = 3


class _PrivateRotatingFileHandler(logging.FileHandler):
    """A log of at most MAX_BYTES per file, the older ones kept as hmip.log.1 … .BACKUPS, each
    created 0600 (they name ids, never content). Not logging.handlers.RotatingFileHandler:
    that module imports socket, pickle and queue for its other handlers, ~7 ms of every
    start of the GUI and the command line."""

    def __init__(self, path: str, max_bytes: int = MAX_BYTES, backups: int = BACKUPS) -> None:
        self.max_bytes, self.backups = max_bytes, backups
        super().__init__(path, encoding="utf-8")

    def _open(self):  # type: ignore[no-untyped-def]
        create_private(self.baseFilename)
        return super()._open()

    def emit(self, record: logging.LogRecord) -> None:
        """Write the record, starting a new file first when it would pass the limit."""
        try:
            if self.stream is not None and (self.stream.tell() + len(self.format(record)) + 1
                                            >= self.max_bytes):
                self._rotate()
        except Exception:  # noqa: BLE001 - logging never raises into the app
            self.handleError(record)
            return
        super().emit(record)

    def _rotate(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None  # type: ignore[assignment]
        base = self.baseFilename
        for i in range(self.backups - 1, 0, -1):
            if os.path.exists(f"{base}.{i}"):
                os.replace(f"{base}.{i}", f"{base}.{i + 1}")
        if os.path.exists(base):
            os.replace(base, f"{base}.1")
        self.stream = self._open()


_configured = False


def configure_logging(level: int = logging.INFO) -> None:
    """Attach one rotating file handler to the root logger (idempotent).

    Called first by every entry point (command line and GUI), so it also sets the process
    umask that makes any file a library creates for us private (0600 / 0700).
    """
    global _configured
    if _configured:
        return
    private_umask()
    handler = _PrivateRotatingFileHandler(str(paths.log_dir() / "hmip.log"))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    _configured = True

"""Logging to a rotating file in the data directory.

Rule for every module: log ids, counts and durations, never note text, names, keys or
passphrases.
"""

from __future__ import annotations

import logging
import logging.handlers

from hmip_desktop import paths
from hmip_desktop.private_files import create_private, private_umask


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are created 0600 (they name ids, never content)."""

    def _open(self):  # type: ignore[no-untyped-def]
        create_private(self.baseFilename)
        return super()._open()

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
    handler = _PrivateRotatingFileHandler(
        paths.log_dir() / "hmip.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    _configured = True

"""Logging to a rotating file in the data directory.

Rule for every module: log ids, counts and durations, never note text, names, keys or
passphrases.
"""

from __future__ import annotations

import logging
import logging.handlers

from hmip_desktop import paths

_configured = False


def configure_logging(level: int = logging.INFO) -> None:
    """Attach one rotating file handler to the root logger (idempotent)."""
    global _configured
    if _configured:
        return
    handler = logging.handlers.RotatingFileHandler(
        paths.log_dir() / "hmip.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    _configured = True

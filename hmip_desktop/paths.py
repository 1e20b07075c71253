"""Where things live: the data directory (platformdirs, overridden by HMIP_HOME) and resources.

`resource_path()` is the only code that knows whether we run frozen (PyInstaller) or from a
checkout.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_DIR_NAME = "hmip_desktop"


def data_dir() -> Path:
    """The per-user data directory; `HMIP_HOME` overrides it (tests, simulated inspectors)."""
    override = os.environ.get("HMIP_HOME")
    base = Path(override) if override else Path(platformdirs.user_data_dir(APP_DIR_NAME, False))
    base.mkdir(parents=True, exist_ok=True)
    return base


def inspections_dir() -> Path:
    """Default folder for inspection files created without an explicit location."""
    path = data_dir() / "inspections"
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_dir() -> Path:
    """Folder of the rotating log file."""
    path = data_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_frameworks_dir() -> Path:
    """Frameworks imported by the user; never mixed with the shipped ones."""
    path = data_dir() / "frameworks"
    path.mkdir(parents=True, exist_ok=True)
    return path


def resource_path(*parts: str) -> Path:
    """A file under resources/, from the source tree or from a frozen build."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    root = Path(frozen_root) if frozen_root else Path(__file__).resolve().parent.parent
    return root.joinpath("resources", *parts)

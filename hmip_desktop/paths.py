"""Where things live: the data directory (platformdirs, overridden by HMIP_HOME) and resources.

`resource_path()` is the only code that knows whether we run frozen (PyInstaller) or from a
checkout.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hmip_desktop.private_files import private_dir

APP_DIR_NAME = "hmip_desktop"


def data_dir() -> Path:
    """The per-user data directory; `HMIP_HOME` overrides it (tests, simulated inspectors)."""
    override = os.environ.get("HMIP_HOME")
    return private_dir(Path(override) if override else _user_data_dir())


def _user_data_dir() -> Path:
    """platformdirs.user_data_dir(APP_DIR_NAME, False). On Linux it is the XDG rule itself,
    written here: importing platformdirs (it loads tempfile and random) cost a start ~5 ms
    before the window (issue 11); elsewhere platformdirs asks the system."""
    if sys.platform.startswith("linux"):
        base = os.environ.get("XDG_DATA_HOME", "")
        if not os.path.isabs(base):  # the XDG spec: a relative value is ignored
            base = os.path.expanduser("~/.local/share")
        return Path(base) / APP_DIR_NAME
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_DIR_NAME, False))


def inspections_dir() -> Path:
    """Default folder for inspection files created without an explicit location."""
    path = data_dir() / "inspections"
    return private_dir(path)


def log_dir() -> Path:
    """Folder of the rotating log file."""
    path = data_dir() / "logs"
    return private_dir(path)


def user_frameworks_dir() -> Path:
    """Frameworks imported by the user; never mixed with the shipped ones."""
    path = data_dir() / "frameworks"
    return private_dir(path)


def resource_path(*parts: str) -> Path:
    """A file under resources/, from the source tree or from a frozen build."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    root = Path(frozen_root) if frozen_root else Path(__file__).resolve().parent.parent
    return root.joinpath("resources", *parts)


def is_frozen() -> bool:
    """True inside the packaged (PyInstaller) app."""
    return getattr(sys, "_MEIPASS", None) is not None


def package_dir() -> Path | None:
    """The installed app folder (where the executables are), or None when run from source."""
    return Path(sys.executable).resolve().parent if is_frozen() else None


def licenses_dir() -> Path | None:
    """Licence texts of the bundled libraries and fonts (packaged app only)."""
    folder = package_dir()
    return folder / "licenses" if folder is not None else None


def build_info_file() -> Path | None:
    """Version and build date written by build.spec (packaged app only)."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    return Path(frozen_root) / "hmip_build_info.json" if frozen_root else None

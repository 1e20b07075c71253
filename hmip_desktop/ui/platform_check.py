"""Before Qt starts on X11: name the system libraries its xcb platform plugin cannot load.

Without them Qt aborts with a generic "could not load the Qt platform plugin" message and no
hint of what to install. `missing_xcb_libraries()` asks `ldd` (as scripts/sysdeps.sh does);
libxcb-cursor is checked separately because Qt loads it with dlopen, invisible to ldd.

Those checks spawn processes (ldd twice, ldconfig) and cost tens of milliseconds, so a check
that found everything is remembered (a private file in the data directory, keyed by the Qt
plugin's path, size and time): later starts skip it until Qt changes. Were a library removed
afterwards, Qt's own failure is still turned into a plain message (ui.launch).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo

_SPECIAL = {"libglib-2.0": "libglib2.0-0", "libGL": "libgl1", "libEGL": "libegl1"}


def debian_package(soname: str) -> str:
    """The Debian/Ubuntu package for a soname: libxcb-icccm.so.4 -> libxcb-icccm4."""
    base, _, version = soname.partition(".so.")
    if base in _SPECIAL:
        return _SPECIAL[base]
    version = version.split(".")[0]
    base = base.lower()
    return f"{base}-{version}" if base[-1:].isdigit() else f"{base}{version}"


def uses_xcb(env: dict[str, str] | None = None) -> bool:
    """True when Qt is about to use the X11 platform plugin on Linux."""
    env = dict(os.environ) if env is None else env
    if not sys.platform.startswith("linux"):
        return False
    chosen = env.get("QT_QPA_PLATFORM", "").split(":")[0].split(";")[0].strip()
    if chosen:
        return chosen == "xcb"
    if env.get("WAYLAND_DISPLAY"):
        return False  # Qt prefers Wayland there; xcb is only a fallback
    return bool(env.get("DISPLAY"))


def missing_xcb_libraries() -> list[str]:
    """Sonames the xcb plugin needs and the system lacks (empty when all is well or unknown)."""
    import re  # here: most starts find the check remembered and spawn nothing
    import shutil
    import subprocess

    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    plugin = plugins / "platforms" / "libqxcb.so"
    ldd = shutil.which("ldd")
    if not plugin.exists() or ldd is None:
        return []
    missing: list[str] = []
    libs = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.LibrariesPath))
    for target in [plugin, *sorted(libs.glob("libQt6XcbQpa.so*"))[:1]]:
        try:
            out = subprocess.run([ldd, str(target)], capture_output=True, text=True,
                                 timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            return []
        missing += re.findall(r"^\s*(\S+)\s+=>\s+not found", out, re.MULTILINE)
    import ctypes.util  # here: only a start on X11 that has not checked before needs it

    if ctypes.util.find_library("xcb-cursor") is None:
        missing.append("libxcb-cursor.so.0")
    return list(dict.fromkeys(missing))


def explain_missing(missing: list[str]) -> str:
    """What to tell a person whose desktop lacks the libraries."""
    packages = " ".join(dict.fromkeys(debian_package(m) for m in missing))
    return ("Its window cannot open: Qt's X11 (xcb) platform plugin needs "
            f"these system libraries, which are not installed: {', '.join(missing)}.\n"
            f"On Debian or Ubuntu install them with:\n  sudo apt-get install {packages}\n"
            "(or run scripts/sysdeps.sh as root from the source folder), then start the app "
            "again.")


def _plugin_stamp() -> str:
    """What identifies the xcb plugin this Qt would load (empty when it is not there)."""
    plugin = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms" \
        / "libqxcb.so"
    try:
        st = plugin.stat()
    except OSError:
        return ""
    return f"{plugin}\n{st.st_size}\n{st.st_mtime_ns}\n"


def _checked_file() -> Path:
    from hmip_desktop import paths

    return paths.data_dir() / "xcb-libraries-found"


def check_platform() -> str | None:
    """The message to print instead of starting Qt, or None when it can start."""
    if not uses_xcb():
        return None
    stamp = _plugin_stamp()
    checked = _checked_file()
    want = stamp.encode("utf-8")
    try:  # a damaged or hand-edited note is only a reason to check again
        with checked.open("rb") as handle:
            if stamp and handle.read(len(want) + 1) == want:
                return None  # found complete for this very plugin before
    except OSError:
        pass
    missing = missing_xcb_libraries()
    if missing:
        return explain_missing(missing)
    if stamp:
        try:
            from hmip_desktop.private_files import write_private_text

            write_private_text(checked, stamp)
        except OSError:
            pass  # only a shortcut for the next start
    return None

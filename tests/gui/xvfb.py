"""Start a program on a private Xvfb server and find its top-level window (xcb, not offscreen).

Used by test_xcb_startup.py for the app from source and for the packaged app. Xvfb and
xwininfo come from scripts/sysdeps.sh (apt, as root); without them the caller skips.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_TREE_LINE = re.compile(r'^\s*(0x[0-9a-f]+) "(.*?)":.*?\s(\d+)x(\d+)\+(-?\d+)\+(-?\d+)')


@dataclass(frozen=True)
class XWindow:
    """A top-level window as xwininfo reports it."""

    wid: str
    title: str
    width: int
    height: int
    x: int
    y: int


def missing_tools() -> list[str]:
    """Xvfb and xwininfo when absent; installs them first when root with apt can."""
    missing = [t for t in ("Xvfb", "xwininfo") if shutil.which(t) is None]
    if missing and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run([str(ROOT / "scripts" / "sysdeps.sh")], cwd=ROOT, check=False,
                       timeout=600, capture_output=True)
        missing = [t for t in ("Xvfb", "xwininfo") if shutil.which(t) is None]
    return missing


@contextmanager
def xvfb(size: str = "1366x768x24") -> Iterator[str]:
    """A fresh Xvfb on a display number it picks itself (-displayfd); yields DISPLAY."""
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", size,
                             "-nolisten", "tcp", "-noreset"], pass_fds=(write_fd,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()  # written once the server accepts clients
        if not number:
            proc.kill()
            raise RuntimeError(f"Xvfb did not start: {proc.communicate()[1]!r}")
        yield f":{number}"
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def top_level_windows(display: str) -> list[XWindow]:
    """Named, viewable-size children of the root window."""
    out = subprocess.run(["xwininfo", "-root", "-children"], capture_output=True, text=True,
                         env={**os.environ, "DISPLAY": display}, timeout=10).stdout
    found = []
    for line in out.splitlines():
        m = _TREE_LINE.match(line)
        if m:
            wid, title, w, h, x, y = m.groups()
            found.append(XWindow(wid, title, int(w), int(h), int(x), int(y)))
    return found


def is_viewable(display: str, wid: str) -> bool:
    """True when the window is mapped and shown."""
    out = subprocess.run(["xwininfo", "-id", wid], capture_output=True, text=True,
                         env={**os.environ, "DISPLAY": display}, timeout=10).stdout
    return "IsViewable" in out


def wait_for_window(display: str, title_prefix: str, proc: subprocess.Popen,  # type: ignore[type-arg]
                    timeout: float = 15.0) -> XWindow | None:
    """Poll until a viewable window titled `title_prefix…` exists, or the process ends."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        for win in top_level_windows(display):
            if win.title.startswith(title_prefix) and win.width > 1 and win.height > 1 \
                    and is_viewable(display, win.wid):
                return win
        time.sleep(0.1)
    return None

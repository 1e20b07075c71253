"""One window per inspection file: a lock the GUI holds while it has the file open.

Two windows on one file (the file opened twice from the desktop, or from Open recent in a
second instance) each show what they read when they opened it; each one's saves are then
made from a state the other has moved on from. Edits rebase on the state they started from
(services/edit_base.py), but a window that never shows the other's changes is a trap in
itself. So the GUI takes this lock when it opens a file and a second app instance is told
the file is already open, before anything is read. The command line takes no lock: a script
may add notes beside an open window (SQLite serialises the writes).

The lock is an advisory lock on a private sidecar file (`.<name>.open`, 0600, empty): flock
on Linux and macOS, msvcrt.locking on Windows; the operating system drops it when the
process dies, so a crash never leaves the file locked. Within one process the lock is
counted, not refused (the window re-opening the file it has open).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from pathlib import Path

from hmip_desktop.domain.errors import UserError


class FileInUse(UserError):
    """The file is open in another instance of the app."""


_held: dict[str, tuple[int, int]] = {}  # sidecar path -> (descriptor, holders)
_lock = threading.Lock()


def sidecar(path: Path) -> Path:
    """The lock's file beside the inspection file (hidden; its name adds nothing new)."""
    path = Path(path).resolve()
    return path.with_name(f".{path.name}.open")


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _still_named(fd: int, name: str) -> bool:
    """True when the descriptor's file is the one the name points to now."""
    try:
        mine, named = os.fstat(fd), os.stat(name)
    except OSError:
        return False
    return (mine.st_dev, mine.st_ino) == (named.st_dev, named.st_ino)


class OpenLock:
    """A hold on one file's lock; `release()` once (closing the store does it)."""

    def __init__(self, name: str) -> None:
        self._name: str | None = name

    @classmethod
    def take(cls, path: Path) -> OpenLock:
        """Take the file's lock; FileInUse when another app instance holds it."""
        name = str(sidecar(path))
        with _lock:
            if name in _held:
                fd, count = _held[name]
                _held[name] = (fd, count + 1)
                return cls(name)
            for _attempt in range(3):
                try:
                    fd = os.open(name, os.O_RDWR | os.O_CREAT, 0o600)
                except OSError:
                    # A folder we cannot write to (a read-only share): nothing to lock with,
                    # and nothing the app could save there either; the open goes on and
                    # says so.
                    return cls("")
                if not _try_lock(fd):
                    os.close(fd)
                    raise FileInUse(
                        f"'{Path(path).name}' is already open in another window of the app. "
                        "Switch to that window: a file open twice would show each window's "
                        "changes only to itself.")
                if _still_named(fd, name):
                    _held[name] = (fd, 1)
                    return cls(name)
                # Locked a sidecar its holder removed as it let go: another instance may make
                # and lock a new one under the name, so take the name's file afresh.
                os.close(fd)
            return cls("")  # the name keeps changing under us: open without a lock

    def release(self) -> None:
        """Let go of this hold; the last one unlocks and removes the sidecar."""
        name, self._name = self._name, None
        if not name:
            return
        with _lock:
            fd, count = _held.pop(name, (-1, 0))
            if count > 1:
                _held[name] = (fd, count - 1)
                return
            if fd < 0:
                return
            # Removed before it is unlocked: an instance that opened the old file and locks it
            # once we close finds the name no longer points to it and tries afresh (take).
            with contextlib.suppress(OSError):
                os.unlink(name)
            os.close(fd)  # closing drops the lock

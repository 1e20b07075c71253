"""Writing a new attachment file past the page cache, where the system allows it.

A merge copies every attachment it lacks (1.6 GB in the team leader's evening merge). Written
through the page cache, each new page had to be allocated and filled by the kernel first:
4.2 s of system time for those 1.6 GB, and 6.5 s of wall time, against 0.5 s and 3.5 s with
O_DIRECT writes (measured here, ext4, issue 11 §3); the copy runs alongside the merge's
revision work on a two-CPU machine, so that kernel time was taken from it.

O_DIRECT wants the memory, the length and the file offset aligned to the device's block. The
copy reads into one page-aligned buffer (`aligned_buffer`) and writes whole mebibytes, so
every write but a member's last is aligned; anything else (the last part, a bytes object,
a file system that refuses O_DIRECT, Windows and macOS) is written the ordinary way, and
once one write has gone that way the rest of the file does too. The caller still fsyncs the
file (its size and blocks are metadata), and what is written is exactly what was given:
only the route to the disk changes.
"""

from __future__ import annotations

import errno
import mmap
import os
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: written the ordinary way
    fcntl = None  # type: ignore[assignment]

_ALIGN = 4096  # the block size O_DIRECT needs on common devices; others refuse (EINVAL)
_DIRECT = getattr(os, "O_DIRECT", 0) if fcntl is not None else 0


def aligned_buffer(size: int) -> Any:
    """A writable buffer of `size` bytes starting on a page boundary (anonymous memory,
    untouched until used, like a bytearray's)."""
    return mmap.mmap(-1, size)


class UncachedWriter:
    """`write()` onto a file descriptor opened for writing at offset 0, with O_DIRECT while
    every write allows it; `fileno()` for the caller's fsync."""

    def __init__(self, fd: int) -> None:
        self._fd, self._offset = fd, 0
        self._direct = bool(_DIRECT) and _set_direct(fd, on=True)

    def fileno(self) -> int:
        return self._fd

    def flush(self) -> None:
        """Nothing is held here (each write goes to the file)."""

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        done = 0
        while done < len(view):
            part = view[done:]
            if self._direct and (len(part) % _ALIGN or self._offset % _ALIGN):
                self._buffered()
            try:
                n = os.write(self._fd, part)
            except OSError as exc:
                if self._direct and exc.errno == errno.EINVAL:  # refused as unaligned
                    self._buffered()
                    continue
                raise
            done += n
            self._offset += n
        return done

    def _buffered(self) -> None:
        _set_direct(self._fd, on=False)
        self._direct = False


def _set_direct(fd: int, *, on: bool) -> bool:
    """Turn O_DIRECT on or off for an open file; False when the file system refuses it."""
    try:
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        fcntl.fcntl(fd, fcntl.F_SETFL, flags | _DIRECT if on else flags & ~_DIRECT)
    except OSError:
        return False
    return True

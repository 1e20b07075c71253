"""Private file modes: every file and folder the app creates is readable by its owner only.

Inspection files, key records, attachments, logs, settings, exports and bundles may hold (or
point at) evidence about named people, so the default is private: 0600 files, 0700 folders.
`private_umask()` is set once by each entry point (command line, GUI) as a backstop for files
made by libraries (SQLite's WAL and shared-memory files, temporary files); the helpers below
are used wherever this code creates a file or folder, so the rule holds even when a caller
(a test, a script) never set the umask. Standard library only.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
_GROUP_OTHER = 0o077
_POSIX = os.name == "posix"


def private_umask() -> None:
    """Make the process create files 0600 and folders 0700 by default (POSIX only)."""
    if _POSIX:
        os.umask(_GROUP_OTHER)


def restrict(path: Path | str) -> None:
    """Remove group and other permission bits of an existing file or folder (never adds
    any: a read-only file stays read-only). Errors are ignored: a file we cannot change
    (another owner, a read-only medium) is left as it is."""
    if not _POSIX:
        return
    try:
        mode = os.stat(path).st_mode & 0o7777
        if mode & _GROUP_OTHER:
            os.chmod(path, mode & ~_GROUP_OTHER)
    except OSError:
        pass


def is_private(path: Path | str) -> bool:
    """True when an existing file or folder has no group or other permission bits (always
    True where modes do not apply; False when it cannot be read)."""
    if not _POSIX:
        return True
    try:
        return not os.stat(path).st_mode & _GROUP_OTHER
    except OSError:
        return False


def private_dir(path: Path | str) -> Path:
    """Create a folder (and missing parents) as 0700; an existing one is restricted."""
    path = Path(path)
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    for p in missing:  # mkdir's mode is masked by the umask and not used for parents
        if _POSIX:
            with contextlib.suppress(OSError):
                os.chmod(p, PRIVATE_DIR)
    if not missing:
        restrict(path)
    return path


def create_private(path: Path | str, *, exclusive: bool = False) -> None:
    """Create an empty file as 0600 (or restrict it if it exists and not `exclusive`)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else 0)
    fd = os.open(path, flags, PRIVATE_FILE)
    try:
        if _POSIX:
            os.fchmod(fd, os.fstat(fd).st_mode & 0o7777 & ~_GROUP_OTHER)
    finally:
        os.close(fd)


@contextlib.contextmanager
def open_private(path: Path | str, mode: str = "wb", **kwargs: Any) -> Iterator[IO[Any]]:
    """`open()` for writing, creating the file as 0600 (an existing file is restricted)."""
    if not any(c in mode for c in "wax"):
        raise ValueError("open_private is for writing")
    flags = os.O_CREAT | (os.O_RDWR if "+" in mode else os.O_WRONLY)
    flags |= os.O_TRUNC if "w" in mode else 0
    flags |= os.O_APPEND if "a" in mode else 0
    flags |= os.O_EXCL if "x" in mode else 0
    fd = os.open(path, flags, PRIVATE_FILE)
    try:
        if _POSIX:
            os.fchmod(fd, os.fstat(fd).st_mode & 0o7777 & ~_GROUP_OTHER)
        handle = os.fdopen(fd, mode.replace("x", "w"), **kwargs)
    except BaseException:
        os.close(fd)
        raise
    with handle:
        yield handle


def write_private_text(path: Path | str, text: str, encoding: str = "utf-8") -> None:
    """Write a text file created as 0600."""
    with open_private(path, "w", encoding=encoding) as handle:
        handle.write(text)


def write_private_bytes(path: Path | str, data: bytes) -> None:
    """Write a binary file created as 0600."""
    with open_private(path, "wb") as handle:
        handle.write(data)

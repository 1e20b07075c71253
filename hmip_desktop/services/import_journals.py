"""The journal of a running import: what it is about to make, locked while it runs.

Before it makes any file or table that outlives a failure, an import (a bundle merge, an
extract import) creates `NAME.hmip.import-<id>.pending` (private, locked with `flock` while
the import runs) and writes there, ahead of making them, the names of the attachment files,
the snapshot and the staging table it is about to make. The names are the opaque ones already
on disk or in the file; no hash or content is written. A journal whose lock can be taken
belongs to a dead import: services.mending clears up after it at the next open; the names
in live journals are what other programs must leave alone (`live_names`).
"""

from __future__ import annotations

import contextlib
import glob
import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from hmip_desktop.domain.ids import new_id
from hmip_desktop.private_files import open_private

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: journals older than a day count as dead
    fcntl = None  # type: ignore[assignment]

JOURNAL_INFIX = ".import-"
JOURNAL_SUFFIX = ".pending"
DEAD_AGE_S = 24 * 3600  # without flock: a journal this old belongs to no live import


class ImportJournal:
    """The write-ahead list of files one running import makes (see the module docstring)."""

    def __init__(self, store: InspectionStore) -> None:
        self.path = store.path.with_name(
            f"{store.path.name}{JOURNAL_INFIX}{new_id()}{JOURNAL_SUFFIX}")
        self._cm = open_private(self.path, "x", encoding="utf-8")
        self._fh = self._cm.__enter__()
        if fcntl is not None:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        # Attachments are named from the copy thread, the snapshot from the importing one.
        self._lock = threading.Lock()

    def _note(self, kind: str, name: str) -> None:
        with self._lock:
            self._fh.write(f"{kind} {name}\n")
            self._fh.flush()
            os.fsync(self._fh.fileno())

    def blob(self, stored_name: str) -> None:
        """About to write this attachment file."""
        self._note("blob", stored_name)

    def snapshot(self, path: Path) -> None:
        """About to write this snapshot."""
        self._note("snapshot", path.name)

    def staging(self, table: str) -> None:
        """About to create this extract import's staging table (see `live_names`)."""
        self._note("staging", table)

    def close(self) -> None:
        """The import is over (committed, or its files removed): drop the journal."""
        with contextlib.suppress(OSError):
            self.path.unlink()
        self._cm.__exit__(None, None, None)


def read_journal(path: Path) -> tuple[list[str], list[str]] | None:
    """(blob names, snapshot names) of a dead import's journal; None if it is alive."""
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return None
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return None  # its import is still running
        elif time.time() - os.fstat(fd).st_mtime < DEAD_AGE_S:
            return None
        text = os.read(fd, 1 << 24).decode("utf-8", "replace")
    finally:
        os.close(fd)
    blobs, snaps = [], []
    for line in text.splitlines():
        kind, _, name = line.partition(" ")
        if "/" in name or "\\" in name or name.startswith("."):
            continue  # only plain names beside the file or in its attachment folder
        (blobs if kind == "blob" else snaps if kind == "snapshot" else []).append(name)
    return blobs, snaps


def live_names(store: InspectionStore, kind: str) -> set[str]:
    """The names of a kind that imports still running wrote in their journals, in any
    process (a journal is locked while its import runs)."""
    names: set[str] = set()
    for journal in journals_of(store):
        if read_journal(journal) is not None:
            continue  # a dead import's (the lock could be taken)
        with contextlib.suppress(OSError):
            for line in journal.read_text(encoding="utf-8", errors="replace").splitlines():
                found, _, name = line.partition(" ")
                if found == kind:
                    names.add(name)
    return names


def journals_of(store: InspectionStore) -> list[Path]:
    """The journals beside an inspection file (of running and of dead imports)."""
    pattern = f"{glob.escape(store.path.name)}{JOURNAL_INFIX}*{JOURNAL_SUFFIX}"
    return sorted(store.path.parent.glob(pattern))

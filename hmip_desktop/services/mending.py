"""Imports that finish or vanish: a journal for each running import, mended at the next open.

An import writes files outside its database transaction (attachment copies, the undo
snapshot) and rebuilds local derived data after it (extract row tables, document page text).
A process killed between those steps used to leave debris for good, or derived data that
was never rebuilt. So:

- Before it makes any file, an import creates its journal (services.import_journals), which
  names, ahead of making them, the attachment files and the snapshot it is about to write.
- Inside the import's transaction a durable `needs_rebuild` mark is set in the meta table;
  it is cleared once derived data has been rebuilt.
- `mend()` runs at every open (read-write): each journal whose lock can be taken belongs to a
  dead import; the attachment files it names that no committed row refers to are removed,
  and so is its snapshot unless it is the one "undo last merge" needs. Stale snapshots and
  temporary attachment files left by earlier versions are removed too. Then a pending
  rebuild is done.

Threading rule: blocking work; call from a worker thread in the GUI.
"""

from __future__ import annotations

import contextlib
import glob
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hmip_desktop.domain.wording import plural
from hmip_desktop.services.import_journals import journals_of, read_journal

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore

log = logging.getLogger(__name__)

SNAPSHOT_INFIX = ".undo-"
NEEDS_REBUILD = "needs_rebuild"
_PART_AGE_S = 24 * 3600  # a temporary attachment file this old belongs to no live writer


@dataclass(frozen=True)
class MendReport:
    """What the last open found and did (for self-check)."""

    dead_imports: int = 0
    files_removed: int = 0
    rebuilt: bool = False
    rebuild_pending: bool = False


def _remove_stale_parts(root: Path) -> int:
    """Remove temporary attachment files older than a day (one listing of the folder, a
    stat only for `.part` names); returns how many went."""
    now, removed = time.time(), 0
    try:
        entries = list(os.scandir(root))
    except OSError:  # no attachment folder yet
        return 0
    for entry in entries:
        if not entry.name.endswith(".part") or entry.name.startswith("."):
            continue  # (as glob("*.part") did: hidden names are not ours)
        with contextlib.suppress(OSError):
            if now - entry.stat().st_mtime > _PART_AGE_S:
                os.unlink(entry.path)
                removed += 1
    return removed


def mend(store: InspectionStore) -> MendReport:
    """Remove what dead imports left and do a pending rebuild (see the module docstring).

    The order matters when another process imports meanwhile: snapshots are listed first,
    then journals (written before any snapshot), then the snapshot "undo last merge" keeps
    (recorded before a journal is dropped). While any import is running, the attachment
    files of dead ones are left for a later open (the running one may be about to commit a
    row for the same attachment).
    """
    if store.read_only:
        return MendReport()
    dead, removed = 0, 0
    prefix = f"{store.path.name}{SNAPSHOT_INFIX}"
    snapshots = list(store.path.parent.glob(f"{glob.escape(prefix)}*"))
    live_snaps: set[str] = set()
    dead_journals: list[tuple[Path, list[str]]] = []
    for journal in journals_of(store):
        found = read_journal(journal)
        if found is None:
            with contextlib.suppress(OSError):
                lines = journal.read_text(encoding="utf-8", errors="replace").splitlines()
                live_snaps.update(line.partition(" ")[2] for line in lines
                                  if line.startswith("snapshot "))
            live_snaps.add("")  # marks that an import is running
            continue
        dead_journals.append((journal, found[0]))
    with store.uow() as tx:
        # Nothing left behind (the usual open): one meta read. Hashing every attachment's
        # name only when there is a journal to look at, "undo last merge" only with snapshots.
        known = {store.blobs.stored_name(b.sha256) for b in tx.blobs.all()} \
            if dead_journals else set()
        keep = json.loads(tx.meta.get("last_merge") or "{}").get("snapshot") \
            if snapshots else None
        pending = bool(tx.meta.get(NEEDS_REBUILD))
    if "" not in live_snaps:
        for journal, blobs in dead_journals:
            dead += 1
            for name in blobs:
                target = store.blobs.root / name
                if name not in known and target.exists():
                    target.unlink(missing_ok=True)
                    removed += 1
            journal.unlink(missing_ok=True)
    # Snapshots: only the one "undo last merge" uses, and those of running imports, stay.
    for snap in snapshots:
        base = snap.name.removesuffix("-journal")
        if base == keep or base in live_snaps:
            continue
        snap.unlink(missing_ok=True)
        removed += 1
    removed += _remove_stale_parts(store.blobs.root)
    rebuilt = False
    if pending:
        finish_rebuild(store)
        rebuilt = True
    if dead or removed or rebuilt:
        log.info("mended after an interrupted import: %s, %s removed, rebuilt %s",
                 plural(dead, "journal"), plural(removed, "file"), rebuilt)
    report = MendReport(dead, removed, rebuilt, False)
    store.last_mend = report  # type: ignore[attr-defined]
    return report


def fault_point(name: str) -> None:
    """Crash-test hook: the process kills itself here when HMIP_FAULT_POINT names this point
    (tests/security/test_crash_mending.py). No effect otherwise."""
    if os.environ.get("HMIP_FAULT_POINT") == name:
        import signal

        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


def rebuild_derived(store: InspectionStore) -> None:
    """Rebuild local data that never travels: extract row tables from their snapshot blobs
    and document page text from their blobs (only what arrived and is missing)."""
    # Lazy: both modules are heavy and only needed once an import has committed. Kept here,
    # not in bundle_import, so mending and bundle_import do not import each other.
    from hmip_desktop.services.documents import reindex_missing_document_text
    from hmip_desktop.services.extract_import import materialise_missing_extracts

    materialise_missing_extracts(store)
    reindex_missing_document_text(store)


def finish_rebuild(store: InspectionStore) -> None:
    """Rebuild derived data, then clear the durable mark (kept if the rebuild fails)."""
    rebuild_derived(store)
    with store.uow(write=True) as tx:
        tx.meta.set(NEEDS_REBUILD, "")


def rebuild_pending(store: InspectionStore) -> bool:
    """True while a committed import's derived data has not been rebuilt."""
    with store.uow() as tx:
        return bool(tx.meta.get(NEEDS_REBUILD))

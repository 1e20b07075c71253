"""Sync bundles for the Team & sync page and `hmip bundle`: export, inspect, preview, import,
undo the last merge, the import history and the state digest.

Export lives in `bundle_export`, import in `bundle_import`; this module is the one facade the
GUI and the command line call. Every long operation takes `progress(done, total)` and a
`threading.Event` to cancel (raising Cancelled with nothing written); results are frozen
dataclasses.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hmip_desktop.bundle.identity_keys import DeviceKeys
from hmip_desktop.bundle.reader import BundleReader
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.domain.errors import BundleError, Cancelled, NotFoundError, UserError
from hmip_desktop.domain.wording import plural
from hmip_desktop.services.bundle_candidates import (
    BundleOutcome,
    Candidate,
    ImportReport,
    current_digest,
    trust_of,
)
from hmip_desktop.services.bundle_export import (
    BUNDLE_SUFFIX,
    ExportReport,
    export_bundle,
    write_store_bundle,
)
from hmip_desktop.services.bundle_import import import_bundles
from hmip_desktop.services.roster_access import load_roster
from hmip_desktop.storage.sync_repo import SnapshotOutdated, restore_snapshot

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore
    from hmip_desktop.storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

__all__ = [
    "BUNDLE_SUFFIX", "BundleOutcome", "BundlePreview", "BundleSummary", "ExportReport",
    "ImportLogEntry", "ImportReport", "UndoReport", "export_bundle", "import_bundles",
    "import_history", "inspect_bundle_file", "preview_bundles", "state_digest",
    "undo_last_merge", "write_store_bundle",
]


@dataclass(frozen=True)
class BundleSummary:
    """Who, when, which inspection and how much: from the signed manifest only."""

    file: str
    kind: str
    bundle_id: str
    inspection_id: str
    author_name: str
    device_id: str
    signer_fingerprint: str | None
    created_at: str
    hlc_max: str | None
    revisions: int
    blobs: int
    blob_bytes: int
    file_size: int
    format: int
    schema: int


def _summary(path: Path, reader: BundleReader) -> BundleSummary:
    s = reader.summary()
    return BundleSummary(path.name, str(s["extra"].get("kind", "sync")), s["bundle_id"],
                         s["inspection_id"], s["author"]["name"], s["device_id"],
                         s["signer_fingerprint"], s["created_at"], s["hlc_max"],
                         s["revision_count"], s["blob_count"], s["blob_bytes"], s["file_size"],
                         s["format"], s["schema"])


def inspect_bundle_file(path: Path, *, keys: DeviceKeys) -> BundleSummary:
    """Describe a bundle without changing anything (needs this device to be a recipient)."""
    path = Path(path)
    if not path.exists():
        raise NotFoundError(f"There is no bundle at '{path.name}'.")
    with BundleReader(path, [keys.age_identity]) as reader:
        return _summary(path, reader)


@dataclass(frozen=True)
class BundlePreview:
    """A bundle as the import dialog shows it before merging (contents not yet verified)."""

    summary: BundleSummary | None
    file: str
    status: str  # ready | already_imported | refused
    message: str


def preview_bundles(store: InspectionStore, paths: Sequence[Path], *,
                    keys: DeviceKeys) -> tuple[BundlePreview, ...]:
    """Manifest, signer trust and repeat status of each bundle; reads no contents."""
    out = []
    with store.uow() as tx:
        roster = load_roster(tx, store.inspection_id)
        for path in paths:
            c = Candidate.open(Path(path), keys)
            try:
                if c.pending and c.manifest["inspection_id"] != store.inspection_id:
                    c.refuse("This bundle belongs to another inspection.")
                if c.pending and tx.imports.has(c.bundle_id):
                    c.status = "already_imported"
                if c.pending:
                    decision = trust_of(roster, c, keys, store)
                    if not decision.trusted:
                        c.refuse(decision.reason)
                summary = _summary(c.path, c.reader) if c.reader and c.manifest else None
                status = "ready" if c.pending else c.status
                out.append(BundlePreview(summary, c.path.name, status, c.message))
            finally:
                c.close()
    return tuple(out)


def state_digest(store: InspectionStore) -> str:
    """SHA-256 over every record's winner and heads: equal digests mean equal states."""
    with store.uow() as tx:
        return current_digest(tx)


@dataclass(frozen=True)
class ImportLogEntry:
    """One merged bundle in the import history."""

    bundle_id: str
    device_id: str
    author_name: str
    imported_at: str
    hlc_max: str
    revisions_total: int
    revisions_new: int
    blobs_new: int
    undoable: bool


def import_history(store: InspectionStore) -> list[ImportLogEntry]:
    """Every bundle merged into this file, newest first."""
    with store.uow() as tx:
        last = json.loads(tx.meta.get("last_merge") or "{}")
        rows = tx.imports.all()
        undoable = _snapshot_path(store, last) is not None and _unchanged_since(tx, last)
        undo_ids = set(last.get("bundles", [])) if undoable else set()
        return [ImportLogEntry(r.bundle_id, r.device_id, r.author_name, r.imported_at,
                               r.hlc_max, r.revisions_total, r.revisions_new, r.blobs_new,
                               r.bundle_id in undo_ids) for r in rows]


@dataclass(frozen=True)
class UndoReport:
    """What "undo last merge" took back."""

    bundle_ids: tuple[str, ...]
    digest_before: str
    digest_after: str
    changes: ChangeSet


def _snapshot_path(store: InspectionStore, last: dict[str, Any]) -> Path | None:
    name = last.get("snapshot")
    if not isinstance(name, str) or not name:
        return None
    path = store.path.with_name(Path(name).name)
    return path if path.exists() else None


_CHANGED_SINCE = ("The last merge can no longer be undone: changes were made after it. "
                  "Nothing was changed; resolve any unwanted changes as conflicts or edits "
                  "instead.")


def _unchanged_since(tx: UnitOfWork, last: dict[str, Any]) -> bool:
    return (tx.records.max_seq() == last.get("seq_after")
            and tx.blobs.count() == last.get("blobs_after"))


def undo_last_merge(store: InspectionStore, *, progress: Callable[[int, int], None] | None = None,
                    cancel: threading.Event | None = None) -> UndoReport:
    """Restore the file as it was before the last merge, if nothing was written since.

    `progress` follows the copy back from the snapshot; `cancel` set before the copy is
    committed raises Cancelled with the file unchanged (one transaction, rolled back).
    """
    with store.uow(write=True) as tx:
        last = json.loads(tx.meta.get("last_merge") or "{}")
        snap = _snapshot_path(store, last)
        if snap is None:
            raise UserError("There is no merge to undo.")
        if not _unchanged_since(tx, last):
            raise UserError(_CHANGED_SINCE)
        before = current_digest(tx)
    try:
        restore_snapshot(store.raw_write_engine(), snap, seq=last.get("seq_after"),
                         blobs=last.get("blobs_after"), progress=progress,
                         cancel=cancel.is_set if cancel is not None else None)
    except Cancelled:
        raise
    except SnapshotOutdated:
        raise UserError(_CHANGED_SINCE) from None
    except Exception as exc:
        log.error("undo of the last merge failed: %s", type(exc).__name__)
        raise BundleError("The last merge could not be undone; the file is unchanged. Try "
                          "again after restarting the app.") from None
    snap.unlink(missing_ok=True)
    with store.uow() as tx:
        after = current_digest(tx)
    log.info("last merge undone (%s)", plural(len(last.get("bundles", [])), "bundle"))
    return UndoReport(tuple(last.get("bundles", [])), before, after, ChangeSet.all())


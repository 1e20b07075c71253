"""Building blocks of a bundle import: per-bundle state, results, progress, blob copying.

Kept apart from `bundle_import` so each file stays readable; nothing here commits anything.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hmip_desktop.bundle.identity_keys import DeviceKeys
from hmip_desktop.bundle.reader import BundleReader
from hmip_desktop.domain import records as R
from hmip_desktop.domain import scoring as S
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.domain.errors import BundleError, Cancelled, NewerVersionError
from hmip_desktop.domain.hlc import hlc_millis
from hmip_desktop.domain.merge import state_digest
from hmip_desktop.domain.revision import PAYLOAD_SCHEMA, Revision, make_revision
from hmip_desktop.domain.roster import Roster, TrustDecision
from hmip_desktop.services.attachments import remove_unreferenced
from hmip_desktop.storage.uncached_write import aligned_buffer

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore
    from hmip_desktop.storage.unit_of_work import UnitOfWork

_STEP = 1 << 20
# Attachments are copied on a helper thread while the importing thread runs Python: every
# read, hash and write of a chunk gives up the GIL and waits to take it back, so chunks are
# large enough that those waits do not dominate (measured: 1 MiB chunks copied at a quarter
# of their speed alone during a merge), and small enough to keep memory flat. One buffer of
# this size is read into for every attachment of a copy (a fresh one per chunk cost more
# CPU in page faults than the hashing).
_COPY_CHUNK = 8 << 20
_scratch = threading.local()  # `buffer`: that read buffer, while a copy runs on this thread
CANCELLED = "Import cancelled; nothing was changed."


@dataclass(frozen=True)
class BundleOutcome:
    """What happened to one bundle of an import."""

    file: str
    bundle_id: str
    kind: str
    author_name: str
    device_id: str
    signer_fingerprint: str | None
    created_at: str
    status: str  # imported | already_imported | refused
    message: str
    revisions_total: int
    revisions_new: int
    blobs_new: int
    clock_ahead: bool


@dataclass(frozen=True)
class ImportReport:
    """The result of importing several bundles at once."""

    outcomes: tuple[BundleOutcome, ...]
    revisions_new: int
    blobs_new: int
    new_conflicts: tuple[str, ...]
    conflicts: int
    digest_before: str
    digest_after: str
    snapshot: str | None
    changes: ChangeSet

    @property
    def imported(self) -> int:
        """Bundles merged by this import."""
        return sum(1 for o in self.outcomes if o.status == "imported")

    @property
    def changed(self) -> bool:
        """True when the inspection's state or attachments changed."""
        return self.digest_before != self.digest_after or self.blobs_new > 0


class Meter:
    """Progress in bytes (throttled) and the cancel check.

    Attachments are copied on a helper thread while the importing thread reads revisions
    (issue 11 §3): both count their bytes here, but only the importing thread (the one that
    made the meter) reports progress, under the lock, so reports never interleave, their
    counts only grow, and a progress handler that presses Cancel runs where Cancel is
    noticed; the importer reports the helper's steps at its next count, or while it waits
    for the helper (`wait_and_report`).
    """

    def __init__(self, progress: Callable[[int, int], None] | None,
                 cancel: threading.Event | None, total: int) -> None:
        self.progress, self.cancel, self.total = progress, cancel, max(total, 1)
        self.done = self._last = 0
        self._lock = threading.Lock()
        self._stepped = threading.Condition(self._lock)  # the helper crossed a step
        self._held: list[int] = []  # the helper's steps, reported by the importing thread
        self._owner = threading.get_ident()

    def check(self) -> None:
        """Raise Cancelled when the user pressed Cancel."""
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled(CANCELLED)

    def count(self, n: int) -> None:
        """Count n more bytes (no cancel check: the helper thread has its own)."""
        with self._lock:
            self.done += n
            if threading.get_ident() == self._owner:
                self._report()
            elif self.progress and self.done - self._last >= _STEP:
                self._last = self.done
                self._held.append(self.done)
                self._stepped.notify_all()

    def wait_and_report(self, timeout: float) -> None:
        """Wait until the helper has counted another step (or `timeout`), then report what
        was counted (the importing thread, while it waits for the helper)."""
        with self._lock:
            if not self._held:
                self._stepped.wait(timeout)
            self._report()

    def _report(self) -> None:
        held, self._held = self._held, []
        for done in held:  # the helper's steps, in order, on this thread
            self.progress(min(done, self.total), self.total)  # type: ignore[misc]
        if self.progress and self.done - self._last >= _STEP:
            self._last = self.done
            self.progress(min(self.done, self.total), self.total)

    def add(self, n: int) -> None:
        """Count n more bytes."""
        self.check()
        self.count(n)

    def finish(self) -> None:
        """Report completion (after any step of the helper not yet reported)."""
        if self.progress:
            with self._lock:
                held, self._held = self._held, []
            for done in held:
                self.progress(min(done, self.total), self.total)
            self.progress(self.total, self.total)


@dataclass(eq=False)
class Candidate:
    """Working state of one bundle during an import (never leaves the import)."""

    path: Path
    reader: BundleReader | None = None
    manifest: dict[str, Any] = field(default_factory=dict)
    status: str = "pending"
    message: str = ""
    newer: bool = False
    roster_revs: list[Revision] = field(default_factory=list)
    new_roster: set[str] = field(default_factory=set)
    new_max_by_device: dict[str, str] = field(default_factory=dict)
    new_estimate: int = 0
    count: int = 0
    new_count: int = 0
    blobs_new: int = 0
    blob_rows: list[tuple[str, int, str]] = field(default_factory=list)
    vouched: bool = False  # sent by the team's anchor or an active team leader
    claims: list[Any] = field(default_factory=list)  # authorship.Claim of each new revision
    # (revision id, signature) for revisions held unsigned that this bundle brings signed:
    # stored once its claims (these included, as held claims) have been verified.
    signatures: list[tuple[str, str]] = field(default_factory=list)
    unsigned: int = 0  # new revisions without their author's signature (older app)
    # Every revision line is its revision's own canonical form (pass 1 found it so), so
    # pass 2 may cut each payload's canonical text from the line instead of encoding it.
    canonical_lines: bool = False

    @classmethod
    def open(cls, path: Path, keys: DeviceKeys) -> Candidate:
        """Open and authenticate a bundle (a refusal is recorded, not raised)."""
        c = cls(Path(path))

        def _open() -> None:
            c.reader = BundleReader(c.path, [keys.age_identity], max_schema=PAYLOAD_SCHEMA)
            c.manifest = c.reader.manifest

        c.guard(_open)
        return c

    @property
    def pending(self) -> bool:
        """Still on its way to being merged."""
        return self.status == "pending"

    @property
    def bundle_id(self) -> str:
        """The manifest's bundle id ('' when unreadable)."""
        return str(self.manifest.get("bundle_id", ""))

    def refuse(self, message: str, *, newer: bool = False) -> None:
        """Mark the bundle refused with a message for the user."""
        self.status, self.message, self.newer = "refused", message, newer

    def guard(self, fn: Callable[[], None]) -> None:
        """Run a check; a bad bundle becomes a refusal, anything else propagates."""
        try:
            fn()
        except NewerVersionError as exc:
            self.refuse(str(exc), newer=True)
        except BundleError as exc:
            self.refuse(str(exc))

    def planned_bytes(self) -> int:
        """Bytes this bundle will move: revisions read twice, attachments once."""
        if not self.manifest:
            return 0
        return 2 * self.manifest["revisions"]["size"] + sum(
            (b.get("stored") or b)["size"] for b in self.manifest["blobs"])

    def close(self) -> None:
        """Close the bundle file."""
        if self.reader is not None:
            self.reader.close()

    def outcome(self, now_ms: int, ahead_ms: int) -> BundleOutcome:
        """The frozen result for the report."""
        m = self.manifest
        ahead = False
        if m.get("hlc_max"):
            try:
                ahead = hlc_millis(m["hlc_max"]) > now_ms + ahead_ms
            except ValueError:
                ahead = False
        return BundleOutcome(
            file=self.path.name, bundle_id=self.bundle_id,
            kind=str(m.get("extra", {}).get("kind", "sync")) if m else "",
            author_name=str(m.get("author", {}).get("name", "")) if m else "",
            device_id=str(m.get("device_id", "")), signer_fingerprint=m.get("signer_fingerprint"),
            created_at=str(m.get("created_at", "")), status=self.status, message=self.message,
            revisions_total=self.count or (m["revisions"]["count"] if m else 0),
            revisions_new=self.new_count, blobs_new=self.blobs_new, clock_ahead=ahead)


def _created_ms(manifest: dict[str, Any]) -> int | None:
    try:
        when = dt.datetime.strptime(str(manifest.get("created_at")), "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return None
    return int(when.replace(tzinfo=dt.UTC).timestamp() * 1000)


def trust_of(roster: Roster, c: Candidate, keys: DeviceKeys,
             store: InspectionStore) -> TrustDecision:
    """Trust decision for a bundle's signer (this device's own bundles are always trusted)."""
    m = c.manifest
    if m["signer"] == keys.public.signer and m["device_id"] == store.device.device_id:
        return TrustDecision(True, "", roster.by_signer(m["signer"]))
    return roster.trust(m["signer"], device_id=m["device_id"], hlc_max=m["hlc_max"],
                        created_ms=_created_ms(m))


def as_provisional_unless_leader(rev: Revision, inspection_id: str,
                                 leaders: frozenset[str]) -> Revision | None:
    """An agreed-score revision from a device that is not a team leader's, demoted.

    Only the team leader records the agreed score. Such a revision (an older app, an edit
    made before joining, a tampered file) is not merged as the agreed score: its content
    becomes its author's provisional score (`demote`). A removal of the agreed score by a
    non-leader carries no view and is dropped. Every other revision passes unchanged.
    """
    p = rev.payload
    if rev.entity_type != R.SCORE or rev.device_id in leaders:
        return rev
    agreed_id = S.agreed_score_id(inspection_id, str(p.get("section_key", "")))
    if p.get("kind") != S.AGREED and rev.entity_id != agreed_id:
        return rev
    if rev.deleted:
        return None
    return demote(rev, inspection_id)


def demote(rev: Revision, inspection_id: str) -> Revision:
    """The provisional score an agreed score from a non-leader becomes.

    Built only from the original (same device, author, clock; no parents), so every laptop
    derives the identical revision and the team still converges. It carries the original's
    content and signature, so that wherever it travels its author's signature still checks
    out (services.authorship).
    """
    p = {k: v for k, v in rev.payload.items() if k != "demoted_from"}
    section = str(p.get("section_key", ""))
    derived = make_revision(
        entity_type=R.SCORE,
        entity_id=S.provisional_score_id(inspection_id, section, rev.author_id),
        parents=(), hlc=rev.hlc, device_id=rev.device_id, author_id=rev.author_id,
        payload={**p, "kind": S.PROVISIONAL, "inspector_id": rev.author_id,
                 "demoted_from": rev.content()},
        schema=rev.schema)
    return derived.signed(rev.signature) if rev.signature else derived


def current_digest(tx: UnitOfWork) -> str:
    """The state digest of the file open in this unit of work."""
    return state_digest(tx.sync.head_sets())


def plan_blob_rows(tx: UnitOfWork, accepted: list[Candidate]) -> None:
    """The attachment rows each accepted bundle adds: those the file lacks, each counted
    for the first bundle (in the order given) that lists it."""
    rows: set[str] = set()
    for c in accepted:
        for entry in c.manifest["blobs"]:
            sha = entry["sha256"]
            if sha not in rows and tx.blobs.get(sha) is None:
                rows.add(sha)
                c.blob_rows.append((sha, entry["size"], entry["mime"]))


def copy_new_blobs(store: InspectionStore, jobs: list[tuple[str, Candidate, str]],
                   meter: Meter, created: list[str],
                   before_copy: Callable[[str], None] | None = None) -> None:
    """Stream each (sha256, bundle, member) attachment into the encrypted store, verified on
    the way (services.import_blob_copies decides which: those not yet held, once each).

    Stored copies are checked against their signed listing while copied; older bundles'
    attachments are decrypted (this thread) and re-encrypted (a helper thread) through a
    pipe, so memory stays flat. `created` receives each hash whose file this call made.
    """
    # Untouched (no memory) until a stored copy; page-aligned, so that its whole mebibytes
    # can be written past the page cache (storage/uncached_write.py).
    _scratch.buffer = aligned_buffer(_COPY_CHUNK)
    try:
        for sha, c, member in jobs:
            meter.check()
            if before_copy is not None:
                before_copy(store.blobs.stored_name(sha))  # named before the file exists
            _pipe_copy(store, c, member, sha, meter)
            created.append(sha)
    finally:
        _scratch.buffer = None


def _pipe_copy(store: InspectionStore, c: Candidate, member: str, sha: str,
               meter: Meter) -> None:
    assert c.reader is not None
    if c.reader.is_stored(member):
        _stored_copy(store, c, member, sha, meter)
        return
    read_fd, write_fd = os.pipe()
    result: list[BaseException] = []

    def consume() -> None:
        try:
            with open(read_fd, "rb") as src:
                store.blobs.put_stream(src, expected_sha256=sha, cancel=meter.cancel)
        except BaseException as exc:  # noqa: BLE001 - handed back to the calling thread
            result.append(exc)

    worker = threading.Thread(target=consume, name="blob-import", daemon=True)
    worker.start()
    try:
        with open(write_fd, "wb") as sink:
            c.reader.copy_blob_to(member, _Counting(sink, meter), cancel=meter.cancel)
    except BundleError as exc:
        worker.join()
        raise BundleError(f"Bundle '{c.path.name}': {exc} Nothing was imported.") from None
    except OSError:
        worker.join()
        if not result:  # the pipe broke for a reason of our own: report it as it is
            raise
    finally:
        worker.join()
    if result:
        if isinstance(result[0], Cancelled):
            raise result[0]
        raise BundleError(f"Bundle '{c.path.name}': an attachment could not be stored. "
                          "Check the free disk space, then import again.") from result[0]


def _stored_copy(store: InspectionStore, c: Candidate, member: str, sha: str,
                 meter: Meter) -> None:
    """Copy an attachment as stored: its ciphertext, checked against the signed listing."""
    reader = c.reader
    assert reader is not None
    buffer = getattr(_scratch, "buffer", None)
    try:
        store.blobs.put_stored(sha, lambda out: reader.copy_stored_to(
            member, _Counting(out, meter), cancel=meter.cancel, chunk=_COPY_CHUNK,
            buffer=buffer))
    except BundleError as exc:
        raise BundleError(f"Bundle '{c.path.name}': {exc} Nothing was imported.") from None
    except OSError as exc:
        raise BundleError(f"Bundle '{c.path.name}': an attachment could not be stored. "
                          "Check the free disk space, then import again.") from exc


class _Counting:
    """Writable that counts bytes for progress and passes them on."""

    def __init__(self, sink: Any, meter: Meter) -> None:
        self._sink, self._meter = sink, meter

    def write(self, data: bytes) -> int:
        # Counted a step at a time, so a large chunk still moves the bar smoothly.
        for start in range(0, len(data), _STEP):
            self._meter.add(min(_STEP, len(data) - start))
        return self._sink.write(data)


def remove_files(store: InspectionStore, created: list[str], snapshot: Path | None) -> None:
    """Undo the file side of a failed import: new blob files and the snapshot. A file an
    extract import running beside it stored too (the same spreadsheet), or has committed a
    row for meanwhile, stays."""
    for sha in created:
        remove_unreferenced(store, sha)
    if snapshot is not None:
        snapshot.unlink(missing_ok=True)

"""Merge sync bundles into an open inspection file: validate everything, then one transaction.

Order (sync-and-security.md §2.3): open each bundle (container, manifest, signature); check
the inspection and the import log; read every revision line (ids are content hashes, parents
present, dates consistent, schema not newer) while counting what is new; decide trust against
the roster (signer an active member at the bundle's date, or the file's anchor; no roster
change without a leader's attestation; nothing written on a removed member's device after the
removal); copy new attachments into the encrypted store, each verified before it is renamed
into place; snapshot the database for "undo last merge"; then append everything in one
transaction, re-reading the revisions so memory stays flat (parsed only: the list's signed
hash, checked again at the end of that read and before the commit, proves they are the bytes
pass 1 checked). The attachment copies run on a helper thread alongside all of this, from the
start for bundles the file's roster already trusts (services.import_blob_copies); the
transaction waits for them, and for any failure among them, before it commits.

Threading rule: blocking work for a worker thread; `cancel` stops it with nothing written.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from hmip_desktop.bundle.format import damaged
from hmip_desktop.bundle.identity_keys import DeviceKeys
from hmip_desktop.domain import records as R
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.domain.errors import BundleError, NewerVersionError
from hmip_desktop.domain.hlc import HlcStamp
from hmip_desktop.domain.ids import new_id
from hmip_desktop.domain.payload_rules import PayloadProblem, check_payload
from hmip_desktop.domain.revision import (
    PAYLOAD_SCHEMA,
    Revision,
    payload_text_of_line,
    revision_and_form_from_json,
    revision_from_checked_json,
)
from hmip_desktop.domain.roster import Roster, leader_devices, written_after_removal
from hmip_desktop.domain.wording import plural
from hmip_desktop.services import attachment_keys
from hmip_desktop.services.authorship import Claim
from hmip_desktop.services.bundle_candidates import (
    Candidate,
    ImportReport,
    Meter,
    as_provisional_unless_leader,
    copy_new_blobs,
    current_digest,
    plan_blob_rows,
    remove_files,
    trust_of,
)
from hmip_desktop.services.import_authors import AuthorChecks
from hmip_desktop.services.import_blob_copies import BlobCopies
from hmip_desktop.services.mending import (
    NEEDS_REBUILD,
    fault_point,
    finish_rebuild,
    rebuild_pending,
)
from hmip_desktop.services.roster_access import anchor, roster_from
from hmip_desktop.storage.sync_repo import take_snapshot

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore
    from hmip_desktop.storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
_CHUNK = 2000
CLOCK_AHEAD_MS = 6 * 3600 * 1000  # flagged in the report
CLOCK_LIMIT_HOURS = 24
CLOCK_LIMIT_MS = CLOCK_LIMIT_HOURS * 3600 * 1000  # refused: one bad clock must not stop a team
CLOCK_TOO_FAR_AHEAD = (
    f"This bundle holds changes dated more than {CLOCK_LIMIT_HOURS} hours ahead of this "
    "computer's clock (limit: clock margin). Check the date and time on both computers, then "
    "ask the sender to export it again."
)
ROSTER_FORGED = (
    "This bundle changes the team roster without the team leader's signature. Do not import "
    "it; tell the team leader."
)
REMOVED_AUTHOR = (
    "This bundle holds changes made on a removed team member's device after their removal. "
    "Do not import it; if what they wrote is still needed, a current member enters it again "
    "(the team leader decides)."
)
WRONG_INSPECTION = (
    "This bundle belongs to another inspection. Check that you chose the right bundle and the "
    "right inspection file."
)
SNAPSHOT_SUFFIX = ".undo"


def import_bundles(store: InspectionStore, paths: Sequence[Path], *, keys: DeviceKeys,
                   progress: Progress | None = None, cancel: threading.Event | None = None,
                   snapshot: bool = True, skip_refused: bool = False) -> ImportReport:
    """Validate and merge bundles; returns what happened to each.

    Any refused bundle aborts the whole import with its reason (nothing written), unless
    `skip_refused`, in which case the others are merged and the refusals are reported.
    """
    store.ensure_writable()
    unique = list(dict.fromkeys(Path(p) for p in paths))
    cands: list[Candidate] = []
    try:
        for path in unique:
            cands.append(Candidate.open(path, keys))
        return _run(store, cands, keys, progress, cancel, snapshot, skip_refused)
    finally:
        for c in cands:
            c.close()


def _run(store: InspectionStore, cands: list[Candidate], keys: DeviceKeys,
         progress: Progress | None, cancel: threading.Event | None, snapshot: bool,
         skip_refused: bool) -> ImportReport:
    _check_refusals(cands, skip_refused)
    seen: set[str] = set()
    copies: BlobCopies | None = None
    authors: AuthorChecks | None = None
    snap_path: Path | None = None
    try:
        with store.uow() as tx:
            local_roster = tx.sync.revisions_of_type(R.TEAM_MEMBER)
            anchor_signer = anchor(tx)
            for c in cands:
                if not c.pending:
                    continue
                if c.manifest["inspection_id"] != store.inspection_id:
                    c.refuse(WRONG_INSPECTION)
                elif tx.imports.has(c.bundle_id) or c.bundle_id in seen:
                    # A repeat only once its whole content checks out: a damaged copy of an
                    # imported bundle is reported as damaged, not as "already imported".
                    assert c.reader is not None
                    c.guard(lambda c=c: c.reader.verify_all(cancel=cancel))
                    if c.pending:
                        c.status = "already_imported"
                seen.add(c.bundle_id)
            _check_refusals(cands, skip_refused)
            meter = Meter(progress, cancel, sum(c.planned_bytes() for c in cands if c.pending))
            # Looked up here, not bound at import time: the merge bench times this function.
            copies = BlobCopies(store, meter, copy_new_blobs)
            if not skip_refused:
                # The attachments of bundles whose signer the file's own roster trusts are
                # copied while their revisions are checked: a refusal found later fails the
                # whole import, and their files go with it. Skipping refusals needs the
                # outcome first (a blob's copy may come from a bundle that is then refused).
                local = roster_from(local_roster, store.inspection_id, anchor_signer)
                copies.start([c for c in cands if c.pending
                              and trust_of(local, c, keys, store).trusted])
            before, conflicts_before = current_digest(tx), {e.id for e in tx.records.conflicted()}
            for c in cands:
                if c.pending:
                    c.guard(lambda c=c: _scan(c, tx, meter, store.device.device_id))
                    _check_refusals(cands, skip_refused)
        roster = _decide_trust(store, cands, keys, local_roster, anchor_signer)
        _check_refusals(cands, skip_refused)
        # Pass 1b: signatures are verified on other threads while attachments are copied,
        # unless a refusal is already known or refused bundles are skipped (the copy needs
        # the outcome).
        authors = AuthorChecks(store, cands, roster, keys)
        copies.pause()  # until the signatures are settled: they get the CPUs
        if skip_refused or not authors.clean:
            authors.settle()
            _check_refusals(cands, skip_refused)
        accepted = [c for c in cands if c.pending]
        copies.start(accepted)  # those the local roster did not vouch for, or all of them
        with store.uow() as tx:
            plan_blob_rows(tx, accepted)
            snap_mark = _written_mark(tx)
        if accepted and snapshot:  # SQLite's own work: it overlaps the signature checks
            snap_path = store.path.with_name(f"{store.path.name}{SNAPSHOT_SUFFIX}-{new_id()}")
            copies.journal().snapshot(snap_path)
            take_snapshot(store.raw_write_engine(), snap_path)
        # Waiting here, not alongside the appends: each signature checked hands the GIL
        # back and forth, and against Python-heavy appends that starved the checks.
        authors.settle()
        copies.resume()
        _check_refusals(cands, skip_refused)  # a forged revision: the files go (below)

        def before_commit() -> None:
            assert copies is not None
            copies.join()  # every attachment in place and verified, before anything commits
            fault_point("import.after_blobs")
            fault_point("import.after_snapshot")

        report = _apply(store, accepted, cands, before, conflicts_before, meter, snap_path,
                        leader_devices(roster) if roster.anchor else None, before_commit,
                        snap_mark)
    except BaseException:
        if authors is not None:
            authors.stop()
        if copies is not None:
            copies.abandon()
            remove_files(store, copies.created, snap_path)
            copies.close_journal()
        raise
    copies.close_journal()  # set by now: every path that leaves it unset raised
    fault_point("import.after_commit")
    if accepted or rebuild_pending(store):
        # The durable mark set in the transaction is cleared only once this has finished;
        # a crash before that is mended at the next open.
        finish_rebuild(store)
    meter.finish()
    return report


def _check_revision(rev: Revision, now_ms: int) -> None:
    if rev.schema > PAYLOAD_SCHEMA:
        raise NewerVersionError("This bundle holds data from a newer version of the app. "
                                "Update the app, then import it again.")
    if rev.schema < 1 or len(rev.parents) > 1000:
        raise damaged("a revision is malformed")
    if max(len(rev.entity_id), len(rev.device_id), len(rev.author_id)) > 64 \
            or len(rev.entity_type) > 40:
        raise damaged("a revision has an oversized id")
    try:
        stamp = HlcStamp.decode(rev.hlc)
    except ValueError:
        raise damaged("a revision has a malformed clock") from None
    if stamp.millis > now_ms + CLOCK_LIMIT_MS:
        raise BundleError(CLOCK_TOO_FAR_AHEAD)
    try:
        check_payload(rev.entity_type, rev.schema, rev.payload, deleted=rev.deleted)
    except PayloadProblem as exc:  # names a field or a limit, never a value
        raise damaged(str(exc)) from None


def _scan(c: Candidate, tx: UnitOfWork, meter: Meter, own_device: str) -> None:
    """Pass 1: read and check every revision line; count what is new, per device; note
    the signatures it brings for revisions held unsigned."""
    sync = tx.sync
    entity_of: dict[str, str] = {}
    parents: list[tuple[str, str]] = []
    lo = hi = None
    batch: list[tuple[str, str, Claim]] = []

    def flush() -> None:
        known = sync.known(rid for rid, _, _ in batch)
        # A signature for a revision held unsigned is stored (and so relayed) only once it
        # verifies like a new revision's, so a bad one refuses the bundle with the same
        # message, naming whom it claims; the legitimate senders (the author's device, or a
        # relay of what it signed, under any key the roster ever attested for it) pass, and
        # format-1 bundles and a leader's vouched changes carry none to check. Never for
        # this device's own revisions: they are held unsigned and signed afresh on export,
        # so a relayed copy of their signature is not needed and is not checked (which
        # would cost a verification per own revision in every teammate's full bundle).
        # A signature for a revision held signed is ignored, as before.
        signed_known = [rid for rid, _, claim in batch if rid in known and claim.signature
                        and claim.device_id != own_device]
        unsigned = sync.held_unsigned(signed_known) if signed_known else set()
        for rid, hlc, claim in batch:
            if rid in unsigned:
                c.claims.append(claim.as_held())
                c.signatures.append((rid, claim.signature))
            elif rid not in known:
                c.new_estimate += 1
                device = claim.device_id
                c.new_max_by_device[device] = max(hlc, c.new_max_by_device.get(device, hlc))
                c.claims.append(claim)  # checked once the roster is known (pass 1b)
        batch.clear()

    assert c.reader is not None  # pending candidates always have an open reader
    now_ms = int(time.time() * 1000)
    c.canonical_lines = True  # until a line is not
    for line in c.reader.iter_revision_lines():
        meter.add(len(line) + 1)
        try:
            rev, own_form = revision_and_form_from_json(line)
        except BundleError as exc:  # the domain's message says what is wrong, not what to do
            raise BundleError(f"{exc}. Do not import it; ask the sender to export it "
                              "again.") from None
        _check_revision(rev, now_ms)
        c.canonical_lines = c.canonical_lines and own_form
        if rev.rev_id in entity_of:
            raise damaged("a revision is repeated")
        entity_of[rev.rev_id] = rev.entity_id
        parents.extend((p, rev.entity_id) for p in rev.parents)
        lo = rev.hlc if lo is None or rev.hlc < lo else lo
        hi = rev.hlc if hi is None or rev.hlc > hi else hi
        if rev.entity_type == R.TEAM_MEMBER:
            c.roster_revs.append(rev)
        batch.append((rev.rev_id, rev.hlc, Claim.of(rev)))
        if len(batch) >= _CHUNK:
            flush()
    flush()
    c.count = len(entity_of)
    if c.manifest["full_state"] and any(entity_of.get(p) != e for p, e in parents):
        raise damaged("a revision's earlier version is missing")
    if (lo, hi) != (c.manifest["hlc_min"], c.manifest["hlc_max"]):
        raise damaged("its dates do not match its contents")
    known_roster = sync.known(r.rev_id for r in c.roster_revs)
    c.new_roster = {r.rev_id for r in c.roster_revs if r.rev_id not in known_roster}


def _decide_trust(store: InspectionStore, cands: list[Candidate], keys: DeviceKeys,
                  local_roster: list[Revision], anchor_signer: str | None) -> Roster:
    """Grow the accepted set to a fixed point, so the order of bundles never matters."""
    pending = [c for c in cands if c.pending]
    accepted: list[Candidate] = []
    while True:
        roster = roster_from(local_roster + [r for c in accepted for r in c.roster_revs],
                             store.inspection_id, anchor_signer)
        newly = [c for c in pending if trust_of(roster, c, keys, store).trusted]
        if not newly:
            break
        accepted += newly
        pending = [c for c in pending if c not in newly]
    for c in pending:
        c.refuse(trust_of(roster, c, keys, store).reason)
    # Re-check the accepted set against the roster it produced (a removal may have arrived).
    for _ in range(len(accepted) + 1):
        final = roster_from(local_roster + [r for c in accepted for r in c.roster_revs],
                            store.inspection_id, anchor_signer)
        bad = [c for c in accepted if _final_problem(final, c, keys, store)]
        for c in bad:
            c.refuse(_final_problem(final, c, keys, store))
        accepted = [c for c in accepted if c.pending]
        if not bad:
            return final
    return final


def _final_problem(roster: Roster, c: Candidate, keys: DeviceKeys,
                   store: InspectionStore) -> str:
    decision = trust_of(roster, c, keys, store)
    if not decision.trusted:
        return decision.reason
    if c.new_roster & roster.invalid_revisions:
        return ROSTER_FORGED
    if any(written_after_removal(roster, d, h) for d, h in c.new_max_by_device.items()):
        return REMOVED_AUTHOR
    return ""


def _check_refusals(cands: list[Candidate], skip_refused: bool) -> None:
    refused = [c for c in cands if c.status == "refused"]
    if refused and not skip_refused:
        first = refused[0]
        kind = NewerVersionError if first.newer else BundleError
        raise kind(f"Bundle '{first.path.name}': {first.message} Nothing was imported.")


def _written_mark(tx: UnitOfWork) -> tuple[int, int]:
    """What changes with any record or attachment written (as "undo last merge" checks)."""
    return tx.records.max_seq(), tx.blobs.count()


def _append(tx: UnitOfWork, buf: list[Revision], arrived_unsigned: set[str],
            texts: dict[str, str]) -> int:
    """Append one chunk of a bundle's revisions; returns how many were new.

    A revision that an earlier bundle of this import brought unsigned and this one brings
    signed was new to both when their claims were checked, so its signature here has been
    verified: it is kept, as it would have been had this bundle come first.
    """
    new = tx.records.append(buf, texts)
    if arrived_unsigned:
        late = [(r.rev_id, r.signature) for r in buf
                if r.signature and r.rev_id in arrived_unsigned]
        if late:
            tx.records.keep_signatures(late)
            arrived_unsigned.difference_update(rid for rid, _ in late)
    arrived_unsigned.update(r.rev_id for r in new if not r.signature)
    return len(new)


def _apply(store: InspectionStore, accepted: list[Candidate], cands: list[Candidate],
           before: str, conflicts_before: set[str], meter: Meter,
           snap_path: Path | None, leaders: frozenset[str] | None = None,
           before_commit: Callable[[], None] | None = None,
           snap_mark: tuple[int, int] | None = None) -> ImportReport:
    """Pass 2: one transaction appending revisions, blob rows and import-log rows;
    `before_commit` runs last inside it (it waits for the attachment copies). `snap_mark`:
    `_written_mark` read just before the snapshot was taken."""
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    snap_name = snap_path.name if snap_path else None
    previous = None
    keys_changed = False
    arrived_unsigned: set[str] = set()  # ids this import brought unsigned
    own_is_leader = leaders is None or store.device.device_id in leaders
    with store.uow(write=True) as tx:
        if snap_path is not None and snap_mark != _written_mark(tx):
            # Written since the snapshot was taken, before this transaction got the lock
            # (an extract import publishes from its own lane): undoing the merge would take
            # that back too. Taken again: nothing else writes while this holds the lock.
            take_snapshot(store.raw_write_engine(), snap_path)
        provenance = json.loads(tx.meta.get("merge_provenance") or "[]")
        all_sent_before = int(tx.meta.get("exported_seq") or 0) >= tx.records.max_seq()
        for c in accepted:
            first = tx.records.max_seq() + 1
            buf: list[Revision] = []
            texts: dict[str, str] = {}
            assert c.reader is not None
            for line in c.reader.iter_revision_lines():
                meter.add(len(line) + 1)
                # Pass 1 checked these very bytes (the list's signed hash is checked at the
                # end of this read, before the commit): parse only.
                parsed = revision_from_checked_json(line)
                rev: Revision | None = parsed
                if leaders is not None:  # only a team's leader agrees
                    rev = as_provisional_unless_leader(parsed, store.inspection_id, leaders)
                if rev is not None:
                    buf.append(rev)
                    if rev is parsed and c.canonical_lines:  # pass 1 found them canonical
                        texts[rev.rev_id] = payload_text_of_line(line)
                if len(buf) >= _CHUNK:
                    c.new_count += _append(tx, buf, arrived_unsigned, texts)
                    buf, texts = [], {}
            c.new_count += _append(tx, buf, arrived_unsigned, texts)
            tx.records.keep_signatures(c.signatures)  # verified with the bundle's claims
            last = tx.records.max_seq()
            if last >= first:
                provenance.append([first, last, c.bundle_id])
            # An attachment a team leader sent is one the leader holds: a member does not
            # send it back (it was 43% of a day-10 member bundle, bench/sync_growth.py). A
            # leader relays what arrives (the merged bundle carries it to everyone), and so
            # does a member for what a teammate sent directly.
            held_by_hub = c.vouched and not own_is_leader
            for sha, size, mime in c.blob_rows:
                if tx.blobs.add(sha, size, mime, store.blobs.stored_name(sha),
                                exported=held_by_hub):
                    c.blobs_new += 1
            assert c.reader is not None
            keys_changed |= attachment_keys.learn(
                tx, c.reader.attachment_identities(),
                adopt=c.manifest.get("attachment_current") if c.vouched else None)
            if c.manifest["hlc_max"]:
                store.clock.observe(c.manifest["hlc_max"])
            tx.imports.add(bundle_id=c.bundle_id, device_id=c.manifest["device_id"],
                           signer=c.manifest["signer"], author_name=c.manifest["author"]["name"],
                           imported_at=now, hlc_max=c.manifest["hlc_max"] or "",
                           revisions_total=c.count, revisions_new=c.new_count,
                           blobs_new=c.blobs_new, snapshot=snap_name)
            c.status = "imported"
        if accepted:
            tx.meta.set(NEEDS_REBUILD, "1")
            tx.meta.set("hlc_last", store.clock.last)
            tx.meta.set("merge_provenance", json.dumps(provenance))
            previous = json.loads(tx.meta.get("last_merge") or "{}").get("snapshot")
            if all_sent_before and not own_is_leader and all(c.vouched for c in accepted):
                # "Changes not yet exported" is what a member has to send: what a leader's
                # bundle brought, the leader holds (their own changes, when some are still
                # unsent, keep the count until the next export: the log has one watermark).
                tx.meta.set("exported_seq", str(tx.records.max_seq()))
            if snap_name:
                tx.meta.set("last_merge", json.dumps({
                    "snapshot": snap_name, "seq_after": tx.records.max_seq(),
                    "blobs_after": tx.blobs.count(), "at": now,
                    "bundles": [c.bundle_id for c in accepted]}))
        # Read inside the transaction, before waiting for the attachment copies: these
        # reads overlap the end of the copying.
        after = current_digest(tx) if accepted else before
        conflicts_after = {e.id for e in tx.records.conflicted()}
        if accepted:
            if before_commit is not None:
                before_commit()
            meter.check()  # last chance to cancel: after this the merge commits
    if accepted:
        attachment_keys.reload(store)
    if previous and previous != snap_name:
        # Only the last merge can be undone; older snapshots only take space.
        store.path.with_name(Path(previous).name).unlink(missing_ok=True)
    log.info("merged %s", plural(len(accepted), "bundle"))
    now_ms = int(time.time() * 1000)
    outcomes = tuple(c.outcome(now_ms, CLOCK_AHEAD_MS) for c in cands)
    return ImportReport(
        outcomes=outcomes,
        revisions_new=sum(o.revisions_new for o in outcomes),
        blobs_new=sum(o.blobs_new for o in outcomes),
        new_conflicts=tuple(sorted(conflicts_after - conflicts_before)),
        conflicts=len(conflicts_after), digest_before=before, digest_after=after,
        snapshot=snap_name if accepted else None,
        changes=ChangeSet.all() if accepted else ChangeSet(),
    )


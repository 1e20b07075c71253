"""Write sync bundles and invites from an open inspection file.

Threading rule: blocking file and CPU work; run it on a worker (the TaskRunner's lane), never
the GUI thread. The whole revision set always goes out (a lost or re-ordered bundle is
harmless); attachments go out once unless `full=True`. The export watermark and the
attachments' exported flags change only after the bundle file is safely renamed into place.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hmip_desktop import __version__
from hmip_desktop.bundle.identity_keys import DeviceKeys
from hmip_desktop.bundle.revision_signatures import sign_revision
from hmip_desktop.bundle.writer import StoredBlobSource, write_bundle
from hmip_desktop.domain.errors import UserError, ValidationError
from hmip_desktop.domain.ids import new_id
from hmip_desktop.domain.revision import PAYLOAD_SCHEMA, Revision
from hmip_desktop.domain.wording import plural
from hmip_desktop.services import attachment_keys
from hmip_desktop.services.authorship import signed_id_of
from hmip_desktop.services.roster_access import load_roster
from hmip_desktop.services.signature_sweep import sweep_stored_signatures
from hmip_desktop.storage import profile

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore
    from hmip_desktop.storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
KIND_SYNC = "sync"
KIND_INVITE = "invite"
BUNDLE_SUFFIX = ".hmipbundle"

NOT_A_MEMBER = (
    "This device is not an active member of this inspection's team, so it cannot export "
    "bundles. Ask the team leader to add you (or to check whether you were removed)."
)


@dataclass(frozen=True)
class ExportReport:
    """What went into a written bundle or invite."""

    path: Path
    bundle_id: str
    kind: str
    revisions: int
    blobs: int
    blob_bytes: int
    recipients: int
    fingerprint: str
    size: int


def export_recipients(tx: UnitOfWork, store: InspectionStore, keys: DeviceKeys) -> list[str]:
    """Active members, this device and the recovery key; refuses a removed or unknown device."""
    roster = load_roster(tx, store.inspection_id)
    me = roster.by_signer(keys.public.signer)
    if roster.members and keys.public.signer != roster.anchor and (me is None or not me.active):
        raise UserError(NOT_A_MEMBER)
    recovery = profile.load_settings().recovery_recipient
    return roster.recipients(own=keys.public.recipient, recovery=recovery)


def _author(store: InspectionStore) -> dict[str, str]:
    name = (store.device.author_name or "").strip()[:200] or "Inspector"
    return {"id": store.device.author_id, "name": name}


def write_store_bundle(store: InspectionStore, out_path: Path, *, keys: DeviceKeys, kind: str,
                       full: bool, include_blobs: bool = True,
                       progress: Progress | None = None,
                       cancel: threading.Event | None = None) -> tuple[ExportReport, int,
                                                                       list[str]]:
    """Write a bundle of the whole revision set; returns (report, max seq, blob hashes sent).

    One read transaction covers everything read, so the bundle is a consistent snapshot even
    while another thread writes.
    """
    out_path = Path(out_path)
    if out_path.exists() and out_path.is_dir():
        raise ValidationError("Choose a file name for the bundle, not a folder.")
    # Once per file (then one meta read): a signature an earlier version stored unchecked
    # for a teammate's revision is verified before this device relays it.
    sweep_stored_signatures(store)
    with store.uow() as tx:
        recipients = export_recipients(tx, store, keys)
        sync = tx.sync
        lo, hi = sync.hlc_range()
        max_seq = tx.records.max_seq()
        known = tx.blobs.all()
        chosen = tx.blobs.all(only_unexported=not full) if include_blobs else []
        present = [b for b in chosen if store.blobs.has(b.sha256)]
        if len(present) != len(chosen):
            log.warning("left out %s missing from the store",
                        plural(len(chosen) - len(present), "attachment"))
        sent = {b.sha256 for b in present}
        # Attachments travel as stored: encrypted to the team's attachment key, whose
        # secret the manifest carries to the bundle's recipients.
        sources = [StoredBlobSource(b.sha256, b.size, b.mime, store.blobs.stored_size(b.sha256),
                                    lambda sha=b.sha256: store.blobs.open_stored(sha))
                   for b in present]
        team_keys = attachment_keys.known_keys(tx)
        fields = {
            "schema": PAYLOAD_SCHEMA, "app": __version__, "inspection_id": store.inspection_id,
            "bundle_id": new_id(), "device_id": store.device.device_id, "author": _author(store),
            "hlc_min": lo, "hlc_max": hi, "full_state": True,
            "signer_fingerprint": keys.public.fingerprint,
            "missing_blobs": sorted(b.sha256 for b in known if b.sha256 not in sent),
            "extra": {"kind": kind},
            "attachment_keys": team_keys,
            "attachment_current": store.blobs.current_recipient,
        }
        lines = (_signed(r, store, keys).to_json_line() for r in tx.records.iter_revisions())
        manifest = write_bundle(out_path, manifest_fields=fields, revision_lines=lines,
                                blobs=sources, recipients=recipients,
                                signing_key=keys.signing_key, progress=progress, cancel=cancel)
    report = ExportReport(out_path, manifest["bundle_id"], kind, manifest["revisions"]["count"],
                          len(manifest["blobs"]), sum(b["size"] for b in manifest["blobs"]),
                          len(recipients), keys.public.fingerprint, out_path.stat().st_size)
    log.info("bundle written: %d revisions, %d attachments", report.revisions, report.blobs)
    return report, max_seq, sorted(sent)


def _signed(rev: Revision, store: InspectionStore, keys: DeviceKeys) -> Revision:
    """The revision with its author's signature: as received, or made now for this device's
    own (Ed25519 is deterministic, so signing again on each export gives the same bytes).

    An own revision is always signed afresh, never sent with a signature found stored for
    it: a file written by an earlier version may hold one that a teammate's bundle brought
    unchecked, and a bad one would make the team refuse every bundle of this device."""
    if rev.device_id != store.device.device_id:
        return rev
    return rev.signed(sign_revision(signed_id_of(rev), keys.signing_key))


def export_bundle(store: InspectionStore, out_path: Path, *, keys: DeviceKeys,
                  full: bool = False, progress: Progress | None = None,
                  cancel: threading.Event | None = None) -> ExportReport:
    """Export the full revision set plus attachments not exported before (all with `full`)."""
    store.ensure_writable()
    report, max_seq, sent = write_store_bundle(store, out_path, keys=keys, kind=KIND_SYNC,
                                               full=full, progress=progress, cancel=cancel)
    with store.uow(write=True) as tx:
        current = int(tx.meta.get("exported_seq") or 0)
        tx.meta.set("exported_seq", str(max(current, max_seq)))
        tx.blobs.mark_exported(sent)
    return report

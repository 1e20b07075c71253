"""Join an inspection from the team leader's invite: a new encrypted file for the same inspection.

The new file gets its own database key, attachment identity and key record (a file id of its
own, so a leader trying an invite on their own laptop never overwrites their file's key), but
the inspection id of the invite. Its trust anchor is the invite's signer, and the join only
succeeds when the invite's roster lists the signer as team leader and this device, with these
keys, as an active member. Compare the leader's fingerprint in person (`expect_fingerprint`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hmip_desktop.bundle.identity_keys import DeviceKeys, PublicIdentity
from hmip_desktop.bundle.reader import BundleReader
from hmip_desktop.domain.errors import BundleError, NotFoundError, UserError, ValidationError
from hmip_desktop.domain.ids import new_id
from hmip_desktop.domain.revision import PAYLOAD_SCHEMA
from hmip_desktop.services.bundle_export import KIND_INVITE
from hmip_desktop.services.bundle_import import import_bundles
from hmip_desktop.services.inspection_store import InspectionStore, remove_partial
from hmip_desktop.services.roster_access import ANCHOR_KEY, load_roster
from hmip_desktop.storage import keys as key_store
from hmip_desktop.storage import profile

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class JoinResult:
    """The inspection file made from an invite."""

    path: Path
    inspection_id: str
    leader_name: str
    leader_fingerprint: str
    members: int
    revisions: int


def create_store_for(path: Path, inspection_id: str, *,
                     provider: key_store.PassphraseProvider | None) -> InspectionStore:
    """A new, empty encrypted file for an existing inspection id.

    It gets its own file id, so trying an invite on the leader's own laptop can never
    overwrite the leader's file key in the keyring.
    """
    return InspectionStore.create_empty(path, inspection_id=inspection_id, file_id=new_id(),
                                        provider=provider)


def _read_invite(invite: Path, keys: DeviceKeys) -> tuple[str, str]:
    if not invite.exists():
        raise NotFoundError(f"There is no invite at '{invite.name}'.")
    try:
        with BundleReader(invite, [keys.age_identity], max_schema=PAYLOAD_SCHEMA) as reader:
            m = reader.manifest
    except BundleError as exc:
        raise BundleError(f"Invite '{invite.name}': {exc}") from None
    if m["extra"].get("kind") != KIND_INVITE:
        raise ValidationError("This file is a sync bundle, not an invite. Ask the team leader "
                              "for an invite, or import it with 'hmip bundle import'.")
    return m["inspection_id"], m["signer"]


def _norm_fp(text: str) -> str:
    return text.strip().upper().replace("-", "").replace(" ", "")


def join_open(invite_path: Path, out_path: Path, *, keys: DeviceKeys,
              provider: key_store.PassphraseProvider | None = None,
              expect_fingerprint: str | None = None, progress: Progress | None = None,
              cancel: threading.Event | None = None) -> tuple[InspectionStore, JoinResult]:
    """Create the inspection file from an invite and return it open."""
    invite = Path(invite_path)
    inspection_id, signer = _read_invite(invite, keys)
    store = create_store_for(out_path, inspection_id, provider=provider)
    file_id: str | None = None
    try:
        with store.uow(write=True) as tx:
            tx.meta.set(ANCHOR_KEY, signer)
            file_id = tx.meta.get("file_id")
        report = import_bundles(store, [invite], keys=keys, progress=progress, cancel=cancel,
                                snapshot=False)
        with store.uow() as tx:
            roster = load_roster(tx, inspection_id)
        leader = roster.by_signer(signer)
        me = roster.by_signer(keys.public.signer)
        if leader is None or not leader.is_leader:
            raise BundleError("This invite was not written by the team's leader. Do not use "
                              "it; ask the team leader for a new invite.")
        if me is None or not me.active or me.device_id != store.device.device_id:
            raise UserError("This invite does not list this device as a team member. Send "
                            "your identity card to the team leader and ask for a new invite.")
        fingerprint = PublicIdentity(leader.signer, leader.recipient).fingerprint
        if expect_fingerprint and _norm_fp(expect_fingerprint) != _norm_fp(fingerprint):
            raise BundleError("The invite's team leader fingerprint does not match the one you "
                              "were given. Do not use this invite; check with the team leader "
                              "in person.")
    except BaseException:
        store.close()
        remove_partial(store.path, file_id)
        raise
    profile.remember_recent(store.path)
    log.info("joined an inspection from an invite")
    result = JoinResult(store.path, inspection_id, leader.name, fingerprint,
                        len(roster.active_members), report.revisions_new)
    return store, result


def join(invite_path: Path, out_path: Path, *, keys: DeviceKeys,
         provider: key_store.PassphraseProvider | None = None,
         expect_fingerprint: str | None = None, progress: Progress | None = None,
         cancel: threading.Event | None = None) -> JoinResult:
    """Create the inspection file from an invite (closed afterwards)."""
    store, result = join_open(invite_path, out_path, keys=keys, provider=provider,
                              expect_fingerprint=expect_fingerprint, progress=progress,
                              cancel=cancel)
    store.close()
    return result

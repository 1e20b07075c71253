"""The team roster of an open inspection file: its trust anchor, attested revisions, views.

Shared by the team, bundle and conflict services. The anchor (the team leader's signing key)
is local to each file: the creator's own key once they set up the team, or the invite
signer's key on a file made by `join`. It never travels in bundles.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from hmip_desktop.bundle.format import parse_signer
from hmip_desktop.bundle.identity_keys import DeviceKeys, PublicIdentity
from hmip_desktop.domain import records as R
from hmip_desktop.domain import roster as RS
from hmip_desktop.domain.errors import UserError, plain_text
from hmip_desktop.domain.revision import Revision, make_revision

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore
    from hmip_desktop.storage.unit_of_work import UnitOfWork

ANCHOR_KEY = "team_anchor"


def verify_signature(signer: str, message: bytes, signature: bytes) -> bool:
    """Ed25519 check of a roster attestation (False for any malformed input)."""
    try:
        Ed25519PublicKey.from_public_bytes(parse_signer(signer)).verify(signature, message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def anchor(tx: UnitOfWork) -> str | None:
    """The file's trust anchor signer, if the team was set up."""
    return tx.meta.get(ANCHOR_KEY)


def roster_from(revisions: Iterable[Revision], inspection_id: str,
                anchor_signer: str | None) -> RS.Roster:
    """A roster from team_member revisions, checking every attestation."""
    return RS.build_roster(revisions, inspection_id=inspection_id, anchor=anchor_signer,
                           verify=verify_signature)


def load_roster(tx: UnitOfWork, inspection_id: str) -> RS.Roster:
    """The current roster of the file open in this unit of work."""
    revs = tx.sync.revisions_of_type(R.TEAM_MEMBER)
    return roster_from(revs, inspection_id, anchor(tx))


NOT_TEAM_LEADER = ("Only the team leader can record the agreed score or resolve conflicts. "
                   "Record your view as your provisional score; the team leader agrees the "
                   "score and settles conflicts after the team discussion.")


def leads_here(tx: UnitOfWork, store: InspectionStore) -> bool:
    """Does this device act as team leader of the file?

    With a team: an active team_leader on the roster whose device is this one (or the
    anchor's own device). Without one (no anchor yet): the person who created the inspection.
    """
    roster = load_roster(tx, store.inspection_id)
    device = store.device
    if roster.anchor is None:
        record = tx.records.get(store.inspection_id)
        return record is None or record.created_by == device.author_id
    me = roster.by_device(device.device_id)
    return me is not None and me.active and (me.is_leader or me.signer == roster.anchor)


def require_leader_here(tx: UnitOfWork, store: InspectionStore) -> None:
    """Refuse (UserError) unless this device acts as team leader."""
    if not leads_here(tx, store):
        raise UserError(NOT_TEAM_LEADER)


def put_member(store: InspectionStore, tx: UnitOfWork, payload: dict, keys: DeviceKeys, *,
               hlc: str | None = None) -> Revision:
    """Write one attested roster revision; its parents are all current heads (closes forks)."""
    member_id = RS.member_id_for(store.inspection_id, str(payload["device_id"]))
    parents = [h.rev_id for h in tx.records.heads(member_id)]
    stamp = hlc or store.clock.now()
    body = {k: v for k, v in payload.items() if k != RS.ATTESTATION}
    message = RS.attestation_message(
        inspection_id=store.inspection_id, entity_id=member_id, parents=parents, hlc=stamp,
        device_id=store.device.device_id, author_id=store.device.author_id, deleted=False,
        payload=body)
    signature = base64.b64encode(keys.signing_key.sign(message)).decode("ascii")
    body[RS.ATTESTATION] = {"signer": keys.public.signer, "signature": signature}
    rev = make_revision(entity_type=R.TEAM_MEMBER, entity_id=member_id, parents=parents,
                        hlc=stamp, device_id=store.device.device_id,
                        author_id=store.device.author_id, payload=body)
    tx.records.append([rev])
    tx.meta.set("hlc_last", store.clock.last)
    return rev


@dataclass(frozen=True)
class MemberView:
    """One roster entry as the Team page and `hmip team list` show it."""

    member_id: str
    name: str
    role: str
    role_label: str
    device_id: str
    author_id: str
    fingerprint: str
    status: str
    removed_at: str | None
    is_me: bool
    is_anchor: bool


def member_view(m: RS.Member, *, my_device: str, anchor_signer: str | None) -> MemberView:
    """The view of a roster member."""
    import datetime as dt

    from hmip_desktop.domain.hlc import hlc_millis

    removed_at = None
    if m.removed_hlc:
        when = dt.datetime.fromtimestamp(hlc_millis(m.removed_hlc) / 1000, dt.UTC)
        removed_at = when.isoformat(timespec="seconds")
    # Cleaned: cards are checked now, but a roster from an older app may hold any name.
    return MemberView(m.member_id, plain_text(m.name), m.role, RS.ROLES.get(m.role, m.role),
                      m.device_id, m.author_id,
                      PublicIdentity(m.signer, m.recipient).fingerprint, m.status, removed_at,
                      m.device_id == my_device, m.signer == anchor_signer)

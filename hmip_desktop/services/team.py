"""The inspection team: roster view, adding members from identity cards, removal, invites.

Only a team leader changes the roster, and every roster revision is attested with the
leader's signing key (see domain.roster), so no member can add or re-admit someone by
relaying a forged change. The first person to add members becomes the file's trust anchor
and team leader.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hmip_desktop.bundle.identity_keys import DeviceKeys, PublicIdentity
from hmip_desktop.domain import records as R
from hmip_desktop.domain import roster as RS
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.domain.errors import (
    KeyUnavailableError,
    NotFoundError,
    PassphraseRequired,
    UserError,
    ValidationError,
)
from hmip_desktop.services import attachment_keys
from hmip_desktop.services.bundle_export import KIND_INVITE, ExportReport, write_store_bundle
from hmip_desktop.services.identity import IdentityCard
from hmip_desktop.services.roster_access import (
    ANCHOR_KEY,
    MemberView,
    anchor,
    load_roster,
    member_view,
    put_member,
)

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore
    from hmip_desktop.storage.unit_of_work import UnitOfWork

Progress = Callable[[int, int], None]

NOT_LEADER = ("Only the team leader can change the team roster. Ask them to make the change "
              "and send you their next bundle.")


@dataclass(frozen=True)
class RosterView:
    """The Team page's roster: members, the leader's fingerprint, what this device may do."""

    members: tuple[MemberView, ...]
    anchor_fingerprint: str | None
    me: MemberView | None
    can_manage: bool


def roster_view(store: InspectionStore, *, keys: DeviceKeys | None = None) -> RosterView:
    """Everyone on the team, leader first, with status and fingerprints."""
    with store.uow() as tx:
        roster = load_roster(tx, store.inspection_id)
    views = tuple(sorted(
        (member_view(m, my_device=store.device.device_id, anchor_signer=roster.anchor)
         for m in roster.members),
        key=lambda v: (not v.is_anchor, v.status != RS.ACTIVE, v.name.lower(), v.member_id)))
    me = next((v for v in views if v.is_me), None)
    anchor_member = next((m for m in roster.members if m.signer == roster.anchor), None)
    fingerprint = (PublicIdentity(anchor_member.signer, anchor_member.recipient).fingerprint
                   if anchor_member else None)
    if keys is not None:
        signers = {keys.public.signer}
    else:  # no keys unlocked (`hmip team list`): this device's own roster entries speak for it
        signers = {m.signer for m in roster.members
                   if m.device_id == store.device.device_id and m.status == RS.ACTIVE}
    can = roster.anchor is None or bool(signers & roster.authorities())
    return RosterView(views, fingerprint, me, can)


def roster_screen(store: InspectionStore) -> RosterView:
    """The Team page's roster (DB lane): judged with this device's keys when they open without
    a passphrase; never asks for one (locked keys: judged from the roster alone)."""
    from hmip_desktop.services import identity

    try:
        keys: DeviceKeys | None = identity.load_keys(None)
    except (PassphraseRequired, KeyUnavailableError):
        keys = None
    return roster_view(store, keys=keys)


def _member_payload(card: IdentityCard, role: str, status: str = RS.ACTIVE,
                    removed_hlc: str | None = None) -> dict[str, Any]:
    return {"device_id": card.device_id, "author_id": card.author_id, "name": card.name,
            "role": role, "signer": card.signer, "recipient": card.recipient,
            "status": status, "removed_hlc": removed_hlc}


def _require_leader(tx: UnitOfWork, store: InspectionStore, keys: DeviceKeys) -> RS.Roster:
    roster = load_roster(tx, store.inspection_id)
    if roster.anchor is None:
        if roster.members:
            raise UserError(NOT_LEADER)
        # First roster change on this file: this device becomes anchor and team leader.
        tx.meta.set(ANCHOR_KEY, keys.public.signer)
        d = store.device
        me = IdentityCard(d.author_name or "Team leader", RS.TEAM_LEADER, d.device_id,
                          d.author_id, keys.public.signer, keys.public.recipient,
                          keys.public.fingerprint)
        put_member(store, tx, _member_payload(me, RS.TEAM_LEADER), keys)
        return load_roster(tx, store.inspection_id)
    if keys.public.signer not in roster.authorities():
        raise UserError(NOT_LEADER)
    return roster


def add_members(store: InspectionStore, cards: Sequence[IdentityCard], *, keys: DeviceKeys,
                role: str | None = None) -> ChangeSet:
    """Add (or update) members from their identity cards; the caller must lead the team."""
    if role is not None and role not in RS.ROLES:
        raise ValidationError(f"Role must be one of: {', '.join(RS.ROLES)}")
    ids: set[str] = set()
    with store.uow(write=True) as tx:
        roster = _require_leader(tx, store, keys)
        ids.add(RS.member_id_for(store.inspection_id, store.device.device_id))
        for card in cards:
            if card.signer == keys.public.signer:
                continue  # the leader is already on the roster
            clash = [m for m in roster.members if m.device_id != card.device_id
                     and (m.signer == card.signer or m.recipient == card.recipient)]
            if clash:
                raise ValidationError("This card's keys belong to another team member; ask "
                                      "for a fresh card from the right device.")
            existing = roster.by_device(card.device_id)
            if existing is not None and not existing.active:
                raise ValidationError("A removed member cannot be added again on the same "
                                      "device; they need a new identity on a new installation.")
            payload = _member_payload(card, role or (existing.role if existing else card.role))
            if existing is not None and all(
                    getattr(existing, k) == payload[k]
                    for k in ("author_id", "name", "role", "signer", "recipient")):
                continue
            put_member(store, tx, payload, keys)
            ids.add(RS.member_id_for(store.inspection_id, card.device_id))
            roster = load_roster(tx, store.inspection_id)
    return ChangeSet(frozenset({R.TEAM_MEMBER}), frozenset(ids))


def find_member(roster: RS.Roster, who: str) -> RS.Member:
    """A member by record id, device id, fingerprint or exact name (must be unique)."""
    norm = who.strip().upper().replace("-", "").replace(" ", "")
    matches = [m for m in roster.members
               if who in (m.member_id, m.device_id)
               or PublicIdentity(m.signer, m.recipient).fingerprint.replace("-", "") == norm]
    if not matches:
        matches = [m for m in roster.members if m.name.strip().lower() == who.strip().lower()]
    if not matches:
        raise NotFoundError("No team member matches that; use the id or fingerprint shown by "
                            "'hmip team list'.")
    if len(matches) > 1:
        raise ValidationError("More than one team member matches that; use the id shown by "
                              "'hmip team list'.")
    return matches[0]


def remove_member(store: InspectionStore, who: str, *, keys: DeviceKeys) -> ChangeSet:
    """Remove a member: later bundles are not encrypted to them, later signatures refused."""
    with store.uow(write=True) as tx:
        roster = load_roster(tx, store.inspection_id)
        if roster.anchor is None or keys.public.signer not in roster.authorities():
            raise UserError(NOT_LEADER)
        member = find_member(roster, who)
        if member.signer in (roster.anchor, keys.public.signer):
            raise ValidationError("The team leader cannot be removed from their own team.")
        if not member.active:
            return ChangeSet()
        stamp = store.clock.now()
        card = IdentityCard(member.name, member.role, member.device_id, member.author_id,
                            member.signer, member.recipient, "")
        payload = _member_payload(card, member.role, RS.REMOVED, stamp)
        # Their history as this leader holds it: later, only these revisions and their
        # ancestors are accepted from them, whatever date they claim.
        payload[RS.FRONTIER] = tx.sync.frontier_of(member.device_id)
        put_member(store, tx, payload, keys, hlc=stamp)
        # Attachments added from now on use a key the removed member never receives.
        attachment_keys.rotate(tx)
    attachment_keys.reload(store)
    return ChangeSet.of(R.TEAM_MEMBER, member.member_id)


def write_invite(store: InspectionStore, out_path: Path, *, keys: DeviceKeys,
                 progress: Progress | None = None,
                 cancel: threading.Event | None = None) -> ExportReport:
    """Write the invite: the whole revision set, signed by the leader, for the members."""
    with store.uow() as tx:
        roster = load_roster(tx, store.inspection_id)
        # Joined files trust the invite's signer as their anchor, so only the anchor invites.
        if anchor(tx) is None:
            raise UserError("Add the team members first ('hmip team add'), then write the "
                            "invite.")
        if keys.public.signer != anchor(tx):
            raise UserError("Only the team leader who set up the team can write invites.")
        if len(roster.active_members) < 2:
            raise UserError("The team has no members besides you yet: add their identity "
                            "cards first ('hmip team add').")
    report, _seq, _sent = write_store_bundle(store, out_path, keys=keys, kind=KIND_INVITE,
                                             full=False, include_blobs=False,
                                             progress=progress, cancel=cancel)
    return report

"""Team roster rules: who is on the team, who may sign bundles, who bundles are encrypted to.

The roster is a set of `team_member` records (one per device, deterministic id). Bundles are
signed per file, not per revision, so a roster change could otherwise be forged by any member
who relays it; every roster revision therefore carries an Ed25519 *attestation* by a team
leader over its exact content. Trust starts from one anchor key per inspection file (the team
leader's key: the creator's own key, or the invite signer's key on a joined file) and extends
to active team leaders attested by it. Signature checking itself is injected (`Verify`) so this
module stays pure standard library.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from hmip_desktop.domain.heads import heads_of
from hmip_desktop.domain.hlc import HlcStamp
from hmip_desktop.domain.ids import deterministic_id
from hmip_desktop.domain.records import TEAM_MEMBER
from hmip_desktop.domain.revision import Revision, canonical_json

ROLES: dict[str, str] = {
    "team_leader": "Team leader",
    "inspector": "Inspector",
    "health_social_care_inspector": "Health and social care inspector",
    "ofsted_estyn_inspector": "Ofsted or Estyn inspector",
    "partner_inspector": "Partner inspector (CQC, HMICFRS, other)",
    "researcher": "Researcher",
    "editor": "Editor",
    "observer": "Observer",
    # Legacy: kept so roster entries and identity cards made with it stay valid and labelled.
    "specialist": "Specialist inspector",
}
LEGACY_ROLES = frozenset({"specialist"})
TEAM_LEADER = "team_leader"
ACTIVE = "active"
REMOVED = "removed"
ATTESTATION = "attestation"
# Domain separation from bundle manifest signatures made with the same device key.
ATTESTATION_CONTEXT = "hmip-team-roster-v1"

_REV_ID = re.compile(r"[0-9a-f]{64}", re.ASCII)
FRONTIER = "frontier"

# verify(signer "ed25519:...", message, signature) -> True when the signature is good.
Verify = Callable[[str, bytes, bytes], bool]


def member_id_for(inspection_id: str, device_id: str) -> str:
    """The deterministic record id of a device's roster entry in an inspection."""
    return deterministic_id(TEAM_MEMBER, inspection_id, device_id)


def attestation_message(*, inspection_id: str, entity_id: str, parents: Iterable[str], hlc: str,
                        device_id: str, author_id: str, deleted: bool,
                        payload: Mapping[str, Any]) -> bytes:
    """The exact bytes a team leader signs for one roster revision (attestation excluded)."""
    body = {k: v for k, v in payload.items() if k != ATTESTATION}
    return canonical_json({
        "context": ATTESTATION_CONTEXT, "inspection_id": inspection_id, "entity_id": entity_id,
        "parents": sorted(parents), "hlc": hlc, "device_id": device_id, "author_id": author_id,
        "deleted": deleted, "payload": body,
    })


def _clock(stamp: str | None) -> tuple[int, int] | None:
    if not stamp:
        return None
    try:
        s = HlcStamp.decode(stamp)
    except ValueError:
        return None
    return (s.millis, s.counter)


@dataclass(frozen=True)
class Member:
    """One roster entry as currently agreed."""

    member_id: str
    device_id: str
    author_id: str
    name: str
    role: str
    signer: str
    recipient: str
    status: str
    removed_hlc: str | None
    added_hlc: str
    # Set by a removal: the member's latest revisions as the leader knew them. Afterwards a
    # revision of theirs is accepted only if it is one of these or an ancestor of one.
    # None for a removal recorded by an older app (then its clock stamp is the cut).
    frontier: frozenset[str] | None = None
    # Every signing key the leader has attested for this device (a member who lost their
    # keys gets new ones): their older changes stay verifiable.
    signers: frozenset[str] = frozenset()

    @property
    def active(self) -> bool:
        """True until the member is removed."""
        return self.status == ACTIVE

    @property
    def is_leader(self) -> bool:
        """True for an active team leader."""
        return self.active and self.role == TEAM_LEADER


@dataclass(frozen=True)
class TrustDecision:
    """Whether a bundle signer is trusted, and why not when refused."""

    trusted: bool
    reason: str
    member: Member | None


NOT_ON_ROSTER = (
    "This bundle was signed by someone who is not on this inspection's team roster. If they "
    "joined the team recently, import the team leader's latest bundle first; otherwise do not "
    "import it and check with the team leader."
)
WRONG_DEVICE = (
    "This bundle's signature belongs to a team member but the bundle names another device: it "
    "may be forged. Do not import it; ask the sender to export it again."
)
REMOVED_SIGNER = (
    "This bundle was signed by a team member after they were removed from the team. Do not "
    "import it; the team leader can tell you why they were removed."
)


@dataclass(frozen=True)
class Roster:
    """The agreed team for one inspection file."""

    members: tuple[Member, ...]
    anchor: str | None
    invalid_revisions: frozenset[str] = frozenset()

    def by_signer(self, signer: str) -> Member | None:
        """The member holding this signing key, if any."""
        return next((m for m in self.members if m.signer == signer), None)

    def by_device(self, device_id: str) -> Member | None:
        """The member for a device, if any."""
        return next((m for m in self.members if m.device_id == device_id), None)

    def by_author(self, author_id: str) -> Member | None:
        """The member with this author id, if any."""
        return next((m for m in self.members if m.author_id == author_id), None)

    @property
    def active_members(self) -> tuple[Member, ...]:
        """Members not removed."""
        return tuple(m for m in self.members if m.active)

    def authorities(self) -> frozenset[str]:
        """Signers allowed to change the roster: the anchor and active team leaders."""
        keys = {m.signer for m in self.members if m.is_leader}
        return frozenset(keys | ({self.anchor} if self.anchor else set()))

    def trust(self, signer: str, *, device_id: str, hlc_max: str | None,
              created_ms: int | None) -> TrustDecision:
        """May a bundle from this signer, claiming this device and date, be imported?"""
        member = self.by_signer(signer)
        if member is None:
            if signer == self.anchor:
                return TrustDecision(True, "", None)
            return TrustDecision(False, NOT_ON_ROSTER, None)
        if member.device_id != device_id:
            return TrustDecision(False, WRONG_DEVICE, member)
        if member.active or signer == self.anchor:
            return TrustDecision(True, "", member)
        if member.frontier is not None:
            # No clock decides: the importer checks each of their revisions against the
            # frontier, and everyone else's against its author's signature.
            return TrustDecision(True, "", member)
        cut = _clock(member.removed_hlc)
        dated = _clock(hlc_max)
        # The bundle's own dates are claimed by the signer; both must predate the removal.
        if cut is None or dated is None or dated >= cut:
            return TrustDecision(False, REMOVED_SIGNER, member)
        if created_ms is not None and created_ms >= cut[0]:
            return TrustDecision(False, REMOVED_SIGNER, member)
        return TrustDecision(True, "", member)

    def removal_cutoffs(self) -> dict[str, tuple[int, int]]:
        """Device id -> clock of removal, for refusing their later revisions."""
        # A removal without a readable date cuts from the beginning (refuse rather than trust).
        # Removals with a frontier are checked by ancestry instead (services.authorship).
        return {m.device_id: _clock(m.removed_hlc) or (0, 0)
                for m in self.members if not m.active and m.frontier is None}

    def recipients(self, *, own: str | None = None, recovery: str | None = None) -> list[str]:
        """age recipients of an export: active members, this device, the recovery key."""
        found = {m.recipient for m in self.active_members}
        found |= {r for r in (own, recovery) if r}
        return sorted(found)


def leader_devices(roster: Roster) -> frozenset[str]:
    """Devices whose revisions speak as team leader: the anchor's and every leader's.

    Removed leaders stay in: what they wrote after removal is refused on import anyway.
    """
    return frozenset(m.device_id for m in roster.members
                     if m.role == TEAM_LEADER or (roster.anchor and m.signer == roster.anchor))


def written_after_removal(roster: Roster, device_id: str, hlc: str) -> bool:
    """True when a stamp on a removed member's device is at or after their removal."""
    cut = roster.removal_cutoffs().get(device_id)
    stamp = _clock(hlc)
    return cut is not None and (stamp is None or stamp >= cut)


def revision_after_removal(roster: Roster, rev: Revision) -> bool:
    """True when a revision was written on a removed member's device after the removal."""
    return written_after_removal(roster, rev.device_id, rev.hlc)


def _attester(rev: Revision) -> tuple[str, bytes] | None:
    att = rev.payload.get(ATTESTATION)
    if not isinstance(att, Mapping) or set(att) != {"signer", "signature"}:
        return None
    signer, sig = att.get("signer"), att.get("signature")
    if not isinstance(signer, str) or not isinstance(sig, str):
        return None
    try:
        return signer, base64.b64decode(sig.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        return None


def _well_formed(inspection_id: str, rev: Revision) -> bool:
    p = rev.payload
    text = ("device_id", "author_id", "name", "role", "signer", "recipient", "status")
    if not all(isinstance(p.get(k), str) and p.get(k) for k in text):
        return False
    if p["status"] not in (ACTIVE, REMOVED) or p["role"] not in ROLES:
        return False
    if p["status"] == REMOVED and _clock(p.get("removed_hlc")) is None:
        return False
    frontier = p.get("frontier")
    if frontier is not None and (not isinstance(frontier, list) or not all(
            isinstance(r, str) and _REV_ID.fullmatch(r) for r in frontier)):
        return False
    return rev.entity_id == member_id_for(inspection_id, str(p["device_id"]))


def _member(rev_heads: list[Revision], first: Revision,
            signers: frozenset[str] = frozenset()) -> Member:
    removed = [h for h in rev_heads if h.payload.get("status") == REMOVED]
    # Removal wins over a concurrent edit: trust must never widen by accident.
    chosen = min(removed, key=lambda h: str(h.payload.get("removed_hlc"))) if removed \
        else rev_heads[0]
    p = chosen.payload
    frontier = p.get("frontier") if removed else None
    return Member(
        member_id=chosen.entity_id, device_id=str(p["device_id"]), author_id=str(p["author_id"]),
        name=str(p["name"]), role=str(p["role"]), signer=str(p["signer"]),
        recipient=str(p["recipient"]), status=REMOVED if removed else ACTIVE,
        removed_hlc=str(p["removed_hlc"]) if removed else None, added_hlc=first.hlc,
        frontier=frozenset(frontier) if isinstance(frontier, list) else None,
        signers=signers | {str(p["signer"])},
    )


def build_roster(revisions: Iterable[Revision], *, inspection_id: str, anchor: str | None,
                 verify: Verify) -> Roster:
    """The roster from team_member revisions; unattested or forged revisions are ignored."""
    by_entity: dict[str, list[Revision]] = defaultdict(list)
    checked: dict[str, tuple[str, bool, tuple[int, int]]] = {}
    for rev in revisions:
        if rev.entity_type != TEAM_MEMBER:
            continue
        by_entity[rev.entity_id].append(rev)
        att = _attester(rev)
        ok = att is not None and _well_formed(inspection_id, rev) and not rev.deleted
        if ok and att is not None:
            message = attestation_message(
                inspection_id=inspection_id, entity_id=rev.entity_id, parents=rev.parents,
                hlc=rev.hlc, device_id=rev.device_id, author_id=rev.author_id,
                deleted=rev.deleted, payload=rev.payload)
            ok = verify(att[0], message, att[1])
        checked[rev.rev_id] = (att[0] if att else "", ok, _clock(rev.hlc) or (0, 0))
    authorities = frozenset({anchor} if anchor else set())
    members: tuple[Member, ...] = ()
    valid: set[str] = set()
    for _ in range(len(checked) + 2):  # authorities only grow; the cap guards the rest
        # A removed leader's attestations count only when dated before their removal.
        cutoff = {m.signer: _clock(m.removed_hlc) for m in members if not m.active}
        previous = members
        valid = {
            rid for rid, (signer, ok, stamp) in checked.items()
            if ok and signer in authorities and not _after(cutoff.get(signer), stamp)
        }
        members = tuple(sorted(
            (_member(heads_of([r for r in revs if r.rev_id in valid]),
                     min(revs, key=lambda r: (r.hlc, r.rev_id)),
                     frozenset(str(r.payload.get("signer")) for r in revs if r.rev_id in valid))
             for revs in by_entity.values() if any(r.rev_id in valid for r in revs)),
            key=lambda m: (m.added_hlc, m.member_id)))
        grown = authorities | Roster(members, anchor).authorities()
        if grown == authorities and members == previous:
            break
        authorities = grown
    return Roster(members, anchor, frozenset(set(checked) - valid))


def _after(cut: tuple[int, int] | None, stamp: tuple[int, int]) -> bool:
    return cut is not None and stamp >= cut

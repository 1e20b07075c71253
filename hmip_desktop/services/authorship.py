"""Who wrote each change: revision signatures and removal frontiers, checked on import.

A bundle's own signature proves who sent it; this module proves who wrote each change in it.
For every revision the importer does not hold yet:
- a signed revision must carry the signature of the device it names, by that device's key
  on the team roster, and name that member as its author;
- an unsigned revision (written by an older app) is accepted only when a team leader's
  bundle vouches for it, or, in a format-1 bundle, when it is the sender's own;
- a revision by a member removed with a frontier is accepted only if it is one of the
  frontier's revisions or an ancestor of one: no clock decides.
An agreed score demoted to its author's provisional view on import (bundle_candidates) carries
the original revision and its signature, so every laptop can check the demotion too.

A signature arriving for a revision this device already holds unsigned (a legacy change
vouched for by a leader) is checked the same way before it is stored, because a stored
signature is relayed: a garbage one would make every other laptop refuse this device's
bundles. See `Claim.held`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from hmip_desktop.bundle.format import parse_signer
from hmip_desktop.bundle.revision_signatures import Job, RevisionVerifier
from hmip_desktop.domain import records as R
from hmip_desktop.domain.revision import Revision
from hmip_desktop.domain.roster import Member, Roster
from hmip_desktop.services.bundle_candidates import demote

DEMOTED_FROM = "demoted_from"


def _who(member: Member | None) -> str:
    return f"'{member.name}'" if member is not None else "a device not on the team roster"


def forged(member: Member | None) -> str:
    return (f"This bundle holds a change attributed to {_who(member)} that they did not sign: "
            "it may be forged. Do not import it; tell the team leader.")


def unsigned(member: Member | None) -> str:
    return (f"This bundle holds an unsigned change attributed to {_who(member)}, and only the "
            "team leader's bundles may carry changes made with an older version of the app. "
            "Do not import it; ask the sender to update the app and export again.")


def after_removal(member: Member | None) -> str:
    return (f"This bundle holds a change by {_who(member)} that the team leader had not "
            "received when they were removed from the team. Do not import it; if what they "
            "wrote is still needed, a current member enters it again (the team leader "
            "decides).")


@dataclass(frozen=True, slots=True)
class Claim:
    """What the check needs of one revision: who it names, its signature, its parents and,
    for a demoted score, the original content. Kept for each new revision while a bundle is
    read, so the bundle is not decrypted again to check them."""

    rev_id: str
    device_id: str
    author_id: str
    signature: str
    parents: tuple[str, ...]
    original: Any = None
    # Already held unsigned (the bundle brings its signature): only the signature and author
    # are checked; it was accepted when it arrived, so removal frontiers and the rule for
    # unsigned changes do not apply to it again.
    held: bool = False

    @classmethod
    def of(cls, rev: Revision) -> Claim:
        original = rev.payload.get(DEMOTED_FROM) if rev.entity_type == R.SCORE else None
        return cls(rev.rev_id, rev.device_id, rev.author_id, rev.signature, rev.parents,
                   original)

    def as_held(self) -> Claim:
        """The same claim for a revision this device holds unsigned."""
        return replace(self, held=True)


@dataclass(frozen=True)
class Sender:
    """What the importer knows about the bundle being checked."""

    device_id: str
    author_id: str
    signer: str
    format: int
    vouches: bool  # the signer is the team's anchor or an active team leader


@dataclass
class Plan:
    """The signatures a bundle's claims still need, in claim order, with the refusal each
    failure means; `stop` is the first refusal found without any signature."""

    jobs: list[Job] = field(default_factory=list)
    # Whom each job's revision names: the refusal is worded only on failure (40,000 worded
    # refusals held during a merge cost megabytes).
    named: list[Member | None] = field(default_factory=list)
    stop: str = ""

    def outcome(self, verified: Iterable[bool]) -> str:
        """The first refusal in claim order given each job's result ('' when none)."""
        for ok, member in zip(verified, self.named, strict=True):
            if not ok:
                return forged(member)  # it comes before `stop` in the bundle
        return self.stop


@dataclass
class AuthorshipCheck:
    """Checks the new revisions of one bundle, in any order; `finish()` checks ancestry."""

    roster: Roster
    sender: Sender
    inspection_id: str
    own: tuple[str, str, str]  # this device: device id, author id, signer
    verifier: RevisionVerifier = field(default_factory=RevisionVerifier)
    parents: dict[str, tuple[str, ...]] = field(default_factory=dict)
    by_removed: dict[str, list[str]] = field(default_factory=dict)
    unsigned_count: int = 0
    _parsed: dict[frozenset[str], tuple[bytes, ...]] = field(default_factory=dict)
    # The roster does not change during a check; a merge asks for the same few devices
    # tens of thousands of times (a lookup walks the member list).
    _members: dict[str, Member | None] = field(default_factory=dict)

    def _member(self, device_id: str) -> Member | None:
        try:
            return self._members[device_id]
        except KeyError:
            member = self._members[device_id] = self.roster.by_device(device_id)
            return member

    def _identity(self, device_id: str) -> tuple[str, frozenset[str]] | None:
        """(author id, signing keys) that a revision naming this device must match."""
        member = self._member(device_id)
        if member is not None:
            return member.author_id, member.signers or frozenset({member.signer})
        if device_id == self.own[0]:
            return self.own[1], frozenset({self.own[2]})
        if device_id == self.sender.device_id:
            return self.sender.author_id, frozenset({self.sender.signer})
        return None

    def check(self, rev: Claim) -> str:
        """'' when the revision may be merged, else the refusal message."""
        problem, job = self._prepare(rev)
        if job is not None:
            return "" if self.verifier.verify_many([job])[0] else forged(problem)
        return problem

    def check_all(self, claims: Iterable[Claim]) -> str:
        """`check` of each claim in order, up to the first refusal (returned, or ''), with
        the signatures verified in one batch (on several threads when it is large)."""
        plan = self.plan(claims)
        return plan.outcome(self.verifier.verify_many(plan.jobs))

    def plan(self, claims: Iterable[Claim]) -> Plan:
        """Everything `check_all` does but verifying signatures: what is left to verify."""
        plan = Plan()
        for claim in claims:
            problem, job = self._prepare(claim)
            if job is not None:
                plan.jobs.append(job)
                plan.named.append(problem)
            elif problem:
                plan.stop = problem  # claims after it are not looked at, as with `check`
                break
        return plan

    def stored_job(self, claim: Claim) -> Job | None:
        """The job verifying a signature this device already stores for `claim` (see
        signature_sweep), or None when it cannot be genuine: no member (ever) had that
        device, the author is not theirs, or a demoted score's original does not match."""
        _problem, job = self._prepare(claim.as_held())
        return job

    def _prepare(self, rev: Claim) -> tuple[Any, Job | None]:
        """('', None) when the revision may be merged, (refusal, None) when it may not, or
        (member named, job) when it may only if the job's signature checks out (else it is
        `forged(member)`)."""
        member = self._member(rev.device_id)
        if rev.held and not rev.signature:
            return "", None  # nothing to store, nothing to check
        if not rev.held:
            self.parents[rev.rev_id] = rev.parents
            if member is not None and not member.active and member.frontier is not None:
                self.by_removed.setdefault(rev.device_id, []).append(rev.rev_id)
        signed_id = self._signed_id(rev)
        if signed_id is None:
            return forged(member), None
        identity = self._identity(rev.device_id)
        if identity is None or identity[0] != rev.author_id:
            return forged(member), None
        if rev.signature:
            return member, (signed_id, rev.signature, self._raw_keys(identity[1]))
        self.unsigned_count += 1
        if self.sender.vouches:
            return "", None
        if self.sender.format == 1 and rev.device_id == self.sender.device_id:
            return "", None
        return unsigned(member), None

    def _raw_keys(self, signers: frozenset[str]) -> tuple[bytes, ...]:
        keys = self._parsed.get(signers)
        if keys is None:
            keys = self._parsed[signers] = tuple(parse_signer(s) for s in sorted(signers))
        return keys

    def _signed_id(self, rev: Claim) -> str | None:
        """The id the author signed: the revision's own, or a demoted score's original."""
        if rev.original is None:
            return rev.rev_id
        source = _original(rev.original)
        if source is None or demote(source, self.inspection_id).rev_id != rev.rev_id:
            return None
        return source.rev_id

    def finish(self) -> str:
        """Check removed members' revisions against their frontier ('' when all pass)."""
        for device_id, rev_ids in self.by_removed.items():
            member = self._member(device_id)
            assert member is not None and member.frontier is not None
            allowed = _ancestors(member.frontier, self.parents)
            if any(r not in allowed for r in rev_ids):
                return after_removal(member)
        return ""


def _ancestors(frontier: Iterable[str], parents: Mapping[str, tuple[str, ...]]) -> set[str]:
    """The frontier and its ancestors among the revisions being imported."""
    seen: set[str] = set()
    stack = list(frontier)
    while stack:
        rid = stack.pop()
        if rid in seen:
            continue
        seen.add(rid)
        stack.extend(parents.get(rid, ()))
    return seen


def signed_id_of(rev: Revision) -> str:
    """The id its author's device signs: its own, or a demoted score's original's (what
    `AuthorshipCheck` verifies; a malformed original is refused there whatever is signed)."""
    claim = Claim.of(rev)
    source = _original(claim.original) if claim.original is not None else None
    return source.rev_id if source is not None else rev.rev_id


def _original(content: Any) -> Revision | None:
    """The revision whose content a demoted score carries (None when malformed)."""
    if not isinstance(content, Mapping):
        return None
    try:
        rev = Revision(
            entity_type=str(content["entity_type"]), entity_id=str(content["entity_id"]),
            parents=tuple(sorted(str(p) for p in content["parents"])), hlc=str(content["hlc"]),
            device_id=str(content["device_id"]), author_id=str(content["author_id"]),
            deleted=bool(content["deleted"]), schema=int(content["schema"]),
            payload=dict(content["payload"]))
    except (KeyError, TypeError, ValueError):
        return None
    return Revision(**{**rev.__dict__, "rev_id": rev.compute_id()})

"""Merge planning: state digests, conflict analysis and field-level auto-merge proposals.

A merge is the set union of revisions, so what needs planning is only what a person sees:
which records are in conflict, what each head changed relative to their common ancestor, and
whether those changes are disjoint structured fields that can be combined without a person.
Free text is never combined automatically (sync-and-security.md §1.3).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hmip_desktop.domain.heads import RecordState, field_merge, record_state, winner_key
from hmip_desktop.domain.records import FREE_TEXT_FIELDS
from hmip_desktop.domain.revision import Revision

# Fields that carry signatures or bookkeeping rather than content: never merged by field.
NEVER_MERGED = frozenset({"attestation"})


def state_digest(rows: Iterable[tuple[str, str, Iterable[str]]]) -> str:
    """SHA-256 over sorted (entity id, winner revision, sorted head set) lines."""
    sha = hashlib.sha256()
    for entity_id, winner, heads in sorted((e, w, tuple(sorted(h))) for e, w, h in rows):
        sha.update(f"{entity_id}\t{winner}\t{','.join(heads)}\n".encode())
    return sha.hexdigest()


def replica_states(revisions: Iterable[Revision]) -> dict[str, RecordState]:
    """Record states of a set of revisions (deduplicated by id), keyed by record id."""
    unique = {r.rev_id: r for r in revisions}
    by_entity: dict[str, list[Revision]] = defaultdict(list)
    for r in unique.values():
        by_entity[r.entity_id].append(r)
    return {eid: record_state(revs) for eid, revs in by_entity.items()}


def digest_of_revisions(revisions: Iterable[Revision]) -> str:
    """The state digest a replica holding exactly these revisions must have."""
    return state_digest(
        (eid, st.winner.rev_id, (h.rev_id for h in st.heads))
        for eid, st in replica_states(revisions).items()
    )


def _ancestors(revs_by_id: Mapping[str, Revision], start: str) -> set[str]:
    seen: set[str] = set()
    stack = [start]
    while stack:
        rid = stack.pop()
        if rid in seen or rid not in revs_by_id:
            continue
        seen.add(rid)
        stack.extend(revs_by_id[rid].parents)
    return seen


def common_base(revs_by_id: Mapping[str, Revision], head_ids: Sequence[str]) -> Revision | None:
    """The latest revision that is an ancestor of every head (None when they share none)."""
    if not head_ids:
        return None
    shared = _ancestors(revs_by_id, head_ids[0])
    for rid in head_ids[1:]:
        shared &= _ancestors(revs_by_id, rid)
    if not shared:
        return None
    return max((revs_by_id[r] for r in shared), key=winner_key)


def changed_fields(base: Mapping[str, Any] | None, payload: Mapping[str, Any]) -> tuple[str, ...]:
    """Fields whose value differs from the base (all fields when there is no base)."""
    if base is None:
        return tuple(sorted(set(payload) - NEVER_MERGED))
    keys = (set(base) | set(payload)) - NEVER_MERGED
    return tuple(sorted(k for k in keys if base.get(k) != payload.get(k)))


@dataclass(frozen=True)
class ConflictAnalysis:
    """What each head of a conflicted record changed, and whether it can merge by field."""

    entity_id: str
    entity_type: str
    heads: tuple[Revision, ...]
    base: Revision | None
    changed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    overlapping: tuple[str, ...] = ()
    proposal: Mapping[str, Any] | None = None
    reason: str = ""

    @property
    def auto_mergeable(self) -> bool:
        """True when a field-by-field merge needs no person."""
        return self.proposal is not None


def analyse_conflict(revisions: Sequence[Revision], *,
                     free_text_fields: frozenset[str] = FREE_TEXT_FIELDS) -> ConflictAnalysis:
    """Analyse one record's revisions: heads, base, per-head changes and a merge proposal."""
    state = record_state(revisions)
    heads = state.heads
    revs_by_id = {r.rev_id: r for r in revisions}
    base = common_base(revs_by_id, [h.rev_id for h in heads])
    base_payload = dict(base.payload) if base is not None else None
    changed = {h.rev_id: changed_fields(base_payload, h.payload) for h in heads}
    overlapping = _overlaps(base_payload, heads, changed, free_text_fields)
    reason = ""
    proposal: dict[str, Any] | None = None
    if len(heads) < 2:
        reason = "not in conflict"
    elif any(h.deleted for h in heads):
        reason = "a version deletes the record"
    elif base is None:
        reason = "the versions share no common ancestor"
    elif overlapping:
        reason = "the versions change the same field"
    else:
        proposal = _fold(base_payload or {}, heads, free_text_fields)
        if proposal is None:
            reason = "the versions change the same field"
    return ConflictAnalysis(state.entity_id, state.entity_type, heads, base, changed,
                            overlapping, proposal, reason)


def _overlaps(base: Mapping[str, Any] | None, heads: Sequence[Revision],
              changed: Mapping[str, tuple[str, ...]],
              free_text_fields: frozenset[str]) -> tuple[str, ...]:
    counts: dict[str, set[str]] = defaultdict(set)
    touched: dict[str, int] = defaultdict(int)
    for h in heads:
        for f in changed[h.rev_id]:
            counts[f].add(repr(h.payload.get(f)))
            touched[f] += 1
    out = {f for f, values in counts.items() if len(values) > 1}
    # Two edits of prose overlap even when they happen to agree: a person must look.
    out |= {f for f, n in touched.items() if n > 1 and f in free_text_fields}
    if base is None:
        out |= set(touched)
    return tuple(sorted(out))


def _fold(base: Mapping[str, Any], heads: Sequence[Revision],
          free_text_fields: frozenset[str]) -> dict[str, Any] | None:
    merged: dict[str, Any] | None = dict(base)
    for h in heads:
        theirs = {k: v for k, v in h.payload.items() if k not in NEVER_MERGED}
        mine = {k: v for k, v in (merged or {}).items() if k not in NEVER_MERGED}
        merged = field_merge({k: v for k, v in base.items() if k not in NEVER_MERGED}, mine,
                             theirs, free_text_fields=free_text_fields)
        if merged is None:
            return None
    return merged

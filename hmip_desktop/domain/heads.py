"""Heads, winners and conflicts of a record, derived from its revisions.

A record's heads are its revisions that no other revision of it names as a parent. One head:
clean. Two or more: a conflict, kept until someone writes a revision whose parents are all the
heads. The displayed default is deterministic (highest HLC, then device, then id) so every
laptop shows the same thing, but nothing is discarded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hmip_desktop.domain.revision import Revision


def heads_of(revisions: Iterable[Revision]) -> list[Revision]:
    """Revisions not named as a parent by any other revision, in winner-first order."""
    revs = list(revisions)
    named = {p for r in revs for p in r.parents}
    heads = [r for r in revs if r.rev_id not in named]
    return sorted(heads, key=winner_key, reverse=True)


def winner_key(rev: Revision) -> tuple[str, str, str]:
    """Sort key of the deterministic default: latest clock, then device, then id."""
    return (rev.hlc, rev.device_id, rev.rev_id)


@dataclass(frozen=True)
class RecordState:
    """The visible state of one record."""

    entity_type: str
    entity_id: str
    winner: Revision
    heads: tuple[Revision, ...]

    @property
    def conflicted(self) -> bool:
        """True when the record has more than one head."""
        return len(self.heads) > 1

    @property
    def deleted(self) -> bool:
        """True when the winning head is a tombstone."""
        return self.winner.deleted

    @property
    def payload(self) -> Mapping[str, Any]:
        """The winner's payload."""
        return self.winner.payload


def record_state(revisions: Sequence[Revision]) -> RecordState:
    """The state of one record from all of its revisions."""
    heads = heads_of(revisions)
    win = heads[0]
    return RecordState(win.entity_type, win.entity_id, win, tuple(heads))


def common_ancestor(revs_by_id: Mapping[str, Revision], a: str, b: str) -> Revision | None:
    """The latest revision that is an ancestor of both a and b (None when unrelated)."""

    def ancestors(start: str) -> set[str]:
        seen: set[str] = set()
        stack = [start]
        while stack:
            rid = stack.pop()
            if rid in seen or rid not in revs_by_id:
                continue
            seen.add(rid)
            stack.extend(revs_by_id[rid].parents)
        return seen

    shared = ancestors(a) & ancestors(b)
    if not shared:
        return None
    return max((revs_by_id[r] for r in shared), key=winner_key)


def field_merge(
    base: Mapping[str, Any] | None,
    mine: Mapping[str, Any],
    theirs: Mapping[str, Any],
    *,
    free_text_fields: frozenset[str],
) -> dict[str, Any] | None:
    """Three-way merge of structured payloads, or None when they overlap.

    Fields changed on only one side are taken from that side. A field changed on both sides to
    different values, or any change to a free-text field on both sides, is an overlap: a person
    must decide. Free text is never merged automatically.
    """
    if base is None:
        return None
    merged: dict[str, Any] = {}
    for key in set(base) | set(mine) | set(theirs):
        b, m, t = base.get(key), mine.get(key), theirs.get(key)
        if m == t:
            merged[key] = m
        elif m == b:
            merged[key] = t
        elif t == b:
            merged[key] = m
        else:
            return None
        if key in free_text_fields and m != b and t != b:
            return None
    return merged

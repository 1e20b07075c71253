"""The conflict queue: records with two or more heads, and the ways a person resolves them.

Every resolution is a new revision whose parents are all the current heads, so it closes the
conflict on every laptop that later receives it. Nothing is discarded: the losing versions
stay in the record's history. Roster entries are not resolved here (they need the team
leader's attestation): re-adding or removing the member from the team page settles them.
Only the team leader resolves (roster_access.leads_here; before a team is set up, the
inspection's creator): anyone else is refused with a message saying so.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hmip_desktop.domain import records as R
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.domain.errors import (
    Cancelled,
    ConflictError,
    NotFoundError,
    ValidationError,
    plain_text,
)
from hmip_desktop.domain.hlc import hlc_millis
from hmip_desktop.domain.merge import ConflictAnalysis, analyse_conflict
from hmip_desktop.domain.revision import Revision
from hmip_desktop.domain.roster import Roster
from hmip_desktop.services.roster_access import load_roster, require_leader_here

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore
    from hmip_desktop.storage.unit_of_work import UnitOfWork

Progress = Callable[[int, int], None]
_VALIDATORS: dict[str, Callable[[Mapping[str, Any]], None]] = {
    R.NOTE: R.validate_note, R.INSPECTION: R.validate_inspection,
}
_ROSTER = ("Team roster conflicts are settled by the team leader on the Team page (add or "
           "remove the member again).")


@dataclass(frozen=True)
class ConflictVersion:
    """One head of a conflicted record, as shown side by side."""

    rev_id: str
    author_id: str
    author_name: str
    device_id: str
    when: str
    hlc: str
    deleted: bool
    is_default: bool
    bundle_id: str | None
    bundle_author: str | None
    changed_fields: tuple[str, ...]
    payload: Mapping[str, Any]

    @property
    def source_text(self) -> str:
        """Where this version came from, in words the conflict view and `hmip conflicts`
        share: the bundle's sender is named only when it is not the version's author."""
        if self.bundle_id is None:
            return "written on this device (or imported before this file kept an import log)"
        bundle = f"bundle …{self.bundle_id[-8:]}"
        if not self.bundle_author:
            return f"from {bundle} (sender unknown)"
        if self.bundle_author == self.author_name:
            return f"from their own {bundle}"
        return f"relayed in {self.bundle_author}'s {bundle}"


@dataclass(frozen=True)
class ConflictView:
    """A conflicted record: its versions, what overlaps, and a field merge when possible."""

    record_id: str
    record_type: str
    label: str
    versions: tuple[ConflictVersion, ...]
    base_rev: str | None
    overlapping: tuple[str, ...]
    proposal: Mapping[str, Any] | None
    reason: str
    # The inspection's establishment type: the cards name source kinds in its words.
    establishment_type: str = ""

    @property
    def auto_mergeable(self) -> bool:
        """True when the versions changed different structured fields."""
        return self.proposal is not None


@dataclass(frozen=True)
class ResolveResult:
    """The revision that closed a conflict."""

    record_id: str
    rev_id: str
    changes: ChangeSet


@dataclass(frozen=True)
class AutoResolveReport:
    """Conflicts merged field by field, and those left for a person."""

    resolved: tuple[str, ...]
    remaining: tuple[str, ...]
    changes: ChangeSet


def _when(hlc: str) -> str:
    return dt.datetime.fromtimestamp(hlc_millis(hlc) / 1000, dt.UTC).isoformat(
        timespec="seconds")


class _Provenance:
    """Which bundle first brought a revision (from local arrival numbers)."""

    def __init__(self, tx: UnitOfWork) -> None:
        ranges = sorted(json.loads(tx.meta.get("merge_provenance") or "[]"))
        self._starts = [r[0] for r in ranges]
        self._ranges = ranges
        self._names = {r.bundle_id: r.author_name for r in tx.imports.all()}
        self._sync = tx.sync

    def lookup(self, rev_ids: list[str]) -> dict[str, tuple[str | None, str | None]]:
        out: dict[str, tuple[str | None, str | None]] = {}
        for rid, seq in self._sync.seqs(rev_ids).items():
            i = bisect.bisect_right(self._starts, seq) - 1
            if i >= 0 and self._ranges[i][0] <= seq <= self._ranges[i][1]:
                bundle = self._ranges[i][2]
                out[rid] = (bundle, self._names.get(bundle))
        return out


def _label(record_type: str, payload: Mapping[str, Any]) -> str:
    for key in ("title", "name", "establishment_name", "expectation_ref"):
        if isinstance(payload.get(key), str) and payload[key]:
            return plain_text(str(payload[key])[:80])  # another laptop's text, on one line
    return record_type


def _view(record_id: str, roster: Roster, prov: _Provenance,
          analysis: ConflictAnalysis, establishment_type: str = "") -> ConflictView:
    origin = prov.lookup([h.rev_id for h in analysis.heads])
    versions = []
    for i, h in enumerate(analysis.heads):
        member = roster.by_author(h.author_id) or roster.by_device(h.device_id)
        bundle_id, bundle_author = origin.get(h.rev_id, (None, None))
        versions.append(ConflictVersion(
            h.rev_id, h.author_id, plain_text(member.name) if member else "", h.device_id,
            _when(h.hlc), h.hlc, h.deleted, i == 0, bundle_id,
            plain_text(bundle_author) if bundle_author else bundle_author,
            analysis.changed.get(h.rev_id, ()), dict(h.payload)))
    return ConflictView(record_id, analysis.entity_type, _label(analysis.entity_type,
                        analysis.heads[0].payload), tuple(versions),
                        analysis.base.rev_id if analysis.base else None, analysis.overlapping,
                        analysis.proposal, analysis.reason, establishment_type)


def list_conflicts(store: InspectionStore) -> list[ConflictView]:
    """Every conflicted record, by type then time, with its versions side by side."""
    with store.uow() as tx:
        roster = load_roster(tx, store.inspection_id)
        prov = _Provenance(tx)
        inspection = tx.records.get(store.inspection_id)
        etype = str((inspection.payload if inspection is not None else {})
                    .get("establishment_type") or "")
        out = []
        for entity in tx.records.conflicted():
            revs = tx.records.revisions_of(entity.id)
            out.append(_view(entity.id, roster, prov, analyse_conflict(revs), etype))
        return out


def get_conflict(store: InspectionStore, record_id: str) -> ConflictView:
    """One conflicted record."""
    match = [c for c in list_conflicts(store) if c.record_id == record_id]
    if not match:
        raise NotFoundError("That record is not in conflict.")
    return match[0]


def _heads_or_fail(tx: UnitOfWork, record_id: str,
                   store: InspectionStore | None = None) -> tuple[list[Revision], Any]:
    if store is not None:
        require_leader_here(tx, store)
    current = tx.records.get(record_id)
    if current is None:
        raise NotFoundError("No record has that id in this inspection.")
    if current.type == R.TEAM_MEMBER:
        raise ValidationError(_ROSTER)
    heads = tx.records.heads(record_id)
    if len(heads) < 2:
        raise ConflictError("This record is not in conflict (any more); nothing to resolve.")
    return heads, current


def _write(store: InspectionStore, tx: UnitOfWork, current: Any, heads: list[Revision],
           payload: Mapping[str, Any], deleted: bool) -> ResolveResult:
    if not deleted and current.type in _VALIDATORS:
        _VALIDATORS[current.type](payload)
    rev = store.put(tx, current.type, current.id, dict(payload), deleted=deleted,
                    parents=[h.rev_id for h in heads])
    return ResolveResult(current.id, rev.rev_id, ChangeSet.of(current.type, current.id))


def resolve_take(store: InspectionStore, record_id: str, rev_id: str) -> ResolveResult:
    """Keep one version (any revision of the record, by id or unique prefix of 6+ chars)."""
    with store.uow(write=True) as tx:
        heads, current = _heads_or_fail(tx, record_id, store)
        revs = tx.records.revisions_of(record_id)
        chosen = [r for r in revs if r.rev_id == rev_id] or (
            [r for r in revs if r.rev_id.startswith(rev_id)] if len(rev_id) >= 6 else [])
        if len(chosen) != 1:
            raise NotFoundError("No single version of this record has that revision id; use "
                                "an id shown by 'hmip conflicts'.")
        return _write(store, tx, current, heads, chosen[0].payload, chosen[0].deleted)


def resolve_text(store: InspectionStore, record_id: str, text: str, *,
                 field: str = "body") -> ResolveResult:
    """Resolve by writing combined text into one field of the default version."""
    with store.uow(write=True) as tx:
        heads, current = _heads_or_fail(tx, record_id, store)
        live = next((h for h in heads if not h.deleted), heads[0])
        if field not in live.payload and field not in R.FREE_TEXT_FIELDS:
            raise ValidationError(f"This record has no field '{field}'.")
        return _write(store, tx, current, heads, {**live.payload, field: text}, False)


def resolve_payload(store: InspectionStore, record_id: str, payload: Mapping[str, Any], *,
                    deleted: bool = False) -> ResolveResult:
    """Resolve with a full payload edited by the team leader."""
    with store.uow(write=True) as tx:
        heads, current = _heads_or_fail(tx, record_id, store)
        return _write(store, tx, current, heads, payload, deleted)


def auto_resolve(store: InspectionStore, *, progress: Progress | None = None,
                 cancel: threading.Event | None = None) -> AutoResolveReport:
    """Accept every conflict whose versions changed different structured fields.

    Free text changed on more than one side, deletions and overlapping fields are left for a
    person. One transaction: cancelling writes nothing.
    """
    resolved, remaining, types = [], [], set()
    with store.uow(write=True) as tx:
        require_leader_here(tx, store)
        conflicted = tx.records.conflicted()
        for i, entity in enumerate(conflicted):
            if cancel is not None and cancel.is_set():
                raise Cancelled("Cancelled; no conflict was resolved.")
            if progress:
                progress(i, len(conflicted))
            analysis = analyse_conflict(tx.records.revisions_of(entity.id))
            if entity.type == R.TEAM_MEMBER or analysis.proposal is None:
                remaining.append(entity.id)
                continue
            try:
                _write(store, tx, entity, list(analysis.heads), analysis.proposal, False)
            except ValidationError:
                remaining.append(entity.id)
                continue
            resolved.append(entity.id)
            types.add(entity.type)
        if progress:
            progress(len(conflicted), len(conflicted))
    return AutoResolveReport(tuple(resolved), tuple(remaining),
                             ChangeSet(frozenset(types), frozenset(resolved)))

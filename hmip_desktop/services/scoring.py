"""Scoring walkthrough: provisional and agreed scores, the team view, findings, area evidence.

Scores live under deterministic ids (inspection, section, inspector; one more for the agreed
score) so two inspectors' provisional scores never collide and two concurrent edits of the
agreed score surface as a conflict after a merge. Every save is a revision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hmip_desktop.domain import records as R
from hmip_desktop.domain import scoring as S
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.domain.entity import EntityView
from hmip_desktop.domain.errors import NotFoundError, UserError, ValidationError
from hmip_desktop.domain.framework import Framework
from hmip_desktop.domain.framework_elements import Scale, ScaleLevel
from hmip_desktop.domain.readiness import EVIDENCE_TYPES
from hmip_desktop.services.evidence_snapshot import (  # noqa: F401 - re-exported for callers
    AreaOverview,
    EvidenceRef,
    ExpectationEvidence,
    evidence_snapshot,
)
from hmip_desktop.services.inspection_record import (
    inspection_payload,
    pinned_framework,
    pinned_framework_in,
)
from hmip_desktop.services.roster_access import NOT_TEAM_LEADER, leads_here

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore
    from hmip_desktop.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ScoreView:
    """One provisional or agreed score as the GUI and command line see it."""

    id: str
    section_key: str
    kind: str
    inspector_id: str
    inspector_name: str
    level_key: str
    level_label: str
    value: int | None
    rationale: str
    evidence_ids: tuple[str, ...]
    updated_by: str
    updated_hlc: str
    conflicted: bool

    @property
    def changes(self) -> ChangeSet:
        """What recording this score touched."""
        return ChangeSet.of(R.SCORE, self.id)


@dataclass(frozen=True)
class TeamView:
    """Every inspector's provisional score of a section side by side, and the agreed one."""

    section_key: str
    section_label: str
    levels: tuple[ScaleLevel, ...]
    rows: tuple[ScoreView, ...]
    agreed: ScoreView | None
    disagreement: bool
    spread: int | None
    highlighted: tuple[str, ...]
    can_record_agreed: bool = True  # False: only the team leader records it


@dataclass(frozen=True)
class FindingsView:
    """One author's findings text for an area (or, with area_key '', the whole section)."""

    id: str
    section_key: str
    area_key: str
    author_id: str
    author_name: str
    text: str
    updated_hlc: str
    conflicted: bool


# -- helpers shared by the scoring, concern and review services -------------------------------
def check_evidence(tx: UnitOfWork, ids: Iterable[str] | None) -> list[str]:
    """Evidence ids, de-duplicated; each must be a live note, document, extract or figure."""
    out = S.distinct_ids(ids)
    for evidence_id in out:
        view = tx.records.get(evidence_id)
        if view is None or view.deleted or view.type not in EVIDENCE_TYPES:
            raise NotFoundError(f"No evidence with id '{evidence_id}' in this inspection.")
    return out


def evidence_links(tx: UnitOfWork) -> list[tuple[EntityView, EntityView]]:
    """Every live link whose evidence record is live, paired with that record.

    One query per evidence record: screens read `tx.links.linked_evidence()` (one query over
    the evidence_link projection) or the evidence snapshot instead; this stays for callers
    that need whole records.
    """
    cache: dict[str, EntityView | None] = {}
    out = []
    for link in tx.records.list(R.LINK):
        eid = str(link.payload.get("evidence_id", ""))
        if eid not in cache:
            cache[eid] = tx.records.get(eid)
        ev = cache[eid]
        if ev is not None and not ev.deleted and ev.type in EVIDENCE_TYPES:
            out.append((link, ev))
    return out


def write_if_changed(store: InspectionStore, tx: UnitOfWork, entity_type: str, entity_id: str,
                     payload: Mapping[str, Any]) -> bool:
    """Append a revision unless the live record already holds this payload."""
    current = tx.records.get(entity_id)
    if current is not None and not current.deleted and dict(current.payload) == dict(payload):
        return False
    store.put(tx, entity_type, entity_id, dict(payload))
    return True


def _score_view(e: EntityView) -> ScoreView:
    p = e.payload
    return ScoreView(
        id=e.id, section_key=str(p.get("section_key", "")), kind=str(p.get("kind", "")),
        inspector_id=str(p.get("inspector_id") or e.created_by),
        inspector_name=str(p.get("inspector_name") or ""),
        level_key=str(p.get("level_key", "")), level_label=str(p.get("level_label", "")),
        value=p.get("value") if isinstance(p.get("value"), int) else None,
        rationale=str(p.get("rationale", "")),
        evidence_ids=tuple(str(i) for i in p.get("evidence_ids") or []),
        updated_by=e.updated_by, updated_hlc=e.updated_hlc, conflicted=e.conflicted)


class ScoringService:
    """The scoring walkthrough of one open inspection."""

    def __init__(self, store: InspectionStore) -> None:
        self._store = store

    # -- framework facts ---------------------------------------------------------------------
    def framework(self) -> Framework:
        """The pinned framework."""
        return pinned_framework(self._store)

    def scale(self) -> Scale:
        """The framework's scale, best level first, with descriptors."""
        return self.framework().scale

    def judged_sections(self) -> list[tuple[str, str]]:
        """(key, label) of every section that is scored at this inspection, in order."""
        if not S.KIND_GIVES_SECTION_SCORES.get(self._kind(), True):
            return []
        return [(s.key, s.label) for s in self.framework().judged_sections]

    def _kind(self) -> str:
        return str(inspection_payload(self._store).get("kind", "full"))

    # -- scores ------------------------------------------------------------------------------
    def set_provisional(self, section_key: str, score: str | int, rationale: str,
                        evidence_ids: Iterable[str] | None = None) -> ScoreView:
        """This inspector's provisional score of a section (a new revision when changed)."""
        sid = S.provisional_score_id(self._store.inspection_id, section_key,
                                     self._store.device.author_id)
        return self._set(sid, S.PROVISIONAL, section_key, score, rationale, evidence_ids)

    def set_agreed(self, section_key: str, score: str | int, rationale: str,
                   evidence_ids: Iterable[str] | None = None, *,
                   resolve: bool = False) -> ScoreView:
        """The team's agreed score, recorded by the team leader.

        The revision's parent is the current winner (store.put's default), so only edits made
        without seeing each other end up as two heads: a conflict after a merge. With
        resolve=True the revision names every head, closing a conflict the leader has seen.
        """
        if not self.can_record_agreed():
            raise UserError(NOT_TEAM_LEADER)
        sid = S.agreed_score_id(self._store.inspection_id, section_key)
        return self._set(sid, S.AGREED, section_key, score, rationale, evidence_ids,
                         resolve=resolve)

    def withdraw_provisional(self, section_key: str) -> ChangeSet:
        """Withdraw this inspector's provisional score of a section (a tombstone: it leaves
        the team view, its history stays, and saving a score again brings it back).

        The removal names every head as its parent, so it also closes conflicting edits of
        the same score made on two of this inspector's laptops.
        """
        self.framework().section(section_key)  # an unknown key names the valid ones
        sid = S.provisional_score_id(self._store.inspection_id, section_key,
                                     self._store.device.author_id)
        with self._store.uow(write=True) as tx:
            current = tx.records.get(sid)
            if current is None or current.deleted:
                raise NotFoundError("You have no provisional score for this section to "
                                    "withdraw.")
            heads = [h.rev_id for h in tx.records.heads(sid)]
            self._store.put(tx, R.SCORE, sid, dict(current.payload), deleted=True,
                            parents=heads)
        return ChangeSet.of(R.SCORE, sid)

    def can_record_agreed(self) -> bool:
        """Only the team leader (the creator, before a team is set up) records agreed scores."""
        with self._store.uow() as tx:
            return leads_here(tx, self._store)

    def _set(self, score_id: str, kind: str, section_key: str, score: str | int,
             rationale: str, evidence_ids: Iterable[str] | None, *,
             resolve: bool = False) -> ScoreView:
        framework = self.framework()
        level = S.validate_score(framework, self._kind(), section_key, score, rationale)
        device = self._store.device
        with self._store.uow(write=True) as tx:
            payload = {
                "section_key": section_key, "kind": kind,
                "inspector_id": device.author_id,
                "inspector_name": device.author_name,
                "scale_key": framework.scale.key,
                "level_key": level.key, "level_label": level.label, "value": level.value,
                "rationale": S.require_rationale(rationale),
                "evidence_ids": check_evidence(tx, evidence_ids),
            }
            if resolve:
                heads = [h.rev_id for h in tx.records.heads(score_id)]
                self._store.put(tx, R.SCORE, score_id, payload, parents=heads)
            else:
                write_if_changed(self._store, tx, R.SCORE, score_id, payload)
            view = tx.records.get(score_id)
        assert view is not None
        return _score_view(view)

    def list_scores(self, section_key: str | None = None) -> list[ScoreView]:
        """Live scores in framework order: each section's provisional ones, then the agreed."""
        with self._store.uow() as tx:
            return self._scores_in(tx, section_key)

    def _scores_in(self, tx: UnitOfWork, section_key: str | None) -> list[ScoreView]:
        framework = pinned_framework_in(tx, self._store).model
        order = {s.key: i for i, s in enumerate(framework.sections)}
        views = [_score_view(e) for e in tx.records.list(R.SCORE)]
        views = [v for v in views if section_key is None or v.section_key == section_key]
        return sorted(views, key=lambda v: (order.get(v.section_key, len(order)),
                                            v.kind == S.AGREED, v.inspector_name.casefold(),
                                            v.inspector_id))

    def team_view(self, section_key: str) -> TeamView:
        """Everyone's provisional score of a section, the agreed one and who disagrees."""
        with self._store.uow() as tx:
            return self.team_view_in(tx, section_key)

    def team_view_in(self, tx: UnitOfWork, section_key: str) -> TeamView:
        """team_view read inside the caller's transaction (the walkthrough's one read)."""
        framework = pinned_framework_in(tx, self._store).model
        sec = framework.section(section_key)
        scores = self._scores_in(tx, section_key)
        rows = tuple(v for v in scores if v.kind == S.PROVISIONAL)
        agreed = next((v for v in scores if v.kind == S.AGREED), None)
        dis = S.disagreement([(r.inspector_id, r.level_key, r.value) for r in rows],
                             agreed.level_key if agreed else None)
        return TeamView(section_key, sec.label, framework.scale.levels, rows, agreed, dis.disagree,
                        dis.spread, dis.highlighted, leads_here(tx, self._store))

    # -- findings ----------------------------------------------------------------------------
    def set_findings(self, section_key: str, area_key: str | None, text: str) -> ChangeSet:
        """Save this author's findings for an area ('' or None: the section); autosave-safe."""
        framework = self.framework()
        framework.section(section_key)
        if area_key:
            framework.area(section_key, area_key)
        if not isinstance(text, str):
            raise ValidationError("Findings must be text.")
        device = self._store.device
        fid = S.findings_id(self._store.inspection_id, section_key, area_key,
                            device.author_id)
        payload = {"section_key": section_key, "area_key": area_key or "",
                   "author_id": device.author_id, "author_name": device.author_name,
                   "text": text}
        with self._store.uow(write=True) as tx:
            changed = write_if_changed(self._store, tx, R.FINDINGS, fid, payload)
        return ChangeSet.of(R.FINDINGS, fid) if changed else ChangeSet()

    def findings(self, section_key: str | None = None,
                 area_key: str | None = None) -> list[FindingsView]:
        """Live findings of every author, optionally for one section and area."""
        with self._store.uow() as tx:
            views = tx.records.list(R.FINDINGS)
        out = []
        for e in views:
            p = e.payload
            view = FindingsView(e.id, str(p.get("section_key", "")), str(p.get("area_key") or ""),
                                str(p.get("author_id") or e.created_by),
                                str(p.get("author_name") or ""), str(p.get("text", "")),
                                e.updated_hlc, e.conflicted)
            if section_key is not None and view.section_key != section_key:
                continue
            if area_key is not None and view.area_key != area_key:
                continue
            out.append(view)
        return out

    def my_findings(self, section_key: str, area_key: str | None) -> str:
        """This author's findings text for an area ('' when none yet)."""
        with self._store.uow() as tx:
            return self.my_findings_in(tx, section_key, area_key)

    def my_findings_in(self, tx: UnitOfWork, section_key: str, area_key: str | None) -> str:
        """my_findings read inside the caller's transaction."""
        fid = S.findings_id(self._store.inspection_id, section_key, area_key,
                            self._store.device.author_id)
        e = tx.records.get(fid)
        return "" if e is None or e.deleted else str(e.payload.get("text", ""))

    # -- evidence ----------------------------------------------------------------------------
    def area_evidence(self, section_key: str, area_key: str) -> list[ExpectationEvidence]:
        """The area's expectations, each with its linked evidence and source kinds."""
        return evidence_snapshot(self._store).area_evidence(section_key, area_key)

    def section_overview(self, section_key: str) -> list[AreaOverview]:
        """Walkthrough step 1: each area's coverage, triangulation and findings count."""
        return evidence_snapshot(self._store).section_overview(section_key)

    def _evidence_by_ref(self, wanted: set[str]) -> dict[str, list[EvidenceRef]]:
        by_ref = evidence_snapshot(self._store).by_ref
        return {n: list(by_ref.get(n, ())) for n in wanted}

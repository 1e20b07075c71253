"""Readiness for a draft report: gathers the facts from one read transaction and applies the
rules in domain.readiness to the parts of the framework that apply in the inspection's nation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hmip_desktop.domain import concerns as C
from hmip_desktop.domain import readiness as RD
from hmip_desktop.domain import records as R
from hmip_desktop.domain import scoring as S
from hmip_desktop.domain.framework_nation import inspection_nation
from hmip_desktop.domain.readiness import ReadinessReport
from hmip_desktop.services.inspection_record import (
    PinnedFramework,
    inspection_payload,
    pinned_framework_in,
)
from hmip_desktop.services.previous import PreviousService

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore
    from hmip_desktop.storage.unit_of_work import UnitOfWork

# Report records whose conflicts block a draft (agreed scores and progress are reported on
# their own, with their section or item).
_CONFLICT_TYPES = frozenset({R.FINDINGS, R.CONCERN, R.NPP, R.PREVIOUS_ITEM})


def readiness_report(store: InspectionStore) -> ReadinessReport:
    """The readiness of this inspection for a draft report."""
    kind = str(inspection_payload(store).get("kind", "full"))
    with store.uow() as tx:
        return readiness_in(tx, store, pinned_framework_in(tx, store), kind)


def readiness_in(tx: UnitOfWork, store: InspectionStore, pinned: PinnedFramework,
                 kind: str) -> ReadinessReport:
    """Readiness read inside the caller's transaction (the report's snapshot uses it)."""
    progress_id = PreviousService(store).progress_id
    # Only what applies in the inspection's nation counts (Ofsted in England, Estyn in Wales).
    inspection = tx.records.get(store.inspection_id)
    framework = pinned.model.for_nation(
        inspection_nation(inspection.payload if inspection is not None else None))
    # One set-based read of the evidence_link projection, not a look-up per linked record.
    links = [RD.LinkFact(row.expectation_ref, row.evidence_id,
                         RD.evidence_source_kind(row.evidence_type,
                                                 {"source_kind": row.own_source_kind}))
             for row in tx.links.linked_evidence()]
    findings = [(str(e.payload.get("section_key", "")), str(e.payload.get("area_key") or ""))
                for e in tx.records.list(R.FINDINGS)
                if str(e.payload.get("text", "")).strip()]
    score_views = tx.records.list(R.SCORE)
    scores = [RD.ScoreFact(str(e.payload.get("section_key", "")),
                           str(e.payload.get("kind", "")), e.conflicted)
              for e in score_views]
    concerns = tx.records.list(R.CONCERN)
    previous = []
    for e in tx.records.list(R.PREVIOUS_ITEM):
        progress = tx.records.get(progress_id(e.id))
        judged = progress is not None and not progress.deleted
        previous.append(RD.PreviousFact(
            e.id, str(e.payload.get("ref", "")), bool(e.payload.get("followed_up", True)),
            judged, bool(judged and progress is not None and progress.conflicted)))
    other_conflicts = sum(1 for e in tx.records.conflicted()
                          if not e.deleted and (e.type in _CONFLICT_TYPES or (
                              e.type == R.SCORE and e.payload.get("kind") == S.PROVISIONAL)))
    return RD.build_report(
        framework, kind, links=links, findings=findings, scores=scores,
        key_concerns=len(concerns),
        priority_concerns=sum(1 for e in concerns if e.payload.get("priority")),
        limits=C.limits_from(pinned.data), previous=previous, other_conflicts=other_conflicts)

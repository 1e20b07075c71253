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
from hmip_desktop.report.build import choose_outline, outline_gaps
from hmip_desktop.services.inspection_record import (
    PinnedFramework,
    inspection_payload,
    pinned_framework_in,
)
from hmip_desktop.services.previous import PreviousService
from hmip_desktop.services.report_writing import part_keys, report_layouts, text_part_id
from hmip_desktop.services.roster_access import load_roster

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
    written = [e for e in tx.records.list(R.FINDINGS) if str(e.payload.get("text", "")).strip()]
    findings = [(str(e.payload.get("section_key", "")), str(e.payload.get("area_key") or ""))
                for e in written]
    # The draft asks for one text where several inspectors wrote on the same area
    # (report/build_sections.py): by whose signed change each is.
    authors: dict[tuple[str, str], set[str]] = {}
    for place, e in zip(findings, written, strict=True):
        authors.setdefault(place, set()).add(e.created_by)
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
        limits=C.limits_from(pinned.data), previous=previous, other_conflicts=other_conflicts,
        report=_report_facts(tx, store, pinned, kind),
        shared_findings=[place for place, who in authors.items() if len(who) > 1])


def _report_facts(tx: UnitOfWork, store: InspectionStore, pinned: PinnedFramework,
                  kind: str) -> RD.ReportFacts | None:
    """What the draft's outline will print as "[to be completed …]" outside the sections:
    its empty text parts, the fact page's text and team leader, the team list."""
    try:
        gaps = outline_gaps(choose_outline(report_layouts(), pinned.data, kind))
    except ValueError:
        return None  # no outline for this report model: the export says so itself
    labels = {key: str(meta.get("label", key)) for key, meta in part_keys().items()}

    def empty(part: str) -> bool:
        e = tx.records.get(text_part_id(store.inspection_id, part))
        return e is None or e.deleted or not str(e.payload.get("text", "")).strip()

    members = load_roster(tx, store.inspection_id).active_members \
        if gaps.fact_page or gaps.team_appendix else ()
    return RD.ReportFacts(
        empty_parts=tuple(labels.get(k, k) for k in gaps.text_parts if empty(k)),
        fact_page=gaps.fact_page, fact_text_empty=gaps.fact_page and empty("fact_page"),
        team_leader=any(m.is_leader for m in members), team_appendix=gaps.team_appendix,
        team_members=len(members), concerns_part=gaps.concerns)

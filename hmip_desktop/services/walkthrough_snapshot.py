"""What the scoring walkthrough shows: its outline and one section's snapshot.

Qt-free and run on the DB lane; the GUI calls one function per screen update and applies the
frozen result. Each is ONE read transaction: the framework from the per-file cache, the
evidence counts and the area's evidence from the evidence snapshot (set-based over the
evidence_link projection), then the section's scores, this author's findings and the agreed
score's history by key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hmip_desktop.domain import scoring as S
from hmip_desktop.domain.errors import NotFoundError
from hmip_desktop.domain.framework_elements import Scale
from hmip_desktop.services.evidence_choices import EvidenceChoice, linked_choices
from hmip_desktop.services.evidence_snapshot import EvidenceRef, evidence_snapshot_in
from hmip_desktop.services.history import HistoryEntry, history_in
from hmip_desktop.services.inspection_record import pinned_framework_in
from hmip_desktop.services.scoring import (
    AreaOverview,
    ExpectationEvidence,
    ScoreView,
    ScoringService,
    TeamView,
)

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore

WHOLE_SECTION = ""  # area key of findings about the section as a whole
WHOLE_SECTION_LABEL = "The section as a whole"


@dataclass(frozen=True)
class SectionChoice:
    """A section the walkthrough can open: judged, or findings only (leadership, or every
    section of a framework whose scale has no grades)."""

    key: str
    label: str
    judged: bool


@dataclass(frozen=True)
class Outline:
    """The inspection's kind and the sections the walkthrough offers."""

    kind: str
    sections: tuple[SectionChoice, ...]

    @property
    def gives_scores(self) -> bool:
        """False for an independent review of progress."""
        return S.KIND_GIVES_SECTION_SCORES.get(self.kind, True)


@dataclass(frozen=True)
class SectionSnapshot:
    """Everything the four steps show for one section and its current area."""

    section: SectionChoice
    areas: tuple[tuple[str, str], ...]
    overview: tuple[AreaOverview, ...]
    area_key: str
    expectations: tuple[ExpectationEvidence, ...]
    findings_text: str
    scale: Scale
    mine: ScoreView | None
    team: TeamView | None
    agreed_history: tuple[HistoryEntry, ...]
    evidence: tuple[EvidenceChoice, ...]
    # Evidence linked to the current area itself (an area without expectation numbers).
    area_refs: tuple[EvidenceRef, ...] = ()
    # Scale levels whose descriptor is HMIP's confirmed wording / whose label is not
    # confirmed (from the framework data): the scale picker says "not verified" otherwise.
    verified_descriptors: frozenset[str] = frozenset()
    unverified_labels: frozenset[str] = frozenset()
    # Expectations of the area whose wording is not verified (shown beside their title).
    unverified_numbers: frozenset[str] = frozenset()
    # The inspection's establishment type: source kinds are named in its words.
    establishment_type: str = ""

    @property
    def expectations_loaded(self) -> bool:
        """False for an area that lists no expectation numbers ("expectations not loaded");
        True for the section as a whole."""
        return bool(self.expectations) or not self.area_key


def verified_descriptor_keys(scale: Scale) -> frozenset[str]:
    """Keys of the levels whose descriptor is confirmed wording."""
    return frozenset(lv.key for lv in scale.levels if lv.descriptor_verified)


def unverified_label_keys(scale: Scale) -> frozenset[str]:
    """Keys of the levels whose label itself is not confirmed for the scale."""
    return frozenset(lv.key for lv in scale.levels if not lv.verified)


def walkthrough_outline(store: InspectionStore) -> Outline:
    """Judged sections first (the walkthrough's purpose), then unscored ones for findings.

    An ungraded establishment (police or court custody, escorts…: a scale without levels)
    has no judged section; all its sections are offered for findings. A review of progress
    offers none.
    """
    with store.uow() as tx:
        inspection = tx.records.get(store.inspection_id)
        framework = pinned_framework_in(tx, store).model
    kind = str((inspection.payload if inspection is not None else {}).get("kind", "full"))
    if not S.KIND_GIVES_SECTION_SCORES.get(kind, True):
        return Outline(kind, ())
    judged = {s.key for s in framework.judged_sections}
    return Outline(kind, tuple(SectionChoice(s.key, s.label, True)
                               for s in framework.judged_sections)
                   + tuple(SectionChoice(s.key, s.label, False)
                           for s in framework.sections if s.key not in judged))


def walkthrough_section(store: InspectionStore, section: SectionChoice,
                        area_key: str | None) -> SectionSnapshot:
    """The snapshot of a section; `area_key` None means its first area."""
    scoring = ScoringService(store)
    team: TeamView | None = None
    agreed_history: tuple[HistoryEntry, ...] = ()
    with store.uow() as tx:
        snap = evidence_snapshot_in(tx, store)  # overview and the area's evidence
        sec = snap.model.section(section.key)
        areas = tuple((a.key, a.label) for a in sec.areas)
        areas += ((WHOLE_SECTION, WHOLE_SECTION_LABEL),)
        area = area_key if area_key in {k for k, _ in areas} else areas[0][0]
        findings_text = scoring.my_findings_in(tx, section.key, area or None)
        if section.judged:
            team = scoring.team_view_in(tx, section.key)
            agreed_id = S.agreed_score_id(store.inspection_id, section.key)
            try:
                agreed_history = tuple(reversed(history_in(tx, store, agreed_id)))
            except NotFoundError:
                agreed_history = ()
    expectations = tuple(snap.area_evidence(section.key, area)) if area else ()
    mine = None
    evidence: tuple[EvidenceChoice, ...] = ()
    if team is not None:
        me = store.device.author_id
        mine = next((r for r in team.rows if r.inspector_id == me), None)
        evidence = tuple(linked_choices(snap, [section.key]))
    scale = snap.model.scale
    unverified = frozenset(e.number for e in (snap.model.area(sec.key, area).expectations
                                              if area else ()) if not e.verified)
    return SectionSnapshot(
        section=section, areas=areas, overview=tuple(snap.section_overview(section.key)),
        area_key=area, expectations=expectations,
        findings_text=findings_text, scale=scale,
        mine=mine, team=team, agreed_history=agreed_history, evidence=evidence,
        area_refs=snap.area_evidence_refs(section.key, area) if area else (),
        verified_descriptors=verified_descriptor_keys(scale),
        unverified_labels=unverified_label_keys(scale), unverified_numbers=unverified,
        establishment_type=snap.establishment_type)

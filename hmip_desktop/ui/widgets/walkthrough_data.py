"""What the scoring walkthrough shows, read in one go on the DB lane."""

from __future__ import annotations

from dataclasses import dataclass

from hmip_desktop.domain import scoring as S
from hmip_desktop.domain.errors import NotFoundError
from hmip_desktop.services import history
from hmip_desktop.services.evidence_snapshot import EvidenceRef, evidence_snapshot
from hmip_desktop.services.history import HistoryEntry
from hmip_desktop.services.inspections import inspection_payload
from hmip_desktop.services.scoring import (
    AreaOverview,
    ExpectationEvidence,
    ScoreView,
    ScoringService,
    TeamView,
)
from hmip_desktop.services.store import InspectionStore
from hmip_desktop.ui.widgets.evidence_picker import EvidenceChoice, linked_evidence
from hmip_desktop.ui.widgets.scale_picker import unverified_label_keys, verified_descriptor_keys

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
    scale: S.Scale
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

    @property
    def expectations_loaded(self) -> bool:
        """False for an area that lists no expectation numbers ("expectations not loaded");
        True for the section as a whole."""
        return bool(self.expectations) or not self.area_key


def read_outline(store: InspectionStore) -> Outline:
    """Judged sections first (the walkthrough's purpose), then unscored ones for findings.

    An ungraded establishment (police or court custody, escorts…: a scale without levels)
    has no judged section; all its sections are offered for findings. A review of progress
    offers none.
    """
    scoring = ScoringService(store)
    kind = str(inspection_payload(store).get("kind", "full"))
    if not S.KIND_GIVES_SECTION_SCORES.get(kind, True):
        return Outline(kind, ())
    judged = scoring.judged_sections()
    keys = {k for k, _ in judged}
    unscored = [(str(s["key"]), str(s.get("label", s["key"])))
                for s in S.sections(scoring.framework()) if str(s["key"]) not in keys]
    return Outline(kind, tuple(SectionChoice(k, lb, True) for k, lb in judged)
                   + tuple(SectionChoice(k, lb, False) for k, lb in unscored))


def read_section(store: InspectionStore, section: SectionChoice,
                 area_key: str | None) -> SectionSnapshot:
    """The snapshot of a section; `area_key` None means its first area."""
    scoring = ScoringService(store)
    snap = evidence_snapshot(store)  # one read: overview and the area's evidence
    sec = S.section(snap.framework_data, section.key)
    areas = tuple((str(a.get("key")), str(a.get("label", a.get("key")))) for a in S.areas(sec))
    areas += ((WHOLE_SECTION, WHOLE_SECTION_LABEL),)
    known = {k for k, _ in areas}
    area = area_key if area_key in known else areas[0][0]
    expectations = tuple(snap.area_evidence(section.key, area)) if area else ()
    mine = team = None
    agreed_history: tuple[HistoryEntry, ...] = ()
    evidence: tuple[EvidenceChoice, ...] = ()
    if section.judged:
        team = scoring.team_view(section.key)
        me = store.device.author_id
        mine = next((r for r in team.rows if r.inspector_id == me), None)
        agreed_id = S.agreed_score_id(store.inspection_id, section.key)
        try:
            agreed_history = tuple(reversed(history.history(store, agreed_id)))
        except NotFoundError:
            agreed_history = ()
        evidence = tuple(linked_evidence(store, [section.key], snap))
    scale_data = snap.framework_data.get("scale")
    unverified = frozenset(
        str(e.get("number")) for e in (S.expectations(S.area(sec, area)) if area else ())
        if e.get("verified", True) is False)
    return SectionSnapshot(
        section=section, areas=areas, overview=tuple(snap.section_overview(section.key)),
        area_key=area, expectations=expectations,
        findings_text=scoring.my_findings(section.key, area or None), scale=scoring.scale(),
        mine=mine, team=team, agreed_history=agreed_history, evidence=evidence,
        area_refs=snap.area_evidence_refs(section.key, area) if area else (),
        verified_descriptors=verified_descriptor_keys(scale_data),
        unverified_labels=unverified_label_keys(scale_data), unverified_numbers=unverified)

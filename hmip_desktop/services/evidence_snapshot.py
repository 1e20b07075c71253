"""One read of everything the evidence screens show: the Expectations page and its coverage
heat map, the scoring walkthrough's overview and `hmip coverage`.

Rule: `evidence_snapshot(store)` reads in ONE read transaction (set-based: one query over the
evidence_link projection joined to the entity table, one for findings, one cheap look-up of
the framework record's winner revision) and returns a frozen value; everything else is
computed from it in memory. The pinned framework is parsed once per open file and reused
until its winner revision changes (a merge or an undo of one), so screens never re-read or
re-parse it per area. Safe on the DB lane; the value may cross to the GUI thread.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from hmip_desktop.domain import records as R
from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.domain.framework import Framework
from hmip_desktop.domain.framework_nation import DEFAULT_NATION, area_ref, inspection_nation
from hmip_desktop.domain.readiness import evidence_source_kind, is_triangulated
from hmip_desktop.services.inspection_record import (  # noqa: F401 - re-exported
    PinnedFramework,
    pinned_framework_in,
)
from hmip_desktop.storage.links_repo import LinkedEvidence

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore
    from hmip_desktop.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class EvidenceRef:
    """One piece of evidence linked to an expectation (the link locates the passage)."""

    link_id: str
    evidence_id: str
    evidence_type: str
    source_kind: str | None
    title: str
    start: int | None
    end: int | None
    page: int | None


@dataclass(frozen=True)
class ExpectationEvidence:
    """An expectation with the evidence linked to it and its triangulation state."""

    number: str
    title: str
    evidence: tuple[EvidenceRef, ...]
    source_kinds: tuple[str, ...]

    @property
    def covered(self) -> bool:
        """True when at least one piece of evidence is linked."""
        return bool(self.evidence)

    @property
    def triangulated(self) -> bool:
        """True when the evidence spans enough distinct source kinds."""
        return is_triangulated(self.source_kinds)


@dataclass(frozen=True)
class AreaOverview:
    """One area of a section at a glance: evidence coverage, triangulation, findings."""

    key: str
    label: str
    expectations_total: int
    expectations_covered: int
    expectations_triangulated: int
    findings_count: int
    area_evidence: int = 0  # evidence linked to the area as a whole

    @property
    def expectations_loaded(self) -> bool:
        """False when the area lists no expectation numbers: it reads "expectations not
        loaded", never "0 of 0"."""
        return self.expectations_total > 0


@dataclass(frozen=True)
class SectionOverview:
    """One section (healthy prison test) and its areas' counts."""

    key: str
    label: str
    areas: tuple[AreaOverview, ...]
    findings_count: int  # findings about the section as a whole

    @property
    def expectations_total(self) -> int:
        """Expectations in the section."""
        return sum(a.expectations_total for a in self.areas)

    @property
    def expectations_covered(self) -> int:
        """Expectations with any evidence."""
        return sum(a.expectations_covered for a in self.areas)

    @property
    def expectations_triangulated(self) -> int:
        """Expectations triangulated."""
        return sum(a.expectations_triangulated for a in self.areas)


@dataclass(frozen=True)
class EvidenceSnapshot:
    """Every expectation's evidence and the counts per area and section, at one moment."""

    framework_rev: str
    # The pinned framework as it counts in the inspection's nation (typed, always present).
    model: Framework
    framework: Framework | None  # `model`, but None when the strict parser refuses the data
    parse_error: str | None
    expectations: Mapping[str, ExpectationEvidence]  # by number, framework order
    by_ref: Mapping[str, tuple[EvidenceRef, ...]]  # every linked ref, also unknown ones
    areas: Mapping[tuple[str, str], tuple[ExpectationEvidence, ...]]
    sections: tuple[SectionOverview, ...]
    nation: str = DEFAULT_NATION
    # Expectation numbers of the pinned framework that do not count in this nation (Estyn's
    # in England, Ofsted's in Wales): left out of `model` and every count.
    excluded_refs: frozenset[str] = frozenset()
    # Evidence linked to an area as a whole (ref "area:<section>/<area>"), by area.
    area_links: Mapping[tuple[str, str], tuple[EvidenceRef, ...]] = field(
        default_factory=lambda: MappingProxyType({}))
    # The inspection's establishment type: the screens name source kinds in its words
    # ("Prisoner interview", "Detainee interview": services.labels.source_kind_label).
    establishment_type: str = ""

    def require_framework(self) -> Framework:
        """The typed framework; ValidationError when the pinned data does not parse."""
        if self.framework is None:
            raise ValidationError(self.parse_error or "The pinned framework is not valid.")
        return self.framework

    def area_evidence(self, section_key: str, area_key: str) -> list[ExpectationEvidence]:
        """An area's expectations with their evidence (NotFoundError for unknown keys)."""
        self.model.area(section_key, area_key)
        return list(self.areas.get((section_key, area_key), ()))

    def section(self, section_key: str) -> SectionOverview:
        """One section's counts (NotFoundError names the valid keys)."""
        self.model.section(section_key)
        return next(s for s in self.sections if s.key == section_key)

    def section_overview(self, section_key: str) -> list[AreaOverview]:
        """Walkthrough step 1: each area's coverage, triangulation and findings count."""
        return list(self.section(section_key).areas)

    def area_evidence_refs(self, section_key: str, area_key: str) -> tuple[EvidenceRef, ...]:
        """Evidence linked to the area as a whole (not to one of its expectations)."""
        return self.area_links.get((section_key, area_key), ())

    @property
    def unknown_refs(self) -> tuple[str, ...]:
        """Linked refs the framework does not have, sorted (links to expectations that only
        apply in the other nation, and to areas, are not unknown)."""
        areas = {area_ref(s, a) for s, a in self.areas}
        return tuple(sorted(r for r in self.by_ref if r not in self.expectations
                            and r not in self.excluded_refs and r not in areas))


def evidence_snapshot(store: InspectionStore) -> EvidenceSnapshot:
    """Read the evidence screens' data in one read transaction (runs on the DB lane)."""
    with store.uow() as tx:
        return evidence_snapshot_in(tx, store)


def evidence_snapshot_in(tx: UnitOfWork, store: InspectionStore) -> EvidenceSnapshot:
    """The snapshot read inside the caller's transaction (a screen's snapshot that needs
    more than the evidence reads it all in one)."""
    pinned = pinned_framework_in(tx, store)
    inspection = tx.records.get(store.inspection_id)
    payload = inspection.payload if inspection is not None else None
    nation = inspection_nation(payload)
    linked = tx.links.linked_evidence()
    findings = [(str(e.payload.get("section_key", "")), str(e.payload.get("area_key") or ""))
                for e in tx.records.list(R.FINDINGS)
                if str(e.payload.get("text", "")).strip()]
    return build_snapshot(pinned, linked, Counter(findings), nation,
                          str((payload or {}).get("establishment_type") or ""))


def _expectation(number: str, title: str, refs: tuple[EvidenceRef, ...]) -> ExpectationEvidence:
    kinds = tuple(sorted({r.source_kind for r in refs if r.source_kind}))
    return ExpectationEvidence(number, title, refs, kinds)


def build_snapshot(pinned: PinnedFramework, linked: list[LinkedEvidence],
                   findings: Mapping[tuple[str, str], int],
                   nation: str = DEFAULT_NATION,
                   establishment_type: str = "") -> EvidenceSnapshot:
    """The snapshot from rows already read (pure; no database); only the parts of the
    framework that apply in `nation` are counted."""
    grouped: dict[str, list[EvidenceRef]] = defaultdict(list)
    kinds: dict[tuple[str, object], str | None] = {}  # few distinct (type, kind) pairs
    for row in linked:
        key = (row.evidence_type, row.own_source_kind)
        if key not in kinds:
            kinds[key] = evidence_source_kind(row.evidence_type,
                                              {"source_kind": row.own_source_kind})
        grouped[row.expectation_ref].append(EvidenceRef(
            row.link_id, row.evidence_id, row.evidence_type, kinds[key], row.title,
            row.start, row.end, row.page))
    by_ref = {ref: tuple(refs) for ref, refs in grouped.items()}
    expectations: dict[str, ExpectationEvidence] = {}
    areas: dict[tuple[str, str], tuple[ExpectationEvidence, ...]] = {}
    area_links: dict[tuple[str, str], tuple[EvidenceRef, ...]] = {}
    sections = []
    model = pinned.model.for_nation(nation)
    for sec in model.sections:
        skey = sec.key
        overviews = []
        for ar in sec.areas:
            akey = ar.key
            rows = []
            for exp in ar.expectations:
                found = _expectation(exp.number, exp.title, by_ref.get(exp.number, ()))
                expectations.setdefault(exp.number, found)
                rows.append(found)
            areas[(skey, akey)] = tuple(rows)
            whole = by_ref.get(area_ref(skey, akey), ())
            if whole:
                area_links[(skey, akey)] = whole
            overviews.append(AreaOverview(
                akey, ar.label, len(rows), sum(r.covered for r in rows),
                sum(r.triangulated for r in rows), findings.get((skey, akey), 0),
                len({r.evidence_id for r in whole})))
        sections.append(SectionOverview(skey, sec.label, tuple(overviews),
                                        findings.get((skey, ""), 0)))
    return EvidenceSnapshot(
        framework_rev=pinned.rev, model=model,
        framework=model if pinned.parse_error is None else None,
        parse_error=pinned.parse_error, expectations=MappingProxyType(expectations),
        by_ref=MappingProxyType(by_ref), areas=MappingProxyType(areas),
        sections=tuple(sections), nation=nation,
        excluded_refs=frozenset(pinned.model.excluded_numbers(nation)),
        area_links=MappingProxyType(area_links), establishment_type=establishment_type)

"""Evidence coverage: per expectation, linked evidence counted by source kind, and whether it
is triangulated; summed per area and per section for a heat map.

Counts are distinct evidence items (three passages of one interview note count once), and an
item counts under its source kind (a document as document review, an extract or figure as
data, unless its record says otherwise). Triangulation uses the readiness rule shared with
scoring: evidence from at least three distinct kinds of source.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hmip_desktop.domain import records as R
from hmip_desktop.domain.framework import Expectation
from hmip_desktop.domain.framework_nation import (
    DEFAULT_NATION,
    NOT_LOADED,
    area_ref,
    inspection_nation,
)
from hmip_desktop.domain.readiness import TRIANGULATION_MIN_SOURCES, is_triangulated
from hmip_desktop.domain.wording import plural
from hmip_desktop.services.evidence_snapshot import (
    EvidenceSnapshot,
    evidence_snapshot,
    pinned_framework_in,
)
from hmip_desktop.services.labels import source_kind_label, source_kind_labels

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore

UNKNOWN_KIND = "unknown"
GAP, THIN, TRIANGULATED = "gap", "thin", "triangulated"


@dataclass(frozen=True)
class ExpectationCoverage:
    """One expectation: distinct evidence items per source kind, links and triangulation."""

    ref: str
    title: str
    counts: Mapping[str, int]
    evidence: int
    links: int
    evidence_ids: tuple[str, ...]

    @property
    def source_kinds(self) -> tuple[str, ...]:
        """Distinct known source kinds with evidence."""
        return tuple(k for k in self.counts if k != UNKNOWN_KIND)

    @property
    def triangulated(self) -> bool:
        """True when the evidence spans enough distinct kinds of source."""
        return is_triangulated(self.source_kinds)

    @property
    def status(self) -> str:
        """'gap' (no evidence), 'thin' (not yet triangulated) or 'triangulated'."""
        return GAP if not self.evidence else TRIANGULATED if self.triangulated else THIN


def _sum_counts(rows: tuple[ExpectationCoverage, ...]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for row in rows:
        for kind, n in row.counts.items():
            out[kind] += n
    return dict(out)


@dataclass(frozen=True)
class AreaCoverage:
    """One area: its expectations and their totals (one heat-map row)."""

    key: str
    label: str
    expectations: tuple[ExpectationCoverage, ...]
    area_evidence_ids: tuple[str, ...] = ()  # evidence linked to the area as a whole

    @property
    def total(self) -> int:
        """Expectations in the area."""
        return len(self.expectations)

    @property
    def expectations_loaded(self) -> bool:
        """False when the area lists no expectation numbers yet."""
        return bool(self.expectations)

    @property
    def area_evidence(self) -> int:
        """Distinct evidence items linked to the area as a whole."""
        return len(self.area_evidence_ids)

    def summary(self) -> str:
        """"2/5 covered, 1 triangulated", or "expectations not loaded" (with any evidence
        linked to the area itself) — never "0/0"."""
        if not self.expectations_loaded:
            linked = (f"; {plural(self.area_evidence, 'evidence item')} linked to the area"
                      if self.area_evidence else "")
            return NOT_LOADED + linked
        return f"{self.covered}/{self.total} covered, {self.triangulated} triangulated"

    @property
    def covered(self) -> int:
        """Expectations with any evidence."""
        return sum(1 for e in self.expectations if e.evidence)

    @property
    def triangulated(self) -> int:
        """Expectations triangulated."""
        return sum(1 for e in self.expectations if e.triangulated)

    @property
    def counts(self) -> dict[str, int]:
        """Evidence per source kind, summed over the expectations (heat-map cells)."""
        return _sum_counts(self.expectations)

    @property
    def gaps(self) -> tuple[str, ...]:
        """Refs of expectations without evidence."""
        return tuple(e.ref for e in self.expectations if not e.evidence)


@dataclass(frozen=True)
class SectionCoverage:
    """One healthy prison test (section) and its areas."""

    key: str
    label: str
    areas: tuple[AreaCoverage, ...]

    @property
    def expectations(self) -> tuple[ExpectationCoverage, ...]:
        """Every expectation of the section, in order."""
        return tuple(e for a in self.areas for e in a.expectations)

    @property
    def total(self) -> int:
        """Expectations in the section."""
        return len(self.expectations)

    @property
    def covered(self) -> int:
        """Expectations with any evidence."""
        return sum(a.covered for a in self.areas)

    @property
    def triangulated(self) -> int:
        """Expectations triangulated."""
        return sum(a.triangulated for a in self.areas)

    @property
    def counts(self) -> dict[str, int]:
        """Evidence per source kind over the section."""
        return _sum_counts(self.expectations)

    @property
    def expectations_loaded(self) -> bool:
        """False when no area of the section lists expectation numbers."""
        return self.total > 0

    def summary(self) -> str:
        """Like AreaCoverage.summary; names the areas still without expectations."""
        if not self.expectations_loaded:
            return NOT_LOADED
        text = f"{self.covered}/{self.total} covered, {self.triangulated} triangulated"
        missing = sum(1 for a in self.areas if not a.expectations_loaded)
        return text + (f" ({plural(missing, 'area')}: {NOT_LOADED})" if missing else "")


@dataclass(frozen=True)
class CoverageReport:
    """Coverage of the whole framework; `unknown_refs` are links to refs it does not have."""

    source_kinds: tuple[tuple[str, str], ...]
    sections: tuple[SectionCoverage, ...]
    unknown_refs: tuple[str, ...]
    triangulation_min: int = TRIANGULATION_MIN_SOURCES
    nation: str = "england"
    not_applicable_refs: tuple[str, ...] = ()  # linked, but not counted in this nation

    def kind_label(self, key: str) -> str:
        """A source kind in the inspection's words ("Prisoner interview")."""
        return dict(self.source_kinds).get(key) or source_kind_label(key, None)

    def expectation(self, ref: str) -> ExpectationCoverage:
        """One expectation's coverage (KeyError when the framework has no such ref)."""
        for sec in self.sections:
            for row in sec.expectations:
                if row.ref == ref:
                    return row
        raise KeyError(ref)


def coverage(store: InspectionStore) -> CoverageReport:
    """Coverage of every expectation of the inspection's pinned framework."""
    return coverage_from(evidence_snapshot(store))


def coverage_from(snap: EvidenceSnapshot) -> CoverageReport:
    """Coverage computed from an evidence snapshot (no database)."""
    framework = snap.model
    items: dict[str, dict[str, str]] = defaultdict(dict)  # ref -> evidence id -> kind
    links: dict[str, int] = defaultdict(int)
    for ref, found in snap.by_ref.items():
        for ev in found:
            items[ref][ev.evidence_id] = ev.source_kind or UNKNOWN_KIND
        links[ref] = len(found)
    order = list(R.SOURCE_KINDS) + [UNKNOWN_KIND]
    known: set[str] = set()

    def row(exp: Expectation) -> ExpectationCoverage:
        ref = exp.number
        known.add(ref)
        per: dict[str, int] = defaultdict(int)
        for kind in items.get(ref, {}).values():
            per[kind] += 1
        counts = {k: per[k] for k in order if per.get(k)}
        return ExpectationCoverage(ref, exp.title, counts,
                                   len(items.get(ref, {})), links.get(ref, 0),
                                   tuple(items.get(ref, {})))

    def whole_area(skey: str, akey: str) -> tuple[str, ...]:
        ref = area_ref(skey, akey)
        known.add(ref)
        return tuple(items.get(ref, {}))

    sections = tuple(
        SectionCoverage(sec.key, sec.label, tuple(
            AreaCoverage(ar.key, ar.label, tuple(row(e) for e in ar.expectations),
                         whole_area(sec.key, ar.key))
            for ar in sec.areas))
        for sec in framework.sections)
    # Anything shaped like a snapshot works (model, by_ref); nation facts optional.
    excluded: frozenset[str] = getattr(snap, "excluded_refs", frozenset())
    unknown = tuple(sorted(r for r in items if r not in known and r not in excluded))
    words = source_kind_labels(getattr(snap, "establishment_type", ""))
    return CoverageReport(tuple(words.items()), sections, unknown,
                          nation=getattr(snap, "nation", DEFAULT_NATION),
                          not_applicable_refs=tuple(sorted(r for r in items if r in excluded)))


def framework_refs(store: InspectionStore) -> set[str]:
    """Every expectation number of the pinned framework that counts in the inspection's
    nation (to check refs before linking); see not_applicable_refs for the others."""
    with store.uow() as tx:
        framework = pinned_framework_in(tx, store).model  # read once per open file
        inspection = tx.records.get(store.inspection_id)
    nation = inspection_nation(inspection.payload if inspection is not None else None)
    return {e.number for _, _, e in framework.for_nation(nation).iter_expectations()}


def not_applicable_refs(store: InspectionStore) -> tuple[str, set[str]]:
    """(nation, expectation numbers of the pinned framework that do not count there)."""
    with store.uow() as tx:
        framework = pinned_framework_in(tx, store).model
        inspection = tx.records.get(store.inspection_id)
    nation = inspection_nation(inspection.payload if inspection is not None else None)
    return nation, framework.excluded_numbers(nation)

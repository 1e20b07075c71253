"""Readiness for a draft report: per-section coverage, triangulation, findings and scores, the
concern rules, and the list of what still blocks.

Pure rules over plain facts the service gathers. What blocks depends on the inspection kind:
a full inspection needs an agreed score for every judged section and findings in every
section; an independent review of progress needs a progress judgement on every followed-up
previous item instead. An ungraded establishment (police or court custody, escorts…: a scale
without levels) judges no section, so findings in every section are enough. The concern
limits block only where the report model is confirmed (report_model "verified"); elsewhere
they warn. Conflicts on report records always block (a person must decide).
Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hmip_desktop.domain import records as R
from hmip_desktop.domain import scoring as S
from hmip_desktop.domain.concerns import BLOCKING, WARNING, ConcernLimits, check_concerns
from hmip_desktop.domain.framework import Framework, Section
from hmip_desktop.domain.wording import plural

# hmip-method.md §5: a finding from one source is backed by at least two others, so an
# expectation is triangulated when its evidence spans this many distinct source kinds.
TRIANGULATION_MIN_SOURCES = 3

# Record types that can be linked as evidence.
EVIDENCE_TYPES = R.EVIDENCE_TYPES

# Evidence without a source kind of its own: a document is documentation reviewed, an extract
# or a figure is data (hmip-method.md §5 and §14). A payload's own source_kind wins.
DEFAULT_SOURCE_KIND_BY_TYPE: dict[str, str] = {
    R.DOCUMENT: "document_review", R.EXTRACT: "data", R.FIGURE: "data",
}


def evidence_source_kind(entity_type: str, payload: Mapping[str, Any]) -> str | None:
    """The source kind an evidence record counts as for triangulation (None when unknown)."""
    own = payload.get("source_kind")
    if isinstance(own, str) and own in R.SOURCE_KINDS:
        return own
    return DEFAULT_SOURCE_KIND_BY_TYPE.get(entity_type)


@dataclass(frozen=True)
class LinkFact:
    """One live evidence link: the expectation it supports and the evidence's source kind."""

    expectation_ref: str
    evidence_id: str
    source_kind: str | None


@dataclass(frozen=True)
class ScoreFact:
    """One live score record."""

    section_key: str
    kind: str
    conflicted: bool = False


@dataclass(frozen=True)
class PreviousFact:
    """One previous concern or recommendation and whether its progress is judged."""

    id: str
    ref: str
    followed_up: bool
    judged: bool
    conflicted: bool = False


@dataclass(frozen=True)
class Item:
    """A blocker or a warning; messages carry keys, labels and counts, never note text."""

    code: str
    severity: str
    message: str
    section_key: str | None = None
    ref: str | None = None


@dataclass(frozen=True)
class SectionReadiness:
    """Coverage, triangulation, findings and scores of one framework section."""

    key: str
    label: str
    judged: bool
    expectations_total: int
    expectations_covered: int
    expectations_triangulated: int
    uncovered: tuple[str, ...]
    untriangulated: tuple[str, ...]
    areas_total: int
    areas_with_findings: int
    section_findings: bool
    provisional_scores: int
    agreed: bool
    agreed_conflicted: bool

    @property
    def findings_drafted(self) -> bool:
        """True when any findings text exists for the section or one of its areas."""
        return self.section_findings or self.areas_with_findings > 0


@dataclass(frozen=True)
class ReadinessReport:
    """Everything the readiness view shows."""

    kind: str
    sections: tuple[SectionReadiness, ...]
    key_concerns: int
    priority_concerns: int
    previous_total: int
    previous_judged: int
    items: tuple[Item, ...] = field(default_factory=tuple)

    @property
    def blockers(self) -> list[Item]:
        """What still blocks a draft report."""
        return [i for i in self.items if i.severity == BLOCKING]

    @property
    def warnings(self) -> list[Item]:
        """What should be looked at but does not block."""
        return [i for i in self.items if i.severity == WARNING]

    @property
    def ready(self) -> bool:
        """True when nothing blocks."""
        return not self.blockers


def expectation_sources(links: Iterable[LinkFact]) -> dict[str, set[str]]:
    """Source kinds per expectation reference (evidence of unknown kind counts as none)."""
    out: dict[str, set[str]] = {}
    for link in links:
        kinds = out.setdefault(link.expectation_ref, set())
        if link.source_kind:
            kinds.add(link.source_kind)
    return out


def is_triangulated(kinds: Iterable[str], minimum: int = TRIANGULATION_MIN_SOURCES) -> bool:
    """True when evidence spans at least `minimum` distinct source kinds."""
    return len(set(kinds)) >= minimum


def section_readiness(framework: Framework, sec: Section,
                      sources: Mapping[str, set[str]], findings: set[tuple[str, str]],
                      scores: Iterable[ScoreFact], *, scores_expected: bool,
                      minimum: int = TRIANGULATION_MIN_SOURCES) -> SectionReadiness:
    """The readiness facts of one section."""
    key = sec.key
    numbers = [e.number for a in sec.areas for e in a.expectations]
    uncovered = tuple(n for n in numbers if n not in sources)
    untri = tuple(n for n in numbers
                  if n in sources and not is_triangulated(sources[n], minimum))
    area_keys = [a.key for a in sec.areas]
    mine = [s for s in scores if s.section_key == key]
    agreed = [s for s in mine if s.kind == S.AGREED]
    return SectionReadiness(
        key=key, label=sec.label,
        judged=scores_expected and framework.is_judged(sec),
        expectations_total=len(numbers), expectations_covered=len(numbers) - len(uncovered),
        expectations_triangulated=len(numbers) - len(uncovered) - len(untri),
        uncovered=uncovered, untriangulated=untri,
        areas_total=len(area_keys),
        areas_with_findings=sum(1 for a in area_keys if (key, a) in findings),
        section_findings=(key, "") in findings,
        provisional_scores=sum(1 for s in mine if s.kind == S.PROVISIONAL),
        agreed=bool(agreed), agreed_conflicted=any(s.conflicted for s in agreed),
    )


def _section_items(s: SectionReadiness, kind_scores: bool) -> list[Item]:
    items = []
    if s.judged and not s.agreed:
        items.append(Item("no_agreed_score", BLOCKING, f"{s.label}: no agreed score.", s.key))
    if s.agreed_conflicted:
        items.append(Item("agreed_score_conflict", BLOCKING,
                          f"{s.label}: the agreed score has conflicting edits to resolve.",
                          s.key))
    if not kind_scores:
        return items  # a review of progress is judged item by item, not section by section
    if not s.findings_drafted:
        items.append(Item("no_findings", BLOCKING, f"{s.label}: no findings drafted.", s.key))
    elif s.areas_with_findings < s.areas_total:
        missing = s.areas_total - s.areas_with_findings
        items.append(Item("area_findings_missing", WARNING,
                          f"{s.label}: {plural(missing, 'area')} without findings.", s.key))
    if s.uncovered:
        items.append(Item("coverage_gap", WARNING,
                          f"{s.label}: {plural(len(s.uncovered), 'expectation')} without evidence.",
                          s.key))
    if s.untriangulated:
        items.append(Item("triangulation_gap", WARNING,
                          f"{s.label}: {plural(len(s.untriangulated), 'expectation')} backed "
                          f"by fewer than {TRIANGULATION_MIN_SOURCES} kinds of source.", s.key))
    return items


def build_report(framework: Framework, kind: str, *, links: Iterable[LinkFact],
                 findings: Iterable[tuple[str, str]], scores: Iterable[ScoreFact],
                 key_concerns: int, priority_concerns: int, limits: ConcernLimits | None,
                 previous: Iterable[PreviousFact], other_conflicts: int = 0) -> ReadinessReport:
    """The readiness report; a broken concern rule blocks here when its limits are confirmed
    (report_model "verified"), and only warns otherwise."""
    kind_scores = S.KIND_GIVES_SECTION_SCORES.get(kind, True)
    needs_progress = S.KIND_REQUIRES_PROGRESS.get(kind, False)
    sources = expectation_sources(links)
    found = set(findings)
    score_list = list(scores)
    sections = tuple(section_readiness(framework, sec, sources, found, score_list,
                                       scores_expected=kind_scores)
                     for sec in framework.sections)
    items: list[Item] = []
    for s in sections:
        items.extend(_section_items(s, kind_scores))
    if not kind_scores and score_list:
        items.append(Item("scores_on_irp", WARNING,
                          "This review holds section scores; a review of progress gives none."))
    for issue in check_concerns(key_concerns, priority_concerns, limits, severity=BLOCKING,
                                kind=kind):
        items.append(Item(issue.code, issue.severity, issue.message))
    prev = list(previous)
    followed = [p for p in prev if p.followed_up]
    if needs_progress and not followed:
        items.append(Item("no_previous_items", BLOCKING,
                          "No followed-up previous concerns or recommendations are recorded."))
    for p in followed:
        if not p.judged:
            items.append(Item("no_progress_judgement", BLOCKING if needs_progress else WARNING,
                              f"Previous item {p.ref}: no progress judgement.", ref=p.ref))
        elif p.conflicted:
            items.append(Item("progress_conflict", BLOCKING,
                              f"Previous item {p.ref}: conflicting progress judgements.",
                              ref=p.ref))
    if other_conflicts:
        items.append(Item("conflicts", BLOCKING,
                          f"{plural(other_conflicts, 'report record')} "
                          f"{'has' if other_conflicts == 1 else 'have'} conflicting edits."))
    return ReadinessReport(kind, sections, key_concerns, priority_concerns, len(prev),
                           sum(1 for p in followed if p.judged), tuple(items))

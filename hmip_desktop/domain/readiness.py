"""Readiness for a draft report: per-section coverage, triangulation, findings and scores, the
concern rules, and the list of what still blocks.

Pure rules over plain facts the service gathers. What blocks depends on the inspection kind:
a full inspection needs an agreed score for every judged section and findings in every
section; an independent review of progress needs a progress judgement on every followed-up
previous item instead. An ungraded establishment (police or court custody, escorts…: a scale
without levels) judges no section, so findings in every section are enough. The concern
limits block only where the report model is confirmed (report_model "verified"); elsewhere
they warn. Conflicts on report records always block (a person must decide).

Decision (a draft is allowed with gaps): what the draft would print as "[to be completed …]"
and does not block is a warning that says what is missing in plain words (an empty text part
by name, no team leader, no team list, areas without findings by name, findings of several
inspectors to merge, a previous item without a judgement), and carries how many such markers
it stands for (Item.gaps); `to_complete` counts them and `verdict` says so, one wording for
the Readiness tab, the Reports page and `hmip readiness`.
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
    # How many "[to be completed …]" markers the draft prints for this item (0: none).
    gaps: int = 0


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
    # Labels of the areas without findings, in framework order (each prints a marker).
    areas_without_findings: tuple[str, ...] = ()
    # Labels of the areas (or the section itself) whose findings come from several inspectors.
    areas_to_merge: tuple[str, ...] = ()

    @property
    def findings_drafted(self) -> bool:
        """True when any findings text exists for the section or one of its areas."""
        return self.section_findings or self.areas_with_findings > 0

    @property
    def findings_summary(self) -> str:
        """The findings drafted, in words, one way for the Readiness tab and `hmip readiness`:
        '1 of 4 areas; section as a whole', 'section as a whole: not yet'."""
        whole = "section as a whole"
        if not self.areas_total:
            return f"{whole}: {'drafted' if self.section_findings else 'not yet'}"
        areas = f"{self.areas_with_findings} of {self.areas_total} areas"
        return f"{areas}; {whole}" if self.section_findings else areas


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

    @property
    def concerns_summary(self) -> str:
        """'7 key concerns, of which 4 priority' (priority concerns are key concerns too)."""
        return (f"{plural(self.key_concerns, 'key concern')}, of which "
                f"{self.priority_concerns} priority")

    @property
    def to_complete(self) -> int:
        """How many parts a draft made now would print as "[to be completed …]" without
        blocking it (the warnings' markers)."""
        return sum(i.gaps for i in self.warnings)

    @property
    def verdict(self) -> str:
        """One line: ready or not, and what is still to be completed."""
        gaps = self.to_complete
        rest = f"; {plural(gaps, 'part')} still to be completed" if gaps else ""
        if self.ready:
            return (f"Ready: nothing blocks a draft{rest}." if gaps
                    else "Ready: nothing blocks a draft report.")
        n = len(self.blockers)
        return (f"Not ready: {plural(n, 'thing')} still block{'s' if n == 1 else ''} a draft "
                f"report{rest}.")


@dataclass(frozen=True)
class ReportFacts:
    """What the draft's outline prints from outside the framework's sections, as facts.

    `empty_parts` are the labels of the text parts the outline prints as a marker while they
    are empty (report/build.py decides which); the team rows count only when the outline has
    a fact page or a team appendix.
    """

    empty_parts: tuple[str, ...] = ()
    fact_page: bool = False
    fact_text_empty: bool = False
    team_leader: bool = True
    team_appendix: bool = False
    team_members: int = 0
    concerns_part: bool = False


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
                      minimum: int = TRIANGULATION_MIN_SOURCES,
                      shared: Iterable[tuple[str, str]] = ()) -> SectionReadiness:
    """The readiness facts of one section."""
    key = sec.key
    numbers = [e.number for a in sec.areas for e in a.expectations]
    uncovered = tuple(n for n in numbers if n not in sources)
    untri = tuple(n for n in numbers
                  if n in sources and not is_triangulated(sources[n], minimum))
    area_keys = [a.key for a in sec.areas]
    mine = [s for s in scores if s.section_key == key]
    agreed = [s for s in mine if s.kind == S.AGREED]
    several = set(shared)
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
        areas_without_findings=tuple(a.label for a in sec.areas if (key, a.key) not in findings),
        areas_to_merge=tuple([sec.label] if (key, "") in several else [])
        + tuple(a.label for a in sec.areas if (key, a.key) in several),
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
    elif s.areas_without_findings:
        missing = s.areas_without_findings
        items.append(Item("area_findings_missing", WARNING,
                          f"{s.label}: no findings yet for: {'; '.join(missing)}.", s.key,
                          gaps=len(missing)))
    if s.areas_to_merge:
        items.append(Item("findings_to_merge", WARNING,
                          f"{s.label}: findings from several inspectors to merge into one text "
                          f"for: {'; '.join(s.areas_to_merge)}.", s.key,
                          gaps=len(s.areas_to_merge)))
    if s.uncovered:
        items.append(Item("coverage_gap", WARNING,
                          f"{s.label}: {plural(len(s.uncovered), 'expectation')} without evidence.",
                          s.key))
    if s.untriangulated:
        items.append(Item("triangulation_gap", WARNING,
                          f"{s.label}: {plural(len(s.untriangulated), 'expectation')} backed "
                          f"by fewer than {TRIANGULATION_MIN_SOURCES} kinds of source.", s.key))
    return items


def _report_items(r: ReportFacts) -> list[Item]:
    """The draft's gaps outside the sections, each a warning naming the part."""
    items = [Item("text_part_empty", WARNING, f"{label}: no text written yet.", gaps=1)
             for label in r.empty_parts]
    if r.fact_page and r.fact_text_empty:
        items.append(Item("fact_page_text_empty", WARNING,
                          "Fact page: no text yet on the establishment's role, population and "
                          "operator.", gaps=1))
    if r.fact_page and not r.team_leader:
        items.append(Item("no_team_leader", WARNING,
                          "Fact page: no team leader on the team roster (Team & sync).",
                          gaps=1))
    if r.team_appendix and not r.team_members:
        items.append(Item("no_team", WARNING,
                          "Inspection team: no team members on the roster (Team & sync).",
                          gaps=1))
    return items


def build_report(framework: Framework, kind: str, *, links: Iterable[LinkFact],
                 findings: Iterable[tuple[str, str]], scores: Iterable[ScoreFact],
                 key_concerns: int, priority_concerns: int, limits: ConcernLimits | None,
                 previous: Iterable[PreviousFact], other_conflicts: int = 0,
                 report: ReportFacts | None = None,
                 shared_findings: Iterable[tuple[str, str]] = ()) -> ReadinessReport:
    """The readiness report; a broken concern rule blocks here when its limits are confirmed
    (report_model "verified"), and only warns otherwise. `report` adds the draft's own gaps
    (text parts, team); `shared_findings` are the (section, area) keys written on by more
    than one inspector."""
    kind_scores = S.KIND_GIVES_SECTION_SCORES.get(kind, True)
    needs_progress = S.KIND_REQUIRES_PROGRESS.get(kind, False)
    sources = expectation_sources(links)
    found = set(findings)
    score_list = list(scores)
    shared = tuple(shared_findings)
    sections = tuple(section_readiness(framework, sec, sources, found, score_list,
                                       scores_expected=kind_scores, shared=shared)
                     for sec in framework.sections)
    items: list[Item] = _report_items(report) if report is not None else []
    for s in sections:
        items.extend(_section_items(s, kind_scores))
    if not kind_scores and score_list:
        items.append(Item("scores_on_irp", WARNING,
                          "This review holds section scores; a review of progress gives none."))
    if report is not None and report.concerns_part and not key_concerns:
        items.append(Item("no_concerns", WARNING, "Concerns: none recorded yet.", gaps=1))
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
                              f"Previous item {p.ref}: no progress judgement.", ref=p.ref,
                              gaps=1))
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

"""Turn an inspection snapshot into a ReportDocument, following the outline for its report model.

Which parts a report has, their order and headings are data (resources/reports/outlines.json,
or an "outline" in the framework's report model); this module only knows how to build each
kind of part. Anything missing is shown as a visible "[to be completed: …]" marker, so a
report can be exported at any stage and nobody mistakes a gap for a finished section.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hmip_desktop.domain import records as R
from hmip_desktop.domain import report_doc as D
from hmip_desktop.domain.date_words import date_range
from hmip_desktop.domain.report_snapshot import InspectionSnapshot
from hmip_desktop.domain.steps import Steps
from hmip_desktop.report.build_outcomes import (
    GLOSSARY_HEADER,
    EvidenceIndex,
    appendix_about,
    appendix_evidence,
    appendix_glossary,
    appendix_team,
    concerns_part,
    fact_page,
    irp_progress_part,
    npp_part,
    outcomes_chart,
    progress_part,
    with_education_judgement,
)
from hmip_desktop.report.build_sections import sections_part
from hmip_desktop.report.prose import paragraphs


@dataclass(frozen=True)
class BuildOptions:
    """Choices the person exporting makes."""

    marking: str
    evidence_index: bool = True
    invariant: bool = False
    created: str = ""          # ISO date printed as the draft's date
    author: str = "HM Inspectorate of Prisons"


def choose_outline(layouts: Mapping[str, Any], framework: Mapping[str, Any],
                   kind: str) -> Mapping[str, Any]:
    """The outline for this report model and kind: the framework's own, else the data file's.

    An exact (report model, kind) match wins over a "*" report model for that kind.
    """
    model = framework.get("report_model") or {}
    own = model.get("outline") if isinstance(model, Mapping) else None
    if isinstance(own, Mapping) and own.get("parts"):
        return own
    key = str(model.get("key", "")) if isinstance(model, Mapping) else ""
    outlines = list(layouts.get("outlines") or [])
    for wanted in (key, "*"):
        for o in outlines:
            if o.get("report_model") == wanted and o.get("kind") == kind:
                return o
    raise ValueError(f"no report outline for model '{key}' and kind '{kind}'")


@dataclass(frozen=True)
class OutlineGaps:
    """What of an outline prints a "[to be completed …]" marker while it is missing, so
    readiness warns of exactly what the draft will show (services/readiness.py)."""

    text_parts: tuple[str, ...]  # keys of text parts printed as a marker while empty
    fact_page: bool              # its fact text and the team leader row
    team_appendix: bool          # the team list
    concerns: bool               # the priority and key concerns


def outline_gaps(outline: Mapping[str, Any]) -> OutlineGaps:
    """The parts of `outline` that print a marker when nothing is there (see `_part`)."""
    parts = [p for p in outline.get("parts") or [] if isinstance(p, Mapping)]
    kinds = {p.get("part") for p in parts}
    return OutlineGaps(
        text_parts=tuple(str(p.get("key")) for p in parts
                         if p.get("part") == "text" and not p.get("optional")),
        fact_page="fact_page" in kinds, team_appendix="appendix_team" in kinds,
        concerns="concerns" in kinds)


def build_report(snap: InspectionSnapshot, layouts: Mapping[str, Any],
                 options: BuildOptions, steps: Steps | None = None) -> D.ReportDocument:
    """The draft report of the inspection in `snap`; `steps` moves part by part, and Cancel
    is checked between parts, sections and areas and in the loops over evidence."""
    steps = steps or Steps()
    insp = snap.inspection
    kind = str(insp.get("kind", "full"))
    outline = choose_outline(layouts, snap.framework_data, kind)
    establishment = str(insp.get("establishment_name", ""))
    texts = {str(e.payload.get("part", "")): str(e.payload.get("text", ""))
             for e in snap.of(R.REPORT_TEXT)}
    index = EvidenceIndex(snap, steps.check)
    blocks: list[D.Block] = []
    parts = list(outline.get("parts") or [])
    for n, part in enumerate(parts):
        steps.at(n, len(parts) + 1)  # the last step: keeping the glossary's used terms
        blocks.extend(_part(part, snap, texts, index, layouts, options))
    steps.at(len(parts), len(parts) + 1)
    blocks = _glossary_of_used_terms(blocks, steps.check)
    steps.done()
    title = str(outline.get("title", "{establishment}")).format(establishment=establishment)
    blockers = [i.message for i in snap.readiness.blockers]
    kind_label = R.INSPECTION_KINDS.get(kind, kind)
    cover = D.Cover(title=title, establishment=establishment,
                    establishment_type=snap.establishment_type_label,
                    dates=date_range(insp.get("start_date"), insp.get("end_date")),
                    kind_label=kind_label, status_line="DRAFT", notes=tuple(blockers))
    return D.ReportDocument(
        title=title, author=options.author,
        subject=f"Draft {kind_label.lower()} report: {establishment}",
        language=str(layouts.get("language", "en-GB")), marking=options.marking,
        running_header=establishment, created=options.created, cover=cover,
        blocks=tuple(blocks), invariant=options.invariant,
        glossary=tuple((str(a), str(b)) for a, b in layouts.get("glossary") or []))


def _glossary_of_used_terms(blocks: list[D.Block],
                            check: Callable[[], None] = lambda: None) -> list[D.Block]:
    """Keep only the glossary rows whose abbreviation the rest of the report uses."""
    pos = next((i for i, b in enumerate(blocks)
                if isinstance(b, D.Table) and b.header == GLOSSARY_HEADER), None)
    if pos is None:
        return blocks
    words = set()
    for b in blocks[:pos] + blocks[pos + 1:]:
        check()
        for t in b.texts():
            words.update(re.findall(r"[A-Za-z]+", t))
    table = blocks[pos]
    assert isinstance(table, D.Table)
    rows = tuple(r for r in table.rows if r[0] in words)
    used = D.Table(table.header, rows, table.widths) if rows else \
        D.Paragraph("This report uses no abbreviations that need explaining.", style="meta")
    return blocks[:pos] + [used] + blocks[pos + 1:]


def _kind_words(layouts: Mapping[str, Any], kind: str) -> Mapping[str, Any]:
    """The fact-page labels and about-text for this kind of file, from outlines.json."""
    kinds = layouts.get("kinds")
    words = kinds.get(kind) if isinstance(kinds, Mapping) else None
    return words if isinstance(words, Mapping) else {}


def _labels(value: object) -> dict[str, str] | None:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, Mapping) else None


def _part(part: Mapping[str, Any], snap: InspectionSnapshot, texts: Mapping[str, str],
          index: EvidenceIndex, layouts: Mapping[str, Any],
          options: BuildOptions) -> Sequence[D.Block]:
    kind = part.get("part")
    heading = str(part.get("heading", ""))
    anchor = str(part.get("key") or kind)
    if kind == "contents":
        return [D.Contents(heading or "Contents"), D.PageBreak()]
    if kind == "text":
        text = texts.get(str(part.get("key")), "").strip()
        if not text and part.get("optional"):
            return []
        return [D.Heading(1, heading, anchor), *paragraphs(text, heading.lower())]
    words = _kind_words(layouts, str(snap.inspection.get("kind", "full")))
    if kind == "fact_page":
        return [D.Heading(1, heading, anchor),
                *fact_page(snap, texts.get("fact_page", ""), _labels(words.get("facts")))]
    if kind == "concerns":
        return concerns_part(part, snap, index)
    if kind == "npp":
        return npp_part(part, snap, index)
    if kind == "outcomes_chart":
        return outcomes_chart(heading, snap)
    if kind == "sections":
        return with_education_judgement(sections_part(part, snap, index), snap)
    if kind in ("progress", "irp_progress"):
        # Items of a report written before May 2022 are recommendations (the follow-up scale
        # chosen for the file says so), and the heading names them.
        by_scale = part.get("heading_by_follow_up")
        scale = snap.inspection.get("follow_up_scale")
        if isinstance(by_scale, dict) and isinstance(scale, str) and by_scale.get(scale):
            heading = str(by_scale[scale])
    if kind == "progress":
        return progress_part(heading, snap, texts.get("progress_intro", ""))
    if kind == "irp_progress":
        return irp_progress_part(heading, snap, texts.get("progress_intro", ""))
    if kind == "appendix_about":
        template = part.get("text") or words.get("about")
        return [D.Heading(1, heading, anchor),
                *appendix_about(snap, texts.get("about", ""),
                                str(template) if template else None)]
    if kind == "appendix_team":
        return [D.Heading(1, heading, anchor), *appendix_team(snap)]
    if kind == "appendix_evidence":
        if not options.evidence_index:
            return []
        return [D.Heading(1, heading, anchor), *appendix_evidence(snap, index)]
    if kind == "appendix_glossary":
        return [D.Heading(1, heading, anchor), *appendix_glossary(layouts)]
    raise ValueError(f"unknown report part '{kind}'")

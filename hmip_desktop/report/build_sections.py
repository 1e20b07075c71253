"""One report section per framework section: the agreed score and its descriptor, then the
findings area by area in framework order, each with the evidence it rests on.

Each inspector keeps their own findings for an area (services/scoring.set_findings); a
published report speaks with one voice. Decision: where more than one inspector wrote on an
area, the draft says so in a marker ("[to be completed: one text from the findings of A and
B]") and heads each one's text with whose draft it is, so the team leader merges them in the
editable DOCX; one author's findings print as they are."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from hmip_desktop.domain import records as R
from hmip_desktop.domain import report_doc as D
from hmip_desktop.domain.entity import EntityView
from hmip_desktop.domain.framework import Area, Section
from hmip_desktop.domain.framework_nation import area_ref, inspection_nation
from hmip_desktop.domain.report_snapshot import InspectionSnapshot
from hmip_desktop.domain.wording import and_list
from hmip_desktop.report.build_outcomes import EvidenceIndex, agreed_values
from hmip_desktop.report.prose import marker, paragraphs


def _findings_by_area(snap: InspectionSnapshot) -> dict[tuple[str, str], list[EntityView]]:
    out: dict[tuple[str, str], list[EntityView]] = defaultdict(list)
    for e in snap.of(R.FINDINGS):
        if str(e.payload.get("text", "")).strip():
            out[(str(e.payload.get("section_key")), str(e.payload.get("area_key") or ""))].append(e)
    for views in out.values():
        # Several inspectors may write on one area: a stable order by author, then record.
        views.sort(key=lambda e: (str(e.payload.get("author_name", "")).casefold(), e.id))
    return out


def _finding_blocks(views: list[EntityView], where: str,
                    names: Mapping[str, str]) -> list[D.Block]:
    """The findings written on one area (or section), attributed when there are several."""
    authors = {e.created_by: _author(e, names) for e in views}
    if len(authors) <= 1:
        return [b for e in views for b in paragraphs(str(e.payload.get("text", "")), None, where)]
    first = marker(f"one text from the findings of {and_list(list(authors.values()))}")
    out: list[D.Block] = [first]
    for e in views:
        out.append(D.Paragraph(f"Drafted by {authors[e.created_by]}:", style="meta",
                               where=where))
        out += paragraphs(str(e.payload.get("text", "")), None, where)
    return out


def _author(finding: EntityView, names: Mapping[str, str]) -> str:
    """The roster's name for whoever wrote it (its revisions are signed by them), else the
    name it was saved with, else the end of their id: never two authors read the same."""
    author = finding.created_by
    name = names.get(author) or str(finding.payload.get("author_name") or "").strip()
    return name or f"an inspector (…{author[-6:]})"


def _evidence_by_ref(snap: InspectionSnapshot,
                     check: Callable[[], None]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for link in sorted(snap.of(R.LINK), key=lambda e: (e.created_hlc, e.id)):
        check()
        ref, eid = str(link.payload.get("expectation_ref", "")), str(
            link.payload.get("evidence_id", ""))
        if eid and eid not in out[ref]:
            out[ref].append(eid)
    return out


def _score_blocks(sec: Section, snap: InspectionSnapshot,
                  agreed: Mapping[str, EntityView]) -> list[D.Block]:
    key, label = sec.key, sec.label
    fw = snap.framework
    if not fw.scale.graded:
        return []
    if not fw.is_judged(sec):
        return [D.Paragraph("This section is reported on but not scored.", style="meta")]
    score = agreed.get(key)
    if score is None:
        return [marker(f"agreed score for {label}")]
    level_key = str(score.payload.get("level_key", ""))
    level = fw.scale.level(level_key)
    out: list[D.Block] = [D.Paragraph(f"Score: {score.payload.get('level_label', '')}",
                                      style="lead", where=f"{label} score")]
    descriptor = level.descriptor if level is not None else ""
    if descriptor and level is not None:
        note = "" if level.descriptor_verified else \
            " (descriptor wording not verified against HMIP's published text)"
        out.append(D.Paragraph(descriptor + note, style="quote"))
    return out


def sections_part(part: Mapping[str, Any], snap: InspectionSnapshot,
                  index: EvidenceIndex) -> list[D.Block]:
    """Every framework section in order, with score, findings and evidence references."""
    # Only the areas that apply in the inspection's nation are reported (Ofsted's education
    # in England, Estyn's in Wales).
    fw = snap.framework.for_nation(inspection_nation(snap.inspection))
    prefix = str(part.get("heading_prefix") or "").strip()
    findings = _findings_by_area(snap)
    names = {m.author_id: m.name for m in snap.team if m.author_id and m.name}
    evidence = _evidence_by_ref(snap, index.check)
    agreed = agreed_values(snap)
    out: list[D.Block] = []
    for n, sec in enumerate(fw.sections, start=1):
        index.check()
        key, label = sec.key, sec.label
        heading = f"{prefix} {n}: {label}" if prefix else label
        out += [D.PageBreak(), D.Heading(1, heading, f"section-{key}")]
        out += _score_blocks(sec, snap, agreed)
        out += _finding_blocks(findings.get((key, ""), []), label, names)
        areas = sec.areas
        if not areas and not findings.get((key, "")):
            out.append(marker(f"findings for {label}"))
        for ar in areas:
            index.check()
            out += _area_blocks(sec, ar, findings, evidence, index, names)
    return out


def _area_blocks(sec: Section, ar: Area,
                 findings: Mapping[tuple[str, str], list[EntityView]],
                 evidence: Mapping[str, list[str]], index: EvidenceIndex,
                 names: Mapping[str, str]) -> list[D.Block]:
    key, akey = sec.key, ar.key
    label = ar.label
    where = f"{sec.label} › {label}"
    out: list[D.Block] = [D.Heading(2, label, f"area-{key}-{akey}")]
    texts = findings.get((key, akey), [])
    out += _finding_blocks(texts, where, names)
    if not texts:
        out.append(marker(f"findings for {label}"))
    cited: list[str] = []
    for exp in ar.expectations:
        for eid in evidence.get(exp.number, []):
            if eid not in cited:
                cited.append(eid)
    for eid in evidence.get(area_ref(key, akey), []):
        if eid not in cited:
            cited.append(eid)
    out += index.note(cited, label)
    out += index.figures(cited, label)
    return out

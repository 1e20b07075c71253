"""The report's parts other than the per-section findings: facts, concerns, positive practice,
the outcomes chart, progress on previous items and the appendices."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from hmip_desktop.domain import action_plan as AP
from hmip_desktop.domain import records as R
from hmip_desktop.domain import report_doc as D
from hmip_desktop.domain import scoring as S
from hmip_desktop.domain.concerns import addressees_from, previous_item_order, report_order
from hmip_desktop.domain.date_words import date_range, from_hlc, long_date
from hmip_desktop.domain.entity import EntityView
from hmip_desktop.domain.framework import Framework
from hmip_desktop.domain.lifecycle import EDUCATION_SECTION, education_text
from hmip_desktop.domain.readiness import EVIDENCE_TYPES, evidence_source_kind
from hmip_desktop.domain.report_snapshot import InspectionSnapshot
from hmip_desktop.domain.wording import and_list, plural
from hmip_desktop.report.prose import marker, paragraphs

GLOSSARY_HEADER = ("Abbreviation", "Meaning")
_TYPE_NOUNS = {R.NOTE: "Note", R.DOCUMENT: "Document", R.EXTRACT: "Data extract",
               R.FIGURE: "Figure"}


def report_evidence(snap: InspectionSnapshot) -> list[EntityView]:
    """What counts as evidence in the report: one definition for Appendix I's count ("They
    gathered N pieces of evidence") and its table by source, and for Appendix III's index.

    A piece of evidence is every live note, document, data extract and pinned figure of the
    inspection (the records the Evidence page holds and a link can cite, domain EVIDENCE_TYPES),
    whether or not the report cites it; a link is not evidence, and neither is a score. The
    Overview counts the same four types. Appendix III numbers what the report cites (E1, E2, …)
    and says how many of the rest were gathered but not cited, so its total is Appendix I's.
    """
    return [e for t in EVIDENCE_TYPES for e in snap.of(t)]


class EvidenceIndex:
    """Numbers evidence in the order the report first cites it ("E1", "E2", …).

    `check` raises Cancelled once the export is cancelled: every part that cites evidence
    holds the index, so its loops (sections, areas, concerns, the evidence appendix) call
    `index.check()` without another argument threaded through.
    """

    def __init__(self, snap: InspectionSnapshot,
                 check: Callable[[], None] = lambda: None) -> None:
        self.check = check
        self._records = {e.id: e for e in report_evidence(snap)}
        self._refs: dict[str, str] = {}

    def cite(self, evidence_ids: Iterable[str]) -> list[str]:
        """References for the live evidence among these ids, numbering new ones."""
        out = []
        for eid in evidence_ids:
            self.check()
            if eid not in self._records:
                continue
            if eid not in self._refs:
                self._refs[eid] = f"E{len(self._refs) + 1}"
            if self._refs[eid] not in out:
                out.append(self._refs[eid])
        return out

    def note(self, evidence_ids: Iterable[str], where: str = "") -> list[D.Block]:
        """A small "Evidence: E1, E4" line, or nothing when no evidence is cited."""
        # In number order: references are numbered on first citation anywhere in the report,
        # so one record's list in citing order read "E1, E2, E10, E12, E3".
        refs = sorted(self.cite(evidence_ids), key=lambda ref: int(ref[1:]))
        return [D.Paragraph("Evidence: " + ", ".join(refs), style="small", where=where)] \
            if refs else []

    def figures(self, evidence_ids: Iterable[str], where: str = "") -> list[D.Block]:
        """Charts of the pinned figures among these ids, where they are cited."""
        out: list[D.Block] = []
        for eid in evidence_ids:
            e = self._records.get(eid)
            if e is not None and e.type == R.FIGURE:
                out.append(figure_chart(e, self.cite([eid])[0], where))
        return out

    def cited(self) -> list[tuple[str, EntityView]]:
        """(reference, record) of everything cited, in reference order."""
        return [(ref, self._records[eid]) for eid, ref in self._refs.items()]


def figure_chart(e: EntityView, ref: str, where: str) -> D.FigureChart:
    """A pinned figure's frozen result as a chart block."""
    result = e.payload.get("result") or {}
    rows = [r for r in result.get("rows") or [] if isinstance(r, list | tuple) and len(r) == 2]
    values = []
    for _k, v in rows:
        try:
            values.append(float(v))
        except (TypeError, ValueError):
            values.append(0.0)
    caption = str(e.payload.get("caption", ""))
    return D.FigureChart(title=f"{ref}: {caption}", labels=tuple(str(k) for k, _ in rows),
                         values=tuple(values), value_label=str(result.get("value_label", "")),
                         caption=f"Source: {e.payload.get('extract_name', 'data extract')}",
                         where=where)


def section_labels(framework: Framework) -> dict[str, str]:
    """Section key → label, in framework order."""
    return {s.key: s.label for s in framework.sections}


def fact_page(snap: InspectionSnapshot, extra: str,
              labels: Mapping[str, str] | None = None) -> list[D.Block]:
    """Generated facts about the establishment and inspection, then the leader's own text.
    `labels` words the kind, dates and framework rows for the kind of file (outlines.json)."""
    insp, fw = snap.inspection, snap.framework
    label = {"kind": "Kind of inspection", "dates": "Dates of inspection",
             "framework": "Inspected against", **(labels or {})}
    leader = next((m.name for m in snap.team if m.active and m.role_label == "Team leader"), "")
    rows = [("Establishment", str(insp.get("establishment_name", ""))),
            ("Type of establishment", snap.establishment_type_label),
            (label["kind"], R.INSPECTION_KINDS.get(str(insp.get("kind")), "")),
            (label["dates"], date_range(insp.get("start_date"), insp.get("end_date"))),
            (label["framework"], fw.published_name),
            ("Team leader", leader or "[to be completed: team leader]")]
    return [D.Table(("Fact", "Detail"), tuple(rows), (1, 3)),
            *paragraphs(extra, "role of the establishment, population and operator")]


def _ordered_concerns(snap: InspectionSnapshot) -> list[tuple[EntityView, str]]:
    concerns = {e.id: e for e in snap.of(R.CONCERN)}
    order = report_order([(e.id, bool(e.payload.get("priority")),
                           int(e.payload.get("order") or 0)) for e in concerns.values()])
    return [(concerns[cid], ref) for cid, ref in order]


def concerns_part(part: Mapping[str, Any], snap: InspectionSnapshot,
                  index: EvidenceIndex) -> list[D.Block]:
    """Priority concerns first, then key concerns, numbered as the action plan numbers them."""
    labels = section_labels(snap.framework)
    to = {a.key: a.label for a in addressees_from(snap.framework_data)}
    out: list[D.Block] = [D.Heading(1, str(part.get("heading")), "concerns")]
    ordered = _ordered_concerns(snap)
    if not ordered:
        return [*out, marker("priority and key concerns")]
    for priority in (True, False):
        group = [(e, ref) for e, ref in ordered if bool(e.payload.get("priority")) == priority]
        if not group:
            continue
        heading = part.get("priority_heading" if priority else "key_heading")
        kind_label = str(part.get("priority_label" if priority else "key_label"))
        out.append(D.Heading(2, str(heading), "priority" if priority else "key"))
        for e, ref in group:
            index.check()
            p = e.payload
            secs = ", ".join(labels.get(str(k), str(k)) for k in p.get("sections") or [])
            concern = D.Concern(ref, str(p.get("title", "")), str(p.get("body", "")), kind_label,
                                secs, to.get(str(p.get("addressee") or ""), ""))
            ev = list(p.get("evidence_ids") or [])
            out += [concern, *index.note(ev, concern.where), *index.figures(ev, concern.where)]
    return out


def npp_part(part: Mapping[str, Any], snap: InspectionSnapshot,
             index: EvidenceIndex) -> list[D.Block]:
    """Notable positive practice, numbered in register order."""
    labels = section_labels(snap.framework)
    entries = sorted(snap.of(R.NPP), key=lambda e: (int(e.payload.get("order") or 0),
                                                      e.created_hlc, e.id))
    out: list[D.Block] = [D.Heading(1, str(part.get("heading")), "npp")]
    if not entries:
        return [*out, D.Paragraph("No notable positive practice was recorded.", style="meta")]
    for n, e in enumerate(entries, start=1):
        index.check()
        p = e.payload
        secs = ", ".join(labels.get(str(k), str(k)) for k in p.get("sections") or [])
        block = D.Concern(str(n), str(p.get("title", "")), str(p.get("body", "")),
                          str(part.get("label", "Notable positive practice")), secs, "")
        out += [block, *index.note(p.get("evidence_ids") or [], block.where)]
    return out


def agreed_values(snap: InspectionSnapshot) -> dict[str, EntityView]:
    """The agreed score record of each section that has one."""
    return {str(e.payload.get("section_key")): e for e in snap.of(R.SCORE)
            if e.payload.get("kind") == S.AGREED}


def outcomes_chart(heading: str, snap: InspectionSnapshot) -> list[D.Block]:
    """This inspection's agreed scores per test and, when recorded, the previous ones."""
    fw = snap.framework
    scale = fw.scale
    if not scale.graded:
        return []
    agreed = agreed_values(snap)
    previous = snap.inspection.get("previous_scores") or {}
    year = str(snap.inspection.get("previous_year") or "")
    rows = []
    for sec in fw.judged_sections:
        key = sec.key
        cur = agreed.get(key)
        prev = previous.get(key) if isinstance(previous, Mapping) else None
        rows.append((sec.label,
                     cur.payload.get("value") if cur else None,
                     prev if isinstance(prev, int) else None))
    levels = tuple((lv.value, lv.label) for lv in scale.levels if lv.value is not None)
    start = long_date(snap.inspection.get("start_date"))[-4:]
    # No title of its own: the part's heading names the chart right above it (with the
    # heading as its caption too, "Healthy prison outcomes" was printed twice in a row).
    chart = D.ScoreChart("", levels, tuple(rows), f"This inspection {start}".strip(),
                         f"Previous inspection {year}".strip() if any(r[2] for r in rows)
                         else "")
    out: list[D.Block] = [D.Heading(1, heading, "outcomes"), chart]
    missing = [label for label, cur, _p in rows if cur is None]
    if missing:
        out.append(marker("agreed scores for " + ", ".join(missing)))
    education = education_judgement_line(snap)
    if education is not None:
        out.append(education)
    return out


def education_judgement_line(snap: InspectionSnapshot) -> D.Paragraph | None:
    """Ofsted's (or Estyn's) own judgement of education, reported with purposeful activity."""
    text = education_text(snap.inspection)
    return D.Paragraph(text, style="lead", where="Education judgement") if text else None


def with_education_judgement(blocks: list[D.Block], snap: InspectionSnapshot) -> list[D.Block]:
    """The sections part with the education judgement placed right after the purposeful
    activity section's healthy prison score (or its gap marker)."""
    line = education_judgement_line(snap)
    at = next((i for i, b in enumerate(blocks) if isinstance(b, D.Heading)
               and b.key == f"section-{EDUCATION_SECTION}"), None)
    if line is None or at is None:
        return blocks
    at += 1
    after = blocks[at] if at < len(blocks) else None
    if isinstance(after, D.Paragraph) and after.style in ("lead", "marker"):
        at += 1  # the score line, or the marker standing for it
    return [*blocks[:at], line, *blocks[at:]]


def _previous_items(snap: InspectionSnapshot) -> list[EntityView]:
    return sorted(snap.of(R.PREVIOUS_ITEM), key=lambda e: (previous_item_order(e.payload),
                                                           e.id))


def progress_part(heading: str, snap: InspectionSnapshot, intro: str) -> list[D.Block]:
    """Previous concerns or recommendations with the progress judged on each."""
    out: list[D.Block] = [D.Heading(1, heading, "progress"), *paragraphs(intro, None)]
    items = _previous_items(snap)
    if not items:
        return [*out, D.Paragraph("No concerns or recommendations from the last inspection "
                                  "were recorded.", style="meta")]
    rows = []
    for e in items:
        p = e.payload
        judged = snap.progress_by_item.get(e.id)
        verdict = str(judged.payload.get("level_label", "")) if judged else (
            "Not followed up" if p.get("followed_up") is False else "[to be completed]")
        rows.append((str(p.get("ref", "")), str(p.get("title", "")), verdict))
    return [*out, D.Table(("Ref", "Concern or recommendation", "Progress"), tuple(rows),
                          (1, 4, 2), where="Previous items")]


def irp_progress_part(heading: str, snap: InspectionSnapshot, intro: str) -> list[D.Block]:
    """Each followed-up previous item with its progress judgement and rationale (no scores)."""
    out: list[D.Block] = [D.Heading(1, heading, "irp_progress"), *paragraphs(intro, None)]
    items = [e for e in _previous_items(snap) if e.payload.get("followed_up", True)]
    if not items:
        return [*out, marker("the previous concerns followed up in this review")]
    start = AP.visit_start(snap.inspection)
    for e in items:
        p = e.payload
        where = f"Previous item {p.get('ref', '')}"
        out.append(D.Heading(2, f"{p.get('ref', '')} {p.get('title', '')}".strip(), e.id))
        out += paragraphs(str(p.get("text", "")), None, where)
        out += _response(p.get("action_plan"), where, start)
        judged = snap.progress_by_item.get(e.id)
        if judged is None:
            out.append(marker("progress judgement"))
            continue
        out.append(D.Paragraph(f"Judgement: {judged.payload.get('level_label', '')}",
                               style="lead", where=where))
        out += paragraphs(str(judged.payload.get("rationale", "")), "rationale", where)
    return out


def _response(plan: object, where: str, start: str | None = None) -> list[D.Block]:
    """The establishment's action-plan response to a previous concern, when it was imported:
    the response, the part agreed or the reasons, and each step with its owner and date; a
    step due before this visit's first day (`start`) and not reported complete is called
    overdue in words, by the rule the Scoring screen uses (AP.Step.due_before)."""
    answer = AP.read(plan)
    if answer is None:
        return []
    text = f"Action plan response: {answer.label}"
    if answer.explanation:
        text += f". {AP.EXPLANATION_NAMES[answer.response]}: {answer.explanation}"
    if len(answer.steps) == 1:
        return [D.Paragraph(text + f". Action: {_step(answer.steps[0], start)}", style="meta",
                            where=where)]
    return [D.Paragraph(text, style="meta", where=where),
            *(D.Paragraph(f"Step {n}: {_step(step, start)}", style="meta", where=where)
              for n, step in enumerate(answer.steps, start=1))]


def _step(step: AP.Step, start: str | None) -> str:
    due = f"by {long_date(step.target_date)}" if step.target_date else ""
    if step.due_before(start):
        due += f" — {AP.OVERDUE_WORDS}"
    extra = [x for x in (f"owner {step.owner}" if step.owner else "", due) if x]
    return (step.action or "[no action given]") + (f" ({', '.join(extra)})" if extra else "")


def evidence_counts(snap: InspectionSnapshot) -> Counter[str]:
    """The report's evidence (report_evidence) by source-kind label."""
    counts: Counter[str] = Counter()
    for e in report_evidence(snap):
        kind = evidence_source_kind(e.type, e.payload)
        counts[R.source_kind_name(kind, snap.people) or "Other"] += 1
    return counts


# The wording when outlines.json gives none for the kind (a framework's own outline for a kind
# the data does not name): it names the kind without claiming how it was judged.
DEFAULT_ABOUT = ("This is the report of the {kind} on site {dates}, with {expectations} as the "
                 "standard. The team gathered {evidence} pieces of evidence, triangulating "
                 "findings across different kinds of source.")


class _Keep(dict):
    """Placeholders the data names but this build does not know stay as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(template: str, values: Mapping[str, str]) -> str:
    """`template` with its {placeholders} filled; text that is not a valid template (a stray
    brace in an edited data file) is used as it is rather than failing the report."""
    try:
        return template.format_map(_Keep(values))
    except (ValueError, IndexError, AttributeError, KeyError):
        return template


def appendix_about(snap: InspectionSnapshot, extra: str,
                   template: str | None = None) -> list[D.Block]:
    """How the inspection or review was done, in the kind's own words (outlines.json): kind,
    dates, framework and evidence gathered."""
    insp, fw = snap.inspection, snap.framework
    counts = evidence_counts(snap)
    values = {
        "kind": R.INSPECTION_KINDS.get(str(insp.get("kind")), "inspection").lower(),
        "dates": date_range(insp.get("start_date"), insp.get("end_date"))
        or "[dates to be added]",
        "framework": fw.title or "the Expectations", "edition": fw.edition,
        # Title and edition as published: never the framework's working notes.
        "expectations": fw.published_name or "the Expectations",
        "evidence": str(sum(counts.values()))}
    out: list[D.Block] = [D.Paragraph(fill(template or DEFAULT_ABOUT, values))]
    if counts:
        out.append(D.Table(("Source of evidence", "Number"),
                           tuple((k, str(v)) for k, v in sorted(counts.items())), (3, 1)))
    return out + paragraphs(extra, None)


def appendix_team(snap: InspectionSnapshot) -> list[D.Block]:
    """The inspection team from the roster."""
    members = [m for m in snap.team if m.active]
    if not members:
        return [marker("inspection team (set up the team roster on Team & sync)")]
    return [D.Table(("Name", "Role"), tuple((m.name, m.role_label) for m in members), (2, 2),
                    where="Inspection team")]


def appendix_evidence(snap: InspectionSnapshot, index: EvidenceIndex) -> list[D.Block]:
    """Counts by source kind, triangulation per section and every cited piece of evidence."""
    out: list[D.Block] = []
    tri = [(s.label, str(s.expectations_total), str(s.expectations_covered),
            str(s.expectations_triangulated)) for s in snap.readiness.sections]
    if tri:
        out += [D.Heading(2, "Triangulation by section", "triangulation"),
                D.Table(("Section", "Expectations", "With evidence", "Triangulated"),
                        tuple(tri), (3, 1, 1, 1))]
    rows = []
    for ref, e in index.cited():
        index.check()
        p = e.payload
        kind = evidence_source_kind(e.type, p)
        title = p.get("title") or p.get("name") or p.get("caption") or ""
        date = str(p.get("occurred_at") or "")[:10] or from_hlc(e.created_hlc)
        rows.append((ref, _TYPE_NOUNS.get(e.type, e.type),
                     R.source_kind_name(kind, snap.people) or "", date, str(title)))
    out.append(D.Heading(2, "Evidence cited in this report", "evidence_cited"))
    total = report_evidence(snap)
    cited = {e.id for _ref, e in index.cited()}
    uncited = Counter(_TYPE_NOUNS.get(e.type, e.type).lower() for e in total
                      if e.id not in cited)
    out.append(D.Paragraph(_cited_words(len(rows), len(total), uncited), style="meta"))
    if not rows:
        return out
    return [*out, D.Table(("Ref", "Record", "Source", "Date", "Title"), tuple(rows),
                          (1, 2, 3, 2, 5), where="Evidence index")]


def _cited_words(cited: int, total: int, uncited: Counter[str]) -> str:
    """'This report cites 16 of the 17 pieces of evidence gathered (Appendix I); the other
    one, a figure, is not cited.' — Appendix III's total said in Appendix I's terms."""
    if not total:
        return "No evidence was gathered."
    if cited == total:
        return (f"This report cites all {plural(total, 'piece')} of evidence gathered."
                if total > 1 else "This report cites the one piece of evidence gathered.")
    rest = and_list([plural(n, noun) for noun, n in sorted(uncited.items())])
    head = (f"This report cites {cited} of the {plural(total, 'piece')} of evidence gathered"
            if cited else f"This report cites none of the {plural(total, 'piece')} of "
            "evidence gathered")
    return f"{head}; not cited: {rest}."


def appendix_glossary(layouts: Mapping[str, Any]) -> list[D.Block]:
    """The abbreviations the report may use."""
    rows = tuple((str(a), str(b)) for a, b in layouts.get("glossary") or [])
    return [D.Table(GLOSSARY_HEADER, rows, (1, 4))]

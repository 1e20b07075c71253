"""Small `ReportDocument`s built directly, shared by the PDF and DOCX renderer tests.

Built by hand rather than through the report builder so renderer tests do not depend on
storage or services, and every block type appears at least once.
"""

from __future__ import annotations

from dataclasses import replace

from hmip_desktop.domain import report_doc as rd

ESTABLISHMENT = "HMP Ŵrexham"
TRICKY = 'Staff said “it’s fine” – but <b>not</b> & Co. said "no" — ŷ Ŷ ŵ Ŵ'

# Scale of the healthy prison tests, best first, as the builder passes it.
LEVELS: tuple[tuple[int, str], ...] = (
    (4, "Good"), (3, "Reasonably good"), (2, "Not sufficiently good"), (1, "Poor"))


def headings_in(doc: rd.ReportDocument) -> list[str]:
    """Heading texts in document order."""
    return [h.text for h in doc.headings()]


def sample_document(*, invariant: bool = True, marking: str = "OFFICIAL-SENSITIVE",
                    notes: tuple[str, ...] = ("Scores not agreed for Purposeful activity",),
                    extra_blocks: tuple[rd.Block, ...] = ()) -> rd.ReportDocument:
    """A few pages with every block type, Welsh letters and characters that need escaping."""
    blocks: list[rd.Block] = [
        rd.Contents(),
        rd.Heading(1, "Introduction", "intro"),
        rd.Paragraph("This report describes what we found at " + ESTABLISHMENT + ".", "lead"),
        rd.Paragraph(TRICKY),
        rd.Paragraph("[to be completed: summary of the previous inspection]", "marker"),
        rd.Heading(2, "About this inspection", "intro-about"),
        rd.Paragraph("Inspectors spoke to prisoners & staff.", "small"),
        rd.Paragraph("It is the best place I have been in.", "quote"),
        rd.Paragraph("Fieldwork: 16–27 November 2026", "meta"),
        rd.ItemList(("Safety", "Respect", "Purposeful activity"), ordered=False),
        rd.ItemList(("Third point", "Fourth point"), ordered=True, start=3),
        rd.Heading(1, "Summary of key findings", "summary"),
        rd.ScoreChart(
            title="Healthy prison outcomes",
            levels=LEVELS,
            rows=(("Safety", 2, 3), ("Respect", 3, 3), ("Purposeful activity", None, 1),
                  ("Preparation for release", 4, None)),
            current_label="2026", previous_label="2023"),
        rd.Heading(2, "Key concerns", "summary-concerns"),
        rd.Concern("1", "Violence was high", "Levels of violence had risen since 2023.",
                   "Priority concern", "Safety", "The governor"),
        rd.Concern("2", "Too little time out of cell", "Many spent 22 hours locked up.",
                   "Key concern", "Purposeful activity", ""),
        rd.Heading(3, "Figures", "summary-figures"),
        rd.FigureChart("Use of force by month", ("Jan", "Feb", "Mar"), (12.0, 7.5, 20.0),
                       "Incidents", caption="Source: use of force log", where="Figure 1"),
        rd.PageBreak(),
        rd.Heading(1, "Appendix: evidence index", "appendix"),
        rd.Table(header=("Ref", "Source", "Summary"),
                 rows=tuple((str(i), "Observation", f"Row {i} & <notes> on C wing " * 3)
                            for i in range(1, 60)),
                 widths=(1, 2, 6), caption="Evidence index"),
        *extra_blocks,
    ]
    cover = rd.Cover(
        title=f"Report on an unannounced inspection of {ESTABLISHMENT}",
        establishment=ESTABLISHMENT, establishment_type="Adult male prison",
        dates="16–27 November 2026", kind_label="Full inspection", notes=notes)
    return rd.ReportDocument(
        title=f"Draft report: {ESTABLISHMENT}", author="HM Inspectorate of Prisons",
        subject="Unannounced inspection 2026", language="en-GB", marking=marking,
        running_header=ESTABLISHMENT, created="2026-11-30", cover=cover,
        blocks=tuple(blocks), invariant=invariant)


def with_blocks(doc: rd.ReportDocument, blocks: tuple[rd.Block, ...]) -> rd.ReportDocument:
    """The same document with other body blocks."""
    return replace(doc, blocks=blocks)

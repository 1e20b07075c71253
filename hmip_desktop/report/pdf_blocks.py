"""The report document's blocks as ReportLab flowables (cover first), page-independent.

Kept apart from the page template in `pdf.py` so a bare `SimpleDocTemplate` can lay out the
very same flowables (the benchmark's baseline). User text always goes through `markup()`:
it may contain "<" and "&", which Paragraph would otherwise read as markup.
"""

from __future__ import annotations

from collections.abc import Callable

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, LongTable, PageBreak, Spacer, TableStyle
from reportlab.platypus import Paragraph as RLParagraph

from hmip_desktop.domain import report_doc as rd
from hmip_desktop.domain.steps import Steps
from hmip_desktop.report.charts import figure_chart, score_chart
from hmip_desktop.report.pdf_styles import (
    FRAME_HEIGHT,
    FRAME_WIDTH,
    HEADER_FILL,
    REGULAR,
    RULE,
    Styles,
    clean,
    markup,
    pieces,
    split_blocks,
    styles,
)

NOT_YET_COMPLETE = "Not yet complete"
CONTENTS_NUMBER_WIDTH = 12 * mm


class HeadingParagraph(RLParagraph):
    """A heading; carries what the outline and the table of contents need."""

    def __init__(self, text: str, style, *, level: int, key: str,  # noqa: ANN001
                 in_contents: bool, plain: str) -> None:
        super().__init__(f'<a name="{key}"/>{text}', style)
        self.hmip_level = level
        self.hmip_key = key
        self.hmip_in_contents = in_contents
        self.hmip_plain = plain
        self.hmip_markup = text


class ContentsEntry(Flowable):
    """One line of the table of contents: linked title, dot leader, page number.

    The number is a forward reference: the renderer's template draws a form XObject that it
    defines once the whole document is laid out, so the contents cost one layout pass
    instead of the two or three that `TableOfContents` with `multiBuild` needs. Laid out by
    another template (the benchmark's bare build) the line simply has no number.
    """

    _CALLBACK = "hmipContentsEnd"

    def __init__(self, text: str, key: str, style) -> None:  # noqa: ANN001
        super().__init__()
        self.key = key
        self.style = style
        self.para = RLParagraph(f'<a href="#{key}">{text}</a>'
                                f'<onDraw name="{self._CALLBACK}" label="{key}"/>', style)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        _w, h = self.para.wrap(availWidth, availHeight)
        self.width, self.height = availWidth, h
        return availWidth, h

    def split(self, availWidth: float, availHeight: float) -> list:  # noqa: N803
        return []

    def getSpaceBefore(self) -> float:  # noqa: N802
        return self.para.getSpaceBefore()

    def getSpaceAfter(self) -> float:  # noqa: N802
        return self.para.getSpaceAfter()

    def draw(self) -> None:
        self.canv.setNamedCB(self._CALLBACK, self._line_end)
        self.para.drawOn(self.canv, 0, 0)

    def _line_end(self, canvas: Canvas, _kind: str, _label: str) -> None:
        info = canvas._curr_tx_info  # where the title's last line ended (ReportLab's TOC too)
        x, y = info["cur_x"], info["cur_y"]
        font, size = self.style.fontName, self.style.fontSize
        number_x = self.width - CONTENTS_NUMBER_WIDTH
        dot_w = canvas.stringWidth(" .", font, size)
        dots = int((number_x - x - 4) / dot_w)
        canvas.saveState()
        canvas.setFont(font, size)
        if dots > 0:
            canvas.drawRightString(number_x, y, " ." * dots)
        resolve = getattr(getattr(canvas, "_doctemplate", None), "page_reference", None)
        if resolve is not None:
            resolve(canvas, self.key, self.width, y, font, size)
        canvas.restoreState()


# ---------------------------------------------------------------- flowables


def _cover(doc: rd.ReportDocument, st: Styles) -> list:
    c = doc.cover
    if doc.letter:  # no cover page: the status line (DRAFT) heads the first page
        return [RLParagraph(markup(c.status_line), st.letter_status)] if c.status_line else []
    # The marking is the page furniture's (pdf.py), at the top and foot of the cover as of
    # every page; printed in the flow as well it read twice at the top.
    out: list = [Spacer(1, 20 + 30 * mm), RLParagraph(markup(c.title), st.cover_title)]
    for line in (c.establishment, c.establishment_type, c.kind_label, c.dates):
        if line:
            out.append(RLParagraph(markup(line), st.cover_line))
    if c.status_line:
        out.append(RLParagraph(markup(c.status_line), st.cover_status))
    if c.notes:
        out.append(RLParagraph(NOT_YET_COMPLETE, st.cover_notes_title))
        out.extend(RLParagraph(markup(n), st.bullet, bulletText="•") for n in c.notes)
    out.append(PageBreak())
    return out


def _contents(block: rd.Contents, doc: rd.ReportDocument, st: Styles) -> list:
    out: list = [RLParagraph(markup(block.title), st.contents_title)]
    out += [ContentsEntry(markup(h.text), _key(i), st.toc_levels[_level(h.level) - 1])
            for i, h in enumerate(doc.headings()) if h.in_contents]
    return out


def _key(ordinal: int) -> str:
    # Destination names by position, not Heading.key: keys need not be unique or safe in
    # markup, and an equal heading may appear twice.
    return f"h{ordinal + 1}"


def _paragraphs(text: str, style) -> list:  # noqa: ANN001
    return [RLParagraph(markup(piece), style) for block in split_blocks(text)
            for piece in pieces(block)]


def _level(level: int) -> int:
    return min(max(level, 1), 3)


def _table(block: rd.Table, st: Styles, check: Callable[[], None]) -> list:
    ncols = max([len(block.header)] + [len(r) for r in block.rows])
    if ncols == 0:
        return []
    weights = [w if w > 0 else 1.0 for w in block.widths[:ncols]]
    weights += [1.0] * (ncols - len(weights))
    total = sum(weights)
    widths = [FRAME_WIDTH * w / total for w in weights]

    def cells(row: tuple[str, ...], style) -> list:  # noqa: ANN001
        check()  # a 6,000-row evidence index takes most of a second to parse
        padded = list(row) + [""] * (ncols - len(row))
        return [RLParagraph(markup(text), style) for text in padded]

    data = ([cells(block.header, st.cell_head)] if block.header else [])
    data += [cells(row, st.cell) for row in block.rows]
    header_rows = 1 if block.header else 0
    # The table sets its own default cell font even when every cell is a Paragraph.
    commands = [("FONTNAME", (0, 0), (-1, -1), REGULAR), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.4, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]
    if header_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL))
    out: list = []
    if block.caption:
        out.append(RLParagraph(markup(block.caption), st.caption))
    # LongTable stops measuring rows at the page end, so splitting a long evidence index
    # is linear; splitInRow lets a cell longer than a page continue on the next one.
    out.append(LongTable(data, colWidths=widths, repeatRows=header_rows, splitInRow=1,
                         style=TableStyle(commands), hAlign="LEFT"))
    out.append(Spacer(1, 8))
    return out


def _concern(block: rd.Concern, st: Styles) -> list:
    title = markup(f"{block.number}. {block.title}" if block.number else block.title)
    out: list = [RLParagraph(title, st.concern_title)]
    out.extend(_paragraphs(block.body, st.body))
    meta = [t for t in (block.kind_label, block.section_label) if t]
    if block.addressed_to:
        meta.append(f"Addressed to: {block.addressed_to}")
    if meta:
        out.append(RLParagraph(markup(" · ".join(meta)), st.concern_meta))
    return out


def pdf_flowables(doc: rd.ReportDocument, steps: Steps | None = None) -> list:
    """The flowables of the whole document (cover first); fresh objects on every call.
    `steps` moves block by block and raises Cancelled when the export is cancelled (parsing
    the paragraphs of a large report takes most of a second before layout starts)."""
    steps = steps or Steps()
    st = styles()
    out = _cover(doc, st)
    ordinal = 0
    for n, block in enumerate(doc.blocks):
        steps.at(n, len(doc.blocks))
        if isinstance(block, rd.Heading):
            level = _level(block.level)
            if level == 1 and not doc.letter and out and not isinstance(out[-1], PageBreak):
                out.append(PageBreak())
            out.append(HeadingParagraph(markup(block.text), st.headings[level], level=level,
                                        key=_key(ordinal), in_contents=block.in_contents,
                                        plain=" ".join(clean(block.text).split())))
            ordinal += 1
        elif isinstance(block, rd.Paragraph):
            out.extend(_paragraphs(block.text, st.paragraph(block.style)))
        elif isinstance(block, rd.ItemList):
            for n, item in enumerate(block.items, start=block.start):
                bullet = f"{n}." if block.ordered else "•"
                out.append(RLParagraph(markup(item), st.bullet, bulletText=bullet))
            out.append(Spacer(1, 4))
        elif isinstance(block, rd.Concern):
            out.extend(_concern(block, st))
        elif isinstance(block, rd.Table):
            out.extend(_table(block, st, steps.check))
        elif isinstance(block, rd.ScoreChart):
            if block.title:  # a chart under a heading that names it has none
                out.append(RLParagraph(markup(block.title), st.caption))
            out.append(score_chart(block, FRAME_WIDTH))
            out.append(Spacer(1, 10))
        elif isinstance(block, rd.FigureChart):
            out.append(RLParagraph(markup(block.title), st.caption))
            if block.labels:
                out.append(figure_chart(block, FRAME_WIDTH, FRAME_HEIGHT - 80))
            else:
                out.append(RLParagraph("No figures to show.", st.chart_note))
            if block.caption:
                out.append(RLParagraph(markup(block.caption), st.chart_note))
            out.append(Spacer(1, 10))
        elif isinstance(block, rd.Contents):
            out.extend(_contents(block, doc, st))
        elif isinstance(block, rd.PageBreak) and out and not isinstance(out[-1], PageBreak):
            out.append(PageBreak())
    return out

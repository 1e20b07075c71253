"""The draft report as a Word document: the editors' working copy (written, never read back).

Each block of a `ReportDocument` maps to Word's own constructs so the file behaves like one
an editor made: built-in "Heading 1-3" styles (navigation pane, outline), a real TOC field
Word fills, "List Bullet" / "List Number" lists (numbering restarts per list), real tables
with repeating header rows, and the marking in every page's header and footer.

The healthy prison outcomes chart is a table of score labels only: ReportLab's renderPM has
no raster backend in this environment (neither rl_renderPM nor rlPyCairo is installed), and
drawing with Qt is not allowed outside `ui/`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Length, Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph

from hmip_desktop.domain import report_doc as rd
from hmip_desktop.domain.steps import Steps
from hmip_desktop.report.atomic import atomic_output
from hmip_desktop.report.docx_ooxml import (
    Bookmarks,
    add_complex_field,
    add_simple_field,
    append_row,
    clean,
    creation_time,
    docx_bytes,
    drop_thumbnail,
    repeat_as_header,
    restarted_numbering,
    set_language,
    set_numbering,
    update_fields_on_open,
)

Progress = Callable[[int, int], None]
CancelCheck = Callable[[], bool]

TOC_INSTRUCTION = 'TOC \\o "1-3" \\h \\z \\u'
TOC_PLACEHOLDER = "Right-click to update the table of contents."
NOT_SCORED = "Not scored"

# Our paragraph styles, created in the document so editors can restyle them in one place.
LEAD, SMALL, MARKER, META = "Lead", "Small print", "To be completed", "Meta"
STYLE_FOR = {"body": "Normal", "lead": LEAD, "small": SMALL, "marker": MARKER,
             "quote": "Quote", "meta": META}
# Headings that must stay out of the contents and the navigation pane (outline level 9).
UNLISTED_HEADING = "Unlisted heading {level}"
_GREY = RGBColor(0x59, 0x59, 0x59)
# Shares of the bar: the blocks, then the save (python-docx's save and the ZIP rewrite take
# about two thirds of the blocks' time together). The last percent is the file put in place:
# the bar ends only once it is there, as the PDF's does.
_BLOCKS, _SAVED = 0.6, 0.99


def render_docx(doc: rd.ReportDocument, target: Path, *, progress: Progress | None = None,
                cancel: CancelCheck | None = None) -> None:
    """Write `doc` as a .docx at `target` (atomically; nothing is left behind on Cancel).

    `progress(done, domain.steps.SCALE)` moves block by block and through the save, and
    reports the end only once the file is in place; `cancel()` is polled before each block,
    inside the save and last just before the bytes are written, and True raises `Cancelled`.
    """
    steps = Steps(progress, cancel, message="Export cancelled.")
    blocks, saving = steps.part(0, _BLOCKS), steps.part(_BLOCKS, _SAVED)
    total = len(doc.blocks)
    with atomic_output(Path(target)) as tmp:
        writer = _Writer(doc)
        for done, block in enumerate(doc.blocks):
            blocks.at(done, total)
            writer.block(block)
        blocks.at(total, total)
        data = docx_bytes(writer.finish(), saving)
        steps.check()  # the last Cancel: after it the file is written and put in place
        tmp.write_bytes(data)
    steps.done()


class _Writer:
    """Builds one python-docx document from a ReportDocument, block by block."""

    def __init__(self, doc: rd.ReportDocument) -> None:
        self.doc = doc
        self.word: DocxDocument = docx.Document()
        self.bookmarks = Bookmarks()
        self._style_ids: dict[str, str] = {}
        self.table_style = ("Light Grid Accent 1" if _has_style(self.word, "Light Grid Accent 1")
                            else "Table Grid")
        drop_thumbnail(self.word)
        set_language(self.word, clean(doc.language) or "en-GB")
        _add_styles(self.word)
        _a4(self.word.sections[0])
        if doc.letter:  # no cover section: one section with the body pages' furniture
            self._running_header(self.word.sections[0])
            self._status_line(space_before=0, size=14)
            return
        self._cover()
        body = self.word.add_section(WD_SECTION.NEW_PAGE)
        _a4(body)
        self._running_header(body)

    def add(self, text: str = "", style: str = "Normal") -> DocxParagraph:
        """A body paragraph in `style` (set by id: python-docx's lookup by name is slow)."""
        p = self.word.add_paragraph()
        if style != "Normal":
            style_id = self._style_ids.get(style)
            if style_id is None:
                style_id = self._style_ids[style] = self.word.styles[style].style_id
            p._p.style = style_id
        if text:
            p.add_run(text)
        return p

    # ---- whole document ----------------------------------------------------------------

    def finish(self) -> DocxDocument:
        update_fields_on_open(self.word)
        self._core_properties()
        return self.word

    def _core_properties(self) -> None:
        doc, props = self.doc, self.word.core_properties
        props.title = _prop(doc.title)
        props.author = _prop(doc.author)
        props.last_modified_by = _prop(doc.author)
        props.subject = _prop(doc.subject)
        props.language = _prop(doc.language)
        props.content_status = _prop(doc.cover.status_line)
        props.category = _prop(doc.marking)
        props.comments = ""
        props.keywords = ""
        props.revision = 1
        when = (creation_time(doc.created) if doc.invariant
                else datetime.now(UTC).replace(microsecond=0))
        props.created = when
        props.modified = when

    def _cover(self) -> None:
        doc, cover, w = self.doc, self.doc.cover, self.word
        section = w.sections[0]
        section.different_first_page_header_footer = False
        if doc.marking:  # header and footer; printed in the text as well it read twice
            _marking_paragraph(section.header.paragraphs[0], doc.marking)
            _marking_paragraph(section.footer.paragraphs[0], doc.marking)
        self.add(clean(cover.title), "Title")
        if cover.establishment:
            self.add(clean(cover.establishment), "Subtitle")
        for line in (cover.establishment_type, cover.dates, cover.kind_label):
            if line:
                p = w.add_paragraph()
                p.add_run(clean(line)).font.size = Pt(14)
        self._status_line(space_before=24, size=20)
        if cover.notes:
            p = w.add_paragraph()
            p.paragraph_format.space_before = Pt(18)
            p.paragraph_format.keep_with_next = True
            p.add_run("Not yet complete").bold = True
            for note in cover.notes:
                self.add(clean(note), "List Bullet")

    def _status_line(self, *, space_before: int, size: int) -> None:
        """The cover's status line (DRAFT) in bold red, when it has one."""
        status = self.doc.cover.status_line
        if not status:
            return
        p = self.word.add_paragraph()
        p.paragraph_format.space_before = Pt(space_before)
        run = p.add_run(clean(status))
        run.bold = True
        run.font.size = Pt(size)
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)

    def _running_header(self, section: Section) -> None:
        doc = self.doc
        section.header.is_linked_to_previous = False
        section.footer.is_linked_to_previous = False
        head = section.header.paragraphs[0]
        if doc.marking:
            _marking_paragraph(head, doc.marking)
            head = section.header.add_paragraph()
        head.style = self.word.styles["Header"]
        head.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = head.add_run(clean(doc.running_header))
        run.font.size = Pt(9)
        run.font.color.rgb = _GREY
        foot = section.footer.paragraphs[0]
        foot.style = self.word.styles["Footer"]
        foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
        foot.add_run("Page ")
        add_simple_field(foot, "PAGE", "1")
        foot.add_run(" of ")
        add_simple_field(foot, "NUMPAGES", "1")
        if doc.marking:
            _marking_paragraph(section.footer.add_paragraph(), doc.marking)

    # ---- blocks ------------------------------------------------------------------------

    def block(self, block: rd.Block) -> None:
        match block:
            case rd.Heading():
                self._heading(block)
            case rd.Paragraph():
                self._paragraph(block)
            case rd.ItemList():
                self._list(block)
            case rd.Concern():
                self._concern(block)
            case rd.Table():
                self._table(block.header, block.rows, block.widths, block.caption)
            case rd.ScoreChart():
                self._score_chart(block)
            case rd.FigureChart():
                self._figure_chart(block)
            case rd.Contents():
                self._contents(block)
            case rd.PageBreak():
                self.word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            case _:
                raise TypeError(f"No DOCX rendering for {type(block).__name__}")

    def _heading(self, h: rd.Heading) -> None:
        level = min(max(h.level, 1), 3)
        style = f"Heading {level}" if h.in_contents else UNLISTED_HEADING.format(level=level)
        p = self.add(clean(h.text), style)
        if h.key:
            self.bookmarks.wrap(p, h.key)

    def _paragraph(self, para: rd.Paragraph) -> None:
        style = STYLE_FOR.get(para.style, "Normal")
        for chunk in _chunks(para.text):
            p = self.add("", style)
            run = p.add_run(chunk)
            if para.style == "marker":
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW

    def _list(self, items: rd.ItemList) -> None:
        style = "List Number" if items.ordered else "List Bullet"
        num_id = restarted_numbering(self.word, style, items.start) if items.ordered else None
        for item in items.items:
            p = self.add(clean(item), style)
            if num_id is not None:
                set_numbering(p, num_id)

    def _concern(self, c: rd.Concern) -> None:
        w = self.word
        head = w.add_paragraph()
        head.paragraph_format.keep_with_next = True
        head.paragraph_format.space_before = Pt(12)
        number = clean(c.number).strip()
        if number:
            head.add_run(number if number.endswith(".") else number + ".").bold = True
            head.add_run(" ")
        head.add_run(clean(c.title)).bold = True
        for chunk in _chunks(c.body):
            last = self.add(chunk, "Normal")
        last.paragraph_format.keep_with_next = True  # the meta line stays with the body
        meta = [c.kind_label, c.section_label]
        if c.addressed_to.strip():
            meta.append(f"Addressed to: {c.addressed_to.strip()}")
        line = " · ".join(m for m in meta if m)
        if line:
            self.add(clean(line), META)

    def _score_chart(self, chart: rd.ScoreChart) -> None:
        labels = dict(chart.levels)
        with_previous = bool(chart.previous_label) or any(p is not None for *_, p in chart.rows)
        header = ["Healthy prison test", chart.current_label or "This inspection"]
        if with_previous:
            header.append(chart.previous_label or "Previous inspection")
        rows = []
        for label, current, previous in chart.rows:
            row = [label, _score(labels, current)]
            if with_previous:
                row.append(_score(labels, previous))
            rows.append(tuple(row))
        widths = (3.0, 2.0, 2.0) if with_previous else (3.0, 2.0)
        self._table(tuple(header), tuple(rows), widths, chart.title)

    def _figure_chart(self, fig: rd.FigureChart) -> None:
        rows = tuple((label, _number(value)) for label, value in zip(fig.labels, fig.values,
                                                                     strict=False))
        self._table(("Category", fig.value_label or "Value"), rows, (3.0, 1.0), fig.title,
                    numeric_last=True)
        if fig.caption:
            self.add(clean(fig.caption), SMALL)

    def _table(self, header: tuple[str, ...], rows: tuple[tuple[str, ...], ...],
               widths: tuple[float, ...], caption: str, *, numeric_last: bool = False) -> None:
        w = self.word
        if caption:
            p = self.add(clean(caption), "Caption")
            p.paragraph_format.keep_with_next = True
        cols = max(1, len(header), *(len(r) for r in rows))
        table = w.add_table(rows=1, cols=cols)
        table.style = w.styles[self.table_style]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        col_widths = _column_widths(w.sections[-1], widths, cols)
        for column, width in zip(table.columns, col_widths, strict=True):
            column.width = width
        for c, cell in enumerate(table.rows[0].cells):
            cell.width = col_widths[c]
            para = cell.paragraphs[0]
            para.add_run(clean(header[c]) if c < len(header) else "").bold = True
            if numeric_last and c == cols - 1:
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for values in rows:
            texts = [clean(values[c]) if c < len(values) else "" for c in range(cols)]
            append_row(table, texts, col_widths, right_align_last=numeric_last)
        repeat_as_header(table.rows[0])
        w.add_paragraph()  # keeps the next block from gluing onto the table

    def _contents(self, contents: rd.Contents) -> None:
        self.add(clean(contents.title), "TOC Heading")
        add_complex_field(self.word.add_paragraph(), TOC_INSTRUCTION, TOC_PLACEHOLDER)


# ---- helpers ---------------------------------------------------------------------------


def _has_style(word: DocxDocument, name: str) -> bool:
    try:
        word.styles[name]
    except KeyError:
        return False
    return True


def _add_styles(word: DocxDocument) -> None:
    """Our paragraph styles (based on Normal) and the unlisted heading variants."""
    styles = word.styles
    for name, size, italic, grey in ((LEAD, 13, False, False), (SMALL, 9, False, False),
                                     (MARKER, None, True, False), (META, 9, False, True)):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.quick_style = True
        if size:
            style.font.size = Pt(size)
        if italic:
            style.font.italic = True
        if grey:
            style.font.color.rgb = _GREY
    for level in (1, 2, 3):
        style = styles.add_style(UNLISTED_HEADING.format(level=level), WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[f"Heading {level}"]
        style.next_paragraph_style = styles["Normal"]
        outline = OxmlElement("w:outlineLvl")
        outline.set(qn("w:val"), "9")
        style.element.get_or_add_pPr().append(outline)


def _a4(section: Section) -> None:
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin = section.bottom_margin = Mm(25)
    section.header_distance = section.footer_distance = Mm(12)


def _marking_paragraph(p: DocxParagraph, marking: str) -> None:
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(clean(marking))
    run.bold = True


def _chunks(text: str) -> list[str]:
    """Blank-line separated parts of `text` (each its own Word paragraph); at least one."""
    parts = [part.strip("\n") for part in clean(text).split("\n\n")]
    return [part for part in parts if part.strip()] or [""]


def _prop(value: str) -> str:
    return clean(value)[:255]


def _score(labels: dict[int, str], value: int | None) -> str:
    if value is None:
        return NOT_SCORED
    return labels.get(value, str(value))


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _column_widths(section: Section, weights: tuple[float, ...], cols: int) -> list[Length]:
    usable = int(section.page_width or Mm(210)) - int(section.left_margin or 0) \
        - int(section.right_margin or 0)
    ws = [float(x) for x in weights[:cols] if x and x > 0]
    if len(ws) != cols:
        ws = [1.0] * cols
    total = sum(ws)
    return [Length(int(usable * x / total)) for x in ws]

"""The draft inspection report as PDF, drawn with ReportLab Platypus.

`pdf_flowables()` (in `pdf_blocks`) maps a `ReportDocument` to plain flowables and
`render_pdf()` lays them out with the report's page furniture (running header, "Page N of M",
marking), contents page numbers, outline and metadata. The two are separate so the
benchmark can lay out the very same flowables with a bare `SimpleDocTemplate` and time only
what the renderer adds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from hmip_desktop.domain import report_doc as rd
from hmip_desktop.domain.errors import Cancelled
from hmip_desktop.domain.steps import Steps
from hmip_desktop.report.atomic import atomic_output
from hmip_desktop.report.pdf_blocks import HeadingParagraph, pdf_flowables
from hmip_desktop.report.pdf_styles import (
    BOLD,
    BOTTOM_MARGIN,
    LEFT_MARGIN,
    MUTED,
    PAGE_SIZE,
    REGULAR,
    RIGHT_MARGIN,
    RULE,
    TOP_MARGIN,
    clean,
    drawable,
    register_fonts,
    shown_as_written,
)

__all__ = ["not_shown_as_written", "pdf_flowables", "render_pdf"]

Progress = Callable[[int, int], None]
CancelCheck = Callable[[], bool]
CREATOR = "hmip_desktop"
# The bar's share for turning blocks into flowables (0.7 s of 7 s on a 736-page report);
# layout has the rest.
_FLOWABLES = 0.1
TOTAL_FORM = "hmip-pages"
FOOTER_SIZE = 8

# ---------------------------------------------------------------- page furniture


def _fit(text: str, font: str, size: float, width: float) -> str:
    """One line of furniture text, cut with an ellipsis to fit `width`."""
    text = " ".join(drawable(text).split())
    if stringWidth(text, font, size) <= width:
        return text
    # The longest prefix that fits with the ellipsis, found by halving: cutting one character
    # at a time measured the whole text again each time (seconds for a very long name).
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if stringWidth(text[:mid] + "…", font, size) <= width:
            low = mid
        else:
            high = mid - 1
    return text[:low] + "…"


class ReportTemplate(BaseDocTemplate):
    """The report's pages: a cover ("First", the marking at its top and foot only), then
    body pages ("Later") with furniture; a letter's first page is a body page.

    The template names match SimpleDocTemplate's, so the benchmark's bare build of the same
    flowables switches templates the same way. Numbers not known until the end (the total
    in "Page N of M", contents page numbers) are drawn as form XObjects that `_finish`
    defines just before the file is saved: one layout pass is enough.
    """

    def __init__(self, filename: str, doc: rd.ReportDocument, *, total: int,
                 progress: Progress | None, cancel: CancelCheck | None) -> None:
        super().__init__(
            filename, pagesize=PAGE_SIZE, leftMargin=LEFT_MARGIN, rightMargin=RIGHT_MARGIN,
            topMargin=TOP_MARGIN, bottomMargin=BOTTOM_MARGIN, title=clean(doc.title),
            author=clean(doc.author), subject=clean(doc.subject), creator=CREATOR,
            lang=doc.language or None, invariant=1 if doc.invariant else 0,
            initialFontName=REGULAR, initialFontSize=10, displayDocTitle=1)
        self.report = doc
        self._total = max(total, 1)
        self._progress = progress
        self._cancel = cancel
        self._done = 0
        self._reported = -1
        if progress is not None:
            self.setProgressCallBack(self._on_progress)
        register_fonts()
        # Fitted once: the furniture is the same on every page.
        width = PAGE_SIZE[0] - LEFT_MARGIN - RIGHT_MARGIN
        self._marking = _fit(doc.marking, BOLD, FOOTER_SIZE, width * 0.6)
        self._cover_marking = _fit(doc.marking, BOLD, 9, PAGE_SIZE[0] - 40 * mm)
        self._header = _fit(doc.running_header, REGULAR, FOOTER_SIZE, width - 12 - stringWidth(
            self._marking, BOLD, FOOTER_SIZE))
        self._outline_level = -1
        self._pages = 0
        self._heading_pages: dict[str, int] = {}
        self._referenced: dict[str, tuple[str, float]] = {}
        frame = Frame(LEFT_MARGIN, BOTTOM_MARGIN, PAGE_SIZE[0] - LEFT_MARGIN - RIGHT_MARGIN,
                      PAGE_SIZE[1] - TOP_MARGIN - BOTTOM_MARGIN, id="body")
        self.addPageTemplates([
            # A letter has no cover: its first page has the body pages' furniture.
            PageTemplate("First", [frame],
                         onPage=self._body_page if doc.letter else self._cover_page,
                         autoNextPageTemplate="Later"),
            PageTemplate("Later", [frame], onPage=self._body_page),
        ])

    def make_canvas(self, *args: object, **kwargs: object) -> Canvas:
        """The canvas for `build(canvasmaker=...)`: defines the forward references on save."""
        return _ReportCanvas(*args, finish=self._finish, **kwargs)

    # ReportLab hooks -------------------------------------------------------------
    def beforeDocument(self) -> None:  # noqa: N802
        self.canv.showOutline()
        created = _pdf_date(self.report.created) if self.report.invariant else None
        if created:
            self.canv.setDateFormatter(lambda *_: created)

    def afterPage(self) -> None:  # noqa: N802
        self._pages = self.page

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802
        # Called for every piece drawn, split parts of a long table included.
        if self._cancel is not None and self._cancel():
            raise Cancelled("PDF export cancelled")
        if isinstance(flowable, HeadingParagraph):
            self._heading(flowable)

    def _on_progress(self, kind: str, value: int) -> None:
        # "PROGRESS" is how much of the story is consumed; a split puts the rest back, and
        # a KeepTogether unpacked in place can even make it step back, hence max().
        if kind != "PROGRESS" or self._progress is None:
            return
        self._done = max(self._done, min(value, self._total - 1))
        step = self._done * 100 // self._total   # at most ~100 calls: the UI thread is shared
        if step != self._reported:
            self._reported = step
            self._progress(self._done, self._total)

    def _heading(self, h: HeadingParagraph) -> None:
        self._heading_pages.setdefault(h.hmip_key, self.page)
        # Outline levels may not skip (a level 3 straight after a level 1 would raise).
        level = min(h.hmip_level - 1, self._outline_level + 1)
        self._outline_level = level
        self.canv.addOutlineEntry(h.hmip_plain, h.hmip_key, level=level, closed=level >= 1)

    # forward references --------------------------------------------------------------
    def page_reference(self, canvas: Canvas, key: str, right: float, y: float, font: str,
                       size: float) -> None:
        """Draw the page number of heading `key`, right-aligned at (right, y)."""
        self._referenced[key] = (font, size)
        canvas.saveState()
        canvas.translate(right, y)
        canvas.doForm(f"hmip-page-{key}")
        canvas.restoreState()

    def _finish(self, canvas: Canvas) -> None:
        canvas.beginForm(TOTAL_FORM, lowerx=0, lowery=-5, upperx=100, uppery=20)
        canvas.setFont(REGULAR, FOOTER_SIZE)
        canvas.drawString(0, 0, str(self._pages))
        canvas.endForm()
        for key, (font, size) in sorted(self._referenced.items()):
            canvas.beginForm(f"hmip-page-{key}", lowerx=-100, lowery=-5, upperx=0, uppery=20)
            canvas.setFont(font, size)
            canvas.drawRightString(0, 0, str(self._heading_pages.get(key, "")))
            canvas.endForm()

    # page furniture ----------------------------------------------------------------
    def _cover_page(self, canvas: Canvas, _doc: object) -> None:
        if self._cover_marking:
            canvas.saveState()
            canvas.setFont(BOLD, 9)
            canvas.setFillColor(MUTED)
            mid = PAGE_SIZE[0] / 2
            canvas.drawCentredString(mid, PAGE_SIZE[1] - 12 * mm, self._cover_marking)
            canvas.drawCentredString(mid, 10 * mm, self._cover_marking)
            canvas.restoreState()

    def _body_page(self, canvas: Canvas, _doc: object) -> None:
        left, right = LEFT_MARGIN, PAGE_SIZE[0] - RIGHT_MARGIN
        top = PAGE_SIZE[1] - 14 * mm
        bottom = 12 * mm
        canvas.saveState()
        canvas.setFillColor(MUTED)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(left, top - 3, right, top - 3)
        canvas.line(left, bottom + 9, right, bottom + 9)
        canvas.setFont(REGULAR, FOOTER_SIZE)
        canvas.drawString(left, top, self._header)
        # "Page N of " then the total, which is only known once every page is laid out.
        text = f"Page {self.page} of "
        canvas.drawString(left, bottom, text)
        canvas.saveState()
        canvas.translate(left + stringWidth(text, REGULAR, FOOTER_SIZE), bottom)
        canvas.doForm(TOTAL_FORM)
        canvas.restoreState()
        if self._marking:
            canvas.setFont(BOLD, FOOTER_SIZE)
            canvas.drawRightString(right, top, self._marking)
            canvas.drawRightString(right, bottom, self._marking)
        canvas.restoreState()


class _ReportCanvas(Canvas):
    """A canvas that lets the template define its pending forms before saving."""

    def __init__(self, *args: object, finish: Callable[[Canvas], None], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._hmip_finish = finish

    def save(self) -> None:
        self._hmip_finish(self)
        super().save()


def _pdf_date(created: str) -> str | None:
    """A PDF date string from the document's ISO date, so invariant output has no clock."""
    try:
        day = dt.date.fromisoformat(created[:10])
    except (TypeError, ValueError):
        return None
    return day.strftime("D:%Y%m%d000000+00'00'")


def not_shown_as_written(doc: rd.ReportDocument) -> list[str]:
    """Where (as the disclosure check names places) the PDF of `doc` cannot show text as
    written: characters the fonts lack, printed as [U+…] codes, or right-to-left script."""
    places: list[str] = []
    for where, text in [("Marking", doc.marking), *doc.located_texts()]:
        if where not in places and not shown_as_written(text):
            places.append(where)
    return places


def render_pdf(doc: rd.ReportDocument, target: Path, *, progress: Progress | None = None,
               cancel: CancelCheck | None = None) -> None:
    """Write `doc` as a PDF at `target`; Cancel or any failure leaves no file behind."""
    steps = Steps(progress, cancel, message="PDF export cancelled")
    steps.check()
    story = pdf_flowables(doc, steps.part(0, _FLOWABLES))
    total = len(story)
    layout = steps.part(_FLOWABLES, 1)
    with atomic_output(Path(target)) as tmp:
        template = ReportTemplate(str(tmp), doc, total=total,
                                  progress=layout.report if progress is not None else None,
                                  cancel=cancel)
        template.build(story, canvasmaker=template.make_canvas)
    steps.done()

"""Fonts, colours, page geometry and paragraph styles of the PDF report.

Only the bundled DejaVu TrueType fonts are used: the standard 14 PDF fonts are not embedded
and have no glyphs for Welsh ŵ/ŷ, so every style, the canvas's initial font and the charts
name the registered family explicitly. DejaVu has no CJK and few emoji, and ReportLab neither
joins Arabic letters nor lays out right-to-left text: `drawable()` prints what the fonts lack
as code points and `shown_as_written()` lets the export say where the PDF differs.
"""

from __future__ import annotations

import functools
import re
import threading
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from hmip_desktop.paths import resource_path

FAMILY = "HmipSans"
REGULAR = "HmipSans"
BOLD = "HmipSans-Bold"
ITALIC = "HmipSans-Oblique"
BOLD_ITALIC = "HmipSans-BoldOblique"
_FONT_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    ITALIC: "DejaVuSans-Oblique.ttf",
    BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
}

PAGE_SIZE = A4
LEFT_MARGIN = RIGHT_MARGIN = 22 * mm
TOP_MARGIN = 24 * mm
BOTTOM_MARGIN = 22 * mm
FRAME_PADDING = 6  # ReportLab's Frame default, on each side
# What a flowable can use inside the body frame.
FRAME_WIDTH = PAGE_SIZE[0] - LEFT_MARGIN - RIGHT_MARGIN - 2 * FRAME_PADDING
FRAME_HEIGHT = PAGE_SIZE[1] - TOP_MARGIN - BOTTOM_MARGIN - 2 * FRAME_PADDING

INK = colors.HexColor("#1A1A1A")
MUTED = colors.HexColor("#505A5F")
ACCENT = colors.HexColor("#1D4F6E")
ACCENT_LIGHT = colors.HexColor("#A9C3D3")
RULE = colors.HexColor("#B1B4B6")
HEADER_FILL = colors.HexColor("#E8EEF2")
MARKER_FILL = colors.HexColor("#FFF4B8")

_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register the DejaVu family once per process (exports may run on a worker thread)."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        for name, filename in _FONT_FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(resource_path("fonts", filename))))
        pdfmetrics.registerFontFamily(FAMILY, normal=REGULAR, bold=BOLD, italic=ITALIC,
                                      boldItalic=BOLD_ITALIC)
        _registered = True


# XML 1.0 forbids most C0 controls; ReportLab's paragraph parser fails on them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str) -> str:
    """Plain text without characters that cannot appear in a PDF text run."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


# Joiners and emoji variation selectors belong to the character before them: kept in its run.
_JOINERS = "\u200d\ufe0e\ufe0f"
# Scripts written right to left (Hebrew, Arabic, Syriac, Thaana, N'Ko… and their presentation
# forms); ReportLab without rlbidi and uharfbuzz draws them left to right, letters unjoined.
# The right-to-left embedding, override and isolate controls, which Word obeys, it ignores.
_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\u202b\u202e\u2067"
                            "\U00010800-\U00010fff\U0001e800-\U0001efff]")


@functools.cache
def _undrawable() -> re.Pattern[str]:
    """Runs of characters that the regular or bold face (which carry user text) cannot draw."""
    register_fonts()
    faces = [pdfmetrics.getFont(name).face.charToGlyph for name in (REGULAR, BOLD)]
    # Only the Basic Multilingual Plane: ReportLab writes a character beyond it (DejaVu has
    # a few emoji faces, playing cards, double-struck letters) into the ToUnicode map as five
    # hex digits, which no reader decodes, so it would show but never copy or be found.
    codes = sorted({c for c, glyph in faces[0].items()
                    if glyph and faces[1].get(c) and c <= 0xFFFF} | {ord("\t"), ord("\n")})
    ranges: list[list[int]] = []
    for c in codes:
        if ranges and c == ranges[-1][1] + 1:
            ranges[-1][1] = c
        else:
            ranges.append([c, c])
    drawn = "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "")
                    for a, b in ranges)
    return re.compile(f"[^{drawn}](?:[^{drawn}]|[{_JOINERS}])*")


def _code_points(match: re.Match[str]) -> str:
    return "[" + " ".join(f"U+{ord(c):04X}" for c in match.group(0)) + "]"


def drawable(text: str) -> str:
    """`clean(text)` with each run of characters the fonts have no glyph for written as its
    code points ("[U+738B U+5C0F]"): visible and recoverable, where the font would draw
    empty boxes that extract as nothing."""
    return _undrawable().sub(_code_points, clean(text))


def shown_as_written(text: str) -> bool:
    """False when the PDF cannot show `text` as written: characters the fonts lack, or
    right-to-left script."""
    return not (_undrawable().search(clean(text)) or _RIGHT_TO_LEFT.search(text))


def markup(text: str) -> str:
    """User text as Paragraph markup: escaped, single line breaks kept, only drawable glyphs."""
    return escape(drawable(text)).replace("\n", "<br/>")


# ReportLab re-wraps the rest of a paragraph on every page it splits at, so a paragraph of
# n pages costs O(n^2); past this size a paragraph is laid out in pieces.
LONG_BLOCK = 12_000
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def split_blocks(text: str) -> list[str]:
    """Text cut at blank lines: each piece becomes one Paragraph."""
    parts = re.split(r"\n[ \t]*\n+", clean(text).strip("\n"))
    return [p.strip("\n") for p in parts if p.strip()]


def pieces(block: str, limit: int = LONG_BLOCK) -> list[str]:
    """A block as itself, or, when huge, as runs of its lines (then sentences) of about
    limit/2 characters. A cut at a line break looks the same as the break; a cut between
    sentences ends that visual line early, which only happens in walls of text pages long."""
    if len(block) <= limit:
        return [block]
    units: list[tuple[str, str]] = []   # (text, what joins it to the next unit)
    for line in block.split("\n"):
        if len(line) <= limit // 2:
            units.append((line, "\n"))
        else:
            for sentence in _SENTENCE_END.split(line):
                # No sentence ends either (a pasted list of words): cut between words.
                units.extend((w, " ") for w in (sentence.split(" ")
                                                if len(sentence) > limit // 2 else [sentence]))
            units[-1] = (units[-1][0], "\n")
    out: list[str] = []
    current = ""
    for text, joiner in units:
        if current and len(current) + len(text) > limit // 2:
            out.append(current.rstrip("\n "))
            current = ""
        current += text + joiner
    if current.strip():
        out.append(current.rstrip("\n "))
    return out


def _style(name: str, **kw: object) -> ParagraphStyle:
    base: dict[str, object] = {"fontName": REGULAR, "fontSize": 10, "leading": 14,
                               "textColor": INK, "bulletFontName": REGULAR,
                               "spaceAfter": 6, "alignment": TA_LEFT}
    base.update(kw)
    return ParagraphStyle(name, **base)  # type: ignore[arg-type]


class Styles:
    """Every paragraph style the renderer uses, built once per process."""

    def __init__(self) -> None:
        register_fonts()
        self.body = _style("body")
        self.lead = _style("lead", fontSize=11.5, leading=16, spaceAfter=8)
        self.small = _style("small", fontSize=8.5, leading=11.5)
        self.meta = _style("meta", fontSize=8.5, leading=11.5, textColor=MUTED)
        self.quote = _style("quote", fontName=ITALIC, leftIndent=14 * mm,
                            rightIndent=10 * mm, textColor=MUTED)
        self.marker = _style("marker", fontName=ITALIC, backColor=MARKER_FILL,
                             borderPadding=(2, 3, 2, 3), spaceBefore=2, spaceAfter=8)
        self.headings = {
            1: _style("h1", fontName=BOLD, fontSize=18, leading=23, textColor=ACCENT,
                      spaceBefore=0, spaceAfter=10, keepWithNext=1),
            2: _style("h2", fontName=BOLD, fontSize=14, leading=18, textColor=ACCENT,
                      spaceBefore=10, spaceAfter=6, keepWithNext=1),
            3: _style("h3", fontName=BOLD, fontSize=11.5, leading=15, textColor=INK,
                      spaceBefore=8, spaceAfter=4, keepWithNext=1),
        }
        self.contents_title = _style("contents", fontName=BOLD, fontSize=18, leading=23,
                                     textColor=ACCENT, spaceAfter=12)
        self.toc_levels = [
            _style("toc1", fontName=BOLD, fontSize=10.5, leading=14, spaceBefore=5,
                   rightIndent=16 * mm, spaceAfter=0),
            _style("toc2", fontSize=10, leading=13, leftIndent=8 * mm, rightIndent=16 * mm,
                   spaceAfter=0),
            _style("toc3", fontSize=9, leading=12, leftIndent=16 * mm, rightIndent=16 * mm,
                   spaceAfter=0),
        ]
        self.bullet = _style("bullet", leftIndent=7 * mm, bulletIndent=2 * mm, spaceAfter=3)
        self.concern_title = _style("concern-title", fontName=BOLD, fontSize=10.5,
                                    leading=14, spaceBefore=8, spaceAfter=3, keepWithNext=1)
        self.concern_meta = _style("concern-meta", fontSize=8, leading=10.5,
                                   textColor=MUTED, spaceAfter=8)
        self.caption = _style("caption", fontName=BOLD, fontSize=9.5, leading=12.5,
                              spaceBefore=6, spaceAfter=4, keepWithNext=1)
        self.chart_note = _style("chart-note", fontSize=8, leading=10.5, textColor=MUTED)
        self.cell = _style("cell", fontSize=8.5, leading=11, spaceAfter=0)
        self.cell_head = _style("cell-head", fontName=BOLD, fontSize=8.5, leading=11,
                                spaceAfter=0)
        self.cover_title = _style("cover-title", fontName=BOLD, fontSize=24, leading=30,
                                  textColor=ACCENT, spaceAfter=18)
        self.cover_line = _style("cover-line", fontSize=13, leading=18, spaceAfter=4)
        self.cover_status = _style("cover-status", fontName=BOLD, fontSize=20, leading=26,
                                   textColor=colors.HexColor("#B10E1E"), spaceBefore=24,
                                   spaceAfter=18)
        self.letter_status = _style("letter-status", fontName=BOLD, fontSize=14, leading=18,
                                    textColor=colors.HexColor("#B10E1E"), spaceAfter=10)
        self.cover_notes_title = _style("cover-notes-title", fontName=BOLD, fontSize=11,
                                        leading=15, spaceBefore=12, spaceAfter=4)

    def paragraph(self, name: str) -> ParagraphStyle:
        """The style for a document paragraph style name (unknown names fall back to body)."""
        style = getattr(self, name, None) if name in _PARAGRAPH_NAMES else None
        return style if isinstance(style, ParagraphStyle) else self.body


_PARAGRAPH_NAMES = frozenset({"body", "lead", "small", "marker", "quote", "meta"})
_styles: Styles | None = None


def styles() -> Styles:
    """The shared styles (immutable in use; ParagraphStyle objects are only read)."""
    global _styles
    if _styles is None:
        _styles = Styles()
    return _styles

"""The report as a typed document: what both renderers (PDF and DOCX) draw, and nothing more.

The builder turns a snapshot of an inspection into a `ReportDocument`; the disclosure check
walks its text; the renderers map each block to ReportLab flowables or python-docx
paragraphs. Keeping the document a plain, frozen value means the two outputs cannot disagree
about content, a test can assert on structure without reading a PDF, and redaction is a pure
function of the document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

TextMap = Callable[[str], str]

# Paragraph styles a renderer must know. "marker" is the visible "[to be completed: …]".
# How every gap the draft shows begins (a marker paragraph, a table cell of the fact page or
# the progress table): readiness counts the same gaps (domain/readiness.py).
GAP_PREFIX = "[to be completed"
PARAGRAPH_STYLES = frozenset({"body", "lead", "small", "marker", "quote", "meta"})


@dataclass(frozen=True)
class Heading:
    """A heading; level 1 starts a part of the report. `key` is a stable anchor id."""

    level: int
    text: str
    key: str
    in_contents: bool = True

    def texts(self) -> Iterator[str]:
        yield self.text

    def map_text(self, fn: TextMap) -> Heading:
        return replace(self, text=fn(self.text))


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text. `where` names the item it belongs to (e.g. "Concern 3")."""

    text: str
    style: str = "body"
    where: str = ""

    def texts(self) -> Iterator[str]:
        yield self.text

    def map_text(self, fn: TextMap) -> Paragraph:
        return replace(self, text=fn(self.text))


@dataclass(frozen=True)
class ItemList:
    """A bulleted (ordered=False) or numbered list; numbering starts at `start`."""

    items: tuple[str, ...]
    ordered: bool = False
    start: int = 1
    where: str = ""

    def texts(self) -> Iterator[str]:
        yield from self.items

    def map_text(self, fn: TextMap) -> ItemList:
        return replace(self, items=tuple(fn(t) for t in self.items))


@dataclass(frozen=True)
class Concern:
    """One numbered concern (or recommendation, or notable positive practice)."""

    number: str
    title: str
    body: str
    kind_label: str          # "Priority concern", "Key concern", "Notable positive practice"
    section_label: str       # the healthy prison test or section it belongs to
    addressed_to: str        # "" when the report model names no addressee

    def texts(self) -> Iterator[str]:
        yield from (self.title, self.body, self.section_label, self.addressed_to)

    def map_text(self, fn: TextMap) -> Concern:
        return replace(self, title=fn(self.title), body=fn(self.body),
                       section_label=fn(self.section_label), addressed_to=fn(self.addressed_to))

    @property
    def where(self) -> str:
        return f"{self.kind_label} {self.number}"


@dataclass(frozen=True)
class Table:
    """A real table: a header row and body rows of text; `widths` are relative weights."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] = ()
    caption: str = ""
    where: str = ""

    def texts(self) -> Iterator[str]:
        yield self.caption
        yield from self.header
        for row in self.rows:
            yield from row

    def located(self, where: str) -> Iterator[tuple[str, str]]:
        """(where, text) of each text, a body cell's `where` naming its row by its first cell
        and its column by its heading ('… › Evidence index, row E5, Subject reference'): a
        disclosure hit in a table of hundreds of rows is then found without a search."""
        for t in (self.caption, *self.header):
            if t:
                yield where, t
        for row in self.rows:
            first = row[0][:40] + ("…" if len(row[0]) > 40 else "") if row else ""
            for column, t in enumerate(row):
                if t:
                    heading = self.header[column] if column < len(self.header) else ""
                    yield (f"{where}, row {first}" + (f", {heading}" if heading else "")
                           if first else where), t

    def map_text(self, fn: TextMap) -> Table:
        return replace(self, caption=fn(self.caption), header=tuple(fn(c) for c in self.header),
                       rows=tuple(tuple(fn(c) for c in row) for row in self.rows))


@dataclass(frozen=True)
class ScoreChart:
    """The healthy prison outcomes chart: one row per test, scores as scale values.

    `levels` are the scale's labels from best to worst with their values, so a renderer can
    draw the axis without knowing the scale. A None score is drawn as "not scored".
    """

    title: str  # a caption; empty under a heading that already names the chart
    levels: tuple[tuple[int, str], ...]
    rows: tuple[tuple[str, int | None, int | None], ...]   # (test label, current, previous)
    current_label: str
    previous_label: str = ""

    def texts(self) -> Iterator[str]:
        yield self.title
        for label, _c, _p in self.rows:
            yield label

    def map_text(self, fn: TextMap) -> ScoreChart:
        return self


@dataclass(frozen=True)
class FigureChart:
    """A pinned figure from a data extract: a bar chart of (label, value) pairs."""

    title: str
    labels: tuple[str, ...]
    values: tuple[float, ...]
    value_label: str
    caption: str = ""
    where: str = ""

    def texts(self) -> Iterator[str]:
        yield from (self.title, self.caption)
        yield from self.labels

    def map_text(self, fn: TextMap) -> FigureChart:
        return replace(self, title=fn(self.title), caption=fn(self.caption),
                       labels=tuple(fn(t) for t in self.labels))


@dataclass(frozen=True)
class Contents:
    """Where the table of contents goes (the renderer fills it from the headings)."""

    title: str = "Contents"

    def texts(self) -> Iterator[str]:
        yield from ()

    def map_text(self, fn: TextMap) -> Contents:
        return self


@dataclass(frozen=True)
class PageBreak:
    """Start the next block on a new page."""

    def texts(self) -> Iterator[str]:
        yield from ()

    def map_text(self, fn: TextMap) -> PageBreak:
        return self


Block = (Heading | Paragraph | ItemList | Concern | Table | ScoreChart | FigureChart | Contents
         | PageBreak)


@dataclass(frozen=True)
class Cover:
    """The cover page: who, what, when, and the protective marking."""

    title: str                 # e.g. "Report on an unannounced inspection of HMP Example"
    establishment: str
    establishment_type: str    # the type's label, never its key
    dates: str                 # "16–27 November 2026"
    kind_label: str
    status_line: str = "DRAFT"
    notes: tuple[str, ...] = ()   # e.g. what readiness still reports, shown on the first page

    def texts(self) -> Iterator[str]:
        yield from (self.title, self.establishment, self.establishment_type, self.dates,
                    self.kind_label, self.status_line)
        yield from self.notes

    def map_text(self, fn: TextMap) -> Cover:
        return replace(self, title=fn(self.title), establishment=fn(self.establishment),
                       dates=fn(self.dates), notes=tuple(fn(t) for t in self.notes))


@dataclass(frozen=True)
class ReportDocument:
    """A whole document: metadata for the file, a cover, the marking and the body blocks.

    `marking` is printed in every page's furniture (the cover's included), once per place;
    `running_header` is the establishment name. `created` is an ISO date: with `invariant`
    set the renderers use it and no clock, so the same inspection gives the same bytes.
    A `letter` has no cover page (only the cover's status line, e.g. DRAFT, opens it) and
    its text flows on: no new page for each level-1 heading.
    """

    title: str
    author: str
    subject: str
    language: str
    marking: str
    running_header: str
    created: str
    cover: Cover
    blocks: tuple[Block, ...]
    invariant: bool = False
    glossary: tuple[tuple[str, str], ...] = field(default=())
    letter: bool = False

    def headings(self) -> list[Heading]:
        """Every heading in order (contents, outline, structure tests)."""
        return [b for b in self.blocks if isinstance(b, Heading)]

    def map_text(self, fn: TextMap) -> ReportDocument:
        """The same document with every piece of prose passed through fn (redaction).

        The title, subject and running header repeat the cover's establishment name (in the
        file's properties and on every page), so they are mapped too."""
        return replace(self, title=fn(self.title), subject=fn(self.subject),
                       running_header=fn(self.running_header), cover=self.cover.map_text(fn),
                       blocks=tuple(b.map_text(fn) for b in self.blocks))

    def gaps(self) -> int:
        """How many "[to be completed …]" gaps the body shows."""
        return sum(1 for b in self.blocks for t in b.texts() if t.startswith(GAP_PREFIX))

    def located_texts(self) -> Iterator[tuple[str, str]]:
        """(where, text) for every piece of text that goes out, where = heading path + item."""
        yield from (("Cover", t) for t in self.cover.texts())
        path: list[str] = []
        for b in self.blocks:
            if isinstance(b, Heading):
                path = path[: max(b.level - 1, 0)] + [b.text]
            item = getattr(b, "where", "")
            where = " › ".join(path + ([item] if item else [])) or "Start"
            if isinstance(b, Table):
                yield from b.located(where)
                continue
            for t in b.texts():
                if t:
                    yield where, t

"""The PDF renderer, read back with pypdf: text, fonts, outline, furniture, metadata, atomicity."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from hmip_desktop.domain import report_doc as rd
from hmip_desktop.domain.errors import Cancelled, UserError
from hmip_desktop.report.pdf import pdf_flowables, render_pdf
from tests.report.doc_factory import ESTABLISHMENT, TRICKY, headings_in, sample_document

STANDARD_14 = ("Helvetica", "Times", "Courier", "Symbol", "ZapfDingbats")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[rd.ReportDocument, Path]:
    doc = sample_document()
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    render_pdf(doc, path)
    return doc, path


@pytest.fixture(scope="module")
def reader(sample: tuple[rd.ReportDocument, Path]) -> PdfReader:
    return PdfReader(sample[1])


def page_texts(reader: PdfReader) -> list[str]:
    return [p.extract_text() for p in reader.pages]


def flat_outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, page number) for every outline entry, in order."""
    out: list[tuple[int, str, int]] = []

    def walk(items: list, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return out


def test_headings_appear_in_order_after_the_contents(sample, reader: PdfReader) -> None:
    doc, _ = sample
    texts = page_texts(reader)
    body = "\n".join(texts[2:])  # after the cover and the contents page
    positions = [body.find(h) for h in headings_in(doc)]
    assert -1 not in positions
    assert positions == sorted(positions)


def test_cover_and_welsh_letters_survive_extraction(sample, reader: PdfReader) -> None:
    doc, _ = sample
    cover = " ".join(reader.pages[0].extract_text().split())
    for text in (doc.cover.title, ESTABLISHMENT, "Adult male prison",
                 "Full inspection", "16–27 November 2026", "DRAFT", "OFFICIAL-SENSITIVE",
                 "Not yet complete", "Scores not agreed for Purposeful activity"):
        assert text in cover
    # The running header carries the establishment on every later page.
    assert all(ESTABLISHMENT in t for t in page_texts(reader)[1:])


def test_user_text_is_escaped_not_interpreted(reader: PdfReader) -> None:
    text = "\n".join(page_texts(reader))
    assert TRICKY in text
    assert "Row 3 & <notes> on C wing" in text
    assert "[to be completed: summary of the previous inspection]" in text


def _fonts(reader: PdfReader) -> list:
    fonts = []

    def collect(resources) -> None:  # noqa: ANN001
        resources = resources.get_object() if resources is not None else {}
        for font in resources.get("/Font", {}).values():
            fonts.append(font.get_object())
        for xobj in resources.get("/XObject", {}).values():
            xobj = xobj.get_object()
            if xobj.get("/Subtype") == "/Form":
                collect(xobj.get("/Resources"))

    for page in reader.pages:
        collect(page.get("/Resources"))
    return fonts


def test_only_embedded_truetype_fonts(reader: PdfReader) -> None:
    fonts = _fonts(reader)
    assert fonts
    for font in fonts:
        assert not any(name in font["/BaseFont"] for name in STANDARD_14), font["/BaseFont"]
        assert font["/Subtype"] == "/TrueType"
        assert "/FontFile2" in font["/FontDescriptor"].get_object()
    assert any("DejaVuSans-Bold" in f["/BaseFont"] for f in fonts)
    assert any("DejaVuSans-Oblique" in f["/BaseFont"] for f in fonts)  # quote and marker


def test_outline_has_every_heading_nested_by_level(sample, reader: PdfReader) -> None:
    doc, _ = sample
    assert [(d, t) for d, t, _p in flat_outline(reader)] == [
        (h.level - 1, h.text) for h in doc.headings()]


def test_contents_numbers_are_the_pages_the_headings_are_on(reader: PdfReader) -> None:
    contents = reader.pages[1].extract_text()
    assert "Contents" in contents
    outline = flat_outline(reader)
    for _depth, title, page in outline:
        assert title in contents
        assert title in reader.pages[page - 1].extract_text()
    # The numbers come out in entry order (each is a form drawn beside its title), after
    # the footer's total, which the page furniture draws first.
    numbers = [int(n) for n in re.findall(r"^\s*(\d+)\s*$", contents, re.MULTILINE)]
    assert numbers == [len(reader.pages)] + [page for _d, _t, page in outline]


def test_every_page_but_the_cover_has_header_and_page_n_of_m(reader: PdfReader) -> None:
    texts = page_texts(reader)
    total = len(texts)
    assert total >= 5
    assert "Page" not in texts[0]
    for number, text in enumerate(texts[1:], start=2):
        assert re.search(rf"Page {number} of\s*{total}\b", text), number
        assert text.count("OFFICIAL-SENSITIVE") >= 2  # header and footer


def test_metadata(sample, reader: PdfReader) -> None:
    doc, _ = sample
    meta = reader.metadata
    assert meta.title == doc.title
    assert meta.author == doc.author
    assert meta.subject == doc.subject
    assert meta.creator == "hmip_desktop"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    # Invariant mode dates the file from the document, not the clock.
    assert meta.creation_date is not None and meta.creation_date.date().isoformat() == \
        "2026-11-30"


def test_charts_are_vector_with_scale_labels_and_not_scored(reader: PdfReader) -> None:
    page = next(p for p in reader.pages if "Healthy prison outcomes" in p.extract_text())
    text = page.extract_text()
    for label in ("Reasonably good", "Poor", "Not scored", "Use of force by month", "Feb",
                  "7.5", "Incidents", "Source: use of force log", "2023"):
        assert label in text
    for p in reader.pages:
        xobjects = p["/Resources"].get("/XObject", {})
        assert all(x.get_object().get("/Subtype") != "/Image" for x in xobjects.values())


def test_concern_meta_line(reader: PdfReader) -> None:
    text = "\n".join(page_texts(reader))
    assert "1. Violence was high" in text
    assert "Priority concern · Safety · Addressed to: The governor" in text
    assert "Key concern · Purposeful activity\n" in text  # no addressee, no "Addressed to"


def test_table_header_repeats_on_every_page_it_spans(reader: PdfReader) -> None:
    pages = [t for t in page_texts(reader) if "Row 1 &" in t or "Observation" in t]
    assert len(pages) >= 2
    assert all("Ref" in t and "Summary" in t for t in pages)


def test_invariant_output_is_byte_identical(sample, tmp_path: Path) -> None:
    doc, first = sample
    again = tmp_path / "again.pdf"
    render_pdf(doc, again)
    assert again.read_bytes() == first.read_bytes()


def test_cancel_leaves_no_file(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > 20

    with pytest.raises(Cancelled):
        render_pdf(sample_document(), folder / "out.pdf", cancel=cancel)
    assert len(calls) == 21
    assert list(folder.iterdir()) == []
    with pytest.raises(Cancelled):
        render_pdf(sample_document(), folder / "out.pdf", cancel=lambda: True)
    assert list(folder.iterdir()) == []


def test_failed_export_leaves_nothing_and_keeps_an_old_file(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    target = folder / "out.pdf"
    target.write_bytes(b"old")

    def progress(done: int, total: int) -> None:
        if done > 10:
            raise RuntimeError("disk went away")

    with pytest.raises(RuntimeError):
        render_pdf(sample_document(), target, progress=progress)
    assert [p.name for p in folder.iterdir()] == ["out.pdf"]
    assert target.read_bytes() == b"old"


def test_missing_folder_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError):
        render_pdf(sample_document(), tmp_path / "nowhere" / "out.pdf")


def test_progress_is_monotonic_bounded_and_finishes(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    render_pdf(sample_document(), tmp_path / "out.pdf", progress=lambda d, t: seen.append((d, t)))
    assert seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert all(0 <= d <= t for d, t in seen)
    assert len(seen) <= 102


def test_long_texts_and_awkward_structure_do_not_crash(tmp_path: Path) -> None:
    words = " ".join(f"word{i}" for i in range(2500))        # ~3 pages, no blank line
    chunks = "\n\n".join([words[:4000]] * 6)                  # several pages, blank lines
    blocks = (
        rd.Heading(1, "Long & <odd> heading", "long"),
        rd.Heading(3, "Straight to level 3", "jump"),            # outline may not skip levels
        rd.Paragraph(words),
        rd.Paragraph(chunks, "quote"),
        rd.Paragraph("line one\nline two\x00\x07 with controls"),
        rd.Table(("A", "B"), (("x", words),), widths=(1, 3)),   # a cell taller than a page
        rd.Table((), ()),
        rd.FigureChart("Empty figure", (), (), "Count"),
        rd.FigureChart("Many bars", tuple(f"L{i}" for i in range(80)),
                       tuple(float(i - 20) for i in range(80)), "Count"),
        rd.FigureChart("Odd values", ("a", "b", "c"), (float("nan"), float("inf"), -3.5), "v"),
        rd.ScoreChart("No scale", (), (("Out of range", 7, None),), "2026"),
        rd.Heading(2, "Hidden from contents", "hidden", in_contents=False),
        rd.PageBreak(), rd.PageBreak(),
    )
    doc = sample_document(invariant=False, notes=(), extra_blocks=blocks)
    target = tmp_path / "long.pdf"
    render_pdf(doc, target)
    reader = PdfReader(target)
    assert len(reader.pages) > 12
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Long & <odd> heading" in text
    assert "line one\nline two with controls" in text
    titles = [t for _d, t, _p in flat_outline(reader)]
    assert "Straight to level 3" in titles and "Hidden from contents" in titles
    assert "Hidden from contents" not in reader.pages[1].extract_text()


def test_flowables_are_fresh_objects_each_call() -> None:
    doc = sample_document()
    first, second = pdf_flowables(doc), pdf_flowables(doc)
    assert len(first) == len(second)
    assert not set(map(id, first)) & set(map(id, second))


def test_huge_blocks_are_cut_without_losing_text() -> None:
    from hmip_desktop.report.pdf_styles import LONG_BLOCK, pieces

    text = "Short one. " * 3000 + "\nsecond line\n" + "word " * 6000
    parts = pieces(text)
    assert len(parts) > 2
    assert all(len(p) <= LONG_BLOCK for p in parts)
    assert " ".join(parts).split() == text.split()
    assert pieces("small\ntext") == ["small\ntext"]


def test_characters_the_fonts_lack_are_printed_as_code_points(tmp_path: Path) -> None:
    # DejaVu has no CJK and no 👍: drawn as they are, they were empty boxes that extract
    # as NUL characters, so a name could vanish from the draft without anyone knowing.
    blocks = (rd.Heading(1, "Findings", "f"),
              rd.Paragraph("Mr 王小明 said 👍 was fine.", where="Interview"),
              rd.Paragraph("She drew 😀 on 𝔸 wing.", where="Drawing"),
              rd.Paragraph("قال السجناء", where="Quote"),
              rd.Paragraph("Cell \u202eesrever\u202c", where="Override"),
              rd.Paragraph("Ŵ ŷ zażółć Ștefan ąčę Nguyễn Café"))
    doc = sample_document(extra_blocks=blocks)
    target = tmp_path / "glyphs.pdf"
    render_pdf(doc, target)
    text = "\n".join(page_texts(PdfReader(target)))
    assert "\x00" not in text
    assert "Mr [U+738B U+5C0F U+660E] said [U+1F44D] was fine." in text
    # DejaVu draws 😀 and 𝔸, but ReportLab's ToUnicode entry for them is unreadable: the
    # glyph showed and extracted as nothing.
    assert "She drew [U+1F600] on [U+1D538] wing." in text
    assert "Ŵ ŷ zażółć Ștefan ąčę Nguyễn Café" in text
    # The export names the places (Arabic has glyphs but is laid out left to right).
    from hmip_desktop.report.pdf import not_shown_as_written

    assert not_shown_as_written(doc) == ["Findings › Interview", "Findings › Drawing",
                                         "Findings › Quote", "Findings › Override"]
    assert not_shown_as_written(sample_document()) == []


def test_furniture_is_fitted_without_measuring_once_per_character(monkeypatch) -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from hmip_desktop.report import pdf
    from hmip_desktop.report.pdf_styles import REGULAR, register_fonts

    register_fonts()
    calls = []

    def counted(text: str, font: str, size: float) -> float:
        calls.append(len(text))
        return stringWidth(text, font, size)

    monkeypatch.setattr(pdf, "stringWidth", counted)
    name = "HMP " + "Ŵrecsam " * 2500          # an establishment name nobody bounded
    fitted = pdf._fit(name, REGULAR, 8, 300)
    assert fitted.endswith("…") and name.startswith(fitted[:-1])
    assert stringWidth(fitted, REGULAR, 8) <= 300
    assert stringWidth(name[:len(fitted)] + "…", REGULAR, 8) > 300  # the longest that fits
    assert len(calls) < 40


def test_chart_labels_stay_inside_their_column() -> None:
    from reportlab.graphics.shapes import String

    from hmip_desktop.report.charts import figure_chart
    from hmip_desktop.report.pdf_styles import register_fonts

    register_fonts()
    # A pasted URL or case reference as a category: one word wider than the label column
    # was drawn whole, right-aligned, and ran off the left edge of the page.
    width = 400.0
    chart = rd.FigureChart("Complaints", ("x" * 300, "HMIP/2026/" + "Z" * 40, "Short"),
                           (3.0, 2.0, 1.0), "Count")
    drawing = figure_chart(chart, width, 500)
    labels = [s for s in drawing.contents if isinstance(s, String) and s.textAnchor == "end"]
    for s in labels:
        assert s.getBounds()[0] >= 0, s.text
    texts = [s.text for s in labels]
    assert "Short" in texts and any(t.startswith("HMIP/2026/") for t in texts)

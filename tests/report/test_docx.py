"""The DOCX renderer, checked by reading the written file back with python-docx."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn

from hmip_desktop.domain import report_doc as rd
from hmip_desktop.domain.errors import Cancelled
from hmip_desktop.domain.steps import SCALE
from hmip_desktop.report import docx_writer
from hmip_desktop.report.docx_writer import TOC_PLACEHOLDER, render_docx
from tests.report.doc_factory import ESTABLISHMENT, TRICKY, headings_in, sample_document

HEADING_STYLES = {"Heading 1", "Heading 2", "Heading 3"}


@pytest.fixture(scope="module")
def sample() -> rd.ReportDocument:
    return sample_document()


@pytest.fixture(scope="module")
def written(sample, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("docx") / "draft.docx"
    render_docx(sample, target)
    return target


@pytest.fixture(scope="module")
def word(written) -> DocxDocument:
    return docx.Document(str(written))


def _texts(word: DocxDocument) -> list[str]:
    return [p.text for p in word.paragraphs]


def _styled(word: DocxDocument, style: str) -> list[str]:
    return [p.text for p in word.paragraphs if p.style.name == style]


def _xml(part) -> str:
    return part.element.xml if hasattr(part, "element") else part._element.xml


def test_headings_in_order_with_builtin_styles(sample, word):
    headings = [(p.style.name, p.text) for p in word.paragraphs
                if p.style.name in HEADING_STYLES]
    assert [t for _s, t in headings] == headings_in(sample)
    expected = [f"Heading {h.level}" for h in sample.headings()]
    assert [s for s, _t in headings] == expected


def test_cover_title_style_and_welsh_letters(word):
    assert _styled(word, "Title") == [f"Report on an unannounced inspection of {ESTABLISHMENT}"]
    texts = _texts(word)
    assert ESTABLISHMENT in texts
    assert "DRAFT" in texts
    assert "Not yet complete" in texts
    assert "Scores not agreed for Purposeful activity" in _styled(word, "List Bullet")
    assert TRICKY in texts


def test_cover_is_its_own_section_and_body_has_running_header(word):
    cover, body = word.sections
    assert "OFFICIAL-SENSITIVE" in cover.header.paragraphs[0].text
    header = [p.text for p in body.header.paragraphs]
    assert "OFFICIAL-SENSITIVE" in header and ESTABLISHMENT in header
    footer_xml = body.footer._element.xml
    assert 'w:instr=" PAGE "' in footer_xml and 'w:instr=" NUMPAGES "' in footer_xml
    assert "OFFICIAL-SENSITIVE" in [p.text for p in body.footer.paragraphs]
    assert round(body.page_width.mm) == 210 and round(body.page_height.mm) == 297


def test_contents_is_a_toc_field(word):
    body = word.element.body.xml
    assert 'TOC \\o "1-3" \\h \\z \\u' in body
    assert 'w:fldCharType="begin"' in body and 'w:fldCharType="end"' in body
    assert TOC_PLACEHOLDER in _texts(word)
    assert 'w:updateFields w:val="true"' in word.settings.element.xml


def test_paragraph_styles(word):
    assert _styled(word, "Quote") == ["It is the best place I have been in."]
    assert _styled(word, "Lead")[0].startswith("This report describes")
    assert _styled(word, "Small print")[0] == "Inspectors spoke to prisoners & staff."
    marker = next(p for p in word.paragraphs if p.text.startswith("[to be completed"))
    assert marker.style.name == "To be completed"
    assert marker.style.font.italic
    assert marker.runs[0].font.highlight_color is not None
    assert "Fieldwork: 16–27 November 2026" in _styled(word, "Meta")


def test_lists_bullets_and_restarted_numbering(word):
    assert _styled(word, "List Bullet")[-3:] == ["Safety", "Respect", "Purposeful activity"]
    numbered = [p for p in word.paragraphs if p.style.name == "List Number"]
    assert [p.text for p in numbered] == ["Third point", "Fourth point"]
    num_ids = {p._p.pPr.numPr.numId.val for p in numbered}
    assert len(num_ids) == 1
    numbering = word.part.numbering_part.element
    num = numbering.num_having_numId(num_ids.pop())
    start = num.find(qn("w:lvlOverride")).find(qn("w:startOverride"))
    assert start.get(qn("w:val")) == "3"


def test_two_ordered_lists_number_independently(tmp_path, sample):
    doc = replace(sample, blocks=(rd.ItemList(("a", "b"), ordered=True),
                                  rd.Paragraph("between"),
                                  rd.ItemList(("c", "d"), ordered=True)))
    render_docx(doc, tmp_path / "lists.docx")
    word = docx.Document(str(tmp_path / "lists.docx"))
    ids = [p._p.pPr.numPr.numId.val for p in word.paragraphs if p.style.name == "List Number"]
    assert ids[0] == ids[1] != ids[2] == ids[3]


def test_concerns_number_title_body_and_meta(word):
    texts = _texts(word)
    i = texts.index("1. Violence was high")
    title = word.paragraphs[i]
    assert all(r.bold for r in title.runs if r.text.strip())
    assert texts[i + 1] == "Levels of violence had risen since 2023."
    assert texts[i + 2] == "Priority concern · Safety · Addressed to: The governor"
    assert word.paragraphs[i + 2].style.name == "Meta"
    j = texts.index("2. Too little time out of cell")
    assert texts[j + 2] == "Key concern · Purposeful activity"


def test_tables_have_repeating_header_rows_and_captions(word):
    tables = word.tables
    assert len(tables) == 3  # score chart, figure, evidence index
    for table in tables:
        assert table.style.name in {"Light Grid Accent 1", "Table Grid"}
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    evidence = tables[2]
    assert [c.text for c in evidence.rows[0].cells] == ["Ref", "Source", "Summary"]
    assert len(evidence.rows) == 60
    assert "<notes>" in evidence.rows[1].cells[2].text
    captions = _styled(word, "Caption")
    assert captions == ["Healthy prison outcomes", "Use of force by month", "Evidence index"]


def test_score_chart_uses_level_labels(word):
    chart = word.tables[0]
    rows = [[c.text for c in row.cells] for row in chart.rows]
    assert rows[0] == ["Healthy prison test", "2026", "2023"]
    assert rows[1] == ["Safety", "Not sufficiently good", "Reasonably good"]
    assert rows[3] == ["Purposeful activity", "Not scored", "Poor"]
    assert rows[4] == ["Preparation for release", "Good", "Not scored"]


def test_figure_chart_is_a_label_value_table(word):
    rows = [[c.text for c in row.cells] for row in word.tables[1].rows]
    assert rows == [["Category", "Incidents"], ["Jan", "12"], ["Feb", "7.5"], ["Mar", "20"]]
    assert "Source: use of force log" in _texts(word)


def test_core_properties_and_language(sample, word):
    props = word.core_properties
    assert props.title == sample.title
    assert props.author == sample.author
    assert props.subject == sample.subject
    assert props.language == "en-GB"
    assert props.created == datetime(2026, 11, 30, tzinfo=UTC)
    assert props.modified == datetime(2026, 11, 30, tzinfo=UTC)
    lang = word.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    assert lang.get(qn("w:val")) == "en-GB"


def test_invariant_output_is_byte_identical(tmp_path, sample, written):
    again = tmp_path / "again.docx"
    render_docx(sample, again)
    assert again.read_bytes() == written.read_bytes()
    with zipfile.ZipFile(again) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert "docProps/thumbnail.jpeg" not in z.namelist()


def test_non_invariant_uses_the_clock(tmp_path, sample):
    render_docx(replace(sample, invariant=False), tmp_path / "now.docx")
    created = docx.Document(str(tmp_path / "now.docx")).core_properties.created
    assert abs((datetime.now(UTC) - created).total_seconds()) < 120


def test_control_characters_are_stripped(tmp_path, sample):
    doc = replace(sample, title="Bad\x00title", blocks=(
        rd.Heading(1, "Head\x0bing", "h"),
        rd.Paragraph("bad\x00\x07text\x1b and\ttab"),
        rd.Table(header=("a\x01",), rows=(("b\x02",), ("line 1\r\nline 2",))),
        rd.Paragraph("first\n\nsecond\nline"),
        rd.Concern("1", "T\x0c", "B\x1f", "Key concern", "Safety", "Gov\x08")))
    render_docx(doc, tmp_path / "ctl.docx")
    word = docx.Document(str(tmp_path / "ctl.docx"))
    texts = _texts(word)
    assert "Heading" in texts and "badtext and\ttab" in texts
    assert word.tables[0].rows[0].cells[0].text == "a"
    assert word.tables[0].rows[2].cells[0].text == "line 1\nline 2"
    assert "first" in texts and "second\nline" in texts
    assert "Key concern · Safety · Addressed to: Gov" in texts
    assert word.core_properties.title == "Badtitle"


def test_unlisted_heading_stays_out_of_contents(tmp_path, sample):
    doc = replace(sample, blocks=(rd.Heading(1, "Listed", "a"),
                                  rd.Heading(2, "Unlisted", "b", in_contents=False)))
    render_docx(doc, tmp_path / "h.docx")
    word = docx.Document(str(tmp_path / "h.docx"))
    styles = {p.text: p.style for p in word.paragraphs}
    assert styles["Listed"].name == "Heading 1"
    assert styles["Unlisted"].name == "Unlisted heading 2"
    assert 'w:outlineLvl w:val="9"' in styles["Unlisted"].element.xml


def test_no_notes_no_marking(tmp_path):
    doc = sample_document(notes=(), marking="")
    render_docx(doc, tmp_path / "plain.docx")
    word = docx.Document(str(tmp_path / "plain.docx"))
    assert "Not yet complete" not in _texts(word)
    assert [p.text for p in word.sections[1].header.paragraphs] == [ESTABLISHMENT]


def test_progress_moves_per_block_and_ends_only_once_the_file_is_in_place(
        tmp_path, sample, monkeypatch):
    """The bar reached its end as the last block was written, while the save still ran
    (and Cancel was no longer looked at): it ends after the save, with the file in place."""
    target = tmp_path / "p.docx"
    events: list[tuple] = []
    serialise = docx_writer.docx_bytes

    def recorded(*args, **kwargs):  # type: ignore[no-untyped-def]
        data = serialise(*args, **kwargs)
        events.append(("saved", data))
        return data

    def progress(done: int, total: int) -> None:
        there = target.read_bytes() if target.exists() else None
        events.append(("progress", done, total, there))

    monkeypatch.setattr(docx_writer, "docx_bytes", recorded)
    render_docx(sample, target, progress=progress)
    reports = [e for e in events if e[0] == "progress"]
    saved = next(i for i, e in enumerate(events) if e[0] == "saved")
    final = target.read_bytes()
    # The end is the last thing reported, after the save, with the whole file there ...
    assert events[-1] == reports[-1] and saved < len(events) - 1
    assert reports[-1][1] == reports[-1][2] and reports[-1][3] == final == events[saved][1]
    # ... and not before: no earlier report says done or saw a file.
    assert all(d < t and f is None for _e, d, t, f in reports[:-1])
    assert reports[0][1] == 0 and {t for _e, _d, t, _f in reports} == {SCALE}
    assert [d for _e, d, _t, _f in reports] == sorted({d for _e, d, _t, _f in reports})
    assert len(reports) > 20  # it moves through the blocks, at most once a percent


@pytest.mark.parametrize("when", ["python-docx saved", "bytes ready"])
def test_cancel_up_to_the_save_leaves_no_file(tmp_path, sample, monkeypatch, when):
    """Cancel pressed while the package is saved, or just before its bytes are written,
    still cancels: no partial file, no temporary file."""
    folder = tmp_path / "out"
    folder.mkdir()
    pressed = {"now": False}
    if when == "python-docx saved":
        save = DocxDocument.save

        def press_after_save(self, stream):  # type: ignore[no-untyped-def]
            save(self, stream)
            pressed["now"] = True

        monkeypatch.setattr(DocxDocument, "save", press_after_save)
    else:
        serialise = docx_writer.docx_bytes

        def press_after_bytes(*args, **kwargs):  # type: ignore[no-untyped-def]
            data = serialise(*args, **kwargs)
            pressed["now"] = True
            return data

        monkeypatch.setattr(docx_writer, "docx_bytes", press_after_bytes)
    with pytest.raises(Cancelled):
        render_docx(sample, folder / "late.docx", cancel=lambda: pressed["now"])
    assert pressed["now"] and list(folder.iterdir()) == []


@pytest.mark.parametrize("after", [0, 5, 10_000])
def test_cancel_leaves_no_file(tmp_path, sample, after):
    polls = {"n": 0}
    folder = tmp_path / "out"
    folder.mkdir()

    def cancel() -> bool:
        polls["n"] += 1
        return polls["n"] > after

    target = folder / "cancelled.docx"
    if after >= len(sample.blocks) + 1:
        render_docx(sample, target, cancel=cancel)
        assert [p.name for p in folder.iterdir()] == ["cancelled.docx"]
        return
    with pytest.raises(Cancelled):
        render_docx(sample, target, cancel=cancel)
    assert list(folder.iterdir()) == []


def test_cancel_keeps_an_existing_target(tmp_path, sample):
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "kept.docx"
    target.write_bytes(b"old")
    with pytest.raises(Cancelled):
        render_docx(sample, target, cancel=lambda: True)
    assert target.read_bytes() == b"old"
    assert list(folder.iterdir()) == [target]


def test_empty_table_and_empty_chart_do_not_crash(tmp_path, sample):
    doc = replace(sample, blocks=(rd.Table(header=(), rows=()),
                                  rd.FigureChart("Nothing", (), (), ""),
                                  rd.ScoreChart("Outcomes", (), (), "")))
    render_docx(doc, tmp_path / "empty.docx")
    word = docx.Document(str(tmp_path / "empty.docx"))
    assert len(word.tables) == 3

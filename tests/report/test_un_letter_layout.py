"""The Urgent Notification letter is a letter: dated, with the response due the protocol's
28 days after the date printed on it, no report cover, the marking once in each place of the
page furniture, and the date, addressee and text flowing together on one page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import pypdf
import pytest

from hmip_desktop.cli.common import open_store
from hmip_desktop.report.docx_writer import render_docx
from hmip_desktop.report.pdf import render_pdf
from hmip_desktop.services.report import UN_LETTER, ExportOptions, ReportService
from tests.report.support import cli_runner, full_inspection

MARKING = "OFFICIAL-SENSITIVE"


@pytest.fixture
def run(capsys):  # type: ignore[no-untyped-def]
    return cli_runner(capsys)


def _letter(run, tmp_path: Path, *extra: str, today: dt.date):  # type: ignore[no-untyped-def]
    path = full_inspection(run, tmp_path)  # on site 16–27 November 2026
    assert run("un", "set", path, "--reason", "Poor safety", *extra).code == 0
    assert run("report", "marking", path, "--set", MARKING).code == 0
    with open_store(str(path)) as store:
        return ReportService(store).build(ExportOptions(document=UN_LETTER), today=today)


def _pdf_pages(doc, target: Path) -> list[str]:  # type: ignore[no-untyped-def]
    render_pdf(doc, target)
    return [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(str(target)).pages]


@pytest.mark.parametrize(("extra", "today", "printed", "due"), [
    # Drafted the day after the inspection, no letter date recorded: it was counted from
    # the letter's deadline (4 December) and read 1 January 2027, 34 days after its date.
    ((), dt.date(2026, 11, 28), "28 November 2026", "26 December 2026"),
    (("--letter-date", "2026-12-01"), dt.date(2026, 12, 20), "1 December 2026",
     "29 December 2026"),
])
def test_the_response_is_due_28_days_after_the_date_on_the_letter(  # type: ignore[no-untyped-def]
        run, tmp_path, extra, today, printed, due) -> None:
    text = " ".join(_pdf_pages(_letter(run, tmp_path, *extra, today=today),
                               tmp_path / "un.pdf"))
    assert f"Date: {printed}" in text
    assert "respond publicly within 28 days" in text
    assert f"Your response is due by {due}." in text


def test_the_pdf_letter_has_no_cover_and_flows_on_one_page(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pages = _pdf_pages(_letter(run, tmp_path, today=dt.date(2026, 11, 30)),
                       tmp_path / "un.pdf")
    assert len(pages) == 1
    first = pages[0]
    assert "Urgent Notification letter" not in first  # the report cover's kind line
    assert "Page 1 of 1" in first
    order = ["DRAFT", "Date: 30 November 2026", "To: The Secretary of State for Justice",
             "Urgent Notification: HMP", "I am writing to invoke", "Your response is due by"]
    assert [first.index(t) for t in order] == sorted(first.index(t) for t in order)
    assert first.count(MARKING) == 2  # the header and the footer, nothing in the text


def test_the_docx_letter_is_one_section_without_a_cover(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "un.docx"
    render_docx(_letter(run, tmp_path, today=dt.date(2026, 11, 30)), target)
    word = docx.Document(str(target))
    assert len(word.sections) == 1
    body = [p.text for p in word.paragraphs if p.text]
    assert body[:3] == ["DRAFT", "Date: 30 November 2026",
                        "To: The Secretary of State for Justice"]
    assert not [p for p in word.paragraphs if p.style.name == "Title"]
    assert MARKING not in body
    assert 'w:type="page"' not in word.element.body.xml  # no page break before the text
    header = [p.text for p in word.sections[0].header.paragraphs]
    footer = [p.text for p in word.sections[0].footer.paragraphs]
    assert header.count(MARKING) == 1 and footer.count(MARKING) == 1

"""The draft report as a PDF, read back with pypdf: outline in order, variants by establishment
type and kind, Welsh letters, embedded fonts, redaction and Cancel."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest

from hmip_desktop.cli.common import open_store
from hmip_desktop.domain.errors import Cancelled
from hmip_desktop.services.report import ExportOptions, ReportService
from tests.report.support import cli_runner, full_inspection


@pytest.fixture
def run(capsys):  # type: ignore[no-untyped-def]
    return cli_runner(capsys)


def _outline(reader: pypdf.PdfReader) -> list[str]:
    titles: list[str] = []

    def walk(items) -> None:  # type: ignore[no-untyped-def]
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


def _text(reader: pypdf.PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def _export(run, path: Path, out: Path, *extra: str) -> pypdf.PdfReader:  # type: ignore[no-untyped-def]
    result = run("report", "pdf", path, "--out", out, *extra)
    assert result.code == 0, result.err
    return pypdf.PdfReader(str(out))


def test_full_report_pdf_structure(run, tmp_path: Path) -> None:
    path = full_inspection(run, tmp_path)
    run("concern", "add", path, "--title", "Cells were dirty", "--body", "Dirty.", "--test",
        "respect")
    run("concern", "add", path, "--title", "Violence was high", "--body", "High.", "--test",
        "safety", "--priority")
    run("score", "set", path, "--test", "safety", "--score", "poor", "--rationale", "x",
        "--agreed")
    reader = _export(run, path, tmp_path / "draft.pdf")
    outline = _outline(reader)
    assert outline.index("Priority concerns") < outline.index("Key concerns")
    order = ["Introduction", "Fact page", "What needs to improve", "Healthy prison outcomes",
             "Section 2: Safety", "Section 3: Respect", "Section 4: Purposeful activity",
             "Appendix III: Evidence index"]
    assert [outline.index(h) for h in order] == sorted(outline.index(h) for h in order)
    text = _text(reader)
    assert "HMP Ŵrexham" in text and "DRAFT" in text and "OFFICIAL-SENSITIVE" in text
    assert text.index("1. Violence was high") < text.index("2. Cells were dirty")
    assert "Score: Poor" in text
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            desc = font.get_object().get("/FontDescriptor")
            fonts.add((str(font.get_object()["/BaseFont"]),
                       bool(desc and "/FontFile2" in desc.get_object())))
    assert fonts and all(embedded for _name, embedded in fonts)
    assert reader.metadata.title == "Report on an inspection of HMP Ŵrexham"


def test_variants_children_police_custody_and_review(run, tmp_path: Path) -> None:
    children = full_inspection(run, tmp_path / "c", etype="children_yoi", name="HMYOI Eg")
    assert "Section 3: Care" in _outline(_export(run, children, tmp_path / "c.pdf"))

    police = tmp_path / "pc.hmip"
    run("new", police, "--establishment", "Eg custody suite", "--type", "police_custody")
    outline = _outline(_export(run, police, tmp_path / "pc.pdf"))
    assert "Summary of recommendations and housekeeping points" in outline
    assert "Healthy prison assessments" not in outline        # ungraded: no chart

    review = tmp_path / "irp.hmip"
    run("new", review, "--establishment", "HMP Eg", "--type", "mens_prison", "--kind", "irp")
    reader = _export(run, review, tmp_path / "irp.pdf")
    assert "Progress on concerns from the last inspection" in _outline(reader)
    assert not any(t.startswith("Section") for t in _outline(reader))


def test_redacted_pdf_holds_no_hit_and_cancel_leaves_nothing(run, tmp_path: Path) -> None:
    (tmp_path / "i").mkdir()
    path = full_inspection(run, tmp_path / "i")
    run("concern", "add", path, "--title", "Escorts", "--test", "safety", "--body",
        "A1234BC missed court; e-mail governor@example.org.")
    out = tmp_path / "out"
    out.mkdir()
    refused = run("report", "pdf", path, "--out", out / "d.pdf")
    assert refused.code == 2 and not any(out.iterdir())
    text = _text(_export(run, path, out / "d.pdf", "--redact"))
    assert "A1234BC" not in text and "governor@example.org" not in text
    assert "[redacted] missed court" in text
    with open_store(str(path)) as store, pytest.raises(Cancelled):
        ReportService(store).export(out / "c.pdf", ExportOptions(redact=True),
                                    cancel=lambda: True)
    assert sorted(p.name for p in out.iterdir()) == ["d.pdf"]


def test_reports_page_says_the_pdf_does_not_show_everything_as_written(tmp_path) -> None:
    from hmip_desktop.services.report import ExportResult
    from hmip_desktop.ui.reports.report_export import written_text

    result = ExportResult(tmp_path / "d.pdf", (), False, (),
                          ("Fact page", "What needs to improve › Key concern 2"))
    text = written_text(result)
    assert "cannot show some text as written (2 places, first: Fact page)" in text
    assert "Word export keeps" in text
    assert "as written" not in written_text(ExportResult(tmp_path / "d.pdf", (), False, ()))

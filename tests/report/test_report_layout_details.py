"""Details of the draft report's layout a reader notices: the cover carries the marking only
in its page furniture (it was printed a second time under the top one), evidence references
are listed in number order, and the outcomes chart is named once, by its heading."""

from __future__ import annotations

from pathlib import Path

import docx
import pypdf
import pytest

from tests.report.support import cli_runner, full_inspection

MARKING = "OFFICIAL-SENSITIVE"


@pytest.fixture
def run(capsys):  # type: ignore[no-untyped-def]
    return cli_runner(capsys)


@pytest.fixture
def inspection(run, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    path = full_inspection(run, tmp_path)
    assert run("report", "marking", path, "--set", MARKING).code == 0
    return path


def test_the_cover_shows_the_marking_once_at_its_top(run, inspection, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert run("report", "pdf", inspection, "--out", tmp_path / "r.pdf").code == 0
    assert run("report", "docx", inspection, "--out", tmp_path / "r.docx").code == 0
    cover = pypdf.PdfReader(str(tmp_path / "r.pdf")).pages[0].extract_text()
    assert cover.count(MARKING) == 2  # the furniture's top and foot lines, no third
    word = docx.Document(str(tmp_path / "r.docx"))
    assert MARKING not in [p.text for p in word.paragraphs]  # only headers and footers
    assert [p.text for p in word.sections[0].header.paragraphs] == [MARKING]
    assert [p.text for p in word.sections[0].footer.paragraphs] == [MARKING]


def _note(run, path: Path, title: str) -> str:  # type: ignore[no-untyped-def]
    out = run("note", "add", path, "--source", "observation", "--title", title, "--body",
              "Seen.", "--expectation", "1").out.strip()
    assert out
    return out


def test_evidence_references_are_listed_in_number_order(run, inspection, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A priority concern cites C first (E1); a key concern then cites A, B, C: A and B are
    numbered E2 and E3, and its line read "Evidence: E2, E3, E1"."""
    a, b, c = (_note(run, inspection, t) for t in ("A", "B", "C"))
    assert run("concern", "add", inspection, "--title", "First", "--body", "One.", "--test",
               "safety", "--priority", "--evidence", c).code == 0
    assert run("concern", "add", inspection, "--title", "Second", "--body", "Two.", "--test",
               "safety", "--evidence", a, b, c).code == 0
    assert run("report", "pdf", inspection, "--out", tmp_path / "r.pdf").code == 0
    assert run("report", "docx", inspection, "--out", tmp_path / "r.docx").code == 0
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(str(tmp_path / "r.pdf")).pages)
    lines = [p.text for p in docx.Document(str(tmp_path / "r.docx")).paragraphs]
    for found in (text, " ".join(lines)):
        assert "Evidence: E1, E2, E3" in found
        assert "E2, E3, E1" not in found


def test_the_outcomes_chart_is_named_once(run, inspection, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert run("score", "set", inspection, "--test", "safety", "--score", "poor",
               "--rationale", "x", "--agreed").code == 0
    assert run("report", "pdf", inspection, "--out", tmp_path / "r.pdf").code == 0
    assert run("report", "docx", inspection, "--out", tmp_path / "r.docx").code == 0
    pages = [p.extract_text() for p in pypdf.PdfReader(str(tmp_path / "r.pdf")).pages]
    chart = [t for t in pages if "This inspection 2026" in t]
    assert len(chart) == 1 and chart[0].count("Healthy prison outcomes") == 1
    word = docx.Document(str(tmp_path / "r.docx"))
    named = [(p.style.name, p.text) for p in word.paragraphs
             if p.text == "Healthy prison outcomes"]
    assert named == [("Heading 1", "Healthy prison outcomes")]  # no caption repeating it

"""Details of the draft report's layout a reader notices: the cover carries the marking only
in its page furniture (it was printed a second time under the top one)."""

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

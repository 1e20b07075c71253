"""`hmip search` prints one readable entry per hit, whatever kind of record it found."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.evidence.conftest import make_docx
from tests.report.support import cli_runner


def test_a_document_hit_names_the_document_and_keeps_to_its_lines(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A hit inside a document says which document and page, and its snippet, taken across
    two paragraphs, stays on the hit's own indented line."""
    run = cli_runner(capsys)
    f = tmp_path / "insp.hmip"
    assert run("new", f, "--establishment", "HMP Search", "--type", "mens_prison").code == 0
    policy = make_docx(tmp_path / "Reception policy.docx",
                       ["Reception Policy 2026", "New arrivals get a telephone call."])
    assert run("doc", "add", f, policy).code == 0
    got = run("search", f, "telephone")
    assert got.code == 0
    first, snippet = got.out.splitlines()
    assert first.endswith("[document_page]  Reception policy, page 1")
    assert snippet == "    Reception Policy 2026 New arrivals get a [telephone] call."

"""A value that is not UTF-8 text (a terminal in another encoding: Python hands the bytes on
as lone surrogates) is refused as user input, exit 2, nothing written; never exit 70."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.report.support import cli_runner, full_inspection


@pytest.fixture
def run(capsys):  # type: ignore[no-untyped-def]
    return cli_runner(capsys)


def test_a_title_in_another_encoding_is_refused(run, tmp_path: Path) -> None:
    path = full_inspection(run, tmp_path)
    title = os.fsdecode(b"Cell \xdb")  # Latin-1 "Û" read as UTF-8: a lone surrogate
    refused = run("concern", "add", path, "--title", title, "--body", "b", "--test", "safety")
    assert refused.code == 2 and "not UTF-8 text" in refused.err
    assert "\\udcdb" not in refused.err and "Cell" not in refused.err  # no text echoed
    assert run("concern", "list", path).out.count("Cell") == 0

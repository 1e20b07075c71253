"""Inspections for report tests, made through the real `hmip` commands run in-process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from hmip_desktop.cli.main import main


@dataclass
class Run:
    code: int
    out: str
    err: str


def cli_runner(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """`run("note", "add", …)` → exit code and captured output; no subprocess."""

    def run(*args: str) -> Run:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def full_inspection(run: Callable[..., Run], folder: Path, *, etype: str = "mens_prison",
                    name: str = "HMP Ŵrexham") -> Path:
    """A men's prison inspection with evidence, findings, one agreed score and concerns."""
    path = folder / "insp.hmip"
    assert run("new", path, "--establishment", name, "--type", etype, "--start", "2026-11-16",
               "--end", "2026-11-27").code == 0
    note = run("note", "add", path, "--source", "prisoner_interview", "--title",
               "Interview on C wing", "--body", "Said nights were frightening.",
               "--expectation", "1").out.strip()
    assert note
    run("note", "add", path, "--source", "observation", "--title", "Night visit",
        "--body", "Cell bells unanswered.", "--expectation", "1")
    return path

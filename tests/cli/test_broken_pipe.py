"""`hmip … | head` ends quietly: a reader that closes the pipe is not an internal error."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hmip_desktop.cli import main as cli_main


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "HMIP_HOME": str(home), "HMIP_KEY_SOURCE": "passphrase",
            "PYTHONIOENCODING": "utf-8"}


def _quiet(stderr: str) -> None:
    assert "internal error" not in stderr
    assert "Traceback" not in stderr
    assert "BrokenPipeError" not in stderr
    assert "Exception ignored" not in stderr


def test_closed_pipe_in_a_subprocess(isolated_home: Path) -> None:
    """The reader closes the pipe before hmip writes: exit 141 (128 + SIGPIPE), nothing on
    stderr. (Closing first makes the broken pipe certain; a reader that takes one line and
    then closes only hits it when the output outgrows the pipe's buffer.)"""
    proc = subprocess.Popen([sys.executable, "-m", "hmip_desktop.cli.main", "frameworks",
                             "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=_env(isolated_home))
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.stderr.close()
    assert proc.wait(timeout=120) == cli_main.EXIT_BROKEN_PIPE
    _quiet(err)


def test_head_one_line(isolated_home: Path) -> None:
    """`hmip frameworks list | head -1`: head reads one line; stderr stays clean."""
    proc = subprocess.Popen([sys.executable, "-m", "hmip_desktop.cli.main", "frameworks",
                             "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=_env(isolated_home))
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline().decode("utf-8")
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.stderr.close()
    assert proc.wait(timeout=120) in (0, cli_main.EXIT_BROKEN_PIPE)
    assert first.startswith("ID")
    _quiet(err)


class _ClosedPipe(io.StringIO):
    def write(self, s: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


def test_broken_pipe_in_process(monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    """The handler sees BrokenPipeError and exits quietly, never as a bug (70)."""
    err = io.StringIO()
    with capsys.disabled(), monkeypatch.context() as m:
        m.setattr(sys, "stdout", _ClosedPipe())
        m.setattr(sys, "stderr", err)
        code = cli_main.main(["frameworks", "list"])
    assert code == cli_main.EXIT_BROKEN_PIPE
    _quiet(err.getvalue())

"""Run `hmip` in a subprocess with a private data dir and the passphrase key path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

PASSPHRASE = "cli test passphrase 123"


@pytest.fixture
def hmip(isolated_home: Path) -> Callable[..., subprocess.CompletedProcess]:
    """Call `hmip ARGS...`; the subprocess never sees a real keyring (passphrase path)."""
    env = {**os.environ, "HMIP_HOME": str(isolated_home), "HMIP_KEY_SOURCE": "passphrase",
           "HMIP_PASSPHRASE": PASSPHRASE, "PYTHONIOENCODING": "utf-8"}

    def run(*args: str, input: str | None = None, check: bool = True,
            extra_env: dict | None = None) -> subprocess.CompletedProcess:
        proc = subprocess.run([sys.executable, "-m", "hmip_desktop.cli.main", *args],
                              capture_output=True, text=True, input=input,
                              env={**env, **(extra_env or {})}, timeout=120)
        if check and proc.returncode != 0:
            raise AssertionError(f"hmip {args[0]} failed ({proc.returncode}): {proc.stderr}")
        return proc

    return run


def as_json(proc: subprocess.CompletedProcess):  # type: ignore[no-untyped-def]
    """Parse a command's --json output."""
    return json.loads(proc.stdout)

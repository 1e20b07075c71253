"""Run `hmip` as one inspector of a team, in-process (quick) or in a killable subprocess."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

PASSPHRASE = "security test passphrase 1"


def runner(root: Path, name: str):  # type: ignore[no-untyped-def]
    """`hmip` as this inspector: in-process (quick), or in a subprocess that a fault point
    kills."""
    home = root / "homes" / name
    home.mkdir(parents=True, exist_ok=True)
    env = {"HMIP_HOME": str(home), "HMIP_KEY_SOURCE": "passphrase",
           "HMIP_PASSPHRASE": PASSPHRASE}

    def run(*args: str, fault: str | None = None, check: bool = True
            ) -> subprocess.CompletedProcess:
        if fault:
            return subprocess.run([sys.executable, "-m", "hmip_desktop.cli.main", *args],
                                  capture_output=True, text=True, cwd=root, timeout=120,
                                  env={**os.environ, **env, "HMIP_FAULT_POINT": fault})
        from hmip_desktop.cli.main import main

        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        out, err = io.StringIO(), io.StringIO()
        cwd = os.getcwd()
        try:
            os.chdir(root)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(list(args))
        finally:
            from hmip_desktop.services.inspection_store import set_lock_wait_listener

            set_lock_wait_listener(None)  # main() installed the command line's listener
            os.chdir(cwd)
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        if check and code != 0:
            raise AssertionError(f"hmip {' '.join(args[:2])} failed: {err.getvalue()}")
        return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())

    return run



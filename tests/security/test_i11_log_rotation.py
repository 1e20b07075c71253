"""The log rotates by size into private files (issue 11 made it independent of
logging.handlers, whose imports every start paid)."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

from hmip_desktop.logging_setup import _PrivateRotatingFileHandler

ROOT = Path(__file__).resolve().parents[2]


def test_log_rotates_by_size_keeping_private_backups(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    path = logs / "hmip.log"
    handler = _PrivateRotatingFileHandler(str(path), max_bytes=200, backups=2)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.Logger("rotation-test")
    logger.addHandler(handler)
    for i in range(60):
        logger.info("record %03d of the rotation test", i)
    handler.close()
    names = sorted(p.name for p in logs.iterdir())
    assert names == ["hmip.log", "hmip.log.1", "hmip.log.2"]  # no third backup
    for name in names:
        file = logs / name
        assert file.stat().st_size < 200
        if os.name == "posix":
            assert stat.S_IMODE(file.stat().st_mode) == 0o600
    newest = path.read_text().splitlines()
    assert newest[-1] == "record 059 of the rotation test"  # nothing lost at the end
    older = (logs / "hmip.log.1").read_text().splitlines()
    assert int(older[-1].split()[1]) + 1 == int(newest[0].split()[1])  # no gap between files


def test_configuring_the_log_imports_no_logging_handlers() -> None:
    code = ("import sys; from hmip_desktop import logging_setup; "
            "print('logging.handlers' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr

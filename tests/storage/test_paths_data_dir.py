"""The data directory on Linux follows the XDG rule exactly as platformdirs does, without
importing it at start-up (issue 11)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import platformdirs
import pytest

from hmip_desktop import paths

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux rule")


@pytest.mark.parametrize("xdg", [None, "", "   ", "relative/data", "/srv/xdg data"])
def test_same_folder_as_platformdirs(xdg: str | None, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    if xdg is None:
        monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_DATA_HOME", xdg)
    assert paths._user_data_dir() == Path(platformdirs.user_data_dir(paths.APP_DIR_NAME, False))


def test_a_start_does_not_load_platformdirs() -> None:
    code = "import sys, hmip_desktop.paths; print('platformdirs' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"

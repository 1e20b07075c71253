"""Issue 11 §1: what a GUI start has NOT imported when it says "ready" (the window shows the
file's first screen). Each of these was once paid by every start; a change that brings one
back fails here, whatever the machine's speed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hmip_desktop.services.inspections import create_inspection
from hmip_desktop.services.notes import NoteService
from hmip_desktop.storage import keys
from tests.factories import minimal_framework

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "first screen passphrase"

NOT_AT_READY = (
    "sqlalchemy",  # the store opens behind the first screen
    "hmip_desktop.services.inspection_store",
    "logging.handlers",  # socket, pickle, queue: our own rotation does without
    "subprocess",  # the X11 library check is remembered; none runs offscreen
    "hmip_desktop.ui.overview.lifecycle_panel",  # made once the store is open
    "hmip_desktop.ui.overview.urgent_notification_panel",
    "hmip_desktop.services.links",
    "hmip_desktop.domain.search_query",
    "hmip_desktop.domain.framework",  # parsed at the first use of the framework
)
# Found and read by the key child (storage/key_child.py) where it can fork: the key, then the
# first screen with it; never in the app itself before its first screen.
NOT_AT_READY_ON_LINUX = ("keyring", "cryptography.hazmat.primitives.kdf.argon2", "sqlcipher3",
                         "hmip_desktop.storage.connection")

# Runs the real entry point and, as it prints "ready in", reports what is imported.
WRAPPER = """
import json, runpy, sys
NOT = {names!r}
write = sys.stdout.write
def watch(text):
    if text.startswith("ready in"):
        loaded = sorted(m for m in NOT if m in sys.modules)
        print(json.dumps(loaded), file=sys.stderr, flush=True)
    return write(text)
sys.stdout.write = watch
sys.argv = ["hmip-desktop", *sys.argv[1:]]
runpy.run_module("hmip_desktop", run_name="__main__")
"""


def test_ready_comes_before_the_store_and_the_panels(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HMIP_KEY_SOURCE", keys.KEY_SOURCE_PASSPHRASE)
    store = create_inspection(tmp_path / "ready.hmip", establishment_name="HMP Ready",
                              establishment_type="mens_prison", framework=minimal_framework(),
                              provider=lambda _p: PASSPHRASE)
    for i in range(3):
        NoteService(store).add(source_kind="observation", title=f"note {i}", body="text")
    store.close()
    names = NOT_AT_READY + (NOT_AT_READY_ON_LINUX if sys.platform.startswith("linux") else ())
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HMIP_HOME": str(tmp_path / "home"),
           "HMIP_KEY_SOURCE": keys.KEY_SOURCE_PASSPHRASE, "HMIP_PASSPHRASE": PASSPHRASE,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", WRAPPER.format(names=names),
                           str(store.path), "--quit-when-ready"],
                          capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "ready in" in done.stdout and "editable in" in done.stdout
    reports = [line for line in done.stderr.splitlines() if line.startswith("[")]
    assert reports, done.stderr
    assert json.loads(reports[0]) == []

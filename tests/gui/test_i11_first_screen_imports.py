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
# Found by the key child (storage/key_child.py) where it can fork: never in the app itself.
NOT_AT_READY_ON_LINUX = ("keyring", "cryptography.hazmat.primitives.kdf.argon2")
# After a keyring look-up the child reads the first screen too: the app reads nothing itself.
NOT_AT_READY_WITH_KEYRING_ON_LINUX = ("sqlcipher3", "hmip_desktop.storage.connection")

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


@pytest.mark.parametrize("source", [keys.KEY_SOURCE_PASSPHRASE, keys.KEY_SOURCE_KEYRING])
def test_ready_comes_before_the_store_and_the_panels(tmp_path: Path, source: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HMIP_KEY_SOURCE", source)
    store = create_inspection(tmp_path / "ready.hmip", establishment_name="HMP Ready",
                              establishment_type="mens_prison", framework=minimal_framework(),
                              provider=lambda _p: PASSPHRASE)
    for i in range(3):
        NoteService(store).add(source_kind="observation", title=f"note {i}", body="text")
    store.close()
    linux = sys.platform.startswith("linux")
    names = NOT_AT_READY + (NOT_AT_READY_ON_LINUX if linux else ())
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HMIP_HOME": str(tmp_path / "home"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    if source == keys.KEY_SOURCE_PASSPHRASE:
        env.update({"HMIP_KEY_SOURCE": source, "HMIP_PASSPHRASE": PASSPHRASE})
    else:  # the test keyring, as a file the app's own process can read
        key, _source, file_id = keys.load_file_key(store.path, provider=None)
        secrets = tmp_path / "keyring.json"
        secrets.write_text(json.dumps({f"{keys.KEYRING_SERVICE}\0{file_id}": key.hex()}))
        env.update({"PYTHON_KEYRING_BACKEND": "bench.keyring_file.BenchFileKeyring",
                    "HMIP_BENCH_KEYRING": str(secrets)})
        env.pop("HMIP_KEY_SOURCE", None)
        names += NOT_AT_READY_WITH_KEYRING_ON_LINUX if linux else ()
    done = subprocess.run([sys.executable, "-c", WRAPPER.format(names=names),
                           str(store.path), "--quit-when-ready"],
                          capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "ready in" in done.stdout and "editable in" in done.stdout
    reports = [line for line in done.stderr.splitlines() if line.startswith("[")]
    assert reports, done.stderr
    assert json.loads(reports[0]) == []

"""Issue 11 §1: `hmip` finds the key of the file a command names in a forked child while it
loads the store (services.startup.begin_unlock_for_command); the command takes that key, or
finds it itself when the child's answer does not fit. The subprocess is the point: a child
may only be forked while one thread runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hmip_desktop.services import startup
from hmip_desktop.services.inspections import create_inspection
from hmip_desktop.services.notes import NoteService
from hmip_desktop.storage import keys
from tests.factories import minimal_framework

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "command line child passphrase"

# The real program; says on stderr whether it loaded the key's libraries itself.
HMIP = """
import atexit, sys
def said():
    heavy = [m for m in ("keyring", "cryptography.hazmat.primitives.kdf.argon2")
             if m in sys.modules]
    print("LOADED " + ",".join(heavy), file=sys.stderr)
atexit.register(said)
from hmip_desktop.cli.main import main
sys.exit(main())
"""


def _hmip(*args: str, env: dict[str, str]) -> tuple[int, str, list[str]]:
    done = subprocess.run([sys.executable, "-c", HMIP, *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, **env})
    loaded = [line[7:] for line in done.stderr.splitlines() if line.startswith("LOADED ")]
    return done.returncode, done.stdout + done.stderr, loaded[0].split(",") if loaded[0] else []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a key child only on Linux")
def test_note_list_takes_the_key_the_child_found(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HMIP_KEY_SOURCE", keys.KEY_SOURCE_PASSPHRASE)
    store = create_inspection(tmp_path / "cli.hmip", establishment_name="HMP Child",
                              establishment_type="mens_prison", framework=minimal_framework(),
                              provider=lambda _p: PASSPHRASE)
    NoteService(store).add(source_kind="observation", title="Seen on the wing")
    path = store.path
    store.close()
    env = {"HMIP_HOME": os.environ["HMIP_HOME"], "HMIP_KEY_SOURCE": keys.KEY_SOURCE_PASSPHRASE,
           "HMIP_PASSPHRASE": PASSPHRASE}
    code, out, loaded = _hmip("note", "list", str(path), env=env)
    assert code == 0 and "Seen on the wing" in out, out
    assert loaded == []  # Argon2id ran in the child only
    # A wrong passphrase: the child finds nothing, the command refuses as always.
    code, out, _loaded = _hmip("note", "list", str(path),
                               env={**env, "HMIP_PASSPHRASE": "not the passphrase at all"})
    assert code != 0 and "Seen on the wing" not in out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a key child only on Linux")
def test_keyring_key_is_looked_up_in_the_child(tmp_path: Path) -> None:
    path = tmp_path / "k.hmip"
    secrets = tmp_path / "keyring.json"
    env = {"PYTHON_KEYRING_BACKEND": "bench.keyring_file.BenchFileKeyring",
           "HMIP_BENCH_KEYRING": str(secrets), "HMIP_HOME": str(tmp_path / "home"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    code, out, _loaded = _hmip("new", str(path), "--establishment", "HMP Keyring", "--type",
                               "mens-prison", "--start", "2026-11-16", "--end", "2026-11-27",
                               env=env)
    assert code == 0, out
    assert json.loads(secrets.read_text())  # the key went to the (test) keyring
    code, out, loaded = _hmip("note", "list", str(path), env=env)
    assert code == 0, out
    assert loaded == []  # keyring imported in the child only


def test_only_one_existing_inspection_file_is_guessed(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[Path] = []
    monkeypatch.setattr(startup, "_fork_key_child", lambda path, _p: started.append(path))
    monkeypatch.setattr("hmip_desktop.storage.key_child.available", lambda: True)
    real = tmp_path / "a.hmip"
    real.write_bytes(b"")
    startup.begin_unlock_for_command(["note", "list", str(tmp_path / "missing.hmip")])
    startup.begin_unlock_for_command(["merge", str(real), str(tmp_path / "b.hmip")])
    startup.begin_unlock_for_command(["note", "list", "--file=x.hmip"])
    assert started == []
    startup.begin_unlock_for_command(["note", "list", str(real)])
    assert started == [real]

"""Issue 11 §1: at a GUI start the file's key is found in a forked child (storage/key_child.py),
so that neither `import keyring` nor the Argon2id derivation holds the window's GIL.

Each case runs in a fresh interpreter: a child may only be forked while one thread runs, which
a pytest process (Qt, pools) cannot promise."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from hmip_desktop.services import startup
from hmip_desktop.storage import key_child, keys

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "child passphrase 2026"
FILE_ID = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"

MECHANICS = """
import json, os, sys, threading
from hmip_desktop.storage import key_child
out = {}
out["key"] = key_child.start(lambda: b"k" * 32)()
out["none"] = key_child.start(lambda: None)()
out["raises"] = key_child.start(lambda: 1 / 0)()
out["short"] = key_child.start(lambda: b"short")()
out["long"] = key_child.start(lambda: b"x" * (key_child.MAX_REPLY + 1))()
out["exits"] = key_child.start(lambda: sys.exit(3))()
out["large"] = len(key_child.start(lambda: b"y" * (3 << 20))())  # many pipe buffers
try:
    os.waitpid(-1, os.WNOHANG)
    out["zombie"] = True
except ChildProcessError:
    out["zombie"] = False  # every child reaped
stop = threading.Event()
threading.Thread(target=stop.wait).start()
out["with_a_thread"] = key_child.start(lambda: b"k" * 32)
stop.set()
print(json.dumps({k: (v.decode() if isinstance(v, bytes) else
                      v if v is None or isinstance(v, (bool, int)) else repr(v))
                  for k, v in out.items()}))
"""

# The entry point's use: begin in a child, then the open takes the key. Prints the key found,
# whether this process loaded keyring or Argon2id itself, and any error's class.
OPEN = """
import json, sys
from pathlib import Path

import pytest
from hmip_desktop.storage import keys
path, passphrase = Path(sys.argv[1]), sys.argv[2] or None
from hmip_desktop.storage import key_child
keys.begin_unlock(path, passphrase,
                  child=key_child.find_file_key(path, passphrase, first_screen=False))
try:
    key = keys.load_file_key(path, provider=lambda _p: sys.argv[3])[0].hex()
    error = None
except Exception as exc:
    key, error = None, type(exc).__name__
heavy = [m for m in ("keyring", "cryptography.hazmat.primitives.kdf.argon2") if m in sys.modules]
print(json.dumps({"key": key, "error": error, "loaded_here": heavy}))
"""


def _python(code: str, *args: str, env: dict[str, str] | None = None) -> dict:
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_child_sends_exactly_a_key_or_nothing_and_is_reaped() -> None:
    if not sys.platform.startswith("linux"):
        assert _python(MECHANICS)["key"] is None  # no child elsewhere: the thread does it
        return
    out = _python(MECHANICS)
    assert out["key"] == "k" * 32
    assert out["short"] == "short"  # any answer up to key_child.MAX_REPLY bytes
    assert out["none"] is None and out["raises"] is None and out["long"] is None
    assert out["exits"] is None
    assert out["large"] == 3 << 20
    assert out["zombie"] is False
    assert out["with_a_thread"] is None  # never forks a process running other threads


def test_passphrase_key_is_derived_in_the_child(tmp_path: Path) -> None:
    path = tmp_path / "p.hmip"
    key = os.urandom(32)
    keys.KeyRecord(FILE_ID, keys.KEY_SOURCE_PASSPHRASE,
                   keys.wrap_with_passphrase(key, PASSPHRASE, FILE_ID)).save(path)
    out = _python(OPEN, str(path), PASSPHRASE, PASSPHRASE)
    here = [] if sys.platform.startswith("linux") else ["cryptography.hazmat.primitives.kdf.argon2"]
    assert out == {"key": key.hex(), "error": None, "loaded_here": here}
    # A wrong passphrase early: the open derives again here, with the one it is given...
    out = _python(OPEN, str(path), "not the passphrase at all", PASSPHRASE)
    assert out["key"] == key.hex()
    # ...and a wrong one at the open is refused as always.
    out = _python(OPEN, str(path), PASSPHRASE, "not the passphrase at all")
    assert (out["key"], out["error"]) == (None, "WrongKeyError")


# What a derivation in the child loads (every import there comes before the derivation the
# window waits for): the record's checks, the wrap and cryptography, not storage.keys.
CHILD_LOADS = """
import json, sys
from pathlib import Path

import pytest
from hmip_desktop.storage import key_child, key_reply
before = set(sys.modules)
reply = key_child.child_reply(Path(sys.argv[1]), sys.argv[2])
key, file_id, rest = key_reply.split(reply)
heavy = sorted(m for m in ("hmip_desktop.storage.keys", "logging", "dataclasses", "keyring",
                           "hmip_desktop.private_files") if m in set(sys.modules) - before)
print(json.dumps({"key": key.hex(), "file_id": file_id.decode(), "rest": rest.hex(),
                  "heavy": heavy}))
"""


def test_a_derivation_in_the_child_loads_only_what_it_needs(tmp_path: Path) -> None:
    path = tmp_path / "p.hmip"
    key = os.urandom(32)
    keys.KeyRecord(FILE_ID, keys.KEY_SOURCE_PASSPHRASE,
                   keys.wrap_with_passphrase(key, PASSPHRASE, FILE_ID)).save(path)
    out = _python(CHILD_LOADS, str(path), PASSPHRASE)
    assert out == {"key": key.hex(), "file_id": FILE_ID, "rest": "", "heavy": []}


def test_keyring_key_is_looked_up_in_the_child(tmp_path: Path) -> None:
    path = tmp_path / "k.hmip"
    key = os.urandom(32)
    keys.KeyRecord(FILE_ID, keys.KEY_SOURCE_KEYRING).save(path)
    secrets = tmp_path / "keyring.json"
    secrets.write_text(json.dumps({f"{keys.KEYRING_SERVICE}\0{FILE_ID}": key.hex()}))
    env = {"PYTHON_KEYRING_BACKEND": "bench.keyring_file.BenchFileKeyring",
           "HMIP_BENCH_KEYRING": str(secrets),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    out = _python(OPEN, str(path), "", "", env=env)
    expected_here = [] if sys.platform.startswith("linux") else ["keyring"]
    assert out == {"key": key.hex(), "error": None, "loaded_here": expected_here}
    secrets.write_text("{}")  # not in the keyring: the open says so, as before
    out = _python(OPEN, str(path), "", "", env=env)
    assert (out["key"], out["error"]) == (None, "KeyUnavailableError")


LINGERING = """
import pathlib, sys, time
from hmip_desktop.storage import key_child
marker = pathlib.Path(sys.argv[1])
# A child still at work when the app exits (say, a keyring unlock prompt left open).
key_child.start(lambda: (time.sleep(1.0), marker.write_text("still ran"), None)[-1])
print("parent done", flush=True)
"""


def test_a_child_still_working_is_ended_with_the_app_and_holds_no_pipe(tmp_path: Path) -> None:
    if not sys.platform.startswith("linux"):
        return
    marker = tmp_path / "marker"
    # capture_output: were the child holding the app's stdout, this would wait for it.
    done = subprocess.run([sys.executable, "-c", LINGERING, str(marker)], cwd=ROOT,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "parent done"
    time.sleep(1.6)
    assert not marker.exists()  # ended when the app exited, before it could go on


def test_a_child_answer_for_another_file_id_is_never_taken(tmp_path: Path) -> None:
    path = tmp_path / "p.hmip"
    key = os.urandom(32)
    keys.KeyRecord(FILE_ID, keys.KEY_SOURCE_PASSPHRASE,
                   keys.wrap_with_passphrase(key, PASSPHRASE, FILE_ID)).save(path)
    planted = b"k" * 32
    keys.begin_unlock(path, PASSPHRASE, child=lambda: _reply(planted, "another-file-id", b"x"))
    assert keys.load_file_key(path, provider=lambda _p: PASSPHRASE)[0] == key  # derived here
    assert keys.take_early_extra(path, FILE_ID) is None  # nor what it read with its key
    keys.begin_unlock(path, PASSPHRASE, child=lambda: _reply(planted, FILE_ID, b"read"))
    assert keys.load_file_key(path, provider=lambda _p: PASSPHRASE)[0] == planted  # its own
    assert keys.take_early_extra(path, "another-file-id") is None  # for this file id only...
    keys.begin_unlock(path, PASSPHRASE, child=lambda: _reply(planted, FILE_ID, b"read"))
    keys.load_file_key(path, provider=lambda _p: PASSPHRASE)
    assert keys.take_early_extra(path, FILE_ID) == b"read"
    assert keys.take_early_extra(path, FILE_ID) is None  # ...and once
    # Taken only with the key: a child that found it for another passphrase gives nothing.
    keys.begin_unlock(path, "another passphrase", child=lambda: _reply(planted, FILE_ID, b"r"))
    assert keys.load_file_key(path, provider=lambda _p: PASSPHRASE)[0] == key
    assert keys.take_early_extra(path, FILE_ID) is None
    whole = _reply(planted, FILE_ID)
    for damaged in (b"", whole[:20], whole[:34], whole[:-1], b"\xff" + whole[1:]):  # cut short
        keys.begin_unlock(path, PASSPHRASE, child=lambda reply=damaged: reply)
        assert keys.load_file_key(path, provider=lambda _p: PASSPHRASE)[0] == key


def _reply(key: bytes, file_id: str, extra: bytes = b"") -> bytes:
    """A key child's answer (storage/key_reply.py's layout, written out here)."""
    return bytes([len(key)]) + key + bytes([len(file_id)]) + file_id.encode("ascii") + extra


def test_an_unwanted_child_is_reaped_without_holding_up_the_caller(tmp_path: Path) -> None:
    path = tmp_path / "p.hmip"
    keys.KeyRecord(FILE_ID, keys.KEY_SOURCE_PASSPHRASE,
                   keys.wrap_with_passphrase(os.urandom(32), PASSPHRASE, FILE_ID)).save(path)
    keys.begin_unlock(path, PASSPHRASE)
    reaped = threading.Event()

    def slow_child() -> bytes | None:  # a child still at work
        time.sleep(0.5)
        reaped.set()
        return None

    started = time.monotonic()
    keys.begin_unlock(path, PASSPHRASE, child=slow_child)  # the same key: already under way
    startup.begin_unlock(path.with_name("x.hmipbundle"), child=slow_child)  # a bundle
    assert time.monotonic() - started < 0.4  # neither waited for it
    assert reaped.wait(5)
    keys.load_file_key(path, provider=lambda _p: PASSPHRASE)  # the first one is taken


def test_the_child_reads_after_a_keyring_look_up_only(tmp_path: Path) -> None:
    """After an Argon2id derivation the app has been waiting with what reading needs loaded
    (services.first_screen.preload_reading): the child sends the key alone."""
    path = tmp_path / "p.hmip"
    key = os.urandom(32)
    keys.KeyRecord(FILE_ID, keys.KEY_SOURCE_PASSPHRASE,
                   keys.wrap_with_passphrase(key, PASSPHRASE, FILE_ID)).save(path)
    asked: list[bytes] = []
    reply = key_child.child_reply(path, PASSPHRASE, then=lambda k: asked.append(k) or b"rows")
    assert reply == _reply(key, FILE_ID) and asked == []


def test_a_key_being_found_is_pending_until_found(tmp_path: Path) -> None:
    path = tmp_path / "p.hmip"
    keys.KeyRecord(FILE_ID, keys.KEY_SOURCE_PASSPHRASE,
                   keys.wrap_with_passphrase(os.urandom(32), PASSPHRASE, FILE_ID)).save(path)
    release = threading.Event()
    keys.begin_unlock(path, PASSPHRASE, child=lambda: (release.wait(5), None)[1])
    assert keys.early_key_pending(path) and not keys.early_key_pending(tmp_path / "other.hmip")
    release.set()
    keys.load_file_key(path, provider=lambda _p: PASSPHRASE)
    assert not keys.early_key_pending(path)


def test_a_key_of_the_wrong_length_is_refused_however_it_was_found(
        tmp_path: Path, memory_keyring) -> None:  # type: ignore[no-untyped-def]
    """A hand-edited record or keyring entry never hands the store a key that is not 256
    bits: in-process, from a key child's answer, or from the keyring (also not hex)."""
    from hmip_desktop.domain.errors import KeyUnavailableError

    path = tmp_path / "p.hmip"
    keys.KeyRecord(FILE_ID, keys.KEY_SOURCE_PASSPHRASE,
                   keys.wrap_with_passphrase(os.urandom(16), PASSPHRASE, FILE_ID)).save(path)
    with pytest.raises(KeyUnavailableError, match="not a 256-bit key"):
        keys.load_file_key(path, provider=lambda _p: PASSPHRASE)
    keys.begin_unlock(path, PASSPHRASE, child=lambda: _reply(b"k" * 16, FILE_ID))
    with pytest.raises(KeyUnavailableError, match="not a 256-bit key"):
        keys.load_file_key(path, provider=lambda _p: PASSPHRASE)
    kept = tmp_path / "k.hmip"
    keys.KeyRecord(FILE_ID, keys.KEY_SOURCE_KEYRING).save(kept)
    for secret in ("ab" * 16, "not hex at all"):
        memory_keyring.set_password(keys.KEYRING_SERVICE, FILE_ID, secret)
        with pytest.raises(KeyUnavailableError, match="not a 256-bit key"):
            keys.load_file_key(kept, provider=None)

"""Issue 11: `hmip note list` does only what listing needs. Run as the program, it loads no
module the listing never uses (framework model, readiness rules, roster, schema validation,
the GUI, bundles, reports; with the key in a keyring, no cryptography either), freezes what
start-up made before the command runs, and prints the same lines. An in-process caller keeps
its collector as it was."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hmip_desktop.cli.main import main

ROOT = Path(__file__).resolve().parents[2]

# Heavy or unrelated to listing notes; each was (or could easily be) pulled in by an import
# at the top of a module on the way (issue 11: within 2x of SQLAlchemy + sqlcipher3 + query).
NOT_NEEDED = (
    "alembic", "jsonschema", "PySide6", "openpyxl",
    "hmip_desktop.domain.framework", "hmip_desktop.domain.framework_elements",
    "hmip_desktop.domain.framework_pinned", "hmip_desktop.domain.readiness",
    "hmip_desktop.domain.roster", "hmip_desktop.domain.concerns",
    "hmip_desktop.storage.framework_registry", "hmip_desktop.services.identity",
    "hmip_desktop.services.frameworks", "hmip_desktop.bundle", "hmip_desktop.ingest",
    "hmip_desktop.report", "hmip_desktop.ui",
)
# A passphrase-wrapped key is unwrapped with cryptography (Argon2id, AES-GCM); a key kept in
# the keyring needs none of it.
NOT_NEEDED_WITH_KEYRING = ("cryptography",)

# Runs `hmip note list FILE …` as the program does (argv from the process), then reports.
WRAPPER = """
import gc, json, sys
from hmip_desktop.cli.main import main
NOT = {not_needed!r}
sys.argv = ["hmip", "note", "list", *sys.argv[1:]]
code = main()
sys.stdout.flush()
loaded = sorted(m for m in sys.modules if any(m == n or m.startswith(n + ".") for n in NOT))
print(json.dumps({{"code": code, "loaded": loaded, "gc_on": gc.isenabled(),
                  "frozen": gc.get_freeze_count()}}), file=sys.stderr)
"""


def _env(home: Path, key_source: str) -> dict[str, str]:
    env = {**os.environ, "HMIP_HOME": str(home), "PYTHONIOENCODING": "utf-8",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop("HMIP_KEY_SOURCE", None)
    env.pop("HMIP_PASSPHRASE", None)
    if key_source == "passphrase":
        env.update(HMIP_KEY_SOURCE="passphrase", HMIP_PASSPHRASE="cli test passphrase 123")
    else:  # a keyring a fresh process can read: the start-up bench's file-backed one
        env.update(PYTHON_KEYRING_BACKEND="bench.keyring_file.BenchFileKeyring",
                   HMIP_BENCH_KEYRING=str(home / "keyring.json"))
    return env


def _hmip(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "hmip_desktop.cli.main", *args],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc


def _listed(env: dict[str, str], key_source: str,
            *args: str) -> tuple[subprocess.CompletedProcess, dict]:
    not_needed = NOT_NEEDED + (NOT_NEEDED_WITH_KEYRING if key_source == "keyring" else ())
    proc = subprocess.run([sys.executable, "-c", WRAPPER.format(not_needed=not_needed), *args],
                          capture_output=True, text=True, env=env, timeout=120)
    return proc, json.loads(proc.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("key_source", ["passphrase", "keyring"])
def test_note_list_loads_nothing_it_does_not_need(isolated_home: Path, tmp_path: Path,
                                                  key_source: str) -> None:
    env = _env(isolated_home, key_source)
    path = str(tmp_path / "list.hmip")
    _hmip(env, "new", path, "--establishment", "HMP Lister", "--type", "mens-prison")
    for i in range(3):
        _hmip(env, "note", "add", path, "--source", "observation", "--title", f"note {i}",
              "--body", "text")
    assert json.loads(_hmip(env, "info", path, "--json").stdout)["key_source"] == key_source
    expected = _hmip(env, "note", "list", path).stdout
    proc, report = _listed(env, key_source, path)
    assert report["code"] == 0 and proc.stdout == expected
    assert [line.split()[-1] for line in proc.stdout.splitlines()] == ["0", "1", "2"]
    assert report["loaded"] == [], f"`hmip note list` imported {report['loaded']}"
    assert report["gc_on"] and report["frozen"] > 0  # start-up frozen, collector back on
    proc, report = _listed(env, key_source, path, "--json")
    assert report["code"] == 0 and report["loaded"] == []
    assert [n["title"] for n in json.loads(proc.stdout)] == ["note 0", "note 1", "note 2"]


def test_in_process_callers_keep_their_collector(isolated_home: Path, capsys) -> None:
    frozen = gc.get_freeze_count()
    assert main(["note", "list", str(isolated_home / "absent.hmip")]) == 2
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    assert "no inspection file" in capsys.readouterr().err

"""Start-up of the real entry points, each in a cold interpreter, against baselines in the same
run. Goals: the GUI (issue 2) <= 2x a bare PySide6 window; `hmip --version` (issue 11) within
1.5x `python -c "import argparse"`.

Bytecode: an installed app (wheel, PyInstaller) runs from compiled bytecode, but a checkout
started with PYTHONDONTWRITEBYTECODE=1 recompiles every module of the package at each start
(measured: about 250 ms of the GUI start). So every child here runs with bytecode written to
and read from a private cache (PYTHONPYCACHEPREFIX in the bench's temp dir), after one
untimed warm-up start of each side.

GUI: `python -m hmip_desktop FILE --quit-when-ready` with a 10,000-note inspection: "ready"
is the window showing the file's first screen (Overview facts and the newest notes, read
before the store loads, services/first_screen.py), timed by this process; "editable" (the
store open behind it) is the app's own count, reported. Once with
the key behind a passphrase (HMIP_KEY_SOURCE=passphrase + HMIP_PASSPHRASE, so the Argon2id
derivation is included) and once with the key in a keyring (simulated: a file-backed backend
selected with PYTHON_KEYRING_BACKEND, see bench/keyring_file.py), against a process showing a
bare PySide6 window. Each time is measured by this process, from just before starting the
child to the moment its ready line arrives on stdout; the app's own "ready in N ms" (since
the OS started it) is printed alongside. Median of seven runs per side (one with --quick).

Command line: `hmip --version` and `hmip note list FILE` (passphrase path, same file) as they
are now (each command imports only its own module) and as before (every command module
imported to build the parser: the same main() with the full parser forced), against
`python -c "import argparse"`; and `hmip note list FILE` on the keyring file against a
process that imports SQLAlchemy and sqlcipher3 and runs the same query by hand with the raw
key (goal <= 2x).

    python -m bench.startup [NOTES] [--quick]    (default 10,000 notes; --quick: 300, one run)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import emit, figure, quick_mode  # noqa: E402

BARE = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow, QLabel
app = QApplication([])
w = QMainWindow(); w.setCentralWidget(QLabel("hello")); w.resize(1200, 780); w.show()
app.processEvents()
print("READY", flush=True)
"""

# hmip as installed: `hmip = hmip_desktop.cli.main:main`.
CLI_NOW = "import sys; from hmip_desktop.cli.main import main; sys.exit(main())"
# hmip as it was before issue 11: the full parser (every command module) built for any command.
CLI_BEFORE = ("import sys; from hmip_desktop.cli import main as m; b = m.build_parser; "
              "m.build_parser = lambda argv=None: b(None); sys.exit(m.main())")
PASSPHRASE = "startup bench passphrase"
# The CLI's floor (issue 11): the two libraries `hmip note list` needs, and the query it
# answers, done by hand on the same encrypted file with its raw key (keyring side, so no
# Argon2id on either side): open, key, read every live note's id and title, print them.
CLI_FLOOR = """import json, os, sys, sqlalchemy, sqlcipher3
c = sqlcipher3.connect(sys.argv[1])
c.execute(f"PRAGMA key = \\"x'{os.environ['HMIP_BENCH_RAW_KEY']}'\\"")
for i, p in c.execute("SELECT id, payload FROM entity WHERE type = 'note' AND NOT deleted"):
    print(i, json.loads(p).get("title", ""))
"""


def time_until(cmd: list[str], marker: str, env: dict[str, str]) -> tuple[float, str]:
    """Seconds from starting cmd to the first stdout line starting with marker (or to its
    exit when marker is empty), and that line. The process is then left to finish."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=ROOT)
    found = ""
    if marker:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith(marker):
                found = line.strip()
                break
    elapsed = time.perf_counter() - start
    out, err = proc.communicate(timeout=600)
    if proc.returncode != 0 or (marker and not found):
        raise SystemExit(f"{' '.join(cmd[:4])}… failed ({proc.returncode}): {err[-2000:]}")
    if not marker:
        elapsed = time.perf_counter() - start
    later = [line.strip() for line in out.splitlines() if line.startswith("editable in")]
    return elapsed, "; ".join([found, *later])


def median_run(cmd: list[str], marker: str, env: dict[str, str],
               repeats: int) -> tuple[float, list[str]]:
    runs = [time_until(cmd, marker, env) for _ in range(repeats)]
    return statistics.median(r[0] for r in runs), [r[1] for r in runs]


def make_files(home: Path, count: int) -> tuple[Path, Path, dict[str, str]]:
    """The passphrase file and the keyring file (same notes); the keyring file's environment."""
    from bench.common import create_with_notes, isolated_environment

    isolated_environment()
    os.environ["HMIP_HOME"] = str(home)
    os.environ["HMIP_KEY_SOURCE"] = "passphrase"
    os.environ["HMIP_PASSPHRASE"] = PASSPHRASE
    store = create_with_notes(home / "startup-passphrase.hmip", count)
    pass_file = store.path
    store.close()

    import keyring

    from bench.keyring_file import BenchFileKeyring

    key_env = {k: v for k, v in os.environ.items()
               if k not in ("HMIP_KEY_SOURCE", "HMIP_PASSPHRASE")}
    key_env["HMIP_BENCH_KEYRING"] = str(home / "bench-keyring.json")
    key_env["PYTHON_KEYRING_BACKEND"] = "bench.keyring_file.BenchFileKeyring"
    key_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT),
                                                          os.environ.get("PYTHONPATH")]))
    os.environ["HMIP_BENCH_KEYRING"] = key_env["HMIP_BENCH_KEYRING"]
    del os.environ["HMIP_KEY_SOURCE"], os.environ["HMIP_PASSPHRASE"]
    keyring.set_keyring(BenchFileKeyring())
    store = create_with_notes(home / "startup-keyring.hmip", count)
    key_file = store.path
    store.close()
    from hmip_desktop.storage.keys import load_file_key

    key_env["HMIP_BENCH_RAW_KEY"] = load_file_key(key_file, provider=None)[0].hex()
    os.environ["HMIP_KEY_SOURCE"] = "passphrase"
    os.environ["HMIP_PASSPHRASE"] = PASSPHRASE
    return pass_file, key_file, key_env


def main(count: int, quick: bool) -> None:
    """Make the files once, then time every side (GUI sides interleaved per repeat)."""
    import tempfile

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # Seven interleaved repeats: the bare window alone varies by a third from run to run.
    repeats = 1 if quick else 7
    home = Path(tempfile.mkdtemp(prefix="hmip-bench-startup-"))
    t0 = time.perf_counter()
    pass_file, key_file, key_env = make_files(home, count)
    print(f"setup: two inspections of {count} notes (passphrase, keyring) in "
          f"{time.perf_counter() - t0:.1f} s")
    cache = {"PYTHONPYCACHEPREFIX": str(home / "pycache")}
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | cache
    key_env = {k: v for k, v in key_env.items() if k != "PYTHONDONTWRITEBYTECODE"} | cache
    py = sys.executable
    time_until([py, "-c", BARE], "READY", env)  # warm-up: compile into the cache, untimed
    for path, side_env in ((pass_file, env), (key_file, key_env)):
        time_until([py, "-m", "hmip_desktop", str(path), "--quit-when-ready"], "ready in",
                   side_env)
    time_until([py, "-c", CLI_NOW, "--version"], "", env)
    time_until([py, "-c", CLI_BEFORE, "--version"], "", env)
    gui = {"bare": [], "passphrase": [], "keyring": []}  # type: ignore[var-annotated]
    own = {"passphrase": [], "keyring": []}  # type: ignore[var-annotated]
    for _ in range(repeats):  # interleaved, so a busy moment does not hit one side only
        gui["bare"].append(time_until([py, "-c", BARE], "READY", env)[0])
        for side, path, side_env in (("passphrase", pass_file, env),
                                     ("keyring", key_file, key_env)):
            secs, line = time_until([py, "-m", "hmip_desktop", str(path), "--quit-when-ready"],
                                    "ready in", side_env)
            gui[side].append(secs)
            own[side].append(line)
    bare = statistics.median(gui["bare"])
    print(f"startup: bare PySide6 window {bare * 1000:.0f} ms (median of {repeats})")
    for side in ("passphrase", "keyring"):
        app = statistics.median(gui[side])
        print(f"startup: python -m hmip_desktop FILE --quit-when-ready, {count} notes, "
              f"{side} key: {app * 1000:.0f} ms (app said: {'; '.join(own[side])})")
        print(f"RATIO startup app ({side})/bare = {app / bare:.2f}x (goal <= 2x)")
        figure(f"startup GUI, {side} key ({count} notes)/bare window", app, "s",
               baseline=bare, goal="<= 2x", met=app / bare <= 2)
        # Ready = the first screen (read before the store loads); editable = the store
        # behind it open too (the app's own counts since the OS started it; reported).
        editable = [int(part.split()[2]) for line in own[side] for part in line.split("; ")
                    if part.startswith("editable in")]
        if editable:
            ms = statistics.median(editable) / 1000
            print(f"startup: {side} key: editable (store open) after {ms * 1000:.0f} ms "
                  f"(app's own count, median)")
            figure(f"startup GUI editable, {side} key ({count} notes)/bare window", ms, "s",
                   baseline=bare, goal="(reported)", met=None)

    cli_repeats = 1 if quick else 5
    argparse_s, _ = median_run([py, "-c", "import argparse"], "", env, cli_repeats)
    print(f"cli: python -c 'import argparse' {argparse_s * 1000:.0f} ms "
          f"(median of {cli_repeats})")
    for what, args in (("hmip --version", ["--version"]),
                       ("hmip note list", ["note", "list", str(pass_file)])):
        before, _ = median_run([py, "-c", CLI_BEFORE, *args], "", env, cli_repeats)
        now, _ = median_run([py, "-c", CLI_NOW, *args], "", env, cli_repeats)
        print(f"cli: {what}: now {now * 1000:.0f} ms, before (every command module "
              f"imported) {before * 1000:.0f} ms; {before / now:.2f}x faster")
        if what == "hmip --version":
            print(f"RATIO {what}/import argparse = {now / argparse_s:.2f}x (goal <= 1.5x); "
                  f"before {before / argparse_s:.2f}x")
            figure(f"{what}/python -c 'import argparse'", now, "s", baseline=argparse_s,
                   goal="<= 1.5x", met=now / argparse_s <= 1.5)
        figure(f"{what} now/before (full parser)", now, "s", baseline=before,
               goal="(reported)", met=None)
    floor, _ = median_run([py, "-c", CLI_FLOOR, str(key_file)], "", key_env, cli_repeats)
    now, _ = median_run([py, "-c", CLI_NOW, "note", "list", str(key_file)], "", key_env,
                        cli_repeats)
    print(f"RATIO hmip note list (keyring key)/import sqlalchemy, sqlcipher3 + the query = "
          f"{now / floor:.2f}x (goal <= 2x): {now * 1000:.0f} vs {floor * 1000:.0f} ms")
    figure("hmip note list (keyring)/import sqlalchemy, sqlcipher3 + query", now, "s",
           baseline=floor, goal="<= 2x", met=now / floor <= 2)
    emit("startup", quick, notes=count)
    import shutil

    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    if {"-h", "--help"} & set(sys.argv[1:]):  # (it used to start the whole ~90 s run)
        print(__doc__)
        sys.exit(0)
    _quick = quick_mode()
    _numbers = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(_numbers[0]) if _numbers else (300 if _quick else 10_000), _quick)

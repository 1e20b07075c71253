"""Benchmark: importing a large CSV extract, against SQLite's own CSV import, in one run.

    python -m bench.extract_import [ROWS] [--gc-freeze] [--quick]
    (default 1,000,000 rows x 12 columns; --quick: 20,000 rows)

--gc-freeze moves the start-up heap into the collector's permanent generation first (as an app
could after building its window): a full collection of the app's heap takes ~45 ms on the
GUI thread whoever triggers it, and that, not the import, is the longest stall without it.

Prints three figures with their goals:
- RATIO: the app's import (encrypted snapshot + typed rows in the SQLCipher file, one
  transaction) against the `sqlite3` shell's `.import` of the same file into a fresh plain
  database (Python's sqlite3 + csv executemany when the shell is not installed; said so).
- PEAK: the peak resident memory of the process running the app import (it runs in its own
  subprocess, so the figure is its own; it includes Python, Qt and the app's modules).
- STALL: the longest gap between ticks of a 10 ms QTimer on the GUI thread of a
  QApplication while the import runs on a worker thread, as the app's TaskRunner does (the
  worker first sniffs the file, as the GUI's preview does, then imports; both are timed).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["incident_id", "date", "wing", "kind", "prisoner_ref", "staff_count", "injuries",
          "duration_min", "cost", "age", "outcome", "notes"]
WINGS = ["A", "B", "C", "D", "E", "F", "Seg", "HCC"]
KINDS = ["assault", "self-harm", "use of force", "adjudication", "drugs find", "damage"]
OUTCOMES = ["closed", "open", "referred"]


def generate(path: Path, rows: int, *, seed: int = 1) -> None:
    """A CSV of incident-like rows: integers, dates, text and decimals, written streaming."""
    rnd = random.Random(seed)
    base = dt.date(2024, 1, 1)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        for i in range(rows):
            day = base + dt.timedelta(days=rnd.randrange(730))
            writer.writerow([
                i + 1, day.isoformat(), rnd.choice(WINGS), rnd.choice(KINDS),
                f"P{rnd.randrange(100000):05d}", rnd.randrange(1, 9), rnd.randrange(0, 3),
                rnd.randrange(1, 240), f"{rnd.randrange(0, 100000) / 100:.2f}",
                rnd.randrange(18, 80), rnd.choice(OUTCOMES), f"note text {rnd.randrange(1000)}",
            ])


def baseline(path: Path, work: Path) -> tuple[float, str]:
    """Seconds for SQLite's own CSV import into a fresh plain database, and what ran."""
    db = work / "plain.db"
    shell = shutil.which("sqlite3")
    if shell:
        start = time.perf_counter()
        subprocess.run([shell, str(db), ".mode csv", f".import '{path}' t"], check=True)
        return time.perf_counter() - start, "sqlite3 shell .import"
    code = (
        "import csv, sqlite3, sys\n"
        "con = sqlite3.connect(sys.argv[1])\n"
        "with open(sys.argv[2], newline='', encoding='utf-8') as f:\n"
        "    r = csv.reader(f); h = next(r)\n"
        "    con.execute('CREATE TABLE t (' + ', '.join(f'\"{c}\" TEXT' for c in h) + ')')\n"
        "    con.executemany('INSERT INTO t VALUES (' + ','.join('?' * len(h)) + ')', r)\n"
        "con.commit()\n"
    )
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(db), str(path)], check=True)
    return time.perf_counter() - start, "Python sqlite3 + csv executemany (no sqlite3 shell)"


def child(path: Path, *, freeze: bool) -> None:
    """Run in a subprocess: the app import on a worker thread under a GUI-thread heartbeat."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    from concurrent.futures import ThreadPoolExecutor

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from bench.common import isolated_environment
    from hmip_desktop.services.extracts import ExtractService
    from hmip_desktop.services.inspections import create_inspection
    from tests.factories import minimal_framework

    home = isolated_environment()
    store = create_inspection(home / "bench.hmip", establishment_name="HMP Bench",
                              establishment_type="mens_prison", framework=minimal_framework())
    app = QApplication([])
    if freeze:
        import gc

        gc.collect()
        gc.freeze()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ticks: list[float] = []
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(10)
    progress: list[int] = []

    sniffed: list[float] = []

    def work() -> tuple[float, int]:
        # As the GUI does it: check the file (sniff), then import with what was found.
        start = time.perf_counter()
        service = ExtractService(store)
        found = service.preview(path)
        sniffed.append(time.perf_counter())
        view = service.import_file(path, sniff=found, progress=lambda d, t: progress.append(d))
        return time.perf_counter() - start, view.row_count

    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(work)

        def tick() -> None:
            ticks.append(time.perf_counter())
            if future.done():
                loop.quit()

        timer.timeout.connect(tick)
        timer.start()
        loop.exec()
        timer.stop()
        seconds, rows = future.result()
    pairs = list(zip(ticks, ticks[1:], strict=False))
    gaps = [b - a for a, b in pairs]
    loading = [b - a for a, b in pairs if a >= sniffed[0]]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    store.close()
    del app
    print(json.dumps({"seconds": seconds, "rows": rows, "peak_kib": peak,
                      "rss_before_kib": rss_before, "max_gap": max(gaps, default=0.0),
                      "max_gap_loading": max(loading, default=0.0),
                      "ticks": len(ticks), "progress_calls": len(progress)}))


def main(argv: list[str]) -> int:
    """Generate, run the baseline and the app import, print the figures."""
    if argv[:1] == ["--child"]:
        child(Path(argv[1]), freeze="--gc-freeze" in argv)
        return 0
    from bench.common import emit, figure

    freeze, quick = "--gc-freeze" in argv, "--quick" in argv
    numbers = [a for a in argv if not a.startswith("--")]
    rows = int(numbers[0]) if numbers else (20_000 if quick else 1_000_000)
    work = Path(tempfile.mkdtemp(prefix="hmip-bench-extract-"))
    try:
        path = work / "extract.csv"
        start = time.perf_counter()
        generate(path, rows)
        size_mb = path.stat().st_size / 1e6
        print(f"generated {rows:,} rows x {len(HEADER)} columns ({size_mb:.1f} MB) "
              f"in {time.perf_counter() - start:.1f} s")
        base_s, base_kind = baseline(path, work)
        print(f"baseline: {base_kind}: {base_s:.2f} s")
        proc = subprocess.run([sys.executable, "-m", "bench.extract_import", "--child",
                               str(path)] + (["--gc-freeze"] if freeze else []), cwd=ROOT,
                              capture_output=True, text=True, check=True)
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        if result["rows"] != rows:
            raise SystemExit(f"the app imported {result['rows']} rows, expected {rows}")
        print(f"app: ExtractService.preview + import_file: {result['seconds']:.2f} s "
              f"({result['rows']:,} rows, {result['progress_calls']} progress calls)")
        print(f"RATIO extract import app/sqlite3 = {result['seconds'] / base_s:.2f}x "
              "(goal <= 2.5x)")
        print(f"PEAK app import process = {result['peak_kib'] / 1024:.0f} MB "
              f"(before the import {result['rss_before_kib'] / 1024:.0f} MB; goal < 300 MB)")
        print(f"STALL max UI gap = {result['max_gap'] * 1000:.0f} ms over {result['ticks']} "
              "ticks of a 10 ms timer (goal < 100 ms)"
              + (" [start-up heap frozen]" if freeze else ""))
        print(f"      (after the sniff, while snapshotting and loading rows: "
              f"{result['max_gap_loading'] * 1000:.0f} ms)")
        figure(f"extract import app/{base_kind} ({rows:,} rows)", result["seconds"], "s",
               baseline=base_s, goal="<= 2.5x", met=result["seconds"] / base_s <= 2.5)
        figure("extract import peak RSS", result["peak_kib"] / 1024, "MB", goal="< 300 MB",
               met=result["peak_kib"] / 1024 < 300)
        figure("extract import max UI gap", result["max_gap"] * 1000, "ms", goal="< 100 ms",
               met=result["max_gap"] * 1000 < 100)
        emit("extract_import", quick, rows=rows, gc_freeze=freeze)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

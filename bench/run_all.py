"""Run every benchmark script under bench/ and print their figures (`make bench`).

Each script prints its human lines and, last, one `BENCH {json}` line with its figures
(bench/common.py: figure(), emit()). This runner passes the human lines through, collects
the BENCH lines, ends with one table (figure, value, baseline, ratio, goal, met) and writes
bench/results.json.

    python bench/run_all.py [--quick] [NAME ...]    (NAME: search, startup, … ; default all)
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["search.py", "startup.py", "extract_import.py", "merge.py", "report.py",
           "expectations.py", "ui_stall.py", "sync_growth.py"]
RESULTS = HERE / "results.json"
MARKER = "BENCH "


def run_one(name: str, quick: bool) -> tuple[int, dict | None, float]:  # type: ignore[type-arg]
    """Run bench/NAME in its own process, echoing its lines; (exit code, figures, seconds)."""
    start = time.perf_counter()
    cmd = [sys.executable, "-m", f"bench.{Path(name).stem}"] + (["--quick"] if quick else [])
    proc = subprocess.Popen(cmd, cwd=HERE.parent, stdout=subprocess.PIPE, text=True,
                            bufsize=1)
    found = None
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(MARKER):
            found = json.loads(line[len(MARKER):])
        else:
            print(line, end="", flush=True)
    return proc.wait(), found, time.perf_counter() - start


def _num(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    text = f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
    return f"{text} {unit}".rstrip()


def table(results: list[dict]) -> str:  # type: ignore[type-arg]
    """One table of every figure of every script."""
    head = ("figure", "value", "baseline", "ratio", "goal", "met")
    rows = []
    for res in results:
        for f in res.get("figures", []):
            met = {True: "yes", False: "NO", None: "-"}[f.get("met")]
            rows.append((f"{res['bench']}: {f['figure']}", _num(f["value"], f["unit"]),
                         _num(f.get("baseline"), f["unit"]),
                         "-" if f.get("ratio") is None else f"{f['ratio']:.2f}x",
                         f.get("goal", ""), met))
        if res.get("error"):
            rows.append((f"{res['bench']}: {res['error']}", "-", "-", "-", "-", "NO"))
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    fmt = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w)  # noqa: E731
                              for i, (c, w) in enumerate(zip(r, widths, strict=True)))
    return "\n".join([fmt(head), fmt(tuple("-" * w for w in widths)), *map(fmt, rows)])


def main(argv: list[str]) -> int:
    """Each script runs in its own process so peaks and caches do not mix."""
    quick = "--quick" in argv
    chosen = [a for a in argv if not a.startswith("--")]
    names = [s for s in SCRIPTS if not chosen or Path(s).stem in chosen]
    failed, results = 0, []
    for name in names:
        if not (HERE / name).exists():
            print(f"== {name}: not present")
            continue
        print(f"== {name}", flush=True)
        code, found, seconds = run_one(name, quick)
        res = found or {"bench": Path(name).stem, "figures": []}
        res["exit_code"], res["seconds"] = code, round(seconds, 1)
        if code != 0 or found is None:
            failed += 1
            res["error"] = f"exit code {code}" if code != 0 else "printed no BENCH line"
        results.append(res)
    print("\n== summary" + (" (quick: small sizes, not the goals' sizes)" if quick else ""))
    print(table(results))
    figures = [f for r in results for f in r.get("figures", [])]
    missed = sum(f.get("met") is False for f in figures)
    print(f"{len(figures)} figures, {missed} goals not met, {failed} scripts failed")
    RESULTS.write_text(json.dumps({
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "quick": quick,
        "python": platform.python_version(), "machine": platform.machine(),
        "results": results}, indent=2) + "\n")
    print(f"written {RESULTS.relative_to(HERE.parent)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

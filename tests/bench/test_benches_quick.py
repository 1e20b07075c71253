"""Every benchmark script runs in --quick mode and prints its figures as a `BENCH {json}` line.

No timing is asserted: this only keeps the scripts working. Measured on the 2-core machine
while other work ran: search 5 s, extract_import 6 s, expectations 8 s, report 9 s, merge 16 s,
ui_stall 12 s, sync_growth 3 s (about 60 s in all for `make test`); startup 15 s (four GUI
and twelve command-line starts) is marked `slow` and runs only when HMIP_BENCH_SLOW=1 is set.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import run_all

ROOT = Path(__file__).resolve().parents[2]
RUN_SLOW = os.environ.get("HMIP_BENCH_SLOW") == "1"
slow = [pytest.mark.slow,
        pytest.mark.skipif(not RUN_SLOW, reason="slow benchmark; set HMIP_BENCH_SLOW=1")]

BENCHES = [
    pytest.param("search", id="search"),
    pytest.param("extract_import", id="extract_import"),
    pytest.param("expectations", id="expectations"),
    pytest.param("merge", id="merge"),
    pytest.param("report", id="report"),
    pytest.param("ui_stall", id="ui_stall"),
    pytest.param("sync_growth", id="sync_growth"),
    pytest.param("startup", id="startup", marks=slow),
]


def test_every_script_is_covered() -> None:
    assert sorted(Path(s).stem for s in run_all.SCRIPTS) == sorted(p.values[0] for p in BENCHES)


@pytest.mark.parametrize("name", BENCHES)
def test_bench_quick(name: str, tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(tmp_path),
           "HMIP_HOME": str(tmp_path / "home")}
    proc = subprocess.run([sys.executable, "-m", f"bench.{name}", "--quick"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(run_all.MARKER)]
    assert len(lines) == 1, proc.stdout[-3000:]
    result = json.loads(lines[0][len(run_all.MARKER):])
    assert result["bench"] == name and result["quick"] is True
    assert result["figures"], "no figures"
    for fig in result["figures"]:
        assert {"figure", "value", "unit", "baseline", "ratio", "goal", "met"} <= fig.keys()
        assert fig["value"] >= 0
    assert len(proc.stdout.splitlines()) > 1, "the human lines are gone"


def test_summary_table() -> None:
    results = [{"bench": "x", "figures": [
        {"figure": "a/b", "value": 2.0, "unit": "s", "baseline": 1.0, "ratio": 2.0,
         "goal": "<= 1.5x", "met": False},
        {"figure": "c", "value": 150.0, "unit": "MB", "baseline": None, "ratio": None,
         "goal": "< 300 MB", "met": True}]},
        {"bench": "y", "figures": [], "error": "exit code 1"}]
    text = run_all.table(results)
    assert "x: a/b" in text and "2.00x" in text and "NO" in text and "yes" in text
    assert "y: exit code 1" in text
    assert text.splitlines()[0].split()[:2] == ["figure", "value"]

"""Search latency on 100k notes: the app's search against a raw FTS5 query on the same file.

Goal (issue 2): median app query <= 1.5x the raw query, and under 30 ms.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    create_with_notes,
    emit,
    figure,
    isolated_environment,
    median_ms,
    quick_mode,
)


def queries() -> list[str]:
    """A mix across term frequencies (Zipf ranks 0..3000), two-term ANDs, a prefix, a phrase,
    and domain words, so the figure is not only very rare or very common terms."""
    from bench.common import _VOCAB, sentence

    sentence(__import__("random").Random(0), 1)  # builds the vocabulary
    ranks = [0, 3, 10, 30, 100, 300, 1000, 3000]
    mix = [_VOCAB[r] for r in ranks]
    mix += [f"{_VOCAB[2]} {_VOCAB[40]}", f"{_VOCAB[5]} {_VOCAB[500]}", _VOCAB[20][:4] + "*",
            f'"{_VOCAB[1]} {_VOCAB[2]}"', "segregation unit", "interpreter"]
    return mix
RAW_SQL = (
    "SELECT s.entity_id, s.kind, s.key, highlight(search_fts, 0, char(2), char(3)), "
    "snippet(search_fts, 1, char(2), char(3), '…', 16), bm25(search_fts, 5.0, 1.0) AS score "
    "FROM search_fts JOIN search_item s ON s.rid = search_fts.rowid "
    "WHERE search_fts MATCH ? ORDER BY score LIMIT 20"
)


def main(count: int = 100_000, repeats: int = 7, quick: bool = False) -> None:
    """Build the file, warm up, then measure both sides on the same queries."""
    home = isolated_environment()
    from hmip_desktop.domain.search_query import fts_match_expression
    from hmip_desktop.services import search
    from hmip_desktop.storage import connection, keys

    t0 = time.perf_counter()
    store = create_with_notes(home / "bench.hmip", count)
    print(f"setup: {count} notes written through the revision log in "
          f"{time.perf_counter() - t0:.1f} s")
    key, _, _ = keys.load_file_key(store.path, provider=None)
    raw = connection.connect(store.path, key, read_only=True)
    app_times, raw_times = [], []
    mix = queries()
    for q in mix:
        match = fts_match_expression(q)
        search.search(store, q)  # warm both caches
        raw.execute(RAW_SQL, (match,)).fetchall()
        app_times.append(median_ms(lambda q=q: search.search(store, q), repeats))
        raw_times.append(median_ms(lambda m=match: raw.execute(RAW_SQL, (m,)).fetchall(), repeats))
    app_med = sorted(app_times)[len(app_times) // 2]
    raw_med = sorted(raw_times)[len(raw_times) // 2]
    print(f"search median over {len(mix)} queries: app {app_med:.2f} ms, raw FTS5 "
          f"{raw_med:.2f} ms")
    print(f"RATIO search app/raw = {app_med / raw_med:.2f}x (goal <= 1.5x); "
          f"app median {app_med:.1f} ms (goal < 30 ms)")
    figure(f"search app/raw FTS5 ({count} notes)", app_med, "ms", baseline=raw_med,
           goal="<= 1.5x", met=app_med / raw_med <= 1.5)
    figure(f"search app median ({count} notes)", app_med, "ms", goal="< 30 ms",
           met=app_med < 30)
    emit("search", quick, notes=count)
    raw.close()
    store.close()


if __name__ == "__main__":
    _quick = quick_mode()
    _numbers = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(_numbers[0]) if _numbers else (1_000 if _quick else 100_000),
         repeats=3 if _quick else 7, quick=_quick)

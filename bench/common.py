"""Shared helpers for benchmarks: an isolated data dir, in-memory keyring, generated notes.

Benchmarks print each figure as a ratio against a baseline measured in the same run, because
absolute times depend on the machine.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

WORDS = (
    "wing cell officer prisoner segregation unit night staff violence drugs supply self-harm "
    "acct review healthcare nurse meal canteen visits family phone education workshop library "
    "gym chaplaincy induction reception first night keyworker adjudication restraint force "
    "body-worn camera incident complaint application shower laundry exercise yard association "
    "bang-up regime unlock roll count escort transfer release housing employment probation "
    "interpreter foreign national remand sentence recall mental health substance misuse "
    "therapeutic community violence reduction safer custody listener samaritans"
).split()


def isolated_environment() -> Path:
    """A fresh HMIP_HOME and an in-memory keyring for this process."""
    home = Path(tempfile.mkdtemp(prefix="hmip-bench-"))
    os.environ["HMIP_HOME"] = str(home)
    import keyring
    import keyring.backend

    class MemoryKeyring(keyring.backend.KeyringBackend):
        priority = 1  # type: ignore[assignment]
        _s: dict = {}

        def get_password(self, s, u):  # noqa: ANN001, ANN201
            return self._s.get((s, u))

        def set_password(self, s, u, p):  # noqa: ANN001, ANN201
            self._s[(s, u)] = p

        def delete_password(self, s, u):  # noqa: ANN001, ANN201
            self._s.pop((s, u), None)

    keyring.set_keyring(MemoryKeyring())
    return home


_SYLLABLES = ("ka", "lo", "mi", "ren", "sto", "val", "de", "tur", "bin", "sha", "po", "gre",
              "nu", "fel", "ta", "wick", "mor", "ban", "si", "dal")


def _vocabulary(rng: random.Random, size: int = 20_000) -> list[str]:
    words = set(WORDS)
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    ordered = sorted(words)
    rng.shuffle(ordered)
    return ordered


_VOCAB: list[str] = []
_WEIGHTS: list[float] = []


def sentence(rng: random.Random, n: int) -> str:
    """n words drawn with a Zipf-like frequency from a 20,000-word vocabulary (real notes
    are Zipfian; a tiny uniform vocabulary makes every term match half the notes)."""
    if not _VOCAB:
        _VOCAB.extend(_vocabulary(random.Random(11)))
        total = 0.0
        for rank in range(len(_VOCAB)):
            total += 1.0 / (rank + 10)
            _WEIGHTS.append(total)  # cumulative, so choices() does not rebuild it per call
    return " ".join(rng.choices(_VOCAB, cum_weights=_WEIGHTS, k=n))


def create_with_notes(path: Path, count: int, *, seed: int = 7):  # type: ignore[no-untyped-def]
    """An inspection file with `count` generated notes, written in bulk through the log."""
    from hmip_desktop.domain import records as R
    from hmip_desktop.domain.ids import new_id
    from hmip_desktop.domain.revision import make_revision
    from hmip_desktop.services.frameworks import FrameworkService
    from hmip_desktop.services.inspections import create_inspection

    fw = FrameworkService().resolve_for_new("mens_prison", None, None)
    store = create_inspection(path, establishment_name="HMP Benchmark",
                              establishment_type="mens_prison", framework=fw,
                              provider=lambda _p: os.environ.get("HMIP_PASSPHRASE"))
    rng = random.Random(seed)
    kinds = list(R.SOURCE_KINDS)
    batch = []
    for i in range(count):
        payload = {"source_kind": rng.choice(kinds), "title": sentence(rng, 5),
                   "body": sentence(rng, 60), "interpreter_used": False}
        batch.append(make_revision(entity_type=R.NOTE, entity_id=new_id(), parents=[],
                                   hlc=store.clock.now(), device_id=store.device.device_id,
                                   author_id=store.device.author_id, payload=payload))
        if len(batch) == 5000 or i == count - 1:
            with store.uow(write=True) as tx:
                tx.records.append(batch)
            batch = []
    return store


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time of fn() in milliseconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


# -- machine-readable figures (collected by bench/run_all.py) --------------------------------
FIGURES: list[dict] = []  # type: ignore[type-arg]


def quick_mode(argv: list[str] | None = None) -> bool:
    """True when the script was started with --quick (small sizes: seconds, not minutes)."""
    import sys

    return "--quick" in (sys.argv[1:] if argv is None else argv)


def figure(name: str, value: float, unit: str, *, goal: str, met: bool | None,
           baseline: float | None = None) -> None:
    """Record one figure: its value, the same-run baseline when there is one (the ratio is
    value/baseline), the goal as text and whether it was met (None: no goal to meet)."""
    ratio = value / baseline if baseline else None
    FIGURES.append({"figure": name, "value": round(value, 4), "unit": unit,
                    "baseline": None if baseline is None else round(baseline, 4),
                    "ratio": None if ratio is None else round(ratio, 3), "goal": goal,
                    "met": met})


def emit(bench: str, quick: bool, **extra: object) -> None:
    """Print the recorded figures as one line `BENCH {json}` (after the human lines)."""
    import json

    print("BENCH " + json.dumps({"bench": bench, "quick": quick, "figures": FIGURES, **extra}),
          flush=True)

"""Does the window ever freeze? The longest event-loop gap per activity of the real app.

A 10 ms QTimer on the GUI thread records the gap between its ticks while the real main
window (threaded TaskRunner, as `hmip-desktop` runs it) does, one after the other:

- open: opens an inspection of 10,000 notes (passphrase path) until the Overview is filled
  and the notes list shows its rows, then until the DB lane is idle;
- pages: shows each page in turn (each is built on its first visit), waiting for its reads;
- extract: imports a 1,000,000 x 12 CSV through the Data extracts tab (on its own lane, with
  progress), saving a note on the DB lane when 30% is loaded (how long it waited is printed:
  issue 11 §4), then filters its rows (the filtered count runs on the DB lane);
- merge: merges 8 bundles from team members into a leader's inspection on the DB lane;
- report: exports the draft report (PDF) of the open inspection on the DB lane.

Goal (issue 11 §2): no gap over 100 ms. A gap is a tick that came late, so "the longest gap"
is the worst time the window could not repaint or react to a key. The timer's own period is
not subtracted (an idle loop shows about 10 ms). The package is byte-compiled first, as an
installed app is.

    python -m bench.ui_stall [--quick]    (--quick: 300 notes, 20,000 rows, 2 small bundles)
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import emit, figure, quick_mode  # noqa: E402

GOAL_MS = 100.0
TICK_MS = 10
PASSPHRASE = "ui stall bench passphrase"


class StallMeter:
    """A 10 ms QTimer; the longest gap between ticks since `start(name)`, per activity."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.gaps: dict[str, float] = {}
        self._name = ""
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._name:
            gap = (now - self._last) * 1000
            self.gaps[self._name] = max(self.gaps.get(self._name, 0.0), gap)
        self._last = now

    def start(self, name: str) -> None:
        """Begin measuring an activity (the first gap counts from now)."""
        self._name = name
        self._last = time.perf_counter()
        self.gaps.setdefault(name, 0.0)


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> float:
    """Run the event loop until condition() holds; seconds it took (SystemExit on timeout)."""
    from PySide6.QtCore import QEventLoop, QTimer

    start = time.perf_counter()
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(5)
    poll.timeout.connect(lambda: loop.quit() if condition() or
                         time.perf_counter() - start > timeout_s else None)
    poll.start()
    if not condition():
        loop.exec()
    poll.stop()
    if not condition():
        raise SystemExit(f"ui_stall: {what} did not finish in {timeout_s:.0f} s")
    return time.perf_counter() - start


def lane_idle(window) -> Callable[[], bool]:  # type: ignore[no-untyped-def]
    """True when the window's DB lane has nothing queued or running."""
    return lambda: window.ctx.tasks._running == 0


def main(quick: bool) -> None:
    """Build the files, then run every activity in one window, one after the other."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # An installed app imports its pages from bytecode; a checkout run with
    # PYTHONDONTWRITEBYTECODE=1 would compile each page's modules on its first visit.
    import compileall

    compileall.compile_dir(str(ROOT / "hmip_desktop"), quiet=1)
    notes = 300 if quick else 10_000
    rows = 20_000 if quick else 1_000_000
    n_bundles, bundle_notes = (2, 50) if quick else (8, 500)
    work = Path(tempfile.mkdtemp(prefix="hmip-bench-stall-"))
    try:
        _run(work, notes, rows, n_bundles, bundle_notes, quick)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(work: Path, notes: int, rows: int, n_bundles: int, bundle_notes: int,
         quick: bool) -> None:
    from bench.common import create_with_notes, isolated_environment
    from bench.extract_import import generate
    from bench.merge import build

    t0 = time.perf_counter()
    isolated_environment()
    os.environ["HMIP_KEY_SOURCE"] = "passphrase"  # a file opened later must open here
    lead_home, lead_file, bundles = build(work / "team", n_bundles, bundle_notes, 0, 0)
    os.environ["HMIP_PASSPHRASE"] = PASSPHRASE
    big = create_with_notes(work / "stall.hmip", notes)
    big_path = big.path
    big.close()
    csv_path = work / "incidents.csv"
    generate(csv_path, rows)
    print(f"setup: {notes} notes, a {rows:,}-row CSV, {n_bundles} bundles of {bundle_notes} "
          f"notes in {time.perf_counter() - t0:.1f} s")

    import gc

    from PySide6.QtWidgets import QApplication

    from hmip_desktop.app import build_window
    from hmip_desktop.ui.page_base import PageKey

    app = QApplication.instance() or QApplication([])
    window = build_window()
    window.resize(1200, 780)
    window.show()
    meter = StallMeter()
    seconds: dict[str, float] = {}
    gc.freeze()  # as the app does once started

    # -- open a large file -----------------------------------------------------------------
    meter.start("open")
    window.open_path(big_path)

    def opened() -> bool:
        pages = window.pages
        return (window.ctx.store is not None and pages.is_built(PageKey.EVIDENCE)
                and pages[PageKey.OVERVIEW].first_data_shown()
                and pages[PageKey.EVIDENCE].first_data_shown())

    seconds["open"] = wait_until(opened, 120, "opening")
    seconds["open"] += wait_until(lane_idle(window), 120, "the first reads")

    # -- every page ------------------------------------------------------------------------
    meter.start("pages")
    start = time.perf_counter()
    for row, key in enumerate(window.pages):
        window.nav.setCurrentRow(row)
        # A page is built once its modules are loaded (off the GUI thread), then reads.
        wait_until(lambda k=key: window.pages.is_built(k), 120, f"page {row + 1}")
        wait_until(lane_idle(window), 120, f"page {row + 1}")
    seconds["pages"] = time.perf_counter() - start
    window.nav.setCurrentRow(0)

    # -- a large extract, then a filter on it ----------------------------------------------
    from hmip_desktop.services.extracts import ExtractService
    from hmip_desktop.ui.evidence.extract_import_dialog import ExtractImportRequest

    evidence = window.show_page("Evidence")
    panel = evidence.extracts  # type: ignore[attr-defined]
    evidence.tabs.setCurrentWidget(panel)  # type: ignore[attr-defined]
    wait_until(lane_idle(window), 60, "the extracts tab")
    store = window.ctx.store
    assert store is not None
    sniff = ExtractService(store).preview(csv_path)
    from hmip_desktop.services.notes import NoteService

    saves: dict[str, float] = {}

    def save_a_note() -> None:  # an autosave while the import loads rows (§4)
        if "asked" in saves or panel.progress.bar.value() < 300:
            return
        saves["asked"] = time.perf_counter()
        window.ctx.tasks.submit(
            lambda: NoteService(store).add(source_kind="observation", title="Autosaved"),
            lambda _id: saves.setdefault("saved", time.perf_counter()),
            lambda exc: saves.setdefault("failed", time.perf_counter()))

    from PySide6.QtCore import QTimer

    saver = QTimer()
    saver.setInterval(20)
    saver.timeout.connect(save_a_note)
    saver.start()
    meter.start("extract import")
    start = time.perf_counter()
    panel.start_import(ExtractImportRequest(csv_path, "Incidents", sniff, {}))
    wait_until(lambda: not panel.progress.running and lane_idle(window)(), 900, "the import")
    seconds["extract import"] = time.perf_counter() - start
    saver.stop()
    if "saved" in saves:
        wait_s = saves["saved"] - saves["asked"]
        print(f"ui_stall: a note saved {wait_s * 1000:.0f} ms after it was asked, while the "
              f"import ran (it finished {time.perf_counter() - saves['asked']:.1f} s after)")
        figure("note autosave during a large extract import", wait_s, "s",
               goal="(reported)", met=None)
    elif "failed" in saves:
        raise SystemExit("ui_stall: the note could not be saved during the import")
    if panel.current_extract() is None:
        raise SystemExit("ui_stall: the extract was not imported: " + panel.status.text())
    meter.start("extract filter")
    start = time.perf_counter()
    panel.filters.add(2, "=", "A")
    wait_until(lambda: not panel.model.counting and lane_idle(window)(), 120, "the filter")
    seconds["extract filter"] = time.perf_counter() - start

    # -- merge bundles (the leader's file, on the DB lane) ---------------------------------
    from bench.merge import _home, _provider

    def merge() -> int:
        from hmip_desktop.services import bundles as bundle_service
        from hmip_desktop.services import identity
        from hmip_desktop.services.inspections import open_inspection

        with _home(lead_home):
            keys = identity.load_keys(_provider)
            lead = open_inspection(lead_file, provider=_provider)
            try:
                report = bundle_service.import_bundles(lead, bundles, keys=keys)
            finally:
                lead.close()
        return report.revisions_new

    merged: list[object] = []
    meter.start("merge")
    start = time.perf_counter()
    window.ctx.tasks.submit(merge, merged.append, merged.append)
    wait_until(lambda: bool(merged) and lane_idle(window)(), 900, "the merge")
    seconds["merge"] = time.perf_counter() - start
    if isinstance(merged[0], BaseException):
        raise SystemExit(f"ui_stall: the merge failed: {merged[0]!r}")
    os.environ["HMIP_KEY_SOURCE"] = "passphrase"
    os.environ["HMIP_PASSPHRASE"] = PASSPHRASE

    # -- export the draft report -----------------------------------------------------------
    from hmip_desktop.services.report import ExportOptions, ReportService

    out = work / "report.pdf"
    exported: list[object] = []
    meter.start("report")
    start = time.perf_counter()
    window.ctx.tasks.submit(
        lambda: ReportService(store).export(out, ExportOptions(allow_disclosure=True)),
        exported.append, exported.append)
    wait_until(lambda: bool(exported) and lane_idle(window)(), 300, "the report")
    seconds["report"] = time.perf_counter() - start
    if isinstance(exported[0], BaseException):
        raise SystemExit(f"ui_stall: the report failed: {exported[0]!r}")
    meter.start("")

    window.close()
    app.processEvents()
    meter.gaps.pop("", None)
    worst = max(meter.gaps.values())
    for name, gap in meter.gaps.items():
        if not name:
            continue
        print(f"ui_stall: {name}: longest gap {gap:.0f} ms over {seconds[name]:.1f} s "
              f"(goal <= {GOAL_MS:.0f} ms)")
        figure(f"longest GUI gap: {name}", gap, "ms", goal=f"<= {GOAL_MS:.0f} ms",
               met=gap <= GOAL_MS)
    print(f"STALL longest event-loop gap over every activity = {worst:.0f} ms "
          f"(goal <= {GOAL_MS:.0f} ms)")
    emit("ui_stall", quick, notes=notes, rows=rows, bundles=n_bundles)


if __name__ == "__main__":
    main(quick_mode())

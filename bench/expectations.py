"""Evidence screens on 2,000 linked notes and a framework of 100 expectations: the old
per-area reads (kept below as the baseline) against one evidence snapshot, in the same run.

Goal (issue: Expectations page takes 4.8–7.2 s): the Expectations page data, the coverage
report and the scoring walkthrough's overview each load in under 150 ms on the DB lane (a
single-worker executor, as in the app), and applying the result to the view takes under
16 ms (one frame), offscreen.
"""

from __future__ import annotations

import copy
import os
import random
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import emit, figure, isolated_environment, quick_mode, sentence  # noqa: E402

GOAL_LOAD_MS = 150.0
GOAL_APPLY_MS = 16.0
QUICK = False  # --quick: a small file and one timed run per figure


# -- the file --------------------------------------------------------------------------------
def framework_with(count: int):  # type: ignore[no-untyped-def]
    """The shipped men's framework with `count` expectations spread over its areas."""
    from hmip_desktop.services.frameworks import FrameworkService

    fw = copy.deepcopy(FrameworkService().resolve_for_new("mens_prison", None, None))
    areas = [a for s in fw["sections"] for a in s["areas"]]
    for a in areas:
        a["expectations"], a["incomplete"] = [], False
        a.pop("nations", None)  # every area counts (no Ofsted/Estyn split in the benchmark)
    rng = random.Random(3)
    for n in range(1, count + 1):
        areas[(n - 1) * len(areas) // count]["expectations"].append({
            "number": str(n), "title": sentence(rng, 8), "outcome": sentence(rng, 20),
            "indicators": [sentence(rng, 12) for _ in range(3)], "sub_area": None,
            "verified": True, "outcome_paraphrased": False, "notes": ""})
    return fw


def build(path: Path, notes: int, expectations: int):  # type: ignore[no-untyped-def]
    """An inspection with `notes` notes, each linked to one or two expectations (a quarter
    by a passage), and findings in a few areas; written in one transaction through the log."""
    from hmip_desktop.domain import records as R
    from hmip_desktop.domain import scoring as S
    from hmip_desktop.domain.ids import new_id
    from hmip_desktop.domain.revision import make_revision
    from hmip_desktop.services.inspections import create_inspection

    fw = framework_with(expectations)
    store = create_inspection(path, establishment_name="HMP Benchmark",
                              establishment_type="mens_prison", framework=fw,
                              provider=lambda _p: os.environ.get("HMIP_PASSPHRASE"))
    rng = random.Random(7)
    kinds = list(R.SOURCE_KINDS)
    dev = store.device

    def rev(entity_type: str, entity_id: str, payload: dict):  # type: ignore[no-untyped-def, type-arg]
        return make_revision(entity_type=entity_type, entity_id=entity_id, parents=[],
                             hlc=store.clock.now(), device_id=dev.device_id,
                             author_id=dev.author_id, payload=payload)

    batch, links = [], 0
    for _ in range(notes):
        note_id, body = new_id(), sentence(rng, 60)
        batch.append(rev(R.NOTE, note_id, {"source_kind": rng.choice(kinds),
                                           "title": sentence(rng, 5), "body": body,
                                           "interpreter_used": False}))
        for ref in rng.sample(range(1, expectations + 1), 1 if rng.random() < 0.6 else 2):
            passage = rng.random() < 0.25
            batch.append(rev(R.LINK, new_id(), {
                "evidence_id": note_id, "evidence_type": R.NOTE, "expectation_ref": str(ref),
                "start": 0 if passage else None, "end": 20 if passage else None,
                "page": None, "quote": body[:20] if passage else None}))
            links += 1
    for sec in fw["sections"]:
        for ar in sec["areas"][::2]:
            fid = S.findings_id(store.inspection_id, str(sec["key"]), str(ar["key"]),
                                dev.author_id)
            batch.append(rev(R.FINDINGS, fid, {
                "section_key": sec["key"], "area_key": ar["key"], "author_id": dev.author_id,
                "author_name": dev.author_name, "text": sentence(rng, 40)}))
    with store.uow(write=True) as tx:
        tx.records.append(batch)
    return store, links


# -- the old reads (baseline: per area, framework re-read, one query per linked record) -------
def old_evidence_links(tx):  # type: ignore[no-untyped-def]
    """The old evidence_links: every link, then each evidence record fetched on its own."""
    from hmip_desktop.domain import records as R
    from hmip_desktop.domain.readiness import EVIDENCE_TYPES

    cache, out = {}, []  # type: ignore[var-annotated]
    for link in tx.records.list(R.LINK):
        eid = str(link.payload.get("evidence_id", ""))
        if eid not in cache:
            cache[eid] = tx.records.get(eid)
        ev = cache[eid]
        if ev is not None and not ev.deleted and ev.type in EVIDENCE_TYPES:
            out.append((link, ev))
    return out


def old_evidence_by_ref(store, wanted):  # type: ignore[no-untyped-def]
    """The old ScoringService._evidence_by_ref."""
    from hmip_desktop.domain.readiness import evidence_source_kind
    from hmip_desktop.services.scoring import EvidenceRef

    by_ref = {n: [] for n in wanted}  # type: ignore[var-annotated]
    with store.uow() as tx:
        for link, ev in old_evidence_links(tx):
            ref = str(link.payload.get("expectation_ref", ""))
            if ref not in wanted:
                continue
            lp, ep = link.payload, ev.payload
            title = ep.get("title") or ep.get("name") or ep.get("caption") or ""
            by_ref[ref].append(EvidenceRef(
                link.id, ev.id, ev.type, evidence_source_kind(ev.type, ep), str(title),
                lp.get("start"), lp.get("end"), lp.get("page")))
    return by_ref


def _old_expectation(number, title, refs):  # type: ignore[no-untyped-def]
    from hmip_desktop.services.scoring import ExpectationEvidence

    kinds = tuple(sorted({r.source_kind for r in refs if r.source_kind}))
    return ExpectationEvidence(number, title, tuple(refs), kinds)


def old_area_evidence(store, section_key, area_key):  # type: ignore[no-untyped-def]
    """The old ScoringService.area_evidence: framework re-read, all links re-read."""
    from hmip_desktop.domain.framework_pinned import read_pinned
    from hmip_desktop.services.inspections import pinned_framework_data

    ar = read_pinned(pinned_framework_data(store)).area(section_key, area_key)
    numbers = [(e.number, e.title) for e in ar.expectations]
    by_ref = old_evidence_by_ref(store, {n for n, _ in numbers})
    return [_old_expectation(n, t, by_ref[n]) for n, t in numbers]


def old_load_expectations(store):  # type: ignore[no-untyped-def]
    """The old load_expectations: parse the framework, then one area_evidence per area."""
    from hmip_desktop.domain.framework_pinned import read_pinned
    from hmip_desktop.services.inspections import pinned_framework_data

    framework = read_pinned(pinned_framework_data(store))
    evidence = {}
    for section in framework.sections:
        for area in section.areas:
            if area.expectations:
                for found in old_area_evidence(store, section.key, area.key):
                    evidence[found.number] = found
    return framework, evidence


def old_section_overview(store, section_key):  # type: ignore[no-untyped-def]
    """The old ScoringService.section_overview."""
    from hmip_desktop.domain.framework_pinned import read_pinned
    from hmip_desktop.services.inspections import pinned_framework_data
    from hmip_desktop.services.scoring import AreaOverview, ScoringService

    sec = read_pinned(pinned_framework_data(store)).section(section_key)
    wanted = {e.number for a in sec.areas for e in a.expectations}
    by_ref = old_evidence_by_ref(store, wanted)
    found = ScoringService(store).findings(section_key)
    out = []
    for ar in sec.areas:
        rows = [_old_expectation(e.number, "", by_ref[e.number]) for e in ar.expectations]
        key = ar.key
        out.append(AreaOverview(
            key, ar.label, len(rows), sum(r.covered for r in rows),
            sum(r.triangulated for r in rows),
            sum(1 for f in found if f.area_key == key and f.text.strip())))
    return out


def old_coverage_json(store):  # type: ignore[no-untyped-def]
    """The old coverage(): framework read, then every link and its evidence one by one (the
    counting that follows is unchanged, so the new coverage_from does it for both sides)."""
    from collections import defaultdict
    from types import SimpleNamespace

    from hmip_desktop.cli.json_out import to_plain
    from hmip_desktop.domain.framework_pinned import read_pinned
    from hmip_desktop.domain.readiness import evidence_source_kind
    from hmip_desktop.services import coverage as C
    from hmip_desktop.services.evidence_snapshot import EvidenceRef
    from hmip_desktop.services.inspections import pinned_framework_data

    framework = read_pinned(pinned_framework_data(store))
    refs: dict[str, list[EvidenceRef]] = defaultdict(list)
    with store.uow() as tx:
        for link, ev in old_evidence_links(tx):
            refs[str(link.payload.get("expectation_ref", ""))].append(EvidenceRef(
                link.id, ev.id, ev.type, evidence_source_kind(ev.type, ev.payload), "",
                None, None, None))
    from hmip_desktop.services.inspection_record import inspection_payload

    # The source kinds are named for the kind of establishment (domain/people_words.py).
    gathered = SimpleNamespace(model=framework,
                               by_ref={k: tuple(v) for k, v in refs.items()},
                               establishment_type=inspection_payload(store).get(
                                   "establishment_type", ""))
    return to_plain(C.coverage_from(gathered))


# -- timing ----------------------------------------------------------------------------------
def timed(fn, repeats: int, setup=None) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median (wall ms, CPU ms of this thread) of fn(); setup() runs untimed before each."""
    walls, cpus = [], []
    for _ in range(1 if QUICK else repeats):
        if setup is not None:
            setup()
        w, c = time.perf_counter(), time.thread_time()
        fn()
        cpus.append((time.thread_time() - c) * 1000)
        walls.append((time.perf_counter() - w) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def line(what: str, new: tuple[float, float], goal: float,
         old: tuple[float, float] | None = None) -> None:
    """One figure with its goal, and the ratio to the baseline when there is one. CPU time
    is printed too: on a busy machine wall time also counts waiting for a core."""
    (wall, cpu), ok = new, "ok" if new[0] < goal else "MISSED"
    text = f"{what}: {wall:.1f} ms (cpu {cpu:.1f} ms; goal < {goal:.0f} ms, {ok})"
    if old:
        text += f"; old {old[0]:.0f} ms (cpu {old[1]:.0f}), RATIO old/new = {old[0] / wall:.0f}x"
    print(text, flush=True)
    figure(what, wall, "ms", baseline=old[0] if old else None, goal=f"< {goal:.0f} ms",
           met=wall < goal)


def main(notes: int = 2000, expectations: int = 100) -> None:
    """Build the file, check the new reads give the old answers, then time both sides."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = isolated_environment()
    from hmip_desktop.services import coverage as C
    from hmip_desktop.services import evidence_snapshot as ES
    from hmip_desktop.services.inspection_record import forget_pinned_frameworks
    from hmip_desktop.services.scoring import ScoringService
    from hmip_desktop.ui.expectations.expectations_page import load_expectations

    t0 = time.perf_counter()
    store, links = build(home / "expectations.hmip", notes, expectations)
    print(f"setup: {notes} notes, {links} links, {expectations} expectations written through "
          f"the revision log in {time.perf_counter() - t0:.1f} s")
    lane = ThreadPoolExecutor(max_workers=1)  # the app's DB lane

    def on_lane(fn, repeats: int, setup=None) -> tuple[float, float]:  # type: ignore[no-untyped-def]
        return lane.submit(timed, fn, repeats, setup).result()

    from hmip_desktop.cli.json_out import to_plain

    section = "safety"
    old_fw, old_ev = old_load_expectations(store)
    data = load_expectations(store)
    assert data.framework == old_fw and data.evidence == old_ev, "page data differs from old"
    scoring = ScoringService(store)
    assert scoring.section_overview(section) == old_section_overview(store, section)
    assert to_plain(C.coverage(store)) == old_coverage_json(store), "coverage differs"
    print("check: snapshot results equal the old per-area results")

    line("expectations page data, first load after open (framework parsed)",
         on_lane(lambda: load_expectations(store), 5, setup=forget_pinned_frameworks), GOAL_LOAD_MS)
    for what, old_fn, new_fn in (
            ("expectations page data", lambda: old_load_expectations(store),
             lambda: load_expectations(store)),
            ("coverage report (hmip coverage)", lambda: old_coverage_json(store),
             lambda: C.coverage(store)),
            ("walkthrough overview", lambda: old_section_overview(store, section),
             lambda: scoring.section_overview(section))):
        old = on_lane(old_fn, 3)
        line(what, on_lane(new_fn, 21), GOAL_LOAD_MS, old)
    line("evidence snapshot alone", on_lane(lambda: ES.evidence_snapshot(store), 21),
         GOAL_LOAD_MS)
    apply_to_view(store, data)
    lane.shutdown()
    store.close()
    emit("expectations", QUICK, notes=notes, expectations=expectations)


def apply_to_view(store, data) -> None:  # type: ignore[no-untyped-def]
    """Time applying the loaded data on the GUI thread, offscreen, painting included."""
    import dataclasses

    from PySide6.QtWidgets import QApplication

    from hmip_desktop.ui.context import UiContext
    from hmip_desktop.ui.expectations.expectations_page import ExpectationsData, ExpectationsPage
    from hmip_desktop.ui.expectations.expectations_tree_model import ExpectationsTreeModel
    from hmip_desktop.ui.tasks import SyncExecutor, TaskRunner

    app = QApplication.instance() or QApplication([])
    model = ExpectationsTreeModel()
    line("apply: tree model reset (no view)",
         timed(lambda: model.set_framework(data.framework, data.evidence), 21), GOAL_APPLY_MS)
    page = ExpectationsPage(UiContext(TaskRunner(SyncExecutor()), store=store))
    page.resize(1200, 780)
    page.show()
    app.processEvents()

    def show(d, paint: bool):  # type: ignore[no-untyped-def]
        return lambda: (page._on_loaded(d), app.processEvents() if paint else None)

    # Each case without and with the paint Qt then does (offscreen raster, whole page).
    # New framework: the page's first load, or a merge that changed the framework (a reset).
    untimed_clear = lambda: (page.clear(), app.processEvents())  # noqa: E731
    for paint in (False, True):
        line("apply: page, new framework (reset, tree, coverage tab, detail)"
             + (" + paint" if paint else ""),
             timed(show(data, paint), 21, setup=untimed_clear), GOAL_APPLY_MS)
    # A link added: one expectation's evidence differs (the usual reload after a save), and a
    # merge that changes every expectation (one layout change). Every call is a change.
    first = next(n for n, e in data.evidence.items() if e.evidence)
    one = dict(data.evidence)
    one[first] = dataclasses.replace(one[first], evidence=one[first].evidence[:-1])
    for what, other in (("one expectation changed", one), ("every expectation changed", {})):
        for paint in (False, True):
            states = iter([ExpectationsData(data.framework, other), data] * 11)
            page._on_loaded(data)
            app.processEvents()
            line(f"apply: page, {what} (in place)" + (" + paint" if paint else ""),
                 timed(lambda p=paint, s=states: show(next(s), p)(), 21), GOAL_APPLY_MS)
    wall, cpu = timed(page.repaint, 21)
    print(f"for reference, a full repaint of the loaded page alone: {wall:.1f} ms "
          f"(cpu {cpu:.1f} ms)")
    page.close()


if __name__ == "__main__":
    QUICK = quick_mode()
    _numbers = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(_numbers[0]) if _numbers else (100 if QUICK else 2000), 30 if QUICK else 100)

"""Readiness blockers, previous items (CSV import, typed in) and progress judgements."""

from __future__ import annotations

from pathlib import Path

import pytest

from hmip_desktop.domain import action_plan as AP
from hmip_desktop.domain import records as R
from hmip_desktop.domain.errors import ImportFormatError, NotFoundError, ValidationError
from hmip_desktop.services.concerns import ConcernService
from hmip_desktop.services.notes import NoteService
from hmip_desktop.services.previous import PreviousService
from hmip_desktop.services.previous_snapshot import previous_snapshot
from hmip_desktop.services.readiness import readiness_report
from hmip_desktop.services.review_follow import create_review_following
from hmip_desktop.services.scoring import ScoringService
from tests.scoring.conftest import JUDGED, make_ready


def _codes(store) -> set[tuple[str, str | None]]:
    return {(b.code, b.section_key or b.ref) for b in readiness_report(store).blockers}


def test_a_new_full_inspection_is_blocked_on_every_section(full_store) -> None:
    """No agreed scores, no findings, no priority concerns: all listed as blockers."""
    codes = _codes(full_store)
    assert {("no_agreed_score", k) for k in JUDGED} <= codes
    assert {("no_findings", k) for k in ("leadership", *JUDGED)} <= codes
    assert ("priority_count", None) in codes
    assert ("no_agreed_score", "leadership") not in codes


def test_a_complete_full_inspection_is_ready(full_store) -> None:
    """Agreed scores, findings everywhere and 3 priority concerns: nothing blocks."""
    make_ready(full_store)
    report = readiness_report(full_store)
    assert report.ready, report.blockers
    safety = next(s for s in report.sections if s.key == "safety")
    assert (safety.provisional_scores, safety.agreed, safety.areas_with_findings) == (1, True, 2)
    assert (safety.expectations_total, safety.expectations_covered) == (3, 0)
    # Evidence gaps only warn; so do the parts the draft prints as "[to be completed …]".
    assert {w.code for w in report.warnings} == {"coverage_gap", "text_part_empty",
                                                 "fact_page_text_empty", "no_team_leader",
                                                 "no_team"}


def test_coverage_and_triangulation(full_store) -> None:
    """Coverage counts expectations with a link; triangulation needs three source kinds."""
    notes = NoteService(full_store)
    for kind in ("observation", "survey", "document_review"):
        notes.add(source_kind=kind, title=kind, body="b", expectations=["1"])
    notes.add(source_kind="observation", title="o", body="b", expectations=["2"])
    notes.add(source_kind="observation", title="o2", body="b", expectations=["2"])
    safety = next(s for s in readiness_report(full_store).sections if s.key == "safety")
    assert (safety.expectations_covered, safety.expectations_triangulated) == (2, 1)
    assert safety.uncovered == ("3",) and safety.untriangulated == ("2",)


def test_conflicting_agreed_score_blocks(full_store) -> None:
    """An agreed score with two heads must be resolved before drafting."""
    from tests.scoring.support import score_payload, write_as

    scoring = ScoringService(full_store)
    first = scoring.set_agreed("safety", "good", "a")
    with full_store.uow() as tx:
        parent = tx.records.get(first.id).winner_rev
    scoring.set_agreed("safety", "poor", "b")
    write_as(full_store, author="x", device="dev-x", entity_type=R.SCORE, entity_id=first.id,
             parents=[parent], payload=score_payload("safety", "x", "X", "good", "Good", 4,
                                                     kind="agreed"))
    assert ("agreed_score_conflict", "safety") in _codes(full_store)


CSV_OK = "ref,title,text,section\nS1,Violence,Violence was high,safety\nS2,Cells,Cells dirty,\n"


def _write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "previous.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_import_previous_items(full_store, tmp_path: Path) -> None:
    """Rows become items under ids derived from their references; re-import is idempotent."""
    service = PreviousService(full_store)
    result = service.import_csv(_write(tmp_path, CSV_OK))
    assert (result.added, result.updated, result.unchanged) == (2, 0, 0)
    items = service.list()
    assert [(i.ref, i.section, i.source) for i in items] == [("S1", "safety", "csv"),
                                                            ("S2", None, "csv")]
    assert items[0].id == service.item_id("S1")
    again = service.import_csv(_write(tmp_path, CSV_OK.replace("Cells dirty", "Cells filthy")))
    assert (again.added, again.updated, again.unchanged) == (0, 1, 1)
    # A Welsh-style byte-order mark and labels for sections are accepted.
    bom = "\ufeffREF,Title,Text,Section\nS3,t,x,Respect\n".encode()
    PreviousService(full_store).import_csv(_write(tmp_path, bom))
    assert service.get("S3").section == "respect"


@pytest.mark.parametrize(("text", "row", "column"), [
    ("ref,title\nS1,t\n", 1, "text"),
    ("ref,title,text,owner\nS1,t,x,y\n", 1, "owner"),
    ("ref,title,text\nS1,t,x\nS2,,x\n", 3, "title"),
    ("ref,title,text\nS1,t,x\nS1,t,y\n", 3, "ref"),
    ("ref,title,text\nS1,t\n", 2, None),
    ("ref,title,text,section\nS1,t,x,weather\n", 2, "section"),
    ("ref,title,text\n", 2, None),
    ("ref,ref,title,text\nS1,S1,t,x\n", 1, "ref"),
    ('ref,title,text\nS1,t,x\nS2,"t"x,y\n', 3, None),
])
def test_malformed_csv_is_refused_and_nothing_written(full_store, tmp_path: Path, text: str,
                                                      row: int, column: str | None) -> None:
    """The first problem is named by row and column; no item is written."""
    with pytest.raises(ImportFormatError) as info:
        PreviousService(full_store).import_csv(_write(tmp_path, text))
    assert (info.value.row, info.value.column) == (row, column)
    assert f"row {row}" in str(info.value)
    with full_store.uow() as tx:
        assert tx.records.count(R.PREVIOUS_ITEM) == 0


def test_non_utf8_csv_is_refused(full_store, tmp_path: Path) -> None:
    """A file in another encoding is refused rather than misread."""
    with pytest.raises(ImportFormatError, match="UTF-8"):
        PreviousService(full_store).import_csv(_write(tmp_path, "ref,title,text\nS1,é,x\n"
                                                      .encode("latin-1")))


def test_typed_in_items_and_progress(full_store) -> None:
    """Typed-in items refuse duplicate references; progress uses the progress scale."""
    service = PreviousService(full_store)
    item = service.add(ref="1.46", title="Use of force", text="Oversight was weak")
    with pytest.raises(ValidationError, match="already exists"):
        service.add(ref="1.46", title="again", text="x")
    note = NoteService(full_store).add(source_kind="document_review", title="d", body="b")
    view = service.set_progress("1.46", "reasonable_progress", "Some progress", [note])
    assert view.id == service.progress_id(item) and view.value == 3
    assert service.get(item).progress.level_label == "Reasonable progress"
    with pytest.raises(ValidationError, match="good_progress"):
        service.set_progress(item, "good", "scores are not progress levels")
    with pytest.raises(ValidationError, match="rationale"):
        service.set_progress(item, "good_progress", "")
    with pytest.raises(NotFoundError):
        service.set_progress("S99", "good_progress", "r")


def test_irp_readiness_needs_progress_on_followed_up_items(irp_store) -> None:
    """A review is judged on progress, not scores: each followed-up item must be judged."""
    assert ("no_previous_items", None) in _codes(irp_store)
    service = PreviousService(irp_store)
    a = service.add(ref="S1", title="t", text="x")
    b = service.add(ref="S2", title="t", text="x")
    c = service.add(ref="S3", title="t", text="x")
    codes = _codes(irp_store)
    assert {("no_progress_judgement", r) for r in ("S1", "S2", "S3")} <= codes
    assert not any(code in {"no_agreed_score", "no_findings"} for code, _ in codes)
    service.set_progress(a, "good_progress", "r")
    service.set_progress(b, "no_meaningful_progress", "r")
    service.set_followed_up(c, False)
    report = readiness_report(irp_store)
    blocking = {x.code for x in report.blockers}
    assert "no_progress_judgement" not in blocking
    assert (report.previous_total, report.previous_judged) == (3, 2)
    assert report.ready  # a review has no key concerns of its own: no concern limits
    assert ConcernService(irp_store).check(at_readiness=True) == []


STEPS = [{"action": "Paint the cells", "owner": "Head of works", "target_date": "2026-10-31",
          "status": "Not started"},
         {"action": "Audit cleanliness", "owner": "Governor", "target_date": "2027-04-30",
          "status": ""}]


@pytest.mark.parametrize(("plan", "words"), [
    ({"response": "agreed", "steps": STEPS}, "Agreed, 2 steps, 1 overdue"),
    ({"response": "partly_agreed", "explanation": "Wing C", "steps": STEPS[1:]},
     "Partly agreed, 1 step"),
    ({"response": "agreed", "steps": [{**STEPS[0], "status": "Complete"}]}, "Agreed, 1 step"),
    ({"response": "agreed", "steps": []}, "Agreed, no steps"),
    ({"response": "not_agreed", "explanation": "No budget", "steps": []}, "Not agreed"),
])
def test_an_action_plan_in_a_few_words(plan: dict, words: str) -> None:  # type: ignore[type-arg]
    """Due before the review began (2 November 2026) and not complete: overdue."""
    answer = AP.read(plan)
    assert answer is not None
    assert AP.summary(answer, "2026-11-02") == words


def test_the_previous_snapshot_summarises_each_items_action_plan(full_store,
                                                                 tmp_path: Path) -> None:
    """The snapshot that feeds the Scoring page's table carries each item's plan in words:
    a copied concern with a plan, one without ('None received'), and a typed-in item (no
    plan can be held for it: empty)."""
    concerns = ConcernService(full_store)
    cells = concerns.add(title="Dirty cells", body="b", sections=["respect"])
    concerns.add(title="Violence", body="b", sections=["safety"], priority=True)
    concerns.edit(cells, action_plan={"response": "agreed", "steps": STEPS})
    full_store.close()
    review = create_review_following(tmp_path / "review.hmip", full_store.path,
                                     start_date="2026-11-02", end_date="2026-11-04")
    try:
        PreviousService(review).add(ref="T1", title="Typed", text="t")
        snap = previous_snapshot(review)
        refs = {i.id: i.ref for i in snap.items}
        assert {refs[i]: words for i, words in snap.plans} == {
            "1": "None received", "2": "Agreed, 2 steps, 1 overdue", "T1": ""}
    finally:
        review.close()

"""Issue 12 §1: every write returns the changes it made, naming the entity type and id it
touched, and the GUI broadcasts only those: no file under hmip_desktop/ui builds a ChangeSet
or emits `changes_applied` by hand (`UiContext.write` does, in ui/context.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from hmip_desktop.domain import records as R
from hmip_desktop.domain import scoring as S
from hmip_desktop.domain.changes import ChangeSet, NewId, changes_of
from hmip_desktop.services import conflicts, team
from hmip_desktop.services.action_plan import ActionPlanService
from hmip_desktop.services.concerns import ConcernService, NppService
from hmip_desktop.services.documents import DocumentService
from hmip_desktop.services.extracts import ExtractService
from hmip_desktop.services.figures import FigureService
from hmip_desktop.services.inspection_store import InspectionStore
from hmip_desktop.services.inspections import create_inspection, update_inspection
from hmip_desktop.services.lifecycle import LifecycleService
from hmip_desktop.services.links import LinkService
from hmip_desktop.services.notes import NoteService
from hmip_desktop.services.previous import PreviousService
from hmip_desktop.services.report_writing import ReportWritingService
from hmip_desktop.services.scoring import ScoringService
from hmip_desktop.services.urgent_notification import UrgentNotificationService
from tests.factories import scored_framework
from tests.sync.conftest import TeamKit, acting

ROOT = Path(__file__).resolve().parents[1]
UI = ROOT / "hmip_desktop" / "ui"


@pytest.fixture
def full_store(tmp_path: Path):
    """A full inspection on the scored framework (as tests/scoring uses)."""
    s = create_inspection(tmp_path / "full.hmip", establishment_name="HMP Testfield",
                          establishment_type="mens_prison", framework=scored_framework(),
                          start_date="2026-01-19", end_date="2026-01-28")
    yield s
    s.close()


@dataclass
class Kit:
    """What a write case needs: the open file and a folder for input files."""

    store: InspectionStore
    tmp: Path

    def note(self) -> str:
        return NoteService(self.store).add(source_kind="observation", title="Night visit",
                                           body="Cell bells unanswered for twenty minutes.")

    def concern(self) -> str:
        return ConcernService(self.store).add(title="Healthcare waits", body="Long waits.",
                                              sections=["safety"])

    def npp(self) -> str:
        return NppService(self.store).add(title="Peer mentors", body="Met every arrival.")

    def document(self) -> str:
        path = self.tmp / "log.txt"
        path.write_text("Night patrol: the landing was quiet.", encoding="utf-8")
        return DocumentService(self.store).import_files([path])[0].id

    def extract(self) -> str:
        path = self.tmp / "incidents.csv"
        path.write_text("date,wing,cost\n2024-01-05,A,12.50\n2024-01-20,B,3.10\n",
                        encoding="utf-8")
        return ExtractService(self.store).import_file(path).id

    def figure(self) -> str:
        return FigureService(self.store).pin(self.extract(), caption="Cost by wing",
                                             spec={"group_by": 1}).id

    def previous_item(self) -> str:
        return PreviousService(self.store).add(ref="S1", title="Cells", text="Cells dirty")

    def link(self) -> str:
        return LinkService(self.store).add(self.note(), "1.1")


Write = Callable[[Kit], tuple[object, str, str | None]]  # result, entity type, id (None: any)


def _insp(k: Kit) -> str:
    return k.store.inspection_id


def _withdraw(k: Kit) -> tuple[object, str, str | None]:
    ScoringService(k.store).set_provisional("safety", "good", "Little violence.")
    sid = S.provisional_score_id(k.store.inspection_id, "safety", k.store.device.author_id)
    return ScoringService(k.store).withdraw_provisional("safety"), R.SCORE, sid


def _action_plan(k: Kit) -> tuple[object, str, str | None]:
    import openpyxl

    from hmip_desktop.report import action_plan_xlsx as X

    concern = k.concern()
    out = k.tmp / "plan.xlsx"
    ActionPlanService(k.store).export(out)
    wb = openpyxl.load_workbook(out)
    ws = wb[X.SHEET_PLAN]
    headers = {c.value: c.column for c in ws[X.HEADER_ROW]}
    X.put(ws.cell(X.HEADER_ROW + 1, headers["Response"]), "Agreed")
    wb.save(out)
    return ActionPlanService(k.store).import_(out), R.CONCERN, concern


def _move(k: Kit) -> tuple[object, str, str | None]:
    k.concern()
    second = k.concern()
    return ConcernService(k.store).move(second, 1), R.CONCERN, second


WRITES: dict[str, Write] = {
    # notes and links
    "notes.add": lambda k: (NoteService(k.store).add(source_kind="observation", title="T"),
                            R.NOTE, None),
    "notes.edit": lambda k: (lambda i: (NoteService(k.store).edit(i, title="New"), R.NOTE,
                                        i))(k.note()),
    "notes.delete": lambda k: (lambda i: (NoteService(k.store).delete(i), R.NOTE, i))(k.note()),
    "notes.restore": lambda k: (lambda i: (NoteService(k.store).delete(i), NoteService(
        k.store).restore(i, {"source_kind": "observation", "title": "Back"}))[1:] + (
        R.NOTE, i))(k.note()),
    "links.add": lambda k: (LinkService(k.store).add(k.note(), "1.1"), R.LINK, None),
    "links.add_to_area": lambda k: (LinkService(k.store).add_to_area(
        k.note(), "leadership", "direction"), R.LINK, None),
    "links.remove": lambda k: (lambda i: (LinkService(k.store).remove(i), R.LINK, i))(
        k.link()),
    "links.restore": lambda k: (lambda i: (LinkService(k.store).remove(i), LinkService(
        k.store).restore(i))[1:] + (R.LINK, i))(k.link()),
    # concerns and notable positive practice
    "concerns.add": lambda k: (ConcernService(k.store).add(
        title="Escorts", body="Missed court.", sections=["safety"]), R.CONCERN, None),
    "concerns.edit": lambda k: (lambda i: (ConcernService(k.store).edit(i, title="Renamed"),
                                           R.CONCERN, i))(k.concern()),
    "concerns.set_priority": lambda k: (lambda i: (ConcernService(k.store).set_priority(
        i, True), R.CONCERN, i))(k.concern()),
    "concerns.move": _move,
    "concerns.reorder": lambda k: (lambda a, b: (ConcernService(k.store).reorder([b, a]),
                                                 R.CONCERN, b))(k.concern(), k.concern()),
    "concerns.delete": lambda k: (lambda i: (ConcernService(k.store).delete(i), R.CONCERN, i))(
        k.concern()),
    "npp.add": lambda k: (NppService(k.store).add(title="Gym", body="Well used."), R.NPP, None),
    "npp.edit": lambda k: (lambda i: (NppService(k.store).edit(i, body="Changed"), R.NPP, i))(
        k.npp()),
    "npp.delete": lambda k: (lambda i: (NppService(k.store).delete(i), R.NPP, i))(k.npp()),
    "action_plan.import_": _action_plan,
    # scoring and findings
    "scoring.set_provisional": lambda k: (ScoringService(k.store).set_provisional(
        "safety", "good", "Little violence."), R.SCORE, None),
    "scoring.set_agreed": lambda k: (ScoringService(k.store).set_agreed(
        "safety", 3, "We agreed."), R.SCORE, None),
    "scoring.withdraw_provisional": _withdraw,
    "findings.set_findings": lambda k: (ScoringService(k.store).set_findings(
        "safety", "early_days", "Reception was calm."), R.FINDINGS, None),
    # previous inspection
    "previous.add": lambda k: (PreviousService(k.store).add(ref="S9", title="Cells",
                                                            text="Dirty"), R.PREVIOUS_ITEM, None),
    "previous.import_csv": lambda k: (
        (k.tmp / "prev.csv").write_text("ref,title,text\nS1,Cells,Cells dirty\n",
                                        encoding="utf-8"),
        PreviousService(k.store).import_csv(k.tmp / "prev.csv"), R.PREVIOUS_ITEM, None)[1:],
    "previous.set_followed_up": lambda k: (lambda i: (PreviousService(k.store).set_followed_up(
        i, False), R.PREVIOUS_ITEM, i))(k.previous_item()),
    "previous.delete": lambda k: (lambda i: (PreviousService(k.store).delete(i),
                                             R.PREVIOUS_ITEM, i))(k.previous_item()),
    "previous.set_progress": lambda k: (PreviousService(k.store).set_progress(
        k.previous_item(), "reasonable_progress", "Some progress"), R.PROGRESS, None),
    "previous.set_previous_score": lambda k: (PreviousService(k.store).set_previous_score(
        "safety", "good", 2021), R.INSPECTION, _insp(k)),
    # report parts, terms, urgent notification
    "report_writing.set_text": lambda k: (ReportWritingService(k.store).set_text(
        "introduction", "This is the introduction."), R.REPORT_TEXT, None),
    "report_writing.set_marking": lambda k: (ReportWritingService(k.store).set_marking(
        "OFFICIAL"), R.INSPECTION, _insp(k)),
    "report_writing.add_terms": lambda k: (ReportWritingService(k.store).add_terms(["Pryce"]),
                                         R.DISCLOSURE_TERM, None),
    "report_writing.remove_term": lambda k: (ReportWritingService(k.store).add_terms(["Pryce"]),
                                           ReportWritingService(k.store).remove_term("Pryce"),
                                           R.DISCLOSURE_TERM, None)[1:],
    "urgent_notification.set": lambda k: (UrgentNotificationService(k.store).set(
        reasons=["Poor outcomes"]), R.URGENT_NOTIFICATION, None),
    "urgent_notification.clear": lambda k: (UrgentNotificationService(k.store).set(
        reasons=["Poor outcomes"]), UrgentNotificationService(k.store).clear(),
        R.URGENT_NOTIFICATION, None)[1:],
    # the inspection record and its life cycle
    "inspections.update_inspection": lambda k: (update_inspection(
        k.store, establishment_name="HMP Elsewhere"), R.INSPECTION, _insp(k)),
    "lifecycle.set_status": lambda k: (LifecycleService(k.store).set_status("drafting"),
                                       R.INSPECTION, _insp(k)),
    "lifecycle.reopen": lambda k: (LifecycleService(k.store).set_status("drafting"),
                                   LifecycleService(k.store).reopen("Typo", "fieldwork"),
                                   R.INSPECTION, _insp(k))[1:],
    "lifecycle.set_nation": lambda k: (LifecycleService(k.store).set_nation("wales"),
                                       R.INSPECTION, _insp(k)),
    "lifecycle.set_announced": lambda k: (LifecycleService(k.store).set_announced(True),
                                          R.INSPECTION, _insp(k)),
    "lifecycle.set_facts": lambda k: (LifecycleService(k.store).set_facts(
        nation="wales", announced=True), R.INSPECTION, _insp(k)),
    "lifecycle.set_education_judgement": lambda k: (LifecycleService(
        k.store).set_education_judgement("requires-improvement"), R.INSPECTION, _insp(k)),
    # documents, extracts, figures
    "documents.import_files": lambda k: (lambda p: (p.write_text("A log.", encoding="utf-8"),
                                                    DocumentService(k.store).import_files([p]),
                                                    R.DOCUMENT, None)[1:])(k.tmp / "a.txt"),
    "documents.edit": lambda k: (lambda i: (DocumentService(k.store).edit(i, title="Roll"),
                                            R.DOCUMENT, i))(k.document()),
    "documents.delete": lambda k: (lambda i: (DocumentService(k.store).delete(i), R.DOCUMENT,
                                              i))(k.document()),
    "documents.restore": lambda k: (lambda i: (DocumentService(k.store).delete(i),
                                               DocumentService(k.store).restore(i),
                                               R.DOCUMENT, i)[1:])(k.document()),
    "documents.link": lambda k: (DocumentService(k.store).link(k.document(), "1.1"), R.LINK,
                                 None),
    "extracts.import_file": lambda k: (ExtractService(k.store).get(k.extract()), R.EXTRACT,
                                       None),
    "extracts.edit": lambda k: (lambda i: (ExtractService(k.store).edit(i, name="Costs"),
                                           R.EXTRACT, i))(k.extract()),
    "extracts.delete": lambda k: (lambda i: (ExtractService(k.store).delete(i), R.EXTRACT, i))(
        k.extract()),
    "extracts.restore": lambda k: (lambda i: (ExtractService(k.store).delete(i),
                                              ExtractService(k.store).restore(i),
                                              R.EXTRACT, i)[1:])(k.extract()),
    "figures.pin": lambda k: (FigureService(k.store).pin(k.extract(), caption="By wing",
                                                         spec={"group_by": 1}), R.FIGURE, None),
    "figures.set_caption": lambda k: (lambda i: (FigureService(k.store).set_caption(i, "New"),
                                                 R.FIGURE, i))(k.figure()),
    "figures.delete": lambda k: (lambda i: (FigureService(k.store).delete(i), R.FIGURE, i))(
        k.figure()),
    "figures.restore": lambda k: (lambda i: (FigureService(k.store).delete(i),
                                             FigureService(k.store).restore(i),
                                             R.FIGURE, i)[1:])(k.figure()),
}


def _named_id(result: object) -> str | None:
    """The id a result says it wrote, when it says one (an add's id, a view's id)."""
    if isinstance(result, NewId):
        return str(result)
    if isinstance(result, list) and len(result) == 1:
        return _named_id(result[0])
    value = getattr(result, "id", None)
    return value if isinstance(value, str) else None


@pytest.mark.parametrize("name", sorted(WRITES))
def test_every_write_returns_changes_naming_what_it_touched(name: str, full_store,
                                                            tmp_path: Path) -> None:
    """Each write's result carries a ChangeSet naming the entity type and the id it wrote."""
    result, entity_type, entity_id = WRITES[name](Kit(full_store, tmp_path))
    changes = changes_of(result)
    assert isinstance(changes, ChangeSet), f"{name} returned no changes: {result!r}"
    assert changes.touches(entity_type) and not changes.everything, (name, changes)
    wanted = entity_id or _named_id(result)
    if wanted is not None:
        assert wanted in changes.ids, (name, changes)
    else:
        assert changes.ids, (name, changes)
    assert type(result) is not str  # an add returns its id WITH the changes


def test_an_added_id_is_still_a_plain_id(full_store) -> None:
    """NewId behaves as the str id it is (equality, hashing, JSON, storage lookups)."""
    import json

    note = NoteService(full_store).add(source_kind="observation", title="T",
                                       expectations=["1.1"])
    assert isinstance(note, str) and note.changes.touches(R.NOTE)
    assert note.changes.touches(R.LINK)  # the links written with it are named too
    assert {note: 1}[str(note)] == 1 and json.loads(json.dumps([note])) == [str(note)]
    assert NoteService(full_store).get(note).id == note


def test_an_unchanged_save_returns_empty_changes(full_store) -> None:
    """Saving what is stored writes nothing and names nothing (the GUI then reloads nothing)."""
    note = NoteService(full_store).add(source_kind="observation", title="Same")
    assert NoteService(full_store).edit(note, title="Same").empty
    assert ChangeSet.of(R.NOTE, note).empty is False and ChangeSet.all().empty is False


def test_team_and_conflict_writes_return_changes(tmp_path: Path) -> None:
    """Roster writes and conflict resolutions name the records they wrote."""
    kit = TeamKit(tmp_path / "team")
    try:
        lead, alice, bob = kit.team("lead", "alice", "bob")
        carol = kit.device("carol")
        with acting(lead):
            added = team.add_members(lead.store, [carol.card], keys=lead.keys)
            assert added.touches(R.TEAM_MEMBER) and added.ids
            removed = team.remove_member(lead.store, "Carol", keys=lead.keys)
            assert removed.touches(R.TEAM_MEMBER) and removed.ids
        note = alice.notes.add(source_kind="observation", title="Wing", body="first")
        kit.import_(bob, [kit.export(alice)])
        alice.notes.edit(note, body="alice says")
        bob.notes.edit(note, body="bob says")
        kit.import_(lead, [kit.export(alice), kit.export(bob)])
        view = conflicts.get_conflict(lead.store, note)
        with acting(lead):
            result = conflicts.resolve_take(lead.store, note, view.versions[0].rev_id)
        assert result.changes.touches(R.NOTE) and note in result.changes.ids
    finally:
        kit.close()


# -- the UI builds no ChangeSet and emits no changes by hand ---------------------------------
ALLOWED = {UI / "context.py", UI / "signals.py"}
FORBIDDEN = re.compile(r"ChangeSet\s*\(|ChangeSet\.of\s*\(|changes_applied\.emit\s*\(")


def test_no_ui_file_builds_or_emits_changes_by_hand() -> None:
    """Only UiContext.write broadcasts changes; every other UI file uses it."""
    offenders = []
    for path in sorted(UI.rglob("*.py")):
        if path in ALLOWED:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FORBIDDEN.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []


def test_the_guard_sees_what_it_forbids() -> None:
    """The pattern catches each spelling it is there to catch."""
    for text in ("x = ChangeSet()", "ChangeSet.of(R.NOTE, i)",
                 "self.ctx.signals.changes_applied.emit(c)"):
        assert FORBIDDEN.search(text), text

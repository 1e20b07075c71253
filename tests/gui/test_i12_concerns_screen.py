"""Issue 12 §2 / issue 11 §2: the Concerns page reads its screen in one service call on the
DB lane, and applying it is cheap: lists that did not change are not rebuilt, and changes
that do not concern the rules do not re-read them."""

from __future__ import annotations

from pathlib import Path

import pytest

from hmip_desktop.domain import records as R
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.services import concerns_snapshot as CS
from hmip_desktop.services.concerns import ConcernService, NppService
from hmip_desktop.services.notes import NoteService
from hmip_desktop.ui.concerns.concerns_page import ConcernsPage
from tests.gui.keyboard import make_store, open_page


@pytest.fixture
def store(tmp_path: Path):
    s = make_store(tmp_path)
    yield s
    s.close()


def test_screen_snapshot_matches_the_services(store) -> None:  # type: ignore[no-untyped-def]
    """One read gives what the services give one call at a time."""
    ConcernService(store).add(title="Waits", body="Long", sections=["safety"], priority=True)
    NppService(store).add(title="Mentors", body="Peer mentors")
    NoteService(store).add(source_kind="observation", title="Seen", body="b",
                           expectations=["1"])
    screen = CS.concerns_screen(store)
    service = ConcernService(store)
    assert screen.rules is not None
    assert screen.rules.issues == tuple(service.check())
    assert screen.rules.limits == service.limits()
    assert list(screen.registers[R.CONCERN].rows) == service.list()
    assert list(screen.registers[R.NPP].rows) == NppService(store).list()
    assert screen.registers[R.CONCERN].sections == tuple(service.sections())
    assert [c.label for c in screen.registers[R.NPP].evidence] == [
        "Seen (note) — expectation 1"]


def test_apply_rebuilds_only_what_changed(qtbot, store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A note saved elsewhere re-reads the registers' options but not the rules; the same
    snapshot applied again rebuilds nothing."""
    ConcernService(store).add(title="Waits", body="Long", sections=["safety"])
    page = open_page(qtbot, ConcernsPage, store)
    assert isinstance(page, ConcernsPage)
    qtbot.waitUntil(lambda: page.concerns.model.rowCount() == 1)
    calls: list[tuple[bool, tuple[str, ...]]] = []
    real = CS.concerns_screen

    def spy(s, *, rules=True, registers=(R.CONCERN, R.NPP)):  # type: ignore[no-untyped-def]
        calls.append((rules, tuple(registers)))
        return real(s, rules=rules, registers=registers)

    monkeypatch.setattr("hmip_desktop.ui.concerns.concerns_page.concerns_screen", spy)
    rebuilt: list[int] = []
    original = page.concerns.editor.set_options
    monkeypatch.setattr(page.concerns.editor, "set_options",
                        lambda *a: (rebuilt.append(1), original(*a)))
    note = NoteService(store).add(source_kind="observation", title="n", body="b",
                                  expectations=["1"])
    page.ctx.signals.changes_applied.emit(note.changes)
    assert calls == [(False, (R.CONCERN, R.NPP))]
    assert rebuilt == [1]  # the new note is on offer
    page.ctx.signals.changes_applied.emit(note.changes)
    assert rebuilt == [1]  # nothing new: the evidence list is left alone
    page.ctx.signals.changes_applied.emit(ChangeSet.of(R.NPP, "x"))
    assert calls[-1] == (False, (R.NPP,))
    page.ctx.signals.changes_applied.emit(ChangeSet.of(R.CONCERN, "x"))
    assert calls[-1] == (True, (R.CONCERN, R.NPP))

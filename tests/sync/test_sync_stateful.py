"""A stateful test driving the real export and import on real encrypted files (§1.6): three
inspectors edit, export, import any bundles in any order, undo merges and auto-resolve; no
revision is ever lost, and after a full exchange every file has the same state."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from hmip_desktop.domain.errors import UserError
from hmip_desktop.services import bundles, conflicts
from tests.sync.conftest import Device, TeamKit

DEV = st.integers(0, 2)


def _rev_ids(dev: Device) -> set[str]:
    with dev.store.uow() as tx:
        return {r.rev_id for r in tx.records.iter_revisions()}


class SyncMachine(RuleBasedStateMachine):
    """Three real inspection files exchanging real bundles."""

    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="hmip-stateful-"))
        self.kit = TeamKit(self.root)
        self.devs = self.kit.team("lead", "alice", "bob")
        self.pool: list[Path] = []
        self.seen = {d.name: _rev_ids(d) for d in self.devs}
        self.everything: set[str] = set().union(*self.seen.values())

    def teardown(self) -> None:
        self.kit.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def _notes(self, dev: Device) -> list[str]:
        return [n.id for n in dev.notes.list()]

    @rule(d=DEV, v=st.integers(0, 3))
    def add_note(self, d: int, v: int) -> None:
        self.devs[d].notes.add(source_kind="observation", title=f"t{v}", body=f"b{v}")

    @rule(d=DEV, i=st.integers(0, 50), v=st.integers(0, 3), structured=st.booleans())
    def edit_note(self, d: int, i: int, v: int, structured: bool) -> None:
        notes = self._notes(self.devs[d])
        if notes:
            change = {"location": f"wing {v}"} if structured else {"body": f"edit {v}"}
            self.devs[d].notes.edit(notes[i % len(notes)], **change)

    @rule(d=DEV, i=st.integers(0, 50))
    def delete_note(self, d: int, i: int) -> None:
        notes = self._notes(self.devs[d])
        if notes:
            self.devs[d].notes.delete(notes[i % len(notes)])

    @rule(d=DEV)
    def export(self, d: int) -> None:
        self.pool.append(self.kit.export(self.devs[d]))

    @precondition(lambda self: self.pool)
    @rule(d=DEV, picks=st.lists(st.integers(0, 100), min_size=1, max_size=3))
    def import_some(self, d: int, picks: list[int]) -> None:
        chosen = [self.pool[p % len(self.pool)] for p in picks]
        report = self.kit.import_(self.devs[d], chosen)
        assert all(o.status in ("imported", "already_imported") for o in report.outcomes)

    @rule(d=DEV)
    def undo(self, d: int) -> None:
        dev = self.devs[d]
        try:
            bundles.undo_last_merge(dev.store)
        except UserError:
            return
        self.seen[dev.name] = _rev_ids(dev)  # undo takes back only what a merge brought

    @rule(d=DEV)
    def auto_resolve(self, d: int) -> None:
        try:
            conflicts.auto_resolve(self.devs[d].store)
        except UserError:  # only the team leader resolves conflicts
            assert d != 0

    @rule()
    def full_exchange(self) -> None:
        lead, *others = self.devs
        self.kit.import_(lead, [self.kit.export(d) for d in others])
        merged = self.kit.export(lead)
        for d in others:
            self.kit.import_(d, [merged])
        digests = {self.kit.digest(d) for d in self.devs}
        assert len(digests) == 1
        for d in self.devs:
            assert self.everything <= _rev_ids(d)

    @invariant()
    def no_revision_lost(self) -> None:
        for d in self.devs:
            now = _rev_ids(d)
            assert self.seen[d.name] <= now
            self.seen[d.name] = now
            self.everything |= now


def test_real_files_converge_and_lose_nothing() -> None:
    """Run the machine with small step counts (each step touches real encrypted files)."""
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(
        SyncMachine, settings=settings(max_examples=8, stateful_step_count=14, deadline=None))

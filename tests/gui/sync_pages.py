"""Simulated devices for the Team & sync page tests: each device's keys are its real stored
keys (so the page, which loads them itself, signs and decrypts as that device)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hmip_desktop.services import identity
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.tasks import SyncExecutor, TaskRunner
from hmip_desktop.ui.team.team_sync_page import TeamSyncPage
from tests.sync.conftest import Device, TeamKit, acting


class GuiKit(TeamKit):
    """A team kit whose devices keep their keys where the app looks for them."""

    def device(self, name: str, role: str = "inspector") -> Device:
        dev = super().device(name, role)
        with acting(dev):
            dev.keys = identity.load_keys()
        return dev


@pytest.fixture
def gkit(tmp_path: Path) -> Iterator[GuiKit]:
    """A GUI team kit in this test's temporary folder."""
    k = GuiKit(tmp_path / "team")
    yield k
    k.close()


@pytest.fixture
def trio(gkit: GuiKit) -> list[Device]:
    """Lead, Alice and Bob: a team set up by invite."""
    return gkit.team("lead", "alice", "bob")


def page_for(qtbot: Any, dev: Device) -> TeamSyncPage:
    """A shown Team & sync page on a device's open file (synchronous DB lane)."""
    ctx = UiContext(tasks=TaskRunner(SyncExecutor()))
    ctx.store = dev.store
    page = TeamSyncPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 900)
    with acting(dev):
        page.show()
        if dev.store is not None:
            ctx.signals.inspection_opened.emit(dev.store)
    return page


def merge_via_page(page: TeamSyncPage, dev: Device, paths: list[Path]) -> Any:
    """Import through the page: preview, then Merge; returns the import report."""
    with acting(dev):
        page.import_paths(paths)
        dialog = page.preview_dialog
        assert dialog is not None and dialog.isVisible()
        dialog.merge_button.click()
    return page.last_report


def heads(dev: Device, record_id: str) -> int:
    """How many heads a record has on a device (more than one is a conflict)."""
    assert dev.store is not None
    with dev.store.uow() as tx:
        return len(tx.records.heads(record_id))

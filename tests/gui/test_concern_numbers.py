"""A concern has one number everywhere: the register shows the number the report, the action
plan and `hmip concern list` give it (priority concerns first), not its register order; a
move that the report's order would undo is refused in words."""

from __future__ import annotations

from pathlib import Path

import pytest

from hmip_desktop.cli.main import main
from hmip_desktop.services.action_plan import ActionPlanService
from hmip_desktop.services.concerns import ConcernService, NppService
from hmip_desktop.ui.concerns.concerns_page import ConcernsPage
from hmip_desktop.ui.widgets.forms import select_row
from tests.gui.keyboard import make_store, open_page


@pytest.fixture
def store(tmp_path: Path):
    s = make_store(tmp_path)
    yield s
    s.close()


def test_register_numbers_concerns_as_the_report_does(qtbot, store, capsys) -> None:  # type: ignore[no-untyped-def]
    svc = ConcernService(store)
    ids = {t: str(svc.add(title=t, body="Effect", sections=["safety"], priority=p))
           for t, p in (("Backlog", False), ("Violence", True), ("Cells", False))}
    NppService(store).add(title="Peer mentors", body="Good", sections=["safety"])
    report = {ref: c.title for ref, c in ActionPlanService(store).ordered()}
    assert report == {"1": "Violence", "2": "Backlog", "3": "Cells"}
    page = open_page(qtbot, ConcernsPage, store)
    assert isinstance(page, ConcernsPage)
    panel = page.concerns
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3)
    shown = {panel.model.index(r, 0).data(): panel.model.row_at(r).title for r in range(3)}
    assert shown == report
    select_row(panel.table, 1)
    assert panel.editor.mode.text() == "Editing concern 2: Backlog"
    # Up from the first key concern would pass the priority one: refused, nothing written.
    panel.up_button.click()
    assert "Priority concerns come first" in panel.editor.status.text()
    assert [c.title for c in svc.list()] == ["Violence", "Backlog", "Cells"]
    # Within its kind a concern moves, and keeps the report's numbering.
    select_row(panel.table, 2)
    panel.up_button.click()
    qtbot.waitUntil(lambda: panel.model.row_at(1).title == "Cells")
    assert [(c.ref, c.title) for c in svc.list()] == [("1", "Violence"), ("2", "Cells"),
                                                        ("3", "Backlog")]
    assert main(["concern", "list", str(store.path)]) == 0
    lines = [ln.split()[0] for ln in capsys.readouterr().out.splitlines() if ids["Cells"] in ln]
    assert lines == ["2"]
    assert page.npp.findChild(type(panel.editor.mode), None) is not None
    labels = [w.text() for w in page.npp.findChildren(type(panel.editor.mode))]
    assert any(t.startswith("Entries in report &order") for t in labels)

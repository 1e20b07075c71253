"""A review's previous items show, read-only, what the establishment promised in its action
plan (response, part agreed, each step with owner and target date), with a step due before
the review began called overdue in words; an item without a plan shows nothing extra."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from hmip_desktop.services.concerns import ConcernService
from hmip_desktop.services.previous import PreviousService
from hmip_desktop.services.review_follow import create_review_following
from hmip_desktop.ui.scoring.action_plan_box import AP_ACTION, AP_OVERDUE, AP_OWNER, AP_TARGET
from hmip_desktop.ui.scoring.previous_panel import PV_PLAN, PV_PROGRESS
from hmip_desktop.ui.scoring.scoring_page import TAB_PREVIOUS, ScoringPage
from hmip_desktop.ui.widgets.rows_model import HIGHLIGHT_COLOUR, HIGHLIGHT_ROLE
from tests.gui.keyboard import make_store, open_page
from tests.gui.text_fit import SMALLEST

PLAN = {"response": "partly_agreed", "explanation": "Wing C only", "steps": [
    {"action": "Paint the cells", "owner": "Head of works", "target_date": "2026-10-31",
     "status": "Not started"},
    {"action": "Audit cleanliness", "owner": "Governor", "target_date": "2027-04-30",
     "status": ""}]}


def _review(tmp_path: Path, plan: dict = PLAN):  # type: ignore[no-untyped-def,type-arg]
    """A review from 2 November 2026 following an inspection (19–28 January 2026) whose
    concern 2 has a two-step plan and whose priority concern 1 has none."""
    with make_store(tmp_path) as inspection:
        concerns = ConcernService(inspection)
        cells = concerns.add(title="Dirty cells", body="Cells were dirty.",
                             sections=["respect"])
        concerns.add(title="Violence", body="Violence was high.", sections=["safety"],
                     priority=True)
        concerns.edit(cells, action_plan=plan)
        path = inspection.path
    return create_review_following(tmp_path / "review.hmip", path, start_date="2026-11-02",
                                   end_date="2026-11-04")


def test_the_review_shows_each_promised_step_and_what_is_overdue(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = _review(tmp_path)
    try:
        page = open_page(qtbot, ScoringPage, store)
        assert isinstance(page, ScoringPage) and page.tabs.currentIndex() == TAB_PREVIOUS
        panel = page.previous
        box = panel.action_plan
        assert box.accessibleName() == "Establishment's action plan"
        assert box.steps.accessibleName() == "Action plan steps"

        panel.table.selectRow(panel.model.row_of(lambda i: i.ref == "2"))
        assert not box.isHidden()
        assert box.response.text() == "Response: Partly agreed. Part agreed: Wing C only."
        model = box.model
        assert model.rowCount() == 2
        cells = [[model.index(r, c).data() for c in (AP_ACTION, AP_OWNER, AP_TARGET, AP_OVERDUE)]
                 for r in range(2)]
        assert cells == [["Paint the cells", "Head of works", "31 October 2026", "yes"],
                         ["Audit cleanliness", "Governor", "30 April 2027", "no"]]
        # Overdue in words (a column and a line), not the highlight alone.
        assert model.index(0, AP_TARGET).data(HIGHLIGHT_ROLE)
        assert not model.index(1, AP_TARGET).data(HIGHLIGHT_ROLE)
        assert box.overdue.text() == ("Overdue: step 1 (1 of 2) was due before this review "
                                      "began on 2 November 2026.")
        assert "before this review began on 2 November 2026" in \
            model.index(0, AP_OVERDUE).data(Qt.ItemDataRole.ToolTipRole)

        panel.table.selectRow(panel.model.row_of(lambda i: i.ref == "1"))
        assert box.isHidden() and box.model.rowCount() == 0
        assert box.response.text() == "" and box.overdue.text() == ""
    finally:
        store.close()


LONG_OWNER = "Head of residential services"  # a job title longer than a fitted column's cap


def _shown_at_smallest(window, tmp_path: Path, owner: str = LONG_OWNER):  # type: ignore[no-untyped-def]
    """The review's Scoring page in the main window at 1024×640, concern 2 selected."""
    steps = [dict(PLAN["steps"][0], owner=owner), PLAN["steps"][1]]  # type: ignore[index]
    window._set_store(_review(tmp_path, {**PLAN, "steps": steps}))
    window.resize(*SMALLEST)
    page = window.show_page("Scoring")
    assert isinstance(page, ScoringPage)
    panel = page.previous
    panel.table.selectRow(panel.model.row_of(lambda i: i.ref == "2"))
    QApplication.processEvents()
    return panel


def _cut_cells(view, columns) -> list[str]:  # type: ignore[no-untyped-def]
    """Cells of these columns wider than the column: elided on screen."""
    header = view.horizontalHeader()
    model = view.model()
    return [f"{model.headerData(c, Qt.Orientation.Horizontal)}: "
            f"{model.index(r, c).data()!r} needs {view.sizeHintForIndex(model.index(r, c)).width()}"
            f" px, has {header.sectionSize(c)}"
            for c in columns for r in range(model.rowCount())
            if view.sizeHintForIndex(model.index(r, c)).width() > header.sectionSize(c)]


def test_owner_and_target_date_read_in_full_at_the_smallest_window(window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """At 1024×640 a step's owner (a job title) and target date are not elided."""
    box = _shown_at_smallest(window, tmp_path).action_plan
    assert box.model.index(0, AP_OWNER).data() == LONG_OWNER
    assert _cut_cells(box.steps, (AP_OWNER, AP_TARGET)) == []


def _contrast(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio of two colours."""
    def lum(c: QColor) -> float:
        def ch(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_an_overdue_step_is_marked_apart_from_the_attention_amber(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The amber (bold, black) marks what needs attention across the app (an item not yet
    judged, a gap); an overdue step has its own marking, in words too, readable (WCAG AA)."""
    store = _review(tmp_path)
    try:
        panel = open_page(qtbot, ScoringPage, store).previous  # type: ignore[attr-defined]
        panel.table.selectRow(panel.model.row_of(lambda i: i.ref == "2"))
        model = panel.action_plan.model
        late, on_time = model.index(0, AP_ACTION), model.index(1, AP_ACTION)
        background = late.data(Qt.ItemDataRole.BackgroundRole).color()
        text = late.data(Qt.ItemDataRole.ForegroundRole).color()
        assert background != HIGHLIGHT_COLOUR and text != QColor("black")
        assert _contrast(text, background) >= 4.5
        assert late.data(Qt.ItemDataRole.FontRole).bold()
        assert model.index(0, AP_OVERDUE).data() == "yes"
        assert text.name() in panel.action_plan.overdue.styleSheet()  # the line above, too
        assert on_time.data(Qt.ItemDataRole.BackgroundRole) is None
        # The items table still marks an item not judged yet with the amber.
        item = panel.model.index(panel.model.row_of(lambda i: i.ref == "2"), 0)
        assert item.data(Qt.ItemDataRole.BackgroundRole).color() == HIGHLIGHT_COLOUR
    finally:
        store.close()


def test_the_items_table_has_each_action_plan_in_a_few_words(window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A column says what was promised for each item (from the panel's one snapshot),
    readable in full at 1024×640."""
    panel = _shown_at_smallest(window, tmp_path)
    model = panel.model
    assert model.headerData(PV_PLAN, Qt.Orientation.Horizontal) == "Action plan"
    words = {model.row_at(r).ref: model.index(r, PV_PLAN).data()
             for r in range(model.rowCount())}
    assert words == {"1": "None received", "2": "Partly agreed, 2 steps, 1 overdue"}
    assert _cut_cells(panel.table, (PV_PLAN,)) == []


def test_judged_items_keep_progress_and_plan_readable(window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """With the longest progress level and a rationale on every item, the rationale (prose,
    elided anyway; the form below shows it whole) gives way, not the progress or the plan."""
    panel = _shown_at_smallest(window, tmp_path)
    store = window.ctx.store
    service = PreviousService(store)
    longest = max(service.progress_scale().levels, key=lambda level: len(level.label))
    for item in service.list():
        service.set_progress(item.id, longest.key, "Staff said the bells were still slow at "
                             "night; we saw two waits of a quarter of an hour.", [])
    panel.reload()
    QApplication.processEvents()
    assert panel.model.index(0, PV_PROGRESS).data() == longest.label
    assert _cut_cells(panel.table, (PV_PROGRESS, PV_PLAN)) == []

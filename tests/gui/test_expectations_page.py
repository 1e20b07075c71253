"""Expectations page: the pinned framework as a tree with evidence counts, the filter, the
coverage heat map and the Import framework dialog."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import QApplication

from hmip_desktop import paths
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.services.frameworks import FrameworkService
from hmip_desktop.services.inspection_store import InspectionStore
from hmip_desktop.services.inspections import create_inspection
from hmip_desktop.services.links import LinkService
from hmip_desktop.services.notes import NoteService
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.expectations.expectations_page import ExpectationsPage
from hmip_desktop.ui.expectations.expectations_tree_model import (
    INCOMPLETE_TEXT,
    ExpectationsTreeModel,
)
from hmip_desktop.ui.settings.framework_import_dialog import FrameworkImportDialog
from hmip_desktop.ui.tasks import SyncExecutor, TaskRunner
from hmip_desktop.ui.widgets.tips import literal_tip
from tests.factories import complete_framework, scored_framework

HEADER = "test,area,sub-area,number,title,outcome,indicators\n"
M = ExpectationsTreeModel


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    """An inspection on the scored test framework."""
    s = create_inspection(tmp_path / "exp.hmip", establishment_name="HMP Testfield",
                          establishment_type="mens_prison",
                          framework=complete_framework(scored_framework()))
    yield s
    s.close()


@pytest.fixture
def mens_store(tmp_path: Path):  # type: ignore[no-untyped-def]
    """An inspection on the shipped men's prisons framework, version 5 (pinned)."""
    fw = FrameworkService().resolve_for_new("mens_prison", "men-prisons", "5")
    s = create_inspection(tmp_path / "mens.hmip", establishment_name="HMP Real",
                          establishment_type="mens_prison", framework=fw)
    yield s
    s.close()


def open_page(qtbot, store: InspectionStore) -> ExpectationsPage:  # type: ignore[no-untyped-def]
    """The page on a synchronous DB lane, with the inspection open."""
    ctx = UiContext(tasks=TaskRunner(SyncExecutor()))
    ctx.store = store
    page = ExpectationsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()  # keyboard tests need focus inside the page
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    ctx.signals.inspection_opened.emit(store)
    return page


def texts(page: ExpectationsPage, parent: QModelIndex = QModelIndex(), col: int = 0  # noqa: B008
          ) -> list[str]:
    """Display texts of the visible (filtered) children of a row."""
    p = page.proxy
    return [p.index(r, col, parent).data() for r in range(p.rowCount(parent))]


def row_of(page: ExpectationsPage, key: str) -> QModelIndex:
    """The proxy index of a row by its key (invalid when filtered out)."""
    return page.proxy.mapFromSource(page.model.index_for_key(key))


def cell(page: ExpectationsPage, key: str, col: int) -> str:
    """One cell of a row."""
    index = page.model.index_for_key(key)
    return page.model.index(index.row(), col, index.parent()).data()


def test_tree_shows_the_pinned_sections_areas_and_expectations(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    """Sections, then areas, then numbered expectations, in document order."""
    page = open_page(qtbot, store)
    assert texts(page) == ["Leadership", "Safety", "Respect", "Purposeful activity",
                           "Preparation for release"]
    safety = page.proxy.index(1, 0)
    assert texts(page, safety) == ["Early days in custody", "Managing behaviour"]
    early = page.proxy.index(0, 0, safety)
    assert texts(page, early) == ["1  Expectation 1", "2  Expectation 2"]
    assert texts(page, early, M.COL_EVIDENCE) == ["0 (gap)", "0 (gap)"]
    assert cell(page, "a:safety/early_days", M.COL_EVIDENCE) == "0 of 2"
    assert page.facts.text().startswith("Scored test framework. ")  # named, not "id test-…"
    assert "Not scored" in cell(page, "s:leadership", M.COL_FLAGS)


def test_real_framework_flags_incomplete_and_adopted_areas(qtbot, mens_store) -> None:  # type: ignore[no-untyped-def]
    """The shipped men's framework: title and edition, unverified, incomplete and Ofsted
    flags (no app id: the header names the Expectations as published)."""
    page = open_page(qtbot, mens_store)
    facts = page.facts.text()
    assert facts.startswith("Expectations: criteria for assessing the treatment of and "
                            "conditions for men in prisons (Version 5 (2017)).")
    assert "men-prisons" not in facts
    assert "Not verified against the official document" in facts
    assert INCOMPLETE_TEXT.lower() in facts
    key = "a:safety/early_days_in_custody"
    assert INCOMPLETE_TEXT in cell(page, key, M.COL_FLAGS)
    index = page.model.index_for_key(key)
    assert INCOMPLETE_TEXT in index.data(Qt.ItemDataRole.ToolTipRole)
    assert index.data(Qt.ItemDataRole.DecorationRole) is not None  # a warning icon too
    ofsted = "a:purposeful_activity/education_skills_and_work_ofsted"
    assert "Adopted from Ofsted: not HMIP text" in cell(page, ofsted, M.COL_FLAGS)
    assert "Adopted from Ofsted" in cell(page, "e:72.1", M.COL_FLAGS)
    assert "Wording not verified" in cell(page, "e:1", M.COL_FLAGS)
    assert page.select_key("u:safety/managing_behaviour/adjudications")  # sub-areas shown
    assert page.select_expectation("72")
    html = page.detail.text.toPlainText()
    assert "Expectation 72" in html and "Adopted from Ofsted: not HMIP text" in html
    assert "Wording not verified" in html
    page.select_key(key)
    assert INCOMPLETE_TEXT in page.detail.text.toPlainText()


def test_filter_keeps_the_parents_of_matches(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    """Typing a number shows that expectation under its test and area, nothing else."""
    page = open_page(qtbot, store)
    qtbot.keyClicks(page.filter, "Expectation 4")
    assert texts(page) == ["Respect"]
    respect = page.proxy.index(0, 0)
    assert texts(page, respect) == ["Staff-prisoner relationships"]
    assert texts(page, page.proxy.index(0, 0, respect)) == ["4  Expectation 4"]
    page.filter.clear()
    qtbot.keyClicks(page.filter, "managing")  # an area matches: its expectations show
    assert texts(page) == ["Safety"]
    area = page.proxy.index(0, 0, page.proxy.index(0, 0))
    assert texts(page, area) == ["3  Expectation 3"]
    qtbot.keyClick(page.filter, Qt.Key.Key_Return)  # Enter moves to the first match
    assert page.current_key() == "e:3" and page.tree.hasFocus()
    qtbot.keyClick(page.tree, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.filter.hasFocus() and page.filter.selectedText() == "managing"


def test_import_button_opens_the_dialog(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    """The page's Import framework… button opens the import dialog (modal)."""
    page = open_page(qtbot, store)
    seen: list[object] = []

    def close_it() -> None:
        dialog = QApplication.activeModalWidget()
        seen.append(dialog)
        dialog.reject()

    QTimer.singleShot(0, close_it)
    page.import_button.click()
    assert isinstance(seen[0], FrameworkImportDialog)


def test_evidence_count_and_triangulation_follow_new_links(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    """A link added elsewhere shows after changes_applied; three source kinds triangulate."""
    page = open_page(qtbot, store)
    notes, links = NoteService(store), LinkService(store)
    first = notes.add(source_kind="observation", title="Night visit", body="Cell bells slow")
    links.add(first, "1", start=0, end=10)
    assert cell(page, "e:1", M.COL_EVIDENCE) == "0 (gap)"  # nothing told the page yet
    page.select_expectation("1")
    page.ctx.signals.changes_applied.emit(ChangeSet.of("link"))
    assert cell(page, "e:1", M.COL_EVIDENCE) == "1"
    assert cell(page, "e:1", M.COL_SOURCES) == "Observation 1"
    links.add(first, "1", start=11, end=15)  # a second passage of the same note
    page.ctx.signals.changes_applied.emit(ChangeSet.of("link"))
    assert cell(page, "e:1", M.COL_EVIDENCE) == "1"  # one item, as `hmip coverage` counts
    index = page.model.index_for_key("e:1")
    tip = page.model.index(index.row(), M.COL_EVIDENCE, index.parent()).data(
        Qt.ItemDataRole.ToolTipRole)
    assert tip == literal_tip("1 evidence item linked (2 links)")  # shown as it is
    assert page.detail.evidence.count() == 2  # each passage opens on its own
    assert cell(page, "e:1", M.COL_TRIANGULATED) == "No"
    assert page.current_key() == "e:1"  # in-place update kept the selection
    assert cell(page, "a:safety/early_days", M.COL_EVIDENCE) == "1 of 2"
    for kind in ("staff_interview", "prisoner_interview"):
        links.add(notes.add(source_kind=kind, title=kind, body="x"), "1")
    page.ctx.signals.changes_applied.emit(ChangeSet.of("note"))
    assert cell(page, "e:1", M.COL_EVIDENCE) == "3"
    assert cell(page, "e:1", M.COL_SOURCES) == \
        "Prisoner interview 1, Staff interview 1, Observation 1"
    assert cell(page, "e:1", M.COL_TRIANGULATED) == "Yes"
    assert cell(page, "a:safety/early_days", M.COL_TRIANGULATED) == "1 of 2"
    assert page.detail.evidence.count() == 4
    assert "3 evidence items from 3 source kinds" in page.detail.text.toPlainText()
    assert "; triangulated." in page.detail.text.toPlainText()
    page.show_only.setCurrentIndex(page.show_only.findData("gaps"))
    assert row_of(page, "e:2").isValid() and not row_of(page, "e:1").isValid()


def test_enter_on_linked_evidence_requests_the_passage(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    """Enter in the evidence list emits (evidence_id, start, end, page)."""
    nid = NoteService(store).add(source_kind="observation", title="Wing", body="Doors shut")
    LinkService(store).add(nid, "4", start=0, end=5)
    page = open_page(qtbot, store)
    page.select_expectation("4")
    assert "Wing — Note, Observation — passage 0–5" in page.detail.evidence.item(0).text()
    page.tree.setFocus()
    qtbot.keyClick(page.tree, Qt.Key.Key_Return)  # Enter on the expectation: its evidence
    assert page.detail.evidence.hasFocus() and page.detail.evidence.currentRow() == 0
    with qtbot.waitSignal(page.open_evidence_requested) as got:
        qtbot.keyClick(page.detail.evidence, Qt.Key.Key_Return)
    assert got.args == [nid, 0, 5, None]


def test_coverage_view_counts_and_selects_an_area(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    """Per test, each area's covered and triangulated counts; a click selects the area."""
    notes, links = NoteService(store), LinkService(store)
    for kind in ("observation", "staff_interview", "survey"):
        links.add(notes.add(source_kind=kind, title=kind, body="x"), "4")
    links.add(notes.add(source_kind="data", title="d", body="x"), "1")
    page = open_page(qtbot, store)
    rows = {(r.section_key, r.area_key): r for r in page.coverage.rows()}
    assert (rows[("safety", "")].total, rows[("safety", "")].covered) == (3, 1)
    rel = rows[("respect", "relationships")]
    assert (rel.total, rel.covered, rel.triangulated, rel.gaps) == (2, 1, 1, 1)
    assert rows[("leadership", "direction")].total == 0
    view = page.coverage
    view.section.setCurrentIndex(view.section.findData("respect"))
    assert view.table.rowCount() == 2
    assert view.table.item(1, view.COL_COVERED).text() == "1 of 2 (50%)"
    assert view.table.item(1, view.COL_TRIANGULATED).text() == "1 of 2 (50%)"
    assert "1 of 2 expectations have evidence" in view.summary.text()
    page.tabs.setCurrentWidget(view)
    rect = view.table.visualRect(view.table.model().index(1, 0))
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.tabs.currentIndex() == 0
    assert page.current_key() == "a:respect/relationships"


def test_tree_model_passes_the_model_tester(qtbot, qtmodeltester, mens_store) -> None:  # type: ignore[no-untyped-def]
    """The tree model and its filter proxy keep Qt's model invariants."""
    page = open_page(qtbot, mens_store)
    qtmodeltester.check(page.model)
    page.filter.setText("early")
    qtmodeltester.check(page.proxy)


def _dialog(qtbot, page: ExpectationsPage, path: Path) -> FrameworkImportDialog:  # type: ignore[no-untyped-def]
    dialog = page.make_import_dialog()
    qtbot.addWidget(dialog)
    dialog.path.setText(str(path))
    return dialog


def test_import_good_csv_previews_additions_then_imports(qtbot, store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A new framework from CSV: its lines are listed, Import is enabled and writes it."""
    src = tmp_path / "new.csv"
    src.write_text(HEADER + "Safety,Early days in custody,,1,Safe transfers,Safe.,Vans | Food\n"
                   "Safety,Early days in custody,,2,First night,,\n", encoding="utf-8")
    page = open_page(qtbot, store)
    dialog = _dialog(qtbot, page, src)
    dialog.framework_id.setText("local-test")
    dialog.title.setText("Local test framework")
    dialog.set_types(["mens_prison"])
    assert not dialog.import_button.isEnabled()
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    assert dialog.import_button.isEnabled(), dialog.status.text()
    numbers = [dialog.additions.item(r, 4).text() for r in range(dialog.additions.rowCount())]
    assert "1" in numbers and "2" in numbers
    assert dialog.problems.rowCount() == 0
    assert "local-test version 1" in dialog.status.text()
    with qtbot.waitSignal(page.framework_imported):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.imported is not None and dialog.imported.id == "local-test"
    assert "NEW inspections" in dialog.status.text()
    assert "test-scored version 1" in dialog.status.text()  # the pinned one stays
    assert any(p.name.startswith("local-test") for p in paths.user_frameworks_dir().iterdir())


def test_malformed_csv_lists_every_bad_row_and_cannot_import(qtbot, store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Duplicate numbers and empty cells are all listed with row and column; Import stays off."""
    src = tmp_path / "bad.csv"
    src.write_text(HEADER + "Safety,A,,1,One,,\n"
                   "Safety,A,,1,Duplicate,,\n"
                   ",A,,3,No test,,\n"
                   "Safety,A,,4,,,\n", encoding="utf-8")
    page = open_page(qtbot, store)
    dialog = _dialog(qtbot, page, src)
    dialog.framework_id.setText("bad-one")
    dialog.title.setText("Bad")
    dialog.set_types(["mens_prison"])
    dialog.preview_button.click()
    got = [(dialog.problems.item(r, 0).text(), dialog.problems.item(r, 1).text())
           for r in range(dialog.problems.rowCount())]
    assert got == [("3", "number"), ("4", "test"), ("5", "title")]
    assert not dialog.import_button.isEnabled()
    assert dialog.tabs.currentWidget() is dialog.problems
    assert "3 problems" in dialog.status.text()
    missing = tmp_path / "missing.csv"
    missing.write_text("test,area,number,title,outcome,indicators\nSafety,A,1,One,,\n",
                       encoding="utf-8")
    dialog.path.setText(str(missing))
    dialog.preview_button.click()
    assert [(dialog.problems.item(r, 0).text(), dialog.problems.item(r, 1).text(),
             dialog.problems.item(r, 2).text()) for r in range(dialog.problems.rowCount())] \
        == [("1", "sub-area", "missing column")]
    assert not dialog.import_button.isEnabled()
    assert not paths.user_frameworks_dir().exists() or \
        not any(paths.user_frameworks_dir().iterdir())


def test_option_mistakes_and_edits_after_preview(qtbot, store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A CSV without an id is explained in place; changing an option voids the preview."""
    src = tmp_path / "x.csv"
    src.write_text(HEADER + "Safety,A,,1,One,,\n", encoding="utf-8")
    page = open_page(qtbot, store)
    dialog = _dialog(qtbot, page, src)
    dialog.preview_button.click()
    assert "Framework id is required" in dialog.status.text()
    dialog.framework_id.setText("x-one")
    dialog.title.setText("X")
    dialog.set_types(["mens_prison"])
    dialog.preview_button.click()
    assert dialog.import_button.isEnabled()
    dialog.version.setText("7")
    assert not dialog.import_button.isEnabled() and "Preview again" in dialog.status.text()


def test_new_version_of_the_pinned_framework_leaves_the_page_alone(  # type: ignore[no-untyped-def]
        qtbot, mens_store, tmp_path) -> None:
    """Importing men-prisons with a new expectation: the open inspection keeps version 5."""
    src = tmp_path / "v6.csv"
    src.write_text(HEADER + "Safety,Early days in custody,,1,Transfers are safe,,\n"
                   "Safety,Early days in custody,,3,A brand new expectation,,\n",
                   encoding="utf-8")
    page = open_page(qtbot, mens_store)
    dialog = _dialog(qtbot, page, src)
    dialog.framework_id.setText("men-prisons")
    dialog.preview_button.click()
    assert dialog.preview is not None and dialog.preview.renamed
    added = [dialog.additions.item(r, 4).text() for r in range(dialog.additions.rowCount())
             if dialog.additions.item(r, 0).text() == "Added"]
    assert added == ["3"]
    dialog.import_button.click()
    # Merged into the newest version (6); the open inspection keeps its pinned version 5.
    assert dialog.imported is not None and dialog.imported.version == "6-imported-1"
    assert "keeps its pinned framework (men-prisons version 5)" in dialog.status.text()
    page.ctx.signals.changes_applied.emit(ChangeSet.all())
    facts = page.facts.text()
    assert "(Version 5 (2017))" in facts and "5-imported" not in facts
    assert not page.model.index_for_key("e:3").isValid()
    assert cell(page, "e:1", M.COL_NAME) == "1  Early days in custody: expectation 1"


def test_every_row_knows_the_expectations_it_covers_in_framework_order() -> None:
    """Aggregates (sections, areas, sub-areas) list the numbers of every expectation below
    them, depth first, as the evidence counts and the detail panel read them."""
    from hmip_desktop.domain.framework import Framework
    from hmip_desktop.ui.expectations.expectation_nodes import EXPECTATION, build_tree
    from tests.factories import minimal_framework

    root = build_tree(Framework.from_dict(minimal_framework()))
    for node in root.walk():
        below = [n.item.number for n in node.walk() if n.kind == EXPECTATION]
        assert list(node.numbers) == below
    assert root.numbers and len(set(root.numbers)) == len(root.numbers)


def test_header_names_the_current_version_without_its_working_note(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Version 6's edition is not confirmed: a plain flag, not the framework's note on the
    app's numbering (that stays in 'hmip frameworks show')."""
    fw = FrameworkService().resolve_for_new("mens_prison", "men-prisons", "6")
    s = create_inspection(tmp_path / "v6.hmip", establishment_name="HMP Real",
                          establishment_type="mens_prison", framework=fw)
    try:
        facts = open_page(qtbot, s).facts.text()
    finally:
        s.close()
    assert facts.startswith("Expectations: criteria for assessing the treatment of and "
                            "conditions for men in prisons (Current edition) (edition not "
                            "verified). ")
    assert "numbering" not in facts and "id men-prisons" not in facts

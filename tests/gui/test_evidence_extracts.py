"""Evidence page, data extracts: import dialog, lazy table, filters, group-by, chart, figures."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCharts import QBarSeries, QLineSeries
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from hmip_desktop.services.extracts import ExtractService
from hmip_desktop.services.figures import FigureService
from hmip_desktop.services.inspections import create_inspection
from hmip_desktop.services.links import LinkService
from hmip_desktop.ui.evidence import evidence_links, evidence_prompts
from hmip_desktop.ui.evidence.extract_import_dialog import ExtractImportDialog
from hmip_desktop.ui.evidence.extract_table_model import CACHE_PAGES, PAGE_ROWS
from tests.evidence.conftest import extract_tables
from tests.factories import minimal_framework
from tests.gui.conftest import cancel_at_first_progress

INCIDENTS = ("Cell,Date,Wing,Cost\n101,2024-01-05,A,12.50\n212,20/01/2024,B,3\n"
             "131,2024-02-01,A,\n344,05/02/2024,C,1.25\n150,2024-02-09,A,-4.75\n")


def _open(window, tmp_path: Path):  # type: ignore[no-untyped-def]
    store = create_inspection(tmp_path / "x.hmip", establishment_name="HMP Extracts",
                              establishment_type="mens_prison", framework=minimal_framework())
    window._set_store(store)
    page = window.show_page("Evidence")
    page.tabs.setCurrentWidget(page.extracts)
    return store, page.extracts


def _write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def _import_via_dialog(panel, monkeypatch, path: Path, fill=None) -> ExtractImportDialog:  # type: ignore[no-untyped-def]
    """Press Import…, pick `path`, let `fill(dialog)` correct it, press Import."""
    monkeypatch.setattr(evidence_prompts, "choose_extract_file", lambda _p: path)
    seen = {}

    def drive() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ExtractImportDialog)
        seen["dialog"] = dialog
        if fill is not None:
            try:
                fill(dialog)
            except BaseException as exc:  # closed, then raised below: a failure, not a hang
                seen["failed"] = exc
                dialog.reject()
                return
        if dialog.import_button.isEnabled():
            dialog.import_button.click()
        else:
            dialog.reject()
    QTimer.singleShot(0, drive)
    panel.import_button.click()
    if "failed" in seen:
        raise seen["failed"]
    return seen["dialog"]


def _imported(panel, store, tmp_path: Path, name: str, body: str, **types):  # type: ignore[no-untyped-def]
    """Import through the service (fast set-up), then show it in the panel."""
    view = ExtractService(store).import_file(_write(tmp_path, name, body),
                                             column_types=types or None)
    panel.show_extract(view.id)
    assert panel.current_extract().id == view.id
    return view


def test_import_via_dialog_with_a_corrected_column_type(window, tmp_path: Path,
                                                       monkeypatch, shown_errors) -> None:
    """The dialog samples rows and guesses types; a cell number is corrected to text."""
    store, panel = _open(window, tmp_path)
    path = _write(tmp_path, "incidents.csv", INCIDENTS)
    guessed = {}

    def fill(dialog: ExtractImportDialog) -> None:
        guessed.update({c.name: c.type for c in dialog._sniff.columns})
        assert dialog.table.rowCount() == 1 + 5 and dialog.name.text() == "incidents"
        assert "comma" in dialog.summary.text()
        dialog.name.setText("Use of force incidents")
        dialog.type_combos[0].setCurrentIndex(dialog.type_combos[0].findData("text"))

    _import_via_dialog(panel, monkeypatch, path, fill)
    assert guessed == {"Cell": "integer", "Date": "date", "Wing": "text", "Cost": "decimal"}
    [view] = ExtractService(store).list()
    assert view.name == "Use of force incidents"
    assert [c.type for c in view.columns] == ["text", "date", "text", "decimal"]
    assert panel.current_extract().id == view.id
    assert panel.model.rowCount() == 5
    assert ExtractService(store).rows(view.id, 0, 1) == [("101", "2024-01-05", "A", "12.5")]
    assert panel.model.index(1, 1).data() == "2024-01-20"
    assert "5 rows" in panel.status.text() and shown_errors == []


def test_a_workbook_opening_on_a_cover_sheet_imports_the_chosen_sheet(
        window, tmp_path: Path, monkeypatch, shown_errors) -> None:
    """The first sheet is a cover page: the dialog says so and lists the sheets; choosing
    the data sheet shows its rows and imports it (as `hmip extract import --sheet`)."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Cover"
    book.active.append(["Use of force data request"])
    data = book.create_sheet("Data")
    data.append(["Cell", "Wing"])
    for i in range(1, 8):
        data.append([100 + i, "AB"[i % 2]])
    path = tmp_path / "request.xlsx"
    book.save(path)
    store, panel = _open(window, tmp_path)
    seen = {}

    def fill(dialog: ExtractImportDialog) -> None:
        seen["problem"] = dialog.problem.text()
        seen["sheets"] = [dialog.sheet.itemText(i) for i in range(dialog.sheet.count())]
        seen["visible"] = dialog.sheet.isVisibleTo(dialog)
        dialog.sheet.setCurrentIndex(1)
        dialog.sheet.activated.emit(1)  # as a person choosing it does
        assert dialog.import_button.isEnabled() and dialog.table.rowCount() == 1 + 7
        assert "sheet 'Data'; 2 columns. The workbook has 2 sheets" in dialog.summary.text()

    _import_via_dialog(panel, monkeypatch, path, fill)
    assert seen["problem"].startswith("Sheet 'Cover' has a header row but no data rows.")
    assert seen["problem"].endswith("Choose the sheet that holds the data under Sheet.")
    assert seen["sheets"] == ["Cover", "Data"] and seen["visible"]
    [view] = ExtractService(store).list()
    assert ExtractService(store).rows(view.id, 0, 1) == [(101, "B")]
    assert shown_errors == []


def test_malformed_csv_shows_row_and_column_and_imports_nothing(
        window, tmp_path: Path, monkeypatch, shown_errors) -> None:
    """A ragged row is named in the dialog; a bad cell past the sample is named on import."""
    store, panel = _open(window, tmp_path)
    ragged = _write(tmp_path, "ragged.csv", "a,b\n1,2\n3,4,5\n")
    dialog = _import_via_dialog(panel, monkeypatch, ragged)
    assert "row 3" in dialog.problem.text() and dialog.problem.text()[0].isupper()
    assert not dialog.import_button.isEnabled()
    rows = "".join(f"{i},{i * 2}\n" for i in range(1, 15_000))
    late = _write(tmp_path, "late_bad.csv", "n,m\n" + rows + "x,1\n")
    _import_via_dialog(panel, monkeypatch, late)
    assert len(shown_errors) == 1
    assert "row 15001" in shown_errors[0] and "column 'n'" in shown_errors[0]
    assert ExtractService(store).list() == [] and extract_tables(store) == set()
    assert panel.status.text() == "Nothing was imported." and panel.list.count() == 0


def test_cancel_import_leaves_nothing(window, tmp_path: Path, monkeypatch,
                                      shown_errors) -> None:
    """Cancel during the import: no extract, no table, no message box."""
    store, panel = _open(window, tmp_path)
    big = _write(tmp_path, "big.csv", "n,w\n" + "".join(f"{i},W{i % 7}\n" for i in range(60_000)))
    seen = cancel_at_first_progress(panel.progress, panel.import_button)
    _import_via_dialog(panel, monkeypatch, big)
    assert seen == [False]
    assert ExtractService(store).list() == [] and extract_tables(store) == set()
    assert shown_errors == [] and panel.status.text() == "Nothing was imported."
    assert panel.import_button.isEnabled()


def test_lazy_model_fetches_pages_on_demand_and_sorts_in_sql(window, qtbot,
                                                            tmp_path: Path) -> None:
    """50,000 rows: the view shows them with a few page reads; sorting is SQL."""
    store, panel = _open(window, tmp_path)
    body = "id,wing,count\n" + "".join(f"{i},W{i % 7},{(i * 37) % 1000}\n"
                                       for i in range(50_000))
    _imported(panel, store, tmp_path, "big.csv", body)
    model = panel.model
    assert model.rowCount() == 50_000
    qtbot.waitExposed(window)
    panel.table.viewport().repaint()
    assert 1 <= model.fetches <= 2
    panel.table.scrollToBottom()
    panel.table.viewport().repaint()
    assert model.index(49_999, 0).data() == "49999"
    assert model.fetches <= 4
    assert len(model._pages) <= CACHE_PAGES  # never more than a few pages in memory
    before = model.fetches
    panel.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    assert model.sort_state == (2, True)
    assert model.index(0, 2).data() == "999"
    assert model.index(49_999, 2).data() == "0"
    assert model.fetches - before <= 3
    panel.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert model.index(0, 0).data() == "0"
    assert model.fetches < 50_000 // PAGE_ROWS // 10
    panel.grouping.column.setCurrentIndex(0)  # 50,000 distinct ids: too many to chart
    panel.grouping.group_button.click()
    assert len(panel.grouping.rows) == 500 and "More than 500 groups" in panel.grouping.note.text()
    assert panel.grouping.chart.chart().series() == []
    assert not panel.grouping.pin_button.isEnabled()


def test_dropping_a_csv_opens_the_import_dialog(window, tmp_path: Path) -> None:
    """A CSV dropped on the tab opens the import dialog on it."""
    from tests.gui.test_evidence_documents import _drop

    store, panel = _open(window, tmp_path)
    path = _write(tmp_path, "incidents.csv", INCIDENTS)
    seen = {}

    def accept() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ExtractImportDialog)
        seen["path"] = dialog.path.text()
        dialog.import_button.click()
    QTimer.singleShot(0, accept)
    assert _drop(panel, path)
    assert seen["path"] == str(path)
    assert [v.name for v in ExtractService(store).list()] == ["incidents"]


def test_filters_run_in_sql_and_bad_values_are_refused(window, tmp_path: Path,
                                                       shown_errors) -> None:
    """The filter row narrows the rows; a value of the wrong type is refused with a message."""
    store, panel = _open(window, tmp_path)
    _imported(panel, store, tmp_path, "incidents.csv", INCIDENTS, Cell="text")
    bar = panel.filters
    bar.column.setCurrentIndex(bar.column.findText("Wing"))
    bar.value.setText("A")
    bar.add_button.click()
    assert panel.model.rowCount() == 3 and panel.count.text() == "3 of 5 rows"
    assert bar.active.item(0).text() == "Wing is 'A'"
    bar.column.setCurrentIndex(bar.column.findText("Cost"))
    bar.op.setCurrentIndex(bar.op.findData(">"))
    bar.value.setText("lots")
    bar.add_button.click()
    assert len(shown_errors) == 1 and "Cost" in shown_errors[0]
    assert len(bar.filters) == 1 and panel.model.rowCount() == 3
    bar.clear_button.click()
    assert panel.model.rowCount() == 5


def test_group_by_month_charts_and_pins_a_figure(window, tmp_path: Path, monkeypatch) -> None:
    """Group dates by month (count, then sum), chart as bars or a line, pin, link the figure."""
    store, panel = _open(window, tmp_path)
    view = _imported(panel, store, tmp_path, "incidents.csv", INCIDENTS, Cell="text")
    grouping = panel.grouping
    grouping.column.setCurrentIndex(grouping.column.findText("Date"))
    assert grouping.granularity.isEnabled() and grouping.granularity.currentData() == "month"
    grouping.group_button.click()
    assert grouping.rows == [("2024-01", 2), ("2024-02", 3)]
    assert isinstance(grouping.chart.chart().series()[0], QBarSeries)
    assert grouping.chart.series_values() == [2.0, 3.0]
    grouping.agg.setCurrentIndex(grouping.agg.findData("sum"))
    assert grouping.value_column.isEnabled() and grouping.value_column.currentText() == "Cost"
    grouping.chart_kind.setCurrentIndex(grouping.chart_kind.findData("line"))
    grouping.group_button.click()
    assert grouping.rows == [("2024-01", 15.5), ("2024-02", -3.5)]
    assert isinstance(grouping.chart.chart().series()[0], QLineSeries)
    assert grouping.chart.series_values() == [15.5, -3.5]
    monkeypatch.setattr(evidence_prompts, "ask_caption", lambda _p, suggested: "Cost per month")
    grouping.pin_button.click()
    [fig] = FigureService(store).list()
    assert fig.caption == "Cost per month" and fig.extract_id == view.id
    assert fig.rows == (("2024-01", "15.5"), ("2024-02", "-3.5")) and fig.chart == "line"
    figures = window.pages["Evidence"].figures
    assert figures.list.count() == 1 and figures.current_figure().id == fig.id
    assert figures.chart.series_values() == [15.5, -3.5]
    monkeypatch.setattr(evidence_links, "choose_expectations", lambda _p, _fw: ["1"])
    figures.link_button.click()
    assert [lk.expectation_ref for lk in LinkService(store).for_evidence(fig.id)] == ["1"]
    assert figures.links.link_ids()


def test_filtered_grouping_pins_its_filters(window, tmp_path: Path, monkeypatch) -> None:
    """A figure keeps the filters in force when it was pinned; delete and undo it."""
    store, panel = _open(window, tmp_path)
    _imported(panel, store, tmp_path, "incidents.csv", INCIDENTS, Cell="text")
    panel.filters.add(2, "!=", "B")
    panel.grouping.column.setCurrentIndex(panel.grouping.column.findText("Wing"))
    panel.grouping.group_button.click()
    assert panel.grouping.rows == [("A", 3), ("C", 1)]
    monkeypatch.setattr(evidence_prompts, "ask_caption", lambda _p, _s: "Per wing")
    panel.grouping.pin_button.click()
    [fig] = FigureService(store).list()
    assert fig.spec.filters == ((2, "!=", "B"),)
    figures = window.pages["Evidence"].figures
    figures.delete_button.click()
    assert FigureService(store).list() == [] and figures.list.count() == 0
    figures.undo_stack.undo()
    assert [f.id for f in FigureService(store).list()] == [fig.id]


def test_delete_extract_and_undo(window, tmp_path: Path) -> None:
    """Deleting an extract drops its rows; undo rebuilds them from the snapshot."""
    store, panel = _open(window, tmp_path)
    view = _imported(panel, store, tmp_path, "incidents.csv", INCIDENTS, Cell="text")
    panel.delete_button.click()
    assert ExtractService(store).list() == [] and panel.list.count() == 0
    assert panel.model.rowCount() == 0
    panel.undo_button.click()
    assert panel.current_extract().id == view.id and panel.model.rowCount() == 5


def test_undo_of_a_delete_shows_progress_without_cancel(window, tmp_path: Path) -> None:
    """Undo rebuilds the rows with a progress bar; it offers no Cancel (the record is live
    again before the rows are rebuilt), and the panel's buttons wait for it."""
    store, panel = _open(window, tmp_path)
    view = _imported(panel, store, tmp_path, "incidents.csv", INCIDENTS, Cell="text")
    panel.delete_button.click()
    seen: list[tuple[bool, bool, bool, bool]] = []
    panel.undo_progress.progressed.connect(lambda _d, _t: seen.append((
        panel.undo_progress.isVisible(), panel.undo_progress.cancel_button.isVisible(),
        panel.undo_button.isEnabled(), panel.delete_button.isEnabled())))
    panel.undo_button.click()
    assert seen and seen[0] == (True, False, False, False)
    assert not panel.undo_progress.isVisible()
    assert panel.current_extract().id == view.id and panel.model.rowCount() == 5


def test_search_hit_opens_extracts_and_figures(window, tmp_path: Path) -> None:
    """Search results for an extract name or a figure caption open the right tab."""
    store, panel = _open(window, tmp_path)
    view = _imported(panel, store, tmp_path, "incidents.csv", INCIDENTS, Cell="text")
    fig = FigureService(store).pin(view.id, caption="Segregation stays", spec={"group_by": 2})
    page = window.pages["Evidence"]
    page.tabs.setCurrentWidget(page.notes)
    from hmip_desktop.services.search import search

    page.open_search_hit(search(store, "segregation")[0], "segregation")
    assert page.tabs.currentWidget() is page.figures
    assert page.figures.current_figure().id == fig.id
    page.open_search_hit(search(store, "incidents")[0], "incidents")
    assert page.tabs.currentWidget() is panel and panel.current_extract().id == view.id


@pytest.mark.parametrize("sorted_filtered", [False, True])
def test_extract_model_passes_qt_model_tester(qtmodeltester, window, tmp_path: Path,
                                              sorted_filtered: bool) -> None:
    """The lazy model follows Qt's model rules (on a small extract)."""
    store, panel = _open(window, tmp_path)
    _imported(panel, store, tmp_path, "incidents.csv", INCIDENTS, Cell="text")
    if sorted_filtered:
        panel.model.sort(3, Qt.SortOrder.DescendingOrder)
        panel.model.set_filters([(2, "=", "A")])
    qtmodeltester.check(panel.model)


def test_dialog_says_the_same_content_was_imported_before(window, tmp_path: Path,
                                                          monkeypatch) -> None:
    """Before Import is pressed, the summary names the earlier extract; importing is
    still allowed."""
    store, panel = _open(window, tmp_path)
    _imported(panel, store, tmp_path, "incidents.csv", INCIDENTS)
    said = {}

    def fill(dialog: ExtractImportDialog) -> None:
        said["summary"] = dialog.summary.text()

    _import_via_dialog(panel, monkeypatch, tmp_path / "incidents.csv", fill)
    assert "already imported as 'incidents'" in said["summary"]
    assert len(ExtractService(store).list()) == 2

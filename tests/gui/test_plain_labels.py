"""Data is shown as it is: a title, a name or a file name that looks like HTML (it may come in
another laptop's bundle) is never rendered as rich text by a label on any page or tab."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtGui
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QAbstractItemView, QLabel, QWidget

from hmip_desktop.app import build_window
from hmip_desktop.services import identity
from hmip_desktop.services.concerns import ConcernService, NppService
from hmip_desktop.services.documents import DocumentService
from hmip_desktop.services.extracts import ExtractService
from hmip_desktop.services.figures import FigureService
from hmip_desktop.services.inspections import create_inspection
from hmip_desktop.services.notes import NoteService
from hmip_desktop.ui.tasks import SyncExecutor, TaskRunner
from hmip_desktop.ui.widgets.forms import select_row
from tests.factories import scored_framework
from tests.gui.page_walk import every_view

RICH = "<b>Bold</b> <h1>Head</h1>"
MARKERS = ("<b>Bold", "<h1>Head")  # the data's own tags, not a label's escaped wrapping


def _renders_rich(label: QLabel) -> bool:
    """What QLabel does with its text: rich text when told to, or when guessing (AutoText)."""
    fmt = label.textFormat()
    return fmt == Qt.TextFormat.RichText or (
        fmt == Qt.TextFormat.AutoText and QtGui.Qt.mightBeRichText(label.text()))


def _shown(label: QLabel) -> str:
    """The words a label shows."""
    if not _renders_rich(label):
        return label.text()
    doc = QTextDocument()
    doc.setHtml(label.text())
    return doc.toPlainText()


def _rich_data_labels(root: QWidget) -> set[str]:
    """Visible labels that render the data's tags, or that show the data but not literally
    (a rich-text label that forgot to escape it)."""
    return {f"{type(label.parentWidget()).__name__} {label.accessibleName()!r}: "
            f"{label.text()[:60]!r}"
            for label in root.findChildren(QLabel)
            if label.isVisibleTo(root)
            and ((any(m in label.text() for m in MARKERS) and _renders_rich(label))
                 or ("Bold" in _shown(label) and "Head" in _shown(label)
                     and RICH not in _shown(label)))}


def _tip_shown(tip: str) -> str:
    """The words a tooltip shows (Qt renders one that looks like HTML as rich text)."""
    if not QtGui.Qt.mightBeRichText(tip):
        return tip
    doc = QTextDocument()
    doc.setHtml(tip)
    return doc.toPlainText()


def _rich_data_tips(root: QWidget) -> set[str]:
    """Tooltips of visible widgets and of the cells of visible tables, lists and trees that
    carry the data but would not show it literally."""
    tips = [(type(w).__name__, w.toolTip()) for w in root.findChildren(QWidget)
            if w.isVisibleTo(root)]
    for view in root.findChildren(QAbstractItemView):
        model = view.model()
        if not view.isVisibleTo(root) or model is None:
            continue
        top = QModelIndex()
        try:
            columns = model.columnCount(top)
        except TypeError:  # a list widget's own model hides it: one column
            columns = 1
        for row in range(min(model.rowCount(top), 50)):
            for col in range(columns):
                tip = model.index(row, col).data(Qt.ItemDataRole.ToolTipRole)
                tips.append((f"{type(view).__name__} cell", tip if isinstance(tip, str) else ""))
    return {f"{where}: {tip[:60]!r}" for where, tip in tips
            if "Bold" in tip and "<b>Bold" not in _tip_shown(tip)}


def test_no_label_renders_data_as_rich_text(qtbot, tmp_path: Path) -> None:
    identity.set_profile(name=RICH)  # the author of everything written below
    store = create_inspection(tmp_path / "<b>Bold.hmip", establishment_name=RICH,
                              establishment_type="mens_prison", framework=scored_framework(),
                              start_date="2026-01-19", end_date="2026-01-28")
    NoteService(store).add(source_kind="observation", title=RICH, body="Seen.")
    ConcernService(store).add(title=RICH, body="Effect on prisoners", sections=["safety"])
    NppService(store).add(title=RICH, body="Works well.")
    doc = tmp_path / "<b>Bold.txt"
    doc.write_text("Minutes of the meeting.\n", encoding="utf-8")
    [document] = DocumentService(store).import_files([doc])
    DocumentService(store).edit(document.id, title=RICH)
    csv = tmp_path / "<b>Bold.csv"
    csv.write_text(f"wing,\"{RICH}\"\nA,1\nB,2\n", encoding="utf-8")
    extract = ExtractService(store).import_file(csv, name=RICH)
    FigureService(store).pin(extract.id, caption=RICH, spec={"group_by": 1})

    win = build_window(TaskRunner(SyncExecutor()))
    qtbot.addWidget(win)
    win.show()
    win._set_store(store)
    try:
        concerns = win.pages["Concerns"]
        for register in (concerns.concerns, concerns.npp):  # the editor shows the title
            select_row(register.table, 0)
        assert win.pages["Evidence"].documents.select_document(document.id)
        problems: dict[str, str] = {}
        seen = []
        for title, view in every_view(win):
            seen.append(f"{title} / {view}")
            for found in _rich_data_labels(win) | _rich_data_tips(win):
                problems.setdefault(found, f"{title} / {view}")
        assert "Evidence / Figures" in seen, seen
        assert not problems, "\n".join(f"{where}: {label}" for label, where in problems.items())
        win.show_page("Overview")
        shown = win.pages["Overview"].values["establishment"]
        assert shown.text() == RICH and not _renders_rich(shown)
    finally:
        win.close_inspection()

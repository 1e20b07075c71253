"""Accessibility of the main window: names, shortcuts from anywhere, font size, tab order.

Every interactive widget on every page (and every tab of it) must have a name a screen reader
can say: its own accessible name, or what Qt derives from a button's text or a buddy label —
the label a person sees. The check asks Qt's accessibility interface, as assistive tech does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from hmip_desktop.app import build_window
from hmip_desktop.services.notes import NoteService
from hmip_desktop.ui.tasks import SyncExecutor, TaskRunner
from tests.gui.keyboard import make_store, mnemonic, mnemonic_owners, mnemonics
from tests.gui.page_walk import every_view

INTERACTIVE = (QAbstractButton, QLineEdit, QTextEdit, QPlainTextEdit, QComboBox,
               QAbstractSpinBox, QAbstractItemView, QAbstractSlider)


def spoken_name(widget: QWidget) -> str:
    """The name assistive technology reads for a widget."""
    if widget.accessibleName().strip():
        return widget.accessibleName()
    iface = QAccessible.queryAccessibleInterface(widget)
    return iface.text(QAccessible.Text.Name).strip() if iface is not None else ""


def _is_internal(widget: QWidget) -> bool:
    """Qt's own parts of a composite widget (a combo's popup list, a scroll bar, a table's
    header, the line edit inside an editable combo or spin box, a tab bar's scroll buttons)."""
    name = widget.objectName()
    if name.startswith("qt_"):
        return True
    parent = widget.parentWidget()
    if isinstance(widget, QHeaderView) and isinstance(parent, QAbstractItemView):
        return True  # a table's own header: read as the column names of its cells
    while parent is not None:
        if isinstance(parent, (QComboBox, QAbstractSpinBox)) or \
                type(parent).__name__ in ("QTabBar", "QComboBoxPrivateContainer"):
            return True
        parent = parent.parentWidget()
    return isinstance(widget, QScrollBar)


def unnamed_widgets(root: QWidget) -> list[str]:
    """'Page > Type (objectName)' for every visible interactive widget without a name."""
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, INTERACTIVE) or not widget.isVisibleTo(root) \
                or _is_internal(widget):
            continue
        if not spoken_name(widget):
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} "
                           f"in {type(widget.parentWidget()).__name__}")
    return missing


@pytest.fixture
def full_window(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The main window with a scored inspection and a note open, every page populated."""
    store = make_store(tmp_path)
    NoteService(store).add(source_kind="observation", title="Night visit", body="Seen.")
    win = build_window(TaskRunner(SyncExecutor()))
    qtbot.addWidget(win)
    win.show()
    win._set_store(store)
    for page in win.pages.values():  # pages and tabs are built on first visit: build all
        for tab in ("documents", "extracts", "figures"):
            getattr(page, tab, None)
    yield win
    win.close_inspection()


def _each_tab(page: QWidget):  # type: ignore[no-untyped-def]
    tabs = [t for t in page.findChildren(QTabWidget) if t.isVisibleTo(page)]
    yield "main"
    for tab_widget in tabs:
        for i in range(tab_widget.count()):
            tab_widget.setCurrentIndex(i)
            QApplication.processEvents()
            yield tab_widget.tabText(i).replace("&", "")
        tab_widget.setCurrentIndex(0)


def test_every_interactive_widget_has_an_accessible_name(full_window) -> None:
    """Walk every page and every tab; no button, field, list or table goes unnamed."""
    problems = []
    for title, page in full_window.pages.items():
        full_window.show_page(title)
        QApplication.processEvents()
        for tab in _each_tab(page):
            problems += [f"{title} / {tab}: {m}" for m in unnamed_widgets(page)]
    problems += [f"window: {m}" for m in unnamed_widgets(full_window)
                 if not any(m in p for p in problems)]
    assert not sorted(set(problems)), "\n".join(sorted(set(problems)))


def test_page_shortcuts_work_wherever_focus_is(full_window, qtbot) -> None:
    """Ctrl+1 … Ctrl+7 switch pages with focus in a text field deep inside a page."""
    full_window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is full_window)
    for index in range(len(full_window.pages)):
        full_window.nav.setCurrentRow(1)  # the Evidence page: a text field on it has focus
        # the first text field a user can reach (findChild's first may sit on a hidden tab)
        page = full_window.pages["Evidence"]
        editor = next(w for w in [*page.findChildren(QPlainTextEdit), *page.findChildren(QLineEdit)]
                      if w.isVisible() and w.isEnabled())
        editor.setFocus()
        qtbot.waitUntil(editor.hasFocus)
        qtbot.keyClick(editor, Qt.Key(Qt.Key.Key_1 + index), Qt.KeyboardModifier.ControlModifier)
        assert full_window.stack.currentIndex() == index
    assert full_window.search_action.shortcut() == QKeySequence("Ctrl+K")


def test_text_follows_the_system_font_size(qtbot) -> None:
    """At 150 % of the system font the window's text, headings and tables grow with it."""
    app = QApplication.instance()
    base = app.font()
    try:
        sizes = []
        for scale in (1.0, 1.5):
            font = QFont(base)
            font.setPointSizeF(base.pointSizeF() * scale)
            app.setFont(font)
            win = build_window(TaskRunner(SyncExecutor()))
            qtbot.addWidget(win)
            notes = win.pages["Evidence"].notes.table  # type: ignore[attr-defined]
            sizes.append((win.nav.font().pointSizeF(), notes.font().pointSizeF(),
                          win.nav.maximumWidth()))
            win.close()
        (nav1, table1, width1), (nav2, table2, width2) = sizes
        assert nav2 == pytest.approx(nav1 * 1.5) and table2 == pytest.approx(table1 * 1.5)
        assert width2 > width1  # the navigation column widens with its text
    finally:
        app.setFont(base)


def test_tab_order_follows_the_visual_order(full_window) -> None:
    """From the navigation list, Tab enters the page top-left first (not the status bar)."""
    full_window.show_page("Evidence")
    page = full_window.pages["Evidence"]
    full_window.nav.setFocus()
    first = full_window.nav.nextInFocusChain()
    while not (first.focusPolicy() & Qt.FocusPolicy.TabFocus and first.isVisible()):
        first = first.nextInFocusChain()
    assert page.isAncestorOf(first), f"Tab went to {type(first).__name__}"


def test_every_alt_letter_has_one_owner_on_every_page_and_tab(full_window) -> None:
    """Alt+letter is never ambiguous: on every page, in every tab (and sub-tab, and step)
    a click shows, no two buttons, tabs, group boxes, labels or menu-bar menus share a
    letter. Qt would otherwise move focus between them (or open the menu) on Alt+letter
    instead of pressing the button."""
    problems: dict[tuple[str, str, tuple[str, ...]], str] = {}
    seen = []
    for title, view in every_view(full_window):
        seen.append(f"{title} / {view}")
        for letter, owners in mnemonics(full_window).items():
            if len(owners) > 1:  # reported once, with the first view it shows in
                problems.setdefault((title, letter, tuple(owners)), view)
    # The walk reached a sub-tab and a step of the walkthrough (the judgement's last step).
    assert {"Evidence / Data extracts / Group and chart",
            "Scoring / Walkthrough / WalkthroughWidget view 4"} <= set(seen), seen
    assert not problems, "\n".join(
        f"{title} / {view}: Alt+{letter.upper()} is {' and '.join(owners)}"
        for (title, letter, owners), view in problems.items())


def _tabs_beside(bar: QWidget, page: QWidget) -> list[QTabWidget]:
    """The tab widgets on a page that switch what shows beside `bar` (not those holding it)."""
    return [t for t in page.findChildren(QTabWidget)
            if t.isVisibleTo(page) and not t.isAncestorOf(bar)]


def test_progress_cancel_is_the_only_alt_c_where_it_shows(full_window) -> None:
    """Alt+C presses the progress bar's Cancel on every page that shows the bar, whichever
    tab is open beside it: no tab, button, label or menu there takes the same letter."""
    from hmip_desktop.ui.widgets.task_progress import TaskProgress

    bars = full_window.findChildren(TaskProgress)
    assert len(bars) >= 4  # Team & sync, Reports, Documents, Data extracts (and its undo)
    problems = []
    for bar in bars:
        title, page = next((t, p) for t, p in full_window.pages.items() if p.isAncestorOf(bar))
        full_window.show_page(title)
        holder = bar.parentWidget()
        while holder is not page:  # open the tabs that hold the bar
            parent = holder.parentWidget()
            if isinstance(parent.parentWidget(), QTabWidget):
                parent.parentWidget().setCurrentWidget(holder)
            holder = parent
        for other in bars:
            other.setVisible(other is bar)
        assert bar.cancel_button.text() == "&Cancel" and bar.cancel_button.isVisible()
        for tabs in [None, *_tabs_beside(bar, page)]:
            for i in range(tabs.count() if tabs else 1):
                if tabs is not None:
                    tabs.setCurrentIndex(i)
                owners = mnemonic_owners(full_window, "c")
                if owners != ["QPushButton '&Cancel'"]:
                    where = tabs.tabText(i) if tabs else "-"
                    problems.append(f"{title} / {where}: {owners}")
        bar.hide()
    assert not problems, "\n".join(problems)


def test_join_dialog_cancel_leaves_alt_c_to_the_progress_bar(qtbot) -> None:
    """The dialog's own Cancel (which stops a running join too) has a letter of its own on
    every desktop: the KDE and GNOME themes would name it "&Cancel"."""
    from hmip_desktop.ui.context import UiContext
    from hmip_desktop.ui.team.join_dialog import JoinDialog

    dialog = JoinDialog(None, UiContext(tasks=TaskRunner(SyncExecutor())), lambda _s: None)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.progress.show()
    own = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert mnemonic(own.text()) not in (None, "c"), own.text()
    assert mnemonic_owners(dialog, "c") == ["QPushButton '&Cancel'"]


def test_document_preview_letters_are_free_where_it_shows(full_window) -> None:
    """The preview's "show the text" check box has a letter of its own on the Documents tab
    and the Reports page's Exported PDF tab, as shown for a PDF (the Reports page hides it,
    but it must not need hiding to keep Alt+letter unambiguous)."""
    from hmip_desktop.ui.evidence.document_preview import DocumentPreview

    previews = full_window.findChildren(DocumentPreview)
    assert len(previews) == 2  # Evidence ▸ Documents, Reports ▸ Exported PDF
    problems = []
    for preview in previews:
        title, page = next((t, p) for t, p in full_window.pages.items()
                           if p.isAncestorOf(preview))
        full_window.show_page(title)
        holder = preview
        while holder is not page:  # open the tabs that hold the preview
            parent = holder.parentWidget()
            if isinstance(parent.parentWidget(), QTabWidget):
                parent.parentWidget().setCurrentWidget(holder)
            holder = parent
        preview.show_text.show()
        assert preview.show_text.isVisible()
        letter = mnemonic(preview.show_text.text())
        owners = mnemonic_owners(full_window, letter) if letter else []
        if owners != [f"QCheckBox {preview.show_text.text()!r}"]:
            problems.append(f"{title}: Alt+{letter} is {owners}")
        preview.show_text.hide()
    assert not problems, "\n".join(problems)

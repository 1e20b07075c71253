"""Keyboard-only helpers for GUI tests and stores for the scoring pages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from hmip_desktop.services.inspection_store import InspectionStore
from hmip_desktop.services.inspections import create_inspection
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.tasks import SyncExecutor, TaskRunner
from tests.factories import scored_framework


def make_store(tmp_path: Path, *, kind: str = "full",
               concerns: dict[str, int] | None = None) -> InspectionStore:
    """A full inspection (or an IRP) on the scored framework, ending 2026-01-28."""
    return create_inspection(tmp_path / f"{kind}.hmip", establishment_name="HMP Testfield",
                             establishment_type="mens_prison",
                             framework=scored_framework(concerns=concerns), kind=kind,
                             start_date="2026-01-19", end_date="2026-01-28")


def open_page(qtbot: Any, factory: Callable[[UiContext], QWidget],
              store: InspectionStore) -> QWidget:
    """Build a page on a synchronous DB lane, show it, focus it, open the inspection."""
    ctx = UiContext(tasks=TaskRunner(SyncExecutor()))
    ctx.store = store
    page = factory(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 900)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    ctx.signals.inspection_opened.emit(store)
    if QApplication.focusWidget() is None:
        page.focusNextChild()  # as Tab from the window's navigation list would
    return page


def focused() -> QWidget:
    """The widget with keyboard focus."""
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has keyboard focus"
    return widget


def press(qtbot: Any, key: Qt.Key,
          modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """One key press on whatever has focus."""
    qtbot.keyClick(focused(), key, modifier)


def type_text(qtbot: Any, text: str) -> None:
    """Type into whatever has focus."""
    qtbot.keyClicks(focused(), text)


def tab_until(qtbot: Any, found: Callable[[QWidget], bool], *, limit: int = 80,
              backwards: bool = False) -> QWidget:
    """Press Tab until `found(focus widget)`; fails when the widget is not in the tab chain."""
    for _ in range(limit):
        if found(focused()):
            return focused()
        if backwards:
            press(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
        else:
            press(qtbot, Qt.Key.Key_Tab)
    raise AssertionError(f"not reachable by Tab; focus stayed on {focused()!r}")


def tab_to(qtbot: Any, widget: QWidget, **kw: Any) -> QWidget:
    """Press Tab until `widget` (or a child of it) has focus."""
    return tab_until(qtbot, lambda w: w is widget or widget.isAncestorOf(w), **kw)


def mnemonic(text: str) -> str | None:
    """The Alt+letter a widget's text gives it ("Sa&ve" -> "v"), None without one."""
    plain = text.replace("&&", "")
    i = plain.find("&")
    return plain[i + 1].lower() if 0 <= i < len(plain) - 1 else None


def mnemonics(root: QWidget) -> dict[str, list[str]]:
    """Every Alt+letter answered in `root` and the widgets visible there that answer it:
    buttons, group box titles, labels with a buddy, tabs and the menu bar's menus.

    A disabled widget counts: it is one data change (a note opened, a conflict chosen) from
    being enabled, and Qt then finds the letter ambiguous as surely as with any other.
    """
    from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QMainWindow, QTabBar

    owners: dict[str, list[str]] = {}
    for w in [root, *root.findChildren(QWidget)]:
        if w is not root and not w.isVisibleTo(root):
            continue
        if isinstance(w, QAbstractButton) or (isinstance(w, QLabel) and w.buddy() is not None):
            texts = [w.text()]
        elif isinstance(w, QGroupBox):
            texts = [w.title()]
        elif isinstance(w, QTabBar):
            texts = [w.tabText(i) for i in range(w.count()) if w.isTabVisible(i)]
        elif isinstance(w, QMainWindow):
            texts = [a.text() for a in w.menuBar().actions() if a.isVisible()]
        else:
            continue
        for text in texts:
            letter = mnemonic(text)
            if letter is not None:
                owners.setdefault(letter, []).append(f"{type(w).__name__} {text!r}")
    return owners


def mnemonic_owners(root: QWidget, letter: str) -> list[str]:
    """Every widget visible in `root` that answers Alt+`letter` (see `mnemonics`)."""
    return mnemonics(root).get(letter, [])

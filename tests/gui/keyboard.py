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


# The letters the KDE and GNOME themes give a button box's standard buttons ("&OK",
# "&Cancel", "&Close", "&Save"; Qt's own "&Yes" and "&No" carry theirs in the text).
_THEME_LETTERS = {"Ok": "o", "Cancel": "c", "Close": "c", "Save": "s"}


def _theme_letter(button: QWidget) -> str | None:
    """The Alt+letter a desktop theme gives a standard button whose text the app kept."""
    from PySide6.QtWidgets import QDialogButtonBox

    box = button.parentWidget()
    if not isinstance(box, QDialogButtonBox):
        return None
    return _THEME_LETTERS.get(box.standardButton(button).name)


def mnemonics(root: QWidget) -> dict[str, list[str]]:
    """Every Alt+letter answered in `root` and the widgets visible there that answer it:
    buttons, group box titles, labels with a buddy, tabs and the menu bar's menus. A button
    box's OK, Cancel, Close or Save counts with the letter the KDE and GNOME themes give it.

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
            if mnemonic(w.text()) is None and _theme_letter(w):
                texts = [f"{w.text()} (&{_theme_letter(w)} on KDE and GNOME)"]
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


def buddyless_mnemonics(root: QWidget) -> list[str]:
    """Labels visible in `root` whose text marks an Alt+letter but that have no buddy: Qt
    answers no key for them and shows the '&' as it is. (A plain-text label showing data,
    such as a title with '&' in it, marks none: it is meant to show the '&'.)"""
    from PySide6.QtWidgets import QLabel

    return [f"QLabel {w.text()!r}" for w in root.findChildren(QLabel)
            if w.isVisibleTo(root) and w.buddy() is None
            and w.textFormat() != Qt.TextFormat.PlainText
            and (mnemonic(w.text()) or " ").isalnum()]


def unmarked_buttons(root: QWidget) -> list[str]:
    """Push buttons, check boxes and radio buttons visible in `root` whose text the app wrote
    and that have no Alt+letter. The standard buttons of a button box (OK, Cancel, Close,
    Save, Yes, No) are left out: their text, and its letter, is the desktop theme's."""
    from PySide6.QtWidgets import QCheckBox, QDialogButtonBox, QPushButton, QRadioButton

    found = []
    for w in root.findChildren(QWidget):
        if not isinstance(w, (QPushButton, QCheckBox, QRadioButton)) \
                or not w.isVisibleTo(root) or not w.text():
            continue
        box = w.parentWidget()
        if isinstance(box, QDialogButtonBox) and \
                box.standardButton(w) != QDialogButtonBox.StandardButton.NoButton:
            continue
        if mnemonic(w.text()) is None:
            found.append(f"{type(w).__name__} {w.text()!r}")
    return found


def _holds_input(item: Any) -> bool:
    """Whether a form row's field (a widget or a layout) is, or holds, a field to type in or
    choose from: not a read-only value shown as a label."""
    from PySide6.QtWidgets import (
        QAbstractItemView,
        QAbstractSpinBox,
        QComboBox,
        QLayout,
        QLineEdit,
        QPlainTextEdit,
        QTextEdit,
    )

    inputs = (QLineEdit, QComboBox, QAbstractSpinBox, QPlainTextEdit, QTextEdit,
              QAbstractItemView)
    if isinstance(item, QLayout):
        return any(_holds_input(item.itemAt(i).widget() or item.itemAt(i).layout())
                   for i in range(item.count()))
    return isinstance(item, QWidget) and (isinstance(item, inputs) or any(
        isinstance(w, inputs) for w in item.findChildren(QWidget)))


def unkeyed_form_rows(root: QWidget) -> list[str]:
    """Labels of form rows visible in `root` whose field takes input but that have no
    Alt+letter (with a buddy) while another row of the same form has one: the form's own
    convention says each field can be reached by its letter."""
    from PySide6.QtWidgets import QFormLayout, QLabel

    found = []
    for form in root.findChildren(QFormLayout):
        rows = []
        for row in range(form.rowCount()):
            label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            label = label.widget() if label is not None else None
            if not isinstance(label, QLabel) or not label.text() or field is None \
                    or not label.isVisibleTo(root):
                continue
            keyed = mnemonic(label.text()) is not None and label.buddy() is not None
            rows.append((label, keyed, _holds_input(field.widget() or field.layout())))
        if any(keyed for _l, keyed, _i in rows):
            found += [f"QLabel {label.text()!r}" for label, keyed, takes_input in rows
                      if takes_input and not keyed]
    return found

"""Walking the main window for tests that check every screen: every page, and on each every
view a click shows (tabs, sub-tabs, the steps of a stack)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from PySide6.QtWidgets import QApplication, QStackedWidget, QTabWidget, QWidget


def _is_switch(widget: QWidget) -> bool:
    """A tab widget, or a stack a page switches itself (a tab widget's own stack is not)."""
    return isinstance(widget, QTabWidget) or (
        isinstance(widget, QStackedWidget) and not isinstance(widget.parentWidget(), QTabWidget))


def _switches(root: QWidget) -> list[QWidget]:
    """The tab widgets and stacks shown in `root` that no other one under `root` holds."""
    found = []
    for widget in root.findChildren(QWidget):
        if not _is_switch(widget) or not widget.isVisibleTo(root):
            continue
        holder = widget.parentWidget()
        while holder is not root and not _is_switch(holder):
            holder = holder.parentWidget()
        if holder is root:
            found.append(widget)
    return found


def _views(root: QWidget, where: str = ""):  # type: ignore[no-untyped-def]
    """Show each view of `root` a click reaches, one at a time: every tab and every step of a
    stack, and inside each the tabs and stacks it holds (depth first). Yields its name."""
    switches = _switches(root)
    if not switches:
        yield where or "-"
    for switch in switches:
        start = switch.currentIndex()  # type: ignore[attr-defined]
        for i in range(switch.count()):  # type: ignore[attr-defined]
            switch.setCurrentIndex(i)  # type: ignore[attr-defined]
            QApplication.processEvents()
            name = (switch.tabText(i).replace("&", "") if isinstance(switch, QTabWidget)
                    else f"{type(switch.parentWidget()).__name__} view {i + 1}")
            yield from _views(switch.widget(i),  # type: ignore[attr-defined]
                              f"{where} / {name}" if where else name)
        switch.setCurrentIndex(start)  # type: ignore[attr-defined]


def every_view(window: Any) -> Iterator[tuple[str, str]]:
    """Show each page of the main window in turn and, on it, each view a click reaches;
    yields (page title, view name) while that view is showing."""
    for title, page in window.pages.items():
        window.show_page(title)
        QApplication.processEvents()
        for view in _views(page):
            yield title, view

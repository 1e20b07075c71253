"""The window's pages, built on first visit, and the widget that hosts their stack.

Kept apart from main_window so the window module holds the window (menus, status bar, the
open inspection's lifecycle) and this one how pages are made and laid out.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Protocol

from PySide6.QtCore import QEvent, QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QApplication, QScrollArea, QStackedWidget, QWidget

from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.page_base import Page


class PageFactory(Protocol):
    """Makes one page: a Page class, or a lazy spec that imports the class when called. Its
    `title` (a PageKey for the app's pages) names the page before it is built."""

    @property
    def title(self) -> str: ...

    def __call__(self, ctx: UiContext) -> Page: ...


class PageWindow(Protocol):
    """What the page map needs of the window (the main window; no import back to it)."""

    ctx: UiContext

    def _page_built(self, title: str, page: Page) -> None: ...


class PageMap(Mapping[str, Page]):
    """The window's pages by key (PageKey: the title), in navigation order, each built on
    first access.

    A page is built only when it is first shown or looked up, so start-up does not import and
    lay out seven pages to show one. Iterating gives the keys without building anything;
    `built()` gives the pages that exist.
    """

    def __init__(self, window: PageWindow, factories: list[PageFactory]) -> None:
        self._window = window
        self._factories: dict[str, PageFactory] = {f.title: f for f in factories}
        self._pages: dict[str, Page] = {}

    def __getitem__(self, title: str) -> Page:
        page = self._pages.get(title)
        if page is None:
            factory = self._factories[title]  # KeyError for an unknown title
            page = factory(self._window.ctx)
            self._pages[title] = page
            self._window._page_built(title, page)
        return page

    def __contains__(self, title: object) -> bool:
        return title in self._factories

    def __iter__(self) -> Iterator[str]:
        return iter(self._factories)

    def __len__(self) -> int:
        return len(self._factories)

    def is_built(self, title: str) -> bool:
        """True once the page exists."""
        return title in self._pages

    def factory(self, title: str) -> PageFactory:
        """What makes a page (built or not)."""
        return self._factories[title]

    def built(self) -> list[Page]:
        """The pages built so far, in navigation order."""
        return [self._pages[t] for t in self._factories if t in self._pages]


class PageHost(QWidget):
    """Holds the page stack inside the window's scroll area, offering only the pages' minimum
    size: a layout would also pass on their height-for-width (word-wrapped labels), and the
    scroll area would then make every page as tall as it would like to be, not as it needs."""

    def __init__(self, stack: QStackedWidget, area: QScrollArea) -> None:
        super().__init__()
        self.stack = stack
        # Held, not found by parentWidget(): asking Qt for a widget it created (the area's
        # viewport) makes PySide6 discover its type through every QWidget subclass, creating
        # some 50 Python enums (~13 ms of a start).
        self.area = area
        stack.setParent(self)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """The current page's minimum: it scrolls only when the window is smaller."""
        return self.stack.minimumSizeHint()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """No preference beyond the minimum (the scroll area gives it the viewport)."""
        return self.stack.minimumSizeHint()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        """The stack fills the host."""
        self.stack.setGeometry(self.rect())
        super().resizeEvent(event)

    def event(self, event: QEvent) -> bool:
        """A page's minimum changed: tell the scroll area."""
        if event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
            QApplication.postEvent(self.area, QEvent(QEvent.Type.LayoutRequest))
        return super().event(event)

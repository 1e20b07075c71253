"""Pages made without freezing the window (issue 11 §2): their modules are imported on a
helper thread, their widgets built on the GUI thread, one page at a time.

Only half of making a page may leave the GUI thread: importing its modules may (import is
thread-safe, and the heaviest page pulls in ~250 ms of modules: openpyxl, the report
writers), building its widgets may not. So a page first visited before its modules are loaded
is built as soon as they are (its empty stand-in shows meanwhile), and once an inspection is
open and the DB lane idle, the modules of the pages not visited yet are loaded in idle time,
one page per step, so a first visit only builds widgets (tens of ms). Pages are NOT built in
idle time: a built page reloads its data on every change broadcast (each autosave), and the
DB lane would pay for pages nobody looks at.
"""

from __future__ import annotations

import importlib
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol, runtime_checkable

from PySide6.QtCore import QObject, QTimer, Signal

from hmip_desktop.ui.page_base import Page
from hmip_desktop.ui.page_map import PageMap, PageWindow

STEP_MS = 100  # between two idle-time pages: the window paints and reacts to keys between


@runtime_checkable
class ImportsLazily(Protocol):
    """A page factory that can import its page's module before the page is built."""

    @property
    def title(self) -> str: ...

    @property
    def loaded(self) -> bool: ...

    def page_class(self) -> type[Page]: ...


class PagePrebuilder(QObject):
    """Loads pages' modules off the GUI thread and builds pages when they are loaded."""

    _loaded = Signal(str)  # a page's modules are imported (emitted on the helper thread)

    def __init__(self, window: PageWindow, pages: PageMap) -> None:
        super().__init__()
        self._window, self._pages = window, pages
        self._executor: ThreadPoolExecutor | None = None
        self._queued: set[str] = set()  # titles whose modules are loading or loaded
        self._wanted: set[str] = set()  # visited while loading: built once loaded
        self._done: set[str] = set()  # loads finished (a failed one too)
        self._parts: set[str] = set()  # pages whose parts' modules are loading or loaded
        self._loaded.connect(self._on_loaded)
        self._build_next = QTimer(self)  # a real timer: painting and input come between
        self._build_next.setSingleShot(True)
        self._build_next.setInterval(1)
        self._build_next.timeout.connect(self._build_wanted)
        self._timer = QTimer(self)
        self._timer.setInterval(STEP_MS)
        self._timer.timeout.connect(self._step)

    @property
    def active(self) -> bool:
        """True while idle-time loading goes on."""
        return self._timer.isActive()

    # -- a visit -----------------------------------------------------------------------------
    def build_soon(self, title: str) -> None:
        """Build a page now when its modules are loaded, else once a helper thread has loaded
        them. Inline runners (tests) build at once, as before."""
        factory = self._pages.factory(title)
        if self._timer.isActive():  # idle time starts again after a visit: its imports
            self._timer.start()     # would compete with the visit's build for the GIL
        if self._pages.is_built(title) or self._window.ctx.tasks.synchronous \
                or not isinstance(factory, ImportsLazily) or factory.loaded \
                or title in self._done:  # loaded, or failed to: building says why
            self._pages[title]
            return
        self._wanted.add(title)
        self._load(title, factory)

    def _load(self, title: str, factory: ImportsLazily) -> None:
        if title in self._queued:
            return
        self._queued.add(title)
        # With a file open, a page's parts load with it (a first use of a tab then imports
        # nothing on the GUI thread); before (a start), only the page: its parts' modules
        # would hold the GIL the first screen needs, and follow in idle time (`_step`).
        parts = self._window.ctx.store is not None
        if parts:
            self._parts.add(title)
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="page-import")
        self._executor.submit(self._import, title, factory, parts)

    def _import(self, title: str, factory: ImportsLazily, parts: bool) -> None:
        """On the helper thread: the page's module, and its parts' when asked. A failure is
        left to the build, which imports again on the GUI thread and reports it there."""
        try:
            factory.page_class()
            if parts:
                self._import_parts(factory)
        except Exception:  # noqa: BLE001, S110 - only a head start
            pass
        self._loaded.emit(title)

    @staticmethod
    def _import_parts(factory: ImportsLazily) -> None:
        """On the helper thread: the modules of a page's parts (its tabs)."""
        try:
            for module in factory.page_class().preload_modules:
                importlib.import_module(module)
        except Exception:  # noqa: BLE001, S110 - only a head start
            pass

    def _on_loaded(self, title: str) -> None:
        self._done.add(title)
        if title in self._wanted and not self._build_next.isActive():
            self._build_next.start()

    def _build_wanted(self) -> None:
        """Build one visited page whose modules are in; the next at a later turn (several
        loads may land together, and their builds must not add up to one long stall)."""
        for title in self._pages:
            if title in self._wanted and title in self._done:
                self._wanted.discard(title)
                try:
                    if not self._pages.is_built(title):
                        self._pages[title]  # a failed load fails here, on the GUI thread
                finally:
                    if self._wanted:
                        self._build_next.start()
                return

    # -- idle time ---------------------------------------------------------------------------
    def start(self) -> None:
        """Load the modules of the pages not visited yet, in idle time (a file is open)."""
        self._timer.start()

    def stop(self) -> None:
        """No more idle-time loading (the inspection closed)."""
        self._timer.stop()

    def shutdown(self) -> None:
        """The window closes: drop the loads not started."""
        self.stop()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)

    def _step(self) -> None:
        """One step: load the modules of the next page not loaded yet, only while the DB
        lane is idle (start-up's first reads are in)."""
        ctx = self._window.ctx
        if ctx.store is None:
            self.stop()
            return
        if ctx.tasks.busy or self._wanted:  # reads, or a visited page still loading
            return
        for title in self._pages:
            factory = self._pages.factory(title)
            if not isinstance(factory, ImportsLazily):
                continue
            if not self._pages.is_built(title) and not factory.loaded \
                    and title not in self._queued:  # a failed load: the visit will say why
                self._load(title, factory)
                return
            if factory.loaded and title not in self._parts:
                self._parts.add(title)
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(max_workers=1,
                                                        thread_name_prefix="page-import")
                self._executor.submit(self._import_parts, factory)
                return
        self.stop()

"""Composition root: builds the task runner, the pages and the main window, and runs Qt.

Start-up order (issue 11): from the first line of the entry point the file's key is found
in a forked child on Linux, else on a helper thread (storage/key_child.py); the window is
shown before services, storage and SQLAlchemy are imported; pages are built on first visit
(the first page once the empty window has painted, the Evidence page's notes list in idle
time); the file's
first screen (Overview facts, newest notes) is read with sqlcipher3 alone on the DB lane and
shown read-only, and only then is the store opened behind it (ui/opening/file_opener.py,
services/first_screen.py); a passphrase typed in the dialog starts its derivation as soon as
it is entered (MainWindow.open_path); the collector is off from the entry point until
start-up is over (the file open and its first reads asked for), and `gc.freeze()` then keeps
the objects of start-up out of every later collection.
"""

from __future__ import annotations

import gc
import importlib
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from hmip_desktop import APP_DISPLAY_NAME, APP_NAME
from hmip_desktop.domain.errors import UserError
from hmip_desktop.failed_start import data_dir_problem, report_failed_start
from hmip_desktop.logging_setup import configure_logging
from hmip_desktop.services import startup
from hmip_desktop.storage import profile
from hmip_desktop.ui import launch
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import install_excepthook
from hmip_desktop.ui.main_window import MainWindow
from hmip_desktop.ui.page_base import Page, PageKey
from hmip_desktop.ui.page_map import PageFactory
from hmip_desktop.ui.platform_check import check_platform
from hmip_desktop.ui.tasks import TaskRunner


class LazyPage:
    """A page factory that imports its page's module only when the page is built."""

    def __init__(self, title: str, module: str, name: str) -> None:
        self.title, self._module, self._name = title, module, name
        self._class: type[Page] | None = None

    @property
    def loaded(self) -> bool:
        """True once the page's module is imported (building it imports nothing more)."""
        return self._class is not None

    def page_class(self) -> type[Page]:
        """The page class (importing its module; safe on a helper thread)."""
        if self._class is None:
            self._class = getattr(importlib.import_module(self._module), self._name)
        return self._class  # type: ignore[return-value]

    def __call__(self, ctx: UiContext) -> Page:
        page = self.page_class()(ctx)
        assert page.title == self.title, (page.title, self.title)
        return page

    def __repr__(self) -> str:
        return f"LazyPage({self.title!r}, {self._module}.{self._name})"


_UI = "hmip_desktop.ui."


def page_factories() -> list[PageFactory]:
    """The navigation order of the main window (each page imported when first shown)."""
    return [
        LazyPage(PageKey.OVERVIEW, _UI + "overview.overview_page", "OverviewPage"),
        LazyPage(PageKey.EVIDENCE, _UI + "evidence.evidence_page", "EvidencePage"),
        LazyPage(PageKey.EXPECTATIONS, _UI + "expectations.expectations_page", "ExpectationsPage"),
        LazyPage(PageKey.SCORING, _UI + "scoring.scoring_page", "ScoringPage"),
        LazyPage(PageKey.CONCERNS, _UI + "concerns.concerns_page", "ConcernsPage"),
        LazyPage(PageKey.TEAM_SYNC, _UI + "team.team_sync_page", "TeamSyncPage"),
        LazyPage(PageKey.REPORTS, _UI + "reports.reports_page", "ReportsPage"),
    ]


# Start-up is over at the latest this long after the window is shown (a passphrase dialog,
# a file that fails to open): the collector is not left off beyond it.
START_UP_LIMIT_MS = 10_000


def _after_start(window: MainWindow) -> None:
    """Idle time once the first pages are up (MainWindow.PREBUILT): freeze the heap."""
    QTimer.singleShot(0, window, _freeze_heap)


def _end_start_up_with_the_file(window: MainWindow) -> None:
    """Given a FILE, start-up ends once it is open and its first reads are under way (the
    next turn of the loop after the pages asked for them), or at START_UP_LIMIT_MS."""
    over = False

    def end() -> None:
        nonlocal over
        if not over:  # once: a later open is not start-up
            over = True
            _freeze_heap()

    window.ctx.signals.inspection_opened.connect(
        lambda _store: QTimer.singleShot(0, window, end))
    QTimer.singleShot(START_UP_LIMIT_MS, window, end)


def _freeze_heap() -> None:
    """When start-up is over: move everything it allocated (modules, classes, widgets'
    wrappers) into the permanent generation, so later collections do not walk it again and
    again (no collect first: a full collection here would stall the window for tens of
    milliseconds), then turn the collector back on (the entry point turns it off while the
    modules load, see hmip_desktop.__main__)."""
    gc.freeze()
    gc.enable()


def build_window(tasks: TaskRunner | None = None) -> MainWindow:
    """A main window with its context (tests pass a synchronous TaskRunner)."""
    ctx = UiContext(tasks=tasks or TaskRunner())
    return MainWindow(ctx, page_factories())


def run(open_file: Path | None = None, *, quit_when_ready: bool = False) -> int:
    """Start the GUI; returns the exit code. A failed start is a plain message (on stderr, in
    a box when Qt works, and in a log), never a traceback."""
    # First of all: the file's key is found while Qt starts and the window is built (a no-op
    # when the entry point began it already, in a child process).
    startup.begin_unlock(open_file)
    try:
        configure_logging()
        profile.load_device()  # the device identity and author profile exist from the first run
        profile.load_settings()  # damaged: said here, before a window that lists recent files
    except (OSError, UserError) as exc:
        text = report_failed_start(str(exc) if isinstance(exc, UserError)
                                   else data_dir_problem(exc), exc)
        if not quit_when_ready:  # also in a box for someone who started it from the menu
            launch.guard_qt_platform()
            QApplication.instance() or QApplication(sys.argv)
            launch.show_failed_start(text)
        return launch.EXIT_FAILED_START
    problem = check_platform()  # X11 libraries Qt's xcb plugin needs, named with packages
    if problem is not None:
        report_failed_start(problem)
        return 1
    try:
        launch.guard_qt_platform()  # a missing display plugin: a message, not a core dump
        app = QApplication.instance() or QApplication(sys.argv)
        app.setApplicationName(APP_NAME)
        app.setApplicationDisplayName(APP_DISPLAY_NAME)
        install_excepthook()
        window = build_window()
        window.show()
        if open_file is not None and not startup.is_bundle(open_file):
            _end_start_up_with_the_file(window)
        else:
            QTimer.singleShot(0, window, lambda: _after_start(window))
        watcher = None
        if quit_when_ready:
            watcher = launch.ReadyWatcher(window, open_file)
            if not watcher.check_file(open_file):
                return launch.EXIT_FAILED_START
        elif open_file is None and startup.needs_welcome():
            QTimer.singleShot(0, window.show_welcome)  # first run: name, role, where data lives
        if open_file is not None:
            window.open_path(open_file)  # unlocks and reads on the DB lane
        if watcher is not None and watcher.exit_code is not None:
            return watcher.exit_code  # failed before the event loop: exit() would be lost
        return app.exec()
    except Exception as exc:  # noqa: BLE001 - the last line of defence at start-up
        text = report_failed_start("Something went wrong while starting; your saved work "
                                   "is safe.", exc)
        launch.show_failed_start(text, interactive=not quit_when_ready)
        return 70

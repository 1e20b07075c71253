"""Composition root: builds the task runner, the pages and the main window, and runs Qt."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from hmip_desktop import APP_DISPLAY_NAME, APP_NAME
from hmip_desktop.logging_setup import configure_logging
from hmip_desktop.storage import profile
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import install_excepthook
from hmip_desktop.ui.main_window import MainWindow, PageFactory
from hmip_desktop.ui.pages import placeholders
from hmip_desktop.ui.pages.concerns_page import ConcernsPage
from hmip_desktop.ui.pages.evidence_page import EvidencePage
from hmip_desktop.ui.pages.expectations_page import ExpectationsPage
from hmip_desktop.ui.pages.overview_page import OverviewPage
from hmip_desktop.ui.pages.scoring_page import ScoringPage
from hmip_desktop.ui.pages.team_sync_page import TeamSyncPage
from hmip_desktop.ui.tasks import TaskRunner


def page_factories() -> list[PageFactory]:
    """The navigation order of the main window."""
    return [
        OverviewPage,
        EvidencePage,
        ExpectationsPage,
        ScoringPage,
        ConcernsPage,
        TeamSyncPage,
        placeholders.ReportsPage,
    ]


def build_window(tasks: TaskRunner | None = None) -> MainWindow:
    """A main window with its context (tests pass a synchronous TaskRunner)."""
    ctx = UiContext(tasks=tasks or TaskRunner())
    return MainWindow(ctx, page_factories())


def run(open_file: Path | None = None) -> int:
    """Start the GUI; returns the exit code."""
    configure_logging()
    profile.load_device()  # the device identity and author profile exist from the first run
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_DISPLAY_NAME)
    install_excepthook()
    window = build_window()
    window.show()
    if open_file is not None:
        window.open_path(open_file)
    return app.exec()

"""The main window: navigation, pages, File menu, status bar.

It owns the open inspection's lifecycle: New and Open run on the DB lane, a passphrase is
asked for on the GUI thread first when the file needs one, and a failure leaves the previous
state untouched.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QMenu,
    QProgressBar,
    QScrollArea,
    QStackedWidget,
    QWidget,
)

from hmip_desktop import APP_DISPLAY_NAME
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.domain.errors import UserError
from hmip_desktop.services import labels, startup
from hmip_desktop.ui import errors, ui_state
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.opening.file_opener import FileOpener
from hmip_desktop.ui.page_base import Page, PageKey
from hmip_desktop.ui.page_map import PageFactory, PageHost, PageMap
from hmip_desktop.ui.page_prebuild import PagePrebuilder
from hmip_desktop.ui.widgets.forms import plain_label
from hmip_desktop.ui.widgets.tips import literal_tip

if TYPE_CHECKING:
    from hmip_desktop.domain.search_query import SearchHit
    from hmip_desktop.services.inspection_store import InspectionStore

# Services, storage (SQLAlchemy) and dialogs are imported where they are used, so the window
# can be shown before they load (start-up, issue 11): the first file is opened on the DB lane,
# which imports them there while the window paints.

# Dialogs, imported on first use; still attributes of this module (tests replace them).
_DIALOGS = {
    "AboutDialog": "settings.about_dialog", "NewInspectionDialog": "opening.new_inspection_dialog",
    "PassphraseDialog": "opening.passphrase_dialog", "SearchDialog": "evidence.search_dialog",
    "SettingsDialog": "settings.settings_dialog", "WelcomeDialog": "opening.welcome_dialog",
}


def __getattr__(name: str) -> object:
    """A dialog class named in _DIALOGS, imported now (PEP 562)."""
    module = _DIALOGS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"hmip_desktop.ui.{module}"), name)
    globals()[name] = value
    return value


def _settle(window: MainWindow, leaving: str) -> bool:
    """ui.unsaved.settle_unsaved for CLOSE, OPEN or QUIT, imported when first asked (not on a
    start's first screen: ~1 ms, issue 11)."""
    from hmip_desktop.ui import unsaved

    return unsaved.settle_unsaved(window, getattr(unsaved, leaving))


def _dialog(name: str):  # type: ignore[no-untyped-def]
    """A dialog class by name: the one set on this module if any, else imported."""
    return globals().get(name) or __getattr__(name)


def _file_dialog():  # type: ignore[no-untyped-def]
    """QFileDialog, whose type (and enums) PySide6 sets up when first named: ~2 ms a start
    need not pay."""
    from PySide6.QtWidgets import QFileDialog

    return QFileDialog


def _inspections():  # type: ignore[no-untyped-def]
    """services.inspections, imported on first use (it loads SQLAlchemy)."""
    from hmip_desktop.services import inspections

    return inspections


class MainWindow(QMainWindow):
    """Navigation list on the left, one page at a time on the right."""

    # Built in idle time right after the first page, not on first visit: the notes list is
    # the most visited view, and what --quit-when-ready waits for.
    PREBUILT = (PageKey.EVIDENCE,)

    def __init__(self, ctx: UiContext, page_factories: list[PageFactory]) -> None:
        super().__init__()
        self.ctx = ctx
        self._pending_bundle: Path | None = None  # imported once an inspection is open
        self.setWindowTitle(APP_DISPLAY_NAME)
        self.nav = QListWidget()
        self.nav.setAccessibleName("Navigation")
        self.nav.setAccessibleDescription("The pages of the inspection; Ctrl+1 to Ctrl+7")
        self.stack = QStackedWidget()
        self._placeholders: dict[str, QWidget] = {}
        self.pages = PageMap(self, page_factories)
        self.prebuilder = PagePrebuilder(self, self.pages)
        self.opener = FileOpener(self)  # the file being opened (first screen, then store)
        self.opener.setParent(self)
        for title in self.pages:
            self.nav.addItem(title)
            if self.pages.is_built(title):
                self.stack.addWidget(self.pages[title])
            else:  # an empty stand-in until the page is first shown
                self._placeholders[title] = QWidget()
                self.stack.addWidget(self._placeholders[title])
        # As wide as the longest page title (so it follows the font size), no wider.
        self.nav.setFixedWidth(self.nav.sizeHintForColumn(0) + 2 * self.nav.frameWidth()
                               + 4 * self.nav.fontMetrics().averageCharWidth())
        self.nav.currentRowChanged.connect(self._on_nav_current_row_changed)
        self._placed = False
        self.nav.setCurrentRow(0)  # built once the window is shown (see showEvent)
        central = QWidget()
        row = QHBoxLayout(central)
        row.addWidget(self.nav)
        # On a small screen a page taller or wider than the window scrolls instead of being
        # clipped (and the window never grows past the screen to fit its largest page).
        self.page_scroll = QScrollArea()
        self.page_scroll.setWidget(PageHost(self.stack, self.page_scroll))
        self.page_scroll.setWidgetResizable(True)
        self.page_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.page_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes into the page
        row.addWidget(self.page_scroll, 1)
        self.setCentralWidget(central)
        self._build_menu()
        self._build_status_bar()
        ctx.signals.changes_applied.connect(self._on_changes_applied)
        ctx.tasks.busy_changed.connect(self._on_busy_changed)
        for page in self.pages.built():
            self._connect_page(page)
        ui_state.restore_window(self)
        self._placed = False

    # -- pages, built on first visit ---------------------------------------------------------
    def _connect_page(self, page: Page) -> None:
        """Any page can ask to open a piece of evidence or the UN letter."""
        if PageKey.EVIDENCE in self.pages:
            page.open_evidence_requested.connect(self._on_open_evidence_requested)
        if PageKey.REPORTS in self.pages:
            page.un_letter_requested.connect(self._on_un_letter_requested)

    def _page_built(self, title: str, page: Page) -> None:
        """Put a newly built page where its stand-in was; it reads the open file, if any."""
        stand_in = self._placeholders.pop(title, None)
        if stand_in is not None:
            index = self.stack.indexOf(stand_in)
            current = self.stack.currentIndex() == index
            self.stack.insertWidget(index, page)
            self.stack.removeWidget(stand_in)
            stand_in.deleteLater()
            if current:
                self.stack.setCurrentIndex(index)
        self._connect_page(page)
        if self.ctx.store is not None:  # opened before the page existed
            page.reload()
        elif self.ctx.first_screen is not None:  # the file's first screen is up already
            page.show_first_screen(self.ctx.first_screen)
            self.opener.page_built()

    def _on_nav_current_row_changed(self, row: int) -> None:
        if 0 <= row < len(self.pages) and (self.isVisible() or self._placed):
            # Built on first visit: at once, or once a helper thread has loaded its modules.
            self.prebuilder.build_soon(list(self.pages)[row])
        self.stack.setCurrentIndex(row)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        """Once framed by the window manager, make sure the whole frame is on screen; the
        first page is built after the empty window has been painted."""
        super().showEvent(event)
        if not self._placed:
            self._placed = True
            QTimer.singleShot(0, self, lambda: ui_state.fit_to_screen(self))
            QTimer.singleShot(0, self, self._build_current_page)

    def _build_current_page(self) -> None:
        row = self.nav.currentRow()
        if 0 <= row < len(self.pages):
            self.prebuilder.build_soon(list(self.pages)[row])
        for title in self.PREBUILT:  # next turn of the loop: the first page paints first
            QTimer.singleShot(0, self, lambda t=title: self.prebuild_page(t))

    def prebuild_page(self, title: str) -> None:
        """Build a page in idle time (after start-up), before it is first visited."""
        if title in self.pages and not self.pages.is_built(title):
            self.prebuilder.build_soon(title)

    def _on_un_letter_requested(self) -> None:
        self.show_page(PageKey.REPORTS).choose_un_letter()

    def _on_open_evidence_requested(self, evidence_id: str, start: int | None,
                                    end: int | None, page: int | None) -> None:
        self.show_page(PageKey.EVIDENCE).open_evidence(evidence_id, start, end, page)

    # -- menu and status bar -----------------------------------------------------------------
    def _build_menu(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.new_action = QAction("&New inspection…", self)
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_action.triggered.connect(self.on_new_inspection)
        self.open_action = QAction("&Open inspection…", self)
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.triggered.connect(self.on_open_inspection)
        self.recent_menu = QMenu("Open &recent", self)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.close_action = QAction("&Close inspection", self)
        self.close_action.triggered.connect(self._on_close_action_triggered)
        self.close_action.setEnabled(False)
        settings_action = QAction("&Settings…", self)
        settings_action.triggered.connect(self._on_settings)
        file_menu.addSeparator()
        file_menu.addAction(settings_action)
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(self.new_action)
        file_menu.addAction(self.open_action)
        file_menu.addMenu(self.recent_menu)
        self.join_action = QAction("&Join inspection from invite…", self)
        self.join_action.triggered.connect(self.on_join_inspection)
        file_menu.addAction(self.join_action)
        file_menu.addAction(self.close_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        go_menu = self.menuBar().addMenu("&Go")
        self.search_action = QAction("&Search…", self)
        self.search_action.setShortcut(QKeySequence("Ctrl+K"))
        self.search_action.triggered.connect(self.on_search)
        go_menu.addAction(self.search_action)
        go_menu.addSeparator()
        for index, title in enumerate(self.pages):
            action = QAction(title, self)
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.triggered.connect(lambda _=False, i=index: self.nav.setCurrentRow(i))
            go_menu.addAction(action)
        help_menu = self.menuBar().addMenu("&Help")
        self.about_action = QAction("&About HMIP Inspection", self)
        self.about_action.triggered.connect(self.on_about)
        help_menu.addAction(self.about_action)
        self.welcome_action = QAction("&Welcome and your name…", self)
        self.welcome_action.triggered.connect(self.show_welcome)
        help_menu.addAction(self.welcome_action)

    def _on_close_action_triggered(self) -> None:
        if _settle(self, "CLOSE"):
            self.close_inspection()

    def _on_settings(self) -> None:
        _dialog("SettingsDialog")(self).exec()

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = _inspections().recent_files()
        for path in files:
            action = self.recent_menu.addAction(path.name)
            action.setToolTip(literal_tip(path))
            action.triggered.connect(lambda _=False, p=path: self.open_path(p))
        if not files:
            self.recent_menu.addAction("(none)").setEnabled(False)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.key_label = plain_label("No inspection open")  # then the file's name
        self.key_label.setAccessibleName("Key source")
        self.unexported_label = QLabel("")
        self.unexported_label.setAccessibleName("Changes not yet exported")
        self.busy = QProgressBar()
        self.busy.setMaximumWidth(160)
        self.busy.setRange(0, 0)
        self.busy.hide()
        bar.addWidget(self.key_label)
        bar.addPermanentWidget(self.unexported_label)
        bar.addPermanentWidget(self.busy)

    def _refresh_status(self) -> None:
        store = self.ctx.store
        if store is None:
            self.key_label.setText("No inspection open")
            self.unexported_label.setText("")
            return
        ro = " — READ-ONLY" if store.read_only else ""
        self.key_label.setText(f"{store.path.name} — "
                               f"{labels.key_source_text(store.info.key_source)}{ro}")
        self.ctx.tasks.submit(store.unexported_count, lambda n: self.unexported_label.setText(
            f"{n} change{'s' if n != 1 else ''} not yet exported"))

    def _on_changes_applied(self, _changes: ChangeSet) -> None:
        self._refresh_status()

    def _on_busy_changed(self, busy: bool) -> None:
        self.busy.setVisible(busy)

    # -- opening and creating ----------------------------------------------------------------
    def on_new_inspection(self) -> None:
        """Ask for the facts, then create the file on the DB lane (ui/opening/new_inspection)."""
        if not _settle(self, "OPEN"):  # the new file replaces the open one
            return
        from hmip_desktop.ui.opening.new_inspection import create_new_inspection

        create_new_inspection(self, _dialog("NewInspectionDialog"), _dialog("PassphraseDialog"))

    def on_join_inspection(self) -> None:
        """Make this laptop's copy of an inspection from the team leader's invite."""
        if not _settle(self, "OPEN"):
            return
        from hmip_desktop.ui.team.join_dialog import join_inspection_from_invite

        join_inspection_from_invite(self, self.ctx, self._set_store)

    def on_open_inspection(self) -> None:
        """Choose a file and open it."""
        chosen, _ = _file_dialog().getOpenFileName(self, "Open inspection",
                                                str(_inspections().default_folder()),
                                                "Inspection files (*.hmip)")
        if chosen:
            self.open_path(Path(chosen))

    def open_path(self, path: Path, *, asked: bool = False) -> None:
        """Open a file, asking for its passphrase first when it needs one (a sync bundle goes
        to the import preview of the open inspection); unsaved forms are asked about first
        unless they were already (`asked`: a mistyped passphrase's retry)."""
        if startup.is_bundle(path):
            self.open_bundle(path)
            return
        if not asked and not _settle(self, "OPEN"):
            return
        passphrase = typed = None
        # HMIP_PASSPHRASE (as the CLI): no question to ask, so the GUI thread need not even
        # read the key record; a keyring-keyed file never asks the provider.
        from_environment = startup.passphrase_from_environment()
        if from_environment is not None:
            passphrase = from_environment
        elif startup.needs_passphrase_to_open(path):
            startup.preload_store()  # the store loads while the person types
            ask = _dialog("PassphraseDialog")(self, creating=False, file_label=path.name)
            if ask.exec() != ask.DialogCode.Accepted:
                return
            passphrase = typed = ask.passphrase()
            # Argon2id starts now, beside the rest of the open (the DB lane takes its result).
            startup.begin_unlock(path, passphrase)

        # Two steps on the DB lane: the first screen, read before the store loads, then the
        # store itself (ui/opening/file_opener.py).
        self.opener.begin(path, passphrase,
                          (lambda: self.open_path(path, asked=True)) if typed is not None
                          else None)

    def _set_store(self, store: InspectionStore) -> None:
        self.opener.done()
        from hmip_desktop.services.inspections import hold_for_window

        try:
            hold_for_window(store)  # one window per file (storage/open_lock.py)
        except UserError as exc:  # another instance has the file
            self.ctx.tasks.submit(store.close)
            errors.present_error(self, exc)
            return
        self.close_inspection()
        self.ctx.store = store
        self.close_action.setEnabled(True)
        self.setWindowTitle(f"{APP_DISPLAY_NAME} — {store.path.name}")
        self.ctx.signals.inspection_opened.emit(store)
        self._refresh_status()
        if not self.ctx.tasks.synchronous:  # tests build pages when they show them
            self.prebuilder.start()  # the other pages, in idle time once these reads are in
        if self._pending_bundle is not None:
            bundle, self._pending_bundle = self._pending_bundle, None
            self.open_bundle(bundle)
        if store.read_only:
            errors.show_message(self, "This inspection file was written by a newer version of "
                                "the app, so it is open read-only: you can read and search it, "
                                "but not change it. Update the app to edit it.")

    def close_inspection(self) -> None:
        """Close the open file, after writing what its pages hold unsaved (queued first)."""
        store = self.ctx.store
        if store is None:
            return
        for page in self.pages.built():
            page.flush()  # typing not saved yet is queued for this file before it closes
        self.ctx.store = None
        self.prebuilder.stop()
        self.ctx.signals.inspection_closed.emit()
        self.ctx.tasks.submit(store.close)
        self.close_action.setEnabled(False)
        self.setWindowTitle(APP_DISPLAY_NAME)
        self._refresh_status()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        """Let pages flush pending edits, close the file, finish queued writes (after asking
        about unsaved forms: Cancel keeps the window open)."""
        if not _settle(self, "QUIT"):
            event.ignore()
            return
        for page in self.pages.built():
            page.flush()
        self.opener.cancel()  # a store still opening is closed on the DB lane
        self.close_inspection()
        self.prebuilder.shutdown()
        self.ctx.tasks.shutdown()
        ui_state.save_window(self)
        ui_state.save_headers()
        event.accept()

    def on_search(self) -> None:
        """Global search; opening a result jumps to its passage."""
        if self.ctx.store is None:
            return
        dialog = _dialog("SearchDialog")(self, self.ctx)
        dialog.open_requested.connect(self._on_search_open_requested)
        dialog.exec()

    def _on_search_open_requested(self, hit: SearchHit, query: str) -> None:
        if PageKey.EVIDENCE in self.pages:
            self.show_page(PageKey.EVIDENCE).open_search_hit(hit, query)

    # -- first run, About, bundles opened from the desktop -------------------------------------
    def show_welcome(self) -> None:
        """The first-run welcome; it can lead straight into New or Open."""
        from hmip_desktop.ui.opening.welcome_dialog import NEW, OPEN

        dialog = _dialog("WelcomeDialog")(self)
        dialog.exec()
        if dialog.choice == NEW:
            self.on_new_inspection()
        elif dialog.choice == OPEN:
            self.on_open_inspection()

    def on_about(self) -> None:
        """Help ▸ About."""
        _dialog("AboutDialog")(self, self.ctx.store).exec()

    # Asked when a bundle arrives with no inspection open; tests replace it.
    def ask_open_for_bundle(self, bundle: Path) -> bool:
        """Offer to open the inspection a bundle belongs to."""
        from hmip_desktop.ui.errors import ask_yes_no

        return ask_yes_no(self, f"{bundle.name} is a sync bundle. A bundle is imported into "
                                "an open inspection, and none is open. Open the inspection "
                                "it belongs to now?")

    def open_bundle(self, bundle: Path) -> None:
        """Show the Team & sync import preview for a bundle (after opening an inspection)."""
        if PageKey.TEAM_SYNC not in self.pages:
            return
        if self.ctx.store is None:
            if self.ask_open_for_bundle(bundle):
                chosen, _ = _file_dialog().getOpenFileName(self, "Open inspection",
                                                        str(_inspections().default_folder()),
                                                        "Inspection files (*.hmip)")
                if chosen:
                    self._pending_bundle = bundle
                    self.open_path(Path(chosen))
            return
        self.show_page(PageKey.TEAM_SYNC).import_paths([bundle])

    def show_page(self, key: str) -> Page:
        """Switch to a page by its key (PageKey: its title), building it if need be."""
        page = self.pages[key]
        self.nav.setCurrentRow(list(self.pages).index(key))
        return page


"""Opening a file in the window in two steps (issue 11): its first screen, then its store.

Both run on the DB lane (services.first_screen.Opening). The first screen — the Overview's
facts and the newest notes, read with sqlcipher3 alone — is shown at once but not editable
(the page area is disabled: nothing can be typed that the store could not yet save); the
store opens once the first pages show it, because its imports (SQLAlchemy, ~300 ms) would
hold the GIL those pages need to be built, and at the latest OPEN_STORE_AFTER_MS later. A
file that has no first screen (to migrate, or newer) simply waits for its store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel, QListWidget, QWidget

from hmip_desktop.domain.errors import Cancelled, WrongKeyError
from hmip_desktop.ui.errors import present_error

if TYPE_CHECKING:
    from hmip_desktop.services.first_screen import FirstScreen, Opening
    from hmip_desktop.services.inspection_store import InspectionStore
    from hmip_desktop.ui.context import UiContext
    from hmip_desktop.ui.page_map import PageMap

# The store of a file whose first screen is up opens at the latest this long after (a page
# that failed to build must not keep it from opening).
OPEN_STORE_AFTER_MS = 1000


class OpeningWindow(Protocol):
    """What the opener needs of the main window (ui.main_window.MainWindow)."""

    ctx: UiContext
    stack: QWidget
    key_label: QLabel
    nav: QListWidget
    pages: PageMap
    PREBUILT: Sequence[str]

    def close_inspection(self) -> None: ...

    def _set_store(self, store: InspectionStore) -> None: ...

    def _refresh_status(self) -> None: ...


class FileOpener(QObject):
    """The window's file being opened, between its first screen and its store."""

    def __init__(self, window: OpeningWindow) -> None:
        super().__init__()
        self._window = window
        self._opening: Opening | None = None
        self._open_store_next: Callable[[], None] | None = None  # the second step, not begun

    def begin(self, path: Path, passphrase: str | None,
              retry: Callable[[], None] | None) -> None:
        """Open `path` (`retry` asks again after a wrong typed passphrase)."""
        from hmip_desktop.services.first_screen import Abandoned, Opening

        self.cancel()
        opening = self._opening = Opening(path, lambda _p: passphrase)
        tasks = self._window.ctx.tasks

        def failed(exc: BaseException) -> None:
            if opening is self._opening:
                shown = self._window.ctx.first_screen is not None
                self.done()
                if shown:  # the pages showed a file that could not be opened: forget it
                    self._window.ctx.signals.inspection_closed.emit()
            if isinstance(exc, Abandoned | Cancelled):
                return  # the first step said why / the window closed or moved on
            present_error(self._window, exc)  # type: ignore[arg-type]
            if isinstance(exc, WrongKeyError) and retry is not None:
                retry()

        def open_store() -> None:
            tasks.submit(opening.open_store, lambda store: self._store_opened(opening, store),
                         failed)

        self._open_store_next = open_store
        tasks.submit(opening.first_screen,
                     lambda screen: self._show_first_screen(opening, screen), failed)

    def _show_first_screen(self, opening: Opening, screen: FirstScreen | None) -> None:
        if opening is not self._opening:
            return
        if screen is not None:
            window = self._window
            window.close_inspection()
            window.ctx.first_screen = screen
            window.stack.setEnabled(False)
            window.key_label.setText(f"Opening {screen.path.name}…")
            window.ctx.signals.first_screen_read.emit(screen)
            QTimer.singleShot(OPEN_STORE_AFTER_MS, self, self._open_store_now)
        self.page_built()

    def page_built(self) -> None:
        """Open the store now if the first screen is on the first pages (or there is none)."""
        window = self._window
        first = [window.nav.currentItem().text()] if window.nav.currentItem() else []
        if window.ctx.first_screen is None or window.ctx.tasks.synchronous or all(
                window.pages.is_built(t) for t in [*first, *window.PREBUILT]
                if t in window.pages):
            self._open_store_now()

    def _open_store_now(self) -> None:
        start, self._open_store_next = self._open_store_next, None
        if start is not None:
            if self._window.ctx.first_screen is not None:
                self._window.ctx.signals.first_screen_shown.emit()
            start()

    def _store_opened(self, opening: Opening, store: InspectionStore) -> None:
        if opening is self._opening:
            self._window._set_store(store)
            return
        try:  # another file was chosen, or the window closed, as it opened
            self._window.ctx.tasks.submit(store.close)
        except RuntimeError:  # the DB lane is shut down already (the window closed)
            store.close()

    def cancel(self) -> None:
        """Forget the file being opened; a store it opens is closed on the DB lane."""
        if self._opening is not None:
            self._opening.cancel()
            self.done()

    def done(self) -> None:
        """The file is open (or failed to): its first screen goes, the pages are editable."""
        self._opening = self._open_store_next = None
        window = self._window
        window.ctx.first_screen = None
        window.stack.setEnabled(True)
        window._refresh_status()

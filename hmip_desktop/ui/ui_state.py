"""What the window remembers between runs: its size and place per screen, and column widths.

Kept in `ui-state.ini` under the data directory (so `HMIP_HOME` isolates it in tests), never
in Qt's default location in the real home. Nothing here is evidence: only geometry.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QByteArray, QRect, QSettings, QSize
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QHeaderView, QWidget

from hmip_desktop import paths

FILE_NAME = "ui-state.ini"
PREFERRED = QSize(1280, 800)
# Until the window manager has framed the window we cannot know the title bar's height.
FRAME_GUESS = QSize(16, 40)


def settings() -> QSettings:
    """The INI file under the data directory."""
    return QSettings(str(paths.data_dir() / FILE_NAME), QSettings.Format.IniFormat)


def screen_key(screen: QScreen) -> str:
    """A stable key for a screen: its name and size (the same laptop docked or not differs)."""
    size = screen.geometry().size()
    name = re.sub(r"[^A-Za-z0-9]+", "_", screen.name()).strip("_") or "screen"
    return f"{name}_{size.width()}x{size.height()}"


def _screen_of(window: QWidget) -> QScreen | None:
    return window.screen() or QGuiApplication.primaryScreen()


def restore_window(window: QWidget) -> None:
    """Give the window its remembered geometry on this screen, else a size that fits it."""
    screen = _screen_of(window)
    if screen is None:
        window.resize(PREFERRED)
        return
    saved = settings().value(f"window/{screen_key(screen)}/geometry")
    if not (isinstance(saved, QByteArray) and window.restoreGeometry(saved)):
        avail = screen.availableGeometry()
        size = PREFERRED.boundedTo(avail.size() - FRAME_GUESS)
        window.resize(size)
        rect = QRect(avail.topLeft(), size + FRAME_GUESS)
        rect.moveCenter(avail.center())
        window.move(rect.topLeft())
    fit_to_screen(window)


def fit_to_screen(window: QWidget) -> None:
    """Shrink and move the window (frame included) into its screen's available geometry."""
    screen = _screen_of(window)
    if screen is None or window.isMaximized() or window.isFullScreen():
        return
    avail = screen.availableGeometry()
    frame, inner = window.frameGeometry(), window.geometry()
    extra = QSize(frame.width() - inner.width(), frame.height() - inner.height())
    if not window.isVisible() and extra.isNull():
        extra = FRAME_GUESS
    size = inner.size().boundedTo(avail.size() - extra)
    if size != inner.size():
        window.resize(size)
    width, height = size.width() + extra.width(), size.height() + extra.height()
    x = min(max(frame.x(), avail.left()), avail.left() + avail.width() - width)
    y = min(max(frame.y(), avail.top()), avail.top() + avail.height() - height)
    if (x, y) != (frame.x(), frame.y()):
        window.move(x, y)


def save_window(window: QWidget) -> None:
    """Remember the window's geometry for the screen it is on."""
    screen = _screen_of(window)
    if screen is None:
        return
    s = settings()
    s.setValue(f"window/{screen_key(screen)}/geometry", window.saveGeometry())
    s.sync()


_HEADERS: dict[str, QHeaderView] = {}


def _slug(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", key).strip("_").lower()


def remember_header(header: QHeaderView, key: str) -> set[int] | None:
    """Restore a table's column widths and sort now; returns the columns the person sized, or
    None when nothing was saved
    (the property "userSized" of the header, "1,3", is saved with them by `save_headers()`)."""
    slug = _slug(key)
    s = settings()
    saved = s.value(f"columns/{slug}")
    sized: set[int] | None = None
    if isinstance(saved, QByteArray) and header.restoreState(saved):
        text = str(s.value(f"columns/{slug}_sized", "") or "")
        # A hand-edited file may hold anything: "²" is a digit int() refuses, and so is a
        # number of more than 4,300 digits.
        sized = {int(c) for c in text.split(",")
                 if c.isascii() and c.isdecimal() and len(c) < 6 and int(c) < header.count()}
    _HEADERS[slug] = header
    header.destroyed.connect(lambda *_a, s=slug: _HEADERS.pop(s, None))
    return sized


def save_headers() -> None:
    """Store the column widths and sort of every remembered table (at window close)."""
    s = settings()
    for slug, header in list(_HEADERS.items()):
        try:
            s.setValue(f"columns/{slug}", header.saveState())
            s.setValue(f"columns/{slug}_sized", str(header.property("userSized") or ""))
        except RuntimeError:  # its C++ side is gone
            _HEADERS.pop(slug, None)
    s.sync()

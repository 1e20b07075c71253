"""The main window fits its screen, and remembers its size and place per screen (QSettings in
an INI file under the data directory, never the real home)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect

from hmip_desktop.app import build_window
from hmip_desktop.ui import ui_state
from hmip_desktop.ui.tasks import SyncExecutor, TaskRunner


def _window(qtbot):  # type: ignore[no-untyped-def]
    win = build_window(TaskRunner(SyncExecutor()))
    qtbot.addWidget(win)
    return win


def test_first_start_fits_the_available_geometry(qtbot) -> None:
    """With nothing remembered, the window and a guessed frame fit the screen."""
    win = _window(qtbot)
    avail = win.screen().availableGeometry()
    framed = win.geometry().adjusted(0, 0, ui_state.FRAME_GUESS.width(),
                                     ui_state.FRAME_GUESS.height())
    assert avail.contains(framed), (framed, avail)


def test_size_and_place_are_remembered_per_screen(qtbot, isolated_home: Path) -> None:
    """Closing saves the geometry under this screen's key; the next window opens there."""
    win = _window(qtbot)
    win.show()
    win.setGeometry(QRect(20, 30, 500, 400))
    win.close()
    ini = isolated_home / ui_state.FILE_NAME
    assert ini.exists()
    assert ui_state.screen_key(win.screen()) in ini.read_text(encoding="utf-8")
    again = _window(qtbot)
    assert (again.width(), again.height()) == (500, 400)


def test_a_remembered_size_larger_than_the_screen_is_shrunk(qtbot) -> None:
    """A geometry saved on a bigger monitor never puts the window off this screen."""
    win = _window(qtbot)
    avail = win.screen().availableGeometry()
    win.resize(avail.width() + 400, avail.height() + 300)
    ui_state.fit_to_screen(win)
    assert win.width() <= avail.width() and win.height() <= avail.height()


def test_column_widths_are_remembered(qtbot) -> None:
    """A column the person widened keeps its width in the next window."""
    win = _window(qtbot)
    win.show()
    header = win.pages["Evidence"].notes.table.horizontalHeader()  # type: ignore[attr-defined]
    header.resizeSection(1, 233)
    win.close()
    again = _window(qtbot)
    header = again.pages["Evidence"].notes.table.horizontalHeader()  # type: ignore[attr-defined]
    assert header.sectionSize(1) == 233


def test_a_hand_edited_column_list_is_ignored(qtbot) -> None:
    """Digits int() refuses ("²", 5,000 of them) in ui-state.ini are skipped, not a crash."""
    win = _window(qtbot)
    win.show()
    win.pages["Evidence"].notes.table.horizontalHeader().resizeSection(1, 233)  # type: ignore[attr-defined]
    win.close()
    s = ui_state.settings()
    keys = [k for k in s.allKeys() if k.endswith("_sized")]
    assert keys
    for key in keys:
        s.setValue(key, "1,\u00b2," + "9" * 5000)
    s.sync()
    again = _window(qtbot)
    header = again.pages["Evidence"].notes.table.horizontalHeader()  # type: ignore[attr-defined]
    assert header.sectionSize(1) == 233

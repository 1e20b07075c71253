"""Start-up helpers of the GUI: a plain message instead of a Qt abort when the display plugin
cannot load, and `--quit-when-ready` (exit 0 once the window is up and any FILE is open).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMessageBox

from hmip_desktop import APP_DISPLAY_NAME
from hmip_desktop.failed_start import report_failed_start
from hmip_desktop.services import startup
from hmip_desktop.ui import errors
from hmip_desktop.ui.page_base import PageKey

EXIT_FAILED_START = 2
READY_TIMEOUT_MS = 120_000
_POLL_MS = 5  # how soon after the last read "ready" is noticed (each poll is cheap)

# Set by the entry point as early as possible; used when /proc is not there (Windows, macOS).
ENTRY_TIME = time.perf_counter()


def elapsed_ms() -> int:
    """Milliseconds since the process started (Linux: from /proc; elsewhere: since the entry
    point ran, which leaves out the interpreter's own start-up)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        with open("/proc/uptime", encoding="ascii") as handle:
            uptime = float(handle.read().split()[0])
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")
        return max(0, round((uptime - started) * 1000))
    except (OSError, ValueError, IndexError, AttributeError):
        return round((time.perf_counter() - ENTRY_TIME) * 1000)


_qpa_warnings: list[str] = []


def _message_handler(kind: QtMsgType, _context: object, message: str) -> None:
    """Pass Qt's messages through; turn a fatal platform-plugin failure into a plain message."""
    if kind != QtMsgType.QtFatalMsg:
        if any(word in message for word in ("platform plugin", "xcb", "display")):
            _qpa_warnings.append(message.strip())
        try:
            print(message, file=sys.stderr)
        except Exception:  # noqa: BLE001 - no console
            pass
        return
    detail = " ".join(_qpa_warnings[-3:] + [message.strip().splitlines()[0]])
    wanted = os.environ.get("QT_QPA_PLATFORM") or "the default"
    report_failed_start(
        f"The display system could not be used (Qt platform plugin: {wanted}). Start the app "
        "from a desktop session; on Linux, the system libraries Qt needs are listed by "
        f"scripts/sysdeps.sh (for example libxcb-cursor0). Qt said: {detail}")
    os._exit(EXIT_FAILED_START)  # Qt would abort() and dump core; nothing is open yet


def guard_qt_platform() -> None:
    """Install the handler before the QApplication exists (that is when plugins load)."""
    qInstallMessageHandler(_message_handler)


def show_failed_start(text: str, *, interactive: bool = True) -> None:
    """A plain message box when Qt itself works and someone can see it (the text is already
    on stderr and in the log): not offscreen, not under --quit-when-ready."""
    app = QApplication.instance()
    if not interactive or app is None or QApplication.platformName() == "offscreen":
        return
    box = QMessageBox(QMessageBox.Icon.Critical, APP_DISPLAY_NAME, text,
                      QMessageBox.StandardButton.Ok)
    box.setAccessibleName("Start-up problem")
    box.setTextFormat(Qt.TextFormat.PlainText)  # it may name a file
    box.exec()


class ReadyWatcher(QObject):
    """`--quit-when-ready`: prints "ready in N ms" once the main window is shown (and, given
    an inspection FILE, once it is open with the Overview filled and the notes list showing
    its first rows), then — given a FILE — "editable in N ms" once its store is open too, and
    quits with 0 (so the file is closed as after any use, never while it opens).

    Never blocks on a dialog: an error message ends the run with exit code 2 instead.
    """

    def __init__(self, window, open_file: Path | None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(window)
        self.window = window
        self.expect_file = open_file is not None and not startup.is_bundle(open_file)
        self.exit_code: int | None = None
        self.ready_said = False
        self.started = time.monotonic()
        errors.show_message = self._on_error_message  # type: ignore[assignment]
        window.ask_open_for_bundle = lambda _bundle: False
        self.timer = QTimer(self)
        self.timer.setInterval(_POLL_MS)
        self.timer.timeout.connect(self._poll)
        self.timer.start()
        # At once, not at the next poll: the store's imports start right after it and hold
        # the GIL a poll would wait for.
        window.ctx.signals.first_screen_shown.connect(self._poll)

    def check_file(self, open_file: Path | None) -> bool:
        """False (after saying why) when FILE could only be opened by asking a person."""
        if (open_file is not None and self.expect_file
                and startup.needs_passphrase_to_open(open_file)
                and startup.passphrase_from_environment() is None):
            print(f"error: {open_file.name} needs its passphrase: set HMIP_PASSPHRASE to run "
                  "with --quit-when-ready.", file=sys.stderr, flush=True)
            # Before the event loop runs, so no QApplication.exit(): it would make every
            # later exec() in this process return at once.
            self.exit_code = EXIT_FAILED_START
            self.timer.stop()
            self.window.close()
            return False
        return True

    def ready(self) -> bool:
        """Window up, and the FILE open with its Overview filled and the notes list showing
        its first rows (pages that do not exist yet are not built by asking). The file is
        open once its key opened it and its first screen is read (services.first_screen):
        the store may still be loading behind it (the "editable in" line says when it is
        in)."""
        if not self.window.isVisible():
            return False
        if not self.expect_file:
            return True
        pages = self.window.pages
        if not pages.is_built(PageKey.OVERVIEW):
            return False
        if not pages[PageKey.OVERVIEW].first_data_shown():
            return False
        if PageKey.EVIDENCE not in pages:
            return True
        return pages.is_built(PageKey.EVIDENCE) and pages[PageKey.EVIDENCE].first_data_shown()

    def _poll(self) -> None:
        if self.exit_code is not None:
            return
        if not self.ready_said and self.ready():
            print(f"ready in {elapsed_ms()} ms", flush=True)
            self.ready_said = True
        if self.ready_said and (not self.expect_file or self.window.ctx.store is not None):
            if self.expect_file:  # the store behind the first screen is open: editable
                print(f"editable in {elapsed_ms()} ms", flush=True)
            self._finish(0)
        elif (time.monotonic() - self.started) * 1000 > READY_TIMEOUT_MS:
            print(f"not ready after {READY_TIMEOUT_MS // 1000} s", file=sys.stderr, flush=True)
            self._finish(1)

    def _on_error_message(self, _parent: object, text: str) -> None:
        print(f"error: {text}", file=sys.stderr, flush=True)
        self._finish(EXIT_FAILED_START)

    def _finish(self, code: int) -> None:
        if self.exit_code is not None:
            return
        self.exit_code = code
        self.timer.stop()
        # Closing must not post Qt's own "last window closed" quit: exit(code) decides.
        self.window.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        self.window.close()  # pages flush, the file closes, queued writes finish
        QApplication.exit(code)

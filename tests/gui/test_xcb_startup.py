"""The real entry point starts on the X11 (xcb) platform and shows a window that fits the screen.

Every other GUI test runs offscreen, which needs none of the xcb libraries; this one catches a
missing system library (the plugin would abort before any window appears) and a window taller
than a 1366×768 laptop screen. It needs Xvfb (scripts/sysdeps.sh installs it as root).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import hmip_desktop.__main__ as entry
from hmip_desktop import APP_DISPLAY_NAME, APP_NAME
from tests.gui import xvfb

SCREEN = (1366, 768)
PACKAGED = xvfb.ROOT / "dist" / APP_NAME / "hmip-desktop"  # `make package` (build.spec)


@pytest.fixture
def display():  # type: ignore[no-untyped-def]
    """DISPLAY of a private 1366×768 Xvfb; skips only when Xvfb cannot be had."""
    missing = xvfb.missing_tools()
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed and cannot be (run "
                    "scripts/sysdeps.sh as root)")
    with xvfb.xvfb(f"{SCREEN[0]}x{SCREEN[1]}x24") as name:
        yield name


def _env(display: str, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "WAYLAND"))}
    # A subprocess has no in-memory keyring: keys go through a passphrase key file.
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", HMIP_HOME=str(home),
               HMIP_KEY_SOURCE="passphrase", HMIP_PASSPHRASE="xvfb startup passphrase")
    return env


def _has_quit_when_ready() -> bool:
    return "--quit-when-ready" in Path(entry.__file__).read_text(encoding="utf-8")


def _shows_window(cmd: list[str], display: str, home: Path) -> xvfb.XWindow:
    proc = subprocess.Popen(cmd, env=_env(display, home), cwd=xvfb.ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        win = xvfb.wait_for_window(display, APP_DISPLAY_NAME, proc)
    finally:
        proc.terminate()
        try:
            out, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
    assert "Could not load the Qt platform plugin" not in err, err
    assert win is not None, f"no window appeared (exit {proc.returncode}):\n{out}\n{err}"
    return win


def _quits_when_ready(cmd: list[str], display: str, home: Path) -> None:
    proc = subprocess.run([*cmd, "--quit-when-ready"], env=_env(display, home), cwd=xvfb.ROOT,
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert "ready in" in proc.stdout + proc.stderr


def test_source_entry_point_shows_a_window_that_fits(display: str, tmp_path: Path) -> None:
    """`python -m hmip_desktop` on xcb, with no file and a fresh data dir, fits 1366×768."""
    cmd = [sys.executable, "-m", "hmip_desktop"]
    win = _shows_window(cmd, display, tmp_path / "home")
    assert win.x >= 0 and win.y >= 0
    assert win.x + win.width <= SCREEN[0] and win.y + win.height <= SCREEN[1], win
    if _has_quit_when_ready():
        _quits_when_ready(cmd, display, tmp_path / "home")


def test_packaged_app_shows_a_window(display: str, tmp_path: Path) -> None:
    """The PyInstaller build (when one has been made) passes the same check."""
    if not PACKAGED.exists():
        pytest.skip(f"no packaged app at {PACKAGED.relative_to(xvfb.ROOT)} (make package)")
    win = _shows_window([str(PACKAGED)], display, tmp_path / "home")
    assert win.x + win.width <= SCREEN[0] and win.y + win.height <= SCREEN[1], win
    if _has_quit_when_ready():
        _quits_when_ready([str(PACKAGED)], display, tmp_path / "home")


def test_a_missing_xcb_library_is_named_with_its_package(monkeypatch, capsys) -> None:
    """Instead of Qt's generic abort, the app names the library and the apt command."""
    from hmip_desktop import app
    from hmip_desktop.ui import platform_check

    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setattr(platform_check, "missing_xcb_libraries",
                        lambda: ["libxcb-icccm.so.4", "libxkbcommon-x11.so.0"])
    assert app.run() == 1
    err = capsys.readouterr().err
    assert "libxcb-icccm.so.4" in err
    assert "sudo apt-get install libxcb-icccm4 libxkbcommon-x11-0" in err


def test_a_complete_check_is_remembered_until_qt_changes(monkeypatch, tmp_path: Path) -> None:
    """ldd and ldconfig run once: a start that found every library remembers it (privately)
    for this very plugin, and checks again when the plugin changes."""
    from hmip_desktop.ui import platform_check

    monkeypatch.setenv("HMIP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setattr(platform_check, "_plugin_stamp", lambda: "plugin\n1\n2\n")
    calls: list[int] = []
    monkeypatch.setattr(platform_check, "missing_xcb_libraries", lambda: calls.append(1) or [])
    assert platform_check.check_platform() is None
    assert platform_check.check_platform() is None
    assert calls == [1]
    assert platform_check._checked_file().stat().st_mode & 0o077 == 0
    monkeypatch.setattr(platform_check, "_plugin_stamp", lambda: "plugin\n1\n3\n")  # Qt changed
    monkeypatch.setattr(platform_check, "missing_xcb_libraries",
                        lambda: calls.append(2) or ["libxcb-icccm.so.4"])
    assert "libxcb-icccm.so.4" in (platform_check.check_platform() or "")
    assert calls == [1, 2]



@pytest.mark.parametrize("content", [b"\xff\xfe not UTF-8", b"x" * 10_000_000, None])
def test_a_damaged_check_note_means_checking_again(monkeypatch, tmp_path: Path,
                                                    content: bytes | None) -> None:
    """The note in the data folder may be damaged (not UTF-8, huge, a folder): the start
    checks again instead of failing (a UnicodeDecodeError ended the start)."""
    from hmip_desktop.ui import platform_check

    monkeypatch.setenv("HMIP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setattr(platform_check, "_plugin_stamp", lambda: "plugin\n1\n2\n")
    calls: list[int] = []
    monkeypatch.setattr(platform_check, "missing_xcb_libraries", lambda: calls.append(1) or [])
    note = platform_check._checked_file()
    note.parent.mkdir(parents=True, exist_ok=True)
    if content is None:
        note.mkdir()
    else:
        note.write_bytes(content)
    assert platform_check.check_platform() is None
    assert calls == [1]


def test_package_names_follow_debian_conventions() -> None:
    """Sonames map to the packages sysdeps.sh installs."""
    from hmip_desktop.ui.platform_check import debian_package, missing_xcb_libraries, uses_xcb

    assert debian_package("libxcb-keysyms.so.1") == "libxcb-keysyms1"
    assert debian_package("libxcb-render-util.so.0") == "libxcb-render-util0"
    assert debian_package("libX11-xcb.so.1") == "libx11-xcb1"
    assert debian_package("libglib-2.0.so.0") == "libglib2.0-0"
    assert uses_xcb({"QT_QPA_PLATFORM": "xcb"}) and not uses_xcb({"QT_QPA_PLATFORM": "offscreen"})
    assert not uses_xcb({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"})
    if not xvfb.missing_tools():  # sysdeps.sh has run (CI): the plugin loads
        assert missing_xcb_libraries() == []

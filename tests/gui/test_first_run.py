"""First run and the desktop: the welcome, Help ▸ About, `--quit-when-ready`, a bundle opened
from the file manager, and a failed start that is a plain message (never a traceback)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from hmip_desktop import __version__
from hmip_desktop.services import startup
from hmip_desktop.services.inspections import create_inspection
from hmip_desktop.ui.opening.welcome_dialog import NEW, WelcomeDialog
from hmip_desktop.ui.settings.about_dialog import AboutDialog
from tests.factories import minimal_framework

ROOT = Path(__file__).resolve().parents[2]


def _closed_inspection(path: Path) -> Path:
    store = create_inspection(path, establishment_name="HMP Firstrun",
                              establishment_type="mens_prison", framework=minimal_framework(),
                              start_date="2026-11-16", end_date="2026-11-27")
    store.close()
    return path


def _quiet_start(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """app.run() in-process without its process-wide hooks (logging, excepthook, Qt handler)."""
    from hmip_desktop import app
    from hmip_desktop.ui import launch

    monkeypatch.setattr(app, "configure_logging", lambda: None)
    monkeypatch.setattr(app, "install_excepthook", lambda: None)
    monkeypatch.setattr(launch, "guard_qt_platform", lambda: None)


# -- welcome -------------------------------------------------------------------------------
def test_welcome_says_where_data_and_keys_live(qtbot, isolated_home: Path) -> None:
    assert startup.needs_welcome()  # a new device profile has the placeholder name
    dialog = WelcomeDialog(None)
    qtbot.addWidget(dialog)
    assert str(isolated_home) in dialog.data_text.text()
    assert "keyring is used" in dialog.keys_text.text()  # the tests' keyring counts as secure
    assert dialog.name_edit.text() == ""


def test_welcome_explains_why_a_passphrase_is_needed(qtbot, monkeypatch) -> None:
    monkeypatch.setenv("HMIP_KEY_SOURCE", "passphrase")
    dialog = WelcomeDialog(None)
    qtbot.addWidget(dialog)
    assert "passphrase is needed" in dialog.keys_text.text()
    assert "set to use a passphrase" in dialog.keys_text.text()


def test_saving_a_name_and_role_ends_the_welcome(qtbot) -> None:
    dialog = WelcomeDialog(None)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("Sam Taylor")
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData("team_leader"))
    dialog.new_button.click()
    assert dialog.result() == WelcomeDialog.DialogCode.Accepted and dialog.choice == NEW
    assert startup.author() == ("Sam Taylor", "team_leader")
    assert not startup.needs_welcome()
    assert WelcomeDialog(None).name_edit.text() == "Sam Taylor"


def test_create_needs_a_name_but_not_now_does_not(qtbot) -> None:
    dialog = WelcomeDialog(None)
    qtbot.addWidget(dialog)
    dialog.open_button.click()
    assert "Type your name" in dialog.problem.text() and dialog.choice is None
    assert dialog.result() != WelcomeDialog.DialogCode.Accepted
    dialog.later_button.click()
    assert dialog.result() == WelcomeDialog.DialogCode.Accepted and dialog.choice is None
    assert startup.needs_welcome()  # asked again next time


def test_welcome_leads_into_new_inspection(window, monkeypatch) -> None:
    from hmip_desktop.ui import main_window

    class Chosen:
        choice = NEW

        def __init__(self, _parent) -> None:  # type: ignore[no-untyped-def]
            pass

        def exec(self) -> int:
            return 1

    calls: list[str] = []
    monkeypatch.setattr(main_window, "WelcomeDialog", Chosen)
    monkeypatch.setattr(window, "on_new_inspection", lambda: calls.append("new"))
    window.show_welcome()
    assert calls == ["new"]


# -- About ---------------------------------------------------------------------------------
def test_about_shows_version_data_dir_keys_and_licences(qtbot, isolated_home: Path) -> None:
    dialog = AboutDialog(None)
    qtbot.addWidget(dialog)
    assert __version__ in dialog.values["version"].text()
    assert "run from source" in dialog.values["version"].text()
    assert dialog.values["data"].text() == str(isolated_home)
    assert "keyring" in dialog.values["keys"].text()
    assert "hmip.log" in dialog.values["log"].text()
    assert "Run from source" in dialog.values["licenses"].text()
    assert not dialog.open_licences.isEnabled()


def test_about_names_where_the_open_files_key_lives(window, tmp_path: Path, monkeypatch) -> None:
    path = _closed_inspection(tmp_path / "about.hmip")
    window.open_path(path)
    assert window.ctx.store is not None
    shown: list[AboutDialog] = []
    monkeypatch.setattr(AboutDialog, "exec", lambda self: shown.append(self) or 0)
    window.about_action.trigger()  # Help ▸ About
    text = shown[0].values["keys"].text()
    assert "about.hmip" in text and "OS keyring" in text


# -- a bundle opened from the desktop -------------------------------------------------------
def test_bundle_without_an_open_inspection_says_so(window, tmp_path: Path, monkeypatch) -> None:
    asked: list[Path] = []
    monkeypatch.setattr(window, "ask_open_for_bundle", lambda b: asked.append(b) or False)
    bundle = tmp_path / "alice.hmipbundle"
    bundle.write_bytes(b"")
    window.open_path(bundle)
    assert asked == [bundle] and window.ctx.store is None


def test_bundle_goes_to_the_import_preview(window, tmp_path: Path, monkeypatch) -> None:
    from hmip_desktop.ui.team.team_sync_page import TeamSyncPage

    window.open_path(_closed_inspection(tmp_path / "lead.hmip"))
    previewed: list[list[Path]] = []
    monkeypatch.setattr(TeamSyncPage, "import_paths", lambda self, p: previewed.append(list(p)))
    bundle = tmp_path / "alice.hmipbundle"
    window.open_path(bundle)
    assert previewed == [[bundle]]
    assert window.stack.currentWidget() is window.pages["Team & sync"]


# -- --quit-when-ready ---------------------------------------------------------------------
def test_quit_when_ready_with_a_file_in_process(qtbot, tmp_path: Path, monkeypatch,
                                                capsys) -> None:
    from hmip_desktop import app

    _quiet_start(monkeypatch)
    path = _closed_inspection(tmp_path / "ready.hmip")
    assert app.run(path, quit_when_ready=True) == 0
    out = capsys.readouterr().out
    assert out.startswith("ready in ") and out.strip().endswith(" ms")


def test_quit_when_ready_refuses_to_wait_for_a_passphrase(qtbot, tmp_path: Path, monkeypatch,
                                                          capsys) -> None:
    from hmip_desktop import app

    _quiet_start(monkeypatch)
    monkeypatch.setenv("HMIP_KEY_SOURCE", "passphrase")
    path = tmp_path / "locked.hmip"
    create_inspection(path, establishment_name="HMP Locked", establishment_type="mens_prison",
                      framework=minimal_framework(),
                      provider=lambda _p: "a long passphrase").close()
    assert app.run(path, quit_when_ready=True) == 2
    assert "needs its passphrase" in capsys.readouterr().err


def _subprocess_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HMIP_", "QT_"))}
    env.update({"HMIP_HOME": str(home), "HMIP_KEY_SOURCE": "passphrase",
                "QT_QPA_PLATFORM": "offscreen", **extra})
    return env


def test_quit_when_ready_from_the_command_line(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "hmip_desktop", "--quit-when-ready"],
                          env=_subprocess_env(tmp_path / "home"), cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ready in ")


def test_quit_when_ready_with_a_missing_file_ends_with_its_error(tmp_path: Path) -> None:
    """An error while opening FILE (before the event loop) ends the run; it never waits."""
    proc = subprocess.run([sys.executable, "-m", "hmip_desktop", str(tmp_path / "gone.hmip"),
                           "--quit-when-ready"], env=_subprocess_env(tmp_path / "home"),
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "no inspection file" in proc.stderr


# -- a failed start ------------------------------------------------------------------------
def test_unusable_data_directory_is_a_plain_message(tmp_path: Path, monkeypatch,
                                                    capsys) -> None:
    from hmip_desktop import app

    _quiet_start(monkeypatch)
    monkeypatch.setattr(app, "configure_logging",
                        lambda: (tmp_path / "a-file" / "logs").mkdir(parents=True))
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv("HMIP_HOME", str(tmp_path / "a-file"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert app.run(quit_when_ready=True) == 2
    err = capsys.readouterr().err
    assert "could not start" in err and "cannot be used" in err and "Traceback" not in err
    log = tmp_path / "hmip_desktop-startup-error.log"
    assert str(log) in err and "Traceback" in log.read_text()  # details for support


@pytest.mark.parametrize("name", ["device.json", "settings.json"])
def test_a_damaged_data_folder_file_is_a_plain_message(tmp_path: Path, monkeypatch, capsys,
                                                       name: str) -> None:
    from hmip_desktop import app

    _quiet_start(monkeypatch)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HMIP_HOME", str(home))
    app.profile.load_device()  # a real profile first: only `name` is damaged
    (home / name).write_bytes(b'{"device_id": ')  # cut short by a crash
    assert app.run(quit_when_ready=True) == 2
    err = capsys.readouterr().err
    assert "could not start" in err and f"'{name}'" in err and "damaged" in err
    assert "backup" in err and "Traceback" not in err
    assert (home / name).read_bytes() == b'{"device_id": '


@pytest.mark.parametrize("platform", ["nonexistent"])
def test_missing_qt_platform_plugin_is_a_plain_message(tmp_path: Path, platform: str) -> None:
    home = tmp_path / "home"
    proc = subprocess.run([sys.executable, "-m", "hmip_desktop", "--quit-when-ready"],
                          env=_subprocess_env(home, QT_QPA_PLATFORM=platform), cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "could not start" in proc.stderr and f'"{platform}"' in proc.stderr
    assert "Traceback" not in proc.stderr
    assert str(home / "logs" / "hmip.log") in proc.stderr
    assert "failed start" in (home / "logs" / "hmip.log").read_text()


def test_first_start_shows_the_welcome(qtbot, monkeypatch) -> None:
    """`hmip-desktop` with no file on a new profile opens the welcome over the window."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from hmip_desktop import app
    from hmip_desktop.ui.main_window import MainWindow

    _quiet_start(monkeypatch)
    seen: list[object] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        seen.append(type(dialog))
        if isinstance(dialog, WelcomeDialog):
            dialog.later_button.click()
        QTimer.singleShot(0, leave)

    def leave() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                widget.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
                widget.close()
        QApplication.exit(0)

    QTimer.singleShot(300, answer)
    assert app.run() == 0
    assert seen == [WelcomeDialog]


def test_command_line_with_an_unusable_data_directory_is_one_line(tmp_path: Path, monkeypatch,
                                                                  capsys) -> None:
    from hmip_desktop import logging_setup
    from hmip_desktop.cli.main import main

    monkeypatch.setattr(logging_setup, "_configured", False)
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv("HMIP_HOME", str(tmp_path / "a-file" / "home"))
    assert main(["self-check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hmip: The data folder") and "Traceback" not in err

"""One window per inspection file (storage/open_lock.py): a second instance of the app is
told the file is open elsewhere before it reads anything; the window's own re-open, the
command line and a crashed holder are not in the way."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hmip_desktop.services import inspections
from hmip_desktop.services.first_screen import Opening
from hmip_desktop.storage.open_lock import FileInUse, OpenLock, sidecar
from tests.factories import minimal_framework

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="holder process uses fork-free "
                                "Popen and signals as on POSIX")

HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from hmip_desktop.storage.open_lock import OpenLock
    OpenLock.take(Path(sys.argv[1]))
    print("held", flush=True)
    time.sleep(60)
""")


def _file(tmp_path: Path) -> Path:
    store = inspections.create_inspection(
        tmp_path / "wing.hmip", establishment_name="HMP Lockfield",
        establishment_type="mens_prison", framework=minimal_framework())
    path = store.path
    store.close()
    return path


def _hold_elsewhere(path: Path) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE,
                              text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def test_a_second_instance_is_told_and_the_first_keeps_the_file(window, tmp_path: Path,
                                                                 shown_errors) -> None:  # type: ignore[no-untyped-def]
    path = _file(tmp_path)
    holder = _hold_elsewhere(path)
    try:
        window.open_path(path)
        assert window.ctx.store is None and window.ctx.first_screen is None
        assert len(shown_errors) == 1 and "already open in another window" in shown_errors[0]
        assert "wing.hmip" in shown_errors[0]
        # The command line is not refused: a script may add notes beside an open window.
        with inspections.open_inspection(path) as store:
            assert store.open_lock is None
    finally:
        holder.kill()
        holder.wait()
    # The holder died without releasing anything: the system dropped its lock.
    window.open_path(path)
    assert window.ctx.store is not None and window.ctx.store.open_lock is not None
    assert stat.S_IMODE(os.stat(sidecar(path)).st_mode) == 0o600
    # Opened again in the same window: no refusal; closed: the sidecar is gone.
    window.open_path(path)
    assert window.ctx.store is not None and window.ctx.store.path == path
    window.close_inspection()
    assert not sidecar(path).exists()


def test_the_lock_counts_holds_in_one_process_and_refuses_another(tmp_path: Path) -> None:
    path = _file(tmp_path)
    first, second = OpenLock.take(path), OpenLock.take(path)
    first.release()
    assert sidecar(path).exists()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    _out, err = holder.communicate(timeout=60)
    assert holder.returncode != 0 and "FileInUse" in err
    second.release()
    second.release()  # a second release of one hold does nothing
    assert not sidecar(path).exists()


def test_an_opening_that_fails_lets_go_of_the_file(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = _file(tmp_path)
    opening = Opening(path, None)
    assert opening.first_screen() is not None
    monkeypatch.setattr(inspections, "open_inspection",
                        lambda *_a, **_k: (_ for _ in ()).throw(OSError("disk")))
    with pytest.raises(OSError):
        opening.open_store()
    assert not sidecar(path).exists()
    holder = _hold_elsewhere(path)
    try:
        with pytest.raises(FileInUse):
            Opening(path, None).first_screen()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()

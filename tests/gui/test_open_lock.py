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


HOLD_THEN_RELEASE = textwrap.dedent("""
    import sys
    from pathlib import Path
    from hmip_desktop.storage.open_lock import OpenLock
    h = OpenLock.take(Path(sys.argv[1])); print("held", flush=True)
    sys.stdin.readline(); h.release(); print("released", flush=True)
    sys.stdin.readline()
""")
TRY = textwrap.dedent("""
    import sys
    from pathlib import Path
    from hmip_desktop.storage.open_lock import OpenLock, FileInUse
    try:
        OpenLock.take(Path(sys.argv[1])); print("took", flush=True)
    except FileInUse:
        print("in use", flush=True)
""")


def test_a_lock_taken_on_a_sidecar_removed_meanwhile_is_taken_afresh(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A opens and holds; this process opens the sidecar, A lets go (removing it), then
    this process locks the removed file: it must notice and lock the name's file, so that a
    third instance is refused (two windows on one file otherwise)."""
    from hmip_desktop.storage import open_lock

    path = tmp_path / "wing.hmip"
    path.write_bytes(b"x")
    a = subprocess.Popen([sys.executable, "-c", HOLD_THEN_RELEASE, str(path)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert a.stdin is not None and a.stdout is not None
    assert a.stdout.readline().strip() == "held"
    real, calls = open_lock._try_lock, []

    def after_a_lets_go(fd: int) -> bool:
        if not calls:
            a.stdin.write("\n")
            a.stdin.flush()
            assert a.stdout.readline().strip() == "released"
        calls.append(fd)
        return real(fd)

    monkeypatch.setattr(open_lock, "_try_lock", after_a_lets_go)
    try:
        mine = OpenLock.take(path)
        assert len(calls) == 2  # the removed file, then the name's new one
        third = subprocess.run([sys.executable, "-c", TRY, str(path)], capture_output=True,
                               text=True, timeout=60).stdout.strip()
        assert third == "in use"
        mine.release()
    finally:
        a.stdin.write("\n")
        a.stdin.flush()
        a.wait()


def test_an_opening_replaced_before_its_store_lets_go_of_its_file(
        window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Open a, and before its store opens (its first screen is up), open b: a is not held."""
    from hmip_desktop.ui.opening import file_opener

    first_dir, second_dir = tmp_path / "one", tmp_path / "two"
    first_dir.mkdir()
    second_dir.mkdir()
    a, b = _file(first_dir), _file(second_dir)
    real, seen = file_opener.FileOpener.page_built, []

    def page_built(self) -> None:  # type: ignore[no-untyped-def]
        if seen:
            return real(self)
        seen.append(True)  # a's store step waits (pages still building)

    monkeypatch.setattr(file_opener.FileOpener, "page_built", page_built)
    monkeypatch.setattr(file_opener, "OPEN_STORE_AFTER_MS", 600_000)
    window.open_path(a)
    assert window.ctx.first_screen is not None and window.ctx.store is None
    window.open_path(b)
    assert window.ctx.store is not None and window.ctx.store.path == b
    assert not sidecar(a).exists() and sidecar(b).exists()
    holder = _hold_elsewhere(a)  # another instance may open a now
    holder.kill()
    holder.wait()

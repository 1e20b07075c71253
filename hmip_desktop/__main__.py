"""`python -m hmip_desktop` and `hmip-desktop`: start the GUI."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

from hmip_desktop import __version__

_ENTRY_TIME = time.perf_counter()  # "ready in N ms" where the OS cannot say when we started


def main(argv: list[str] | None = None) -> int:
    """Parse GUI options, then run the app."""
    parser = argparse.ArgumentParser(prog="hmip-desktop", description="HMIP inspection tool")
    parser.add_argument("file", nargs="?", help="an inspection file (.hmip) to open")
    parser.add_argument("--data-dir", help="use this data directory (same as HMIP_HOME)")
    parser.add_argument("--self-check", action="store_true",
                        help="check keyring, SQLCipher, FTS5 and migrations, then exit")
    parser.add_argument("--quit-when-ready", action="store_true",
                        help="print 'ready in N ms' once the window shows FILE's first "
                             "screen, then 'editable in N ms' once FILE's store is open, "
                             "and exit 0; for smoke tests and the start-up benchmark")
    parser.add_argument("--version", action="version", version=f"hmip-desktop {__version__}")
    args = parser.parse_args(argv)
    if args.data_dir:
        os.environ["HMIP_HOME"] = str(Path(args.data_dir).resolve())
    if args.self_check:
        from hmip_desktop.cli.main import main as cli_main

        return cli_main(["self-check"])
    # No cyclic collection while the modules load (measured: 100-200 ms of the ~800 ms of
    # CPU the start's imports take went to collections that found nothing to free): app.run
    # turns it back on once start-up is over, after freezing what start-up made (and the
    # `finally` below does, whatever happens).
    gc.disable()
    try:
        return _start_gui(args)
    finally:
        gc.enable()


def _start_gui(args: argparse.Namespace) -> int:
    """Begin the file's unlock, import the GUI and run it."""
    if args.file:
        # The file's key before anything else: the Argon2id derivation (or the keyring
        # look-up) starts now, in a child process forked before this one imports more than
        # argparse (it still runs one thread, so it can fork safely), while PySide6 loads
        # here (storage/key_child.py).
        from hmip_desktop import PASSPHRASE_VARIABLE
        from hmip_desktop.storage import key_child

        child = key_child.find_file_key(Path(args.file), os.environ.get(PASSPHRASE_VARIABLE),
                                        first_screen=True)
        from hmip_desktop.services import startup

        startup.begin_unlock(Path(args.file), child=child)
    try:
        import hmip_desktop.ui  # noqa: F401 - first: PySide6 loads with its cheaper module scan
        from hmip_desktop.app import run
        from hmip_desktop.ui import launch
    except ImportError as exc:  # Qt or one of its system libraries cannot be loaded
        from hmip_desktop.failed_start import report_failed_start

        report_failed_start("A library the window needs could not be loaded "
                            f"({exc}). On Linux, scripts/sysdeps.sh names the system "
                            "packages Qt needs.", exc)
        return 2
    launch.ENTRY_TIME = _ENTRY_TIME
    return run(Path(args.file) if args.file else None, quit_when_ready=args.quit_when_ready)


if __name__ == "__main__":
    sys.exit(main())

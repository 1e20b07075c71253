"""A start that fails says why in plain words and leaves a log the person can find.

No Qt here: this runs when Qt itself could not be loaded, and when the data directory (where
the normal log lives) is unusable; the log then goes to the temporary folder.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from hmip_desktop import APP_DISPLAY_NAME, __version__

FALLBACK_LOG_NAME = "hmip_desktop-startup-error.log"


def _write(path: Path, message: str, exc: BaseException | None) -> None:
    import traceback  # here: every start imports this module, few fail

    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    lines = [f"{stamp} failed start of {APP_DISPLAY_NAME} {__version__}: {message}"]
    if exc is not None:  # the traceback goes to the log only, never to the screen
        lines += traceback.format_exception(type(exc), exc, exc.__traceback__)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(line.rstrip("\n") for line in lines) + "\n")


def log_failed_start(message: str, exc: BaseException | None = None) -> Path | None:
    """Append the failure to the app log, or to the temporary folder when that is unusable."""
    candidates = []
    try:
        from hmip_desktop import paths

        candidates.append(paths.log_dir() / "hmip.log")
    except Exception:  # noqa: BLE001 - an unusable data directory is one reason we are here
        pass
    import tempfile

    candidates.append(Path(tempfile.gettempdir()) / FALLBACK_LOG_NAME)
    for path in candidates:
        try:
            _write(path, message, exc)
            return path
        except Exception:  # noqa: BLE001 - try the next place
            continue
    return None


def report_failed_start(message: str, exc: BaseException | None = None) -> str:
    """Log the failure and print one plain paragraph on stderr; returns that paragraph."""
    log = log_failed_start(message, exc)
    text = f"{APP_DISPLAY_NAME} could not start. {message}"
    if log is not None:
        text += f"\nDetails were written to {log}"
    try:
        print(text, file=sys.stderr, flush=True)
    except Exception:  # noqa: BLE001 - no console (a windowed app on Windows)
        pass
    return text


def data_dir_problem(exc: OSError) -> str:
    """The message for a data directory that cannot be created, read or written."""
    import os

    where = exc.filename or os.environ.get("HMIP_HOME") or "the data folder"
    reason = exc.strerror or type(exc).__name__
    return (f"The data folder '{where}' cannot be used ({reason}). Check that it exists and "
            "that you can read and write it, or start the app with --data-dir pointing to a "
            "folder you own.")

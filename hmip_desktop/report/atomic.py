"""Write an exported file so that a cancelled or failed export leaves nothing behind.

The bytes go to a private temporary file in the target folder (same file system, so the
final rename is atomic) whose name says nothing about the inspection; it is renamed over the
target only when the writer finishes, and removed on any error or Cancel.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from hmip_desktop.domain.errors import UserError

PRIVATE_FILE_MODE = 0o600


@contextlib.contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success it replaces `target` (mode 0600)."""
    target = Path(target)
    folder = target.parent
    if not folder.is_dir():
        raise UserError(f"The folder for '{target.name}' does not exist; choose another.")
    if target.is_dir():
        # os.replace cannot put a file over a folder; say so before writing anything.
        raise UserError(f"'{target.name}' is a folder: give the name of the file to write.")
    tmp = folder / f".hmip-export-{secrets.token_hex(8)}.part"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
        os.close(fd)
    except PermissionError:
        raise UserError(f"Cannot write in the folder chosen for '{target.name}' "
                        "(permission denied); choose another folder.") from None
    try:
        yield tmp
        os.chmod(tmp, PRIVATE_FILE_MODE)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.errno == 28:  # ENOSPC
            raise UserError(f"The disk is full: '{target.name}' was not written. Free some "
                            "space and export again.") from None
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise

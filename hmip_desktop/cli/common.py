"""Helpers shared by command groups: the common arguments (FILE, --json, dates, keys, text from
a file or stdin), passphrases and opening files, JSON output, progress on a terminal."""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import getpass
import json
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hmip_desktop import PASSPHRASE_VARIABLE
from hmip_desktop.cli.json_out import to_plain
from hmip_desktop.domain.errors import PassphraseRequired, ValidationError
from hmip_desktop.domain.payload_rules import MAX_STRING_CHARS
from hmip_desktop.services.inspections import open_inspection

if TYPE_CHECKING:
    from hmip_desktop.services.identity import DeviceKeys
    from hmip_desktop.services.inspection_store import InspectionStore


# The longest text a --NAME-file may hold: a record's longest text (a byte is at most a
# character, so a file within it always fits).
MAX_TEXT_FILE_BYTES = MAX_STRING_CHARS


# -- common arguments ------------------------------------------------------------------------
def add_file(parser: argparse.ArgumentParser, help: str | None = None) -> None:
    """The FILE argument: the inspection file (.hmip) the command works on."""
    parser.add_argument("file", metavar="FILE", help=help or "the inspection file (.hmip)")


def add_json(parser: argparse.ArgumentParser, help: str = "print JSON") -> None:
    """--json: print the result as JSON (see print_json) instead of text."""
    parser.add_argument("--json", action="store_true", help=help)


def date_arg(text: str) -> str:
    """An argparse type for dates: ISO YYYY-MM-DD, returned as such; a clear error if not."""
    try:
        return dt.date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date: dates are written YYYY-MM-DD") from None


def key_arg(value: str) -> str:
    """An argparse type for keys: data writes them snake_case, people type kebab-case too
    (`--type mens-prison` is `mens_prison`)."""
    return value.strip().replace("-", "_")


def add_text_source(parser: argparse.ArgumentParser, name: str = "text", *,
                    required: bool = True, what: str = "the text") -> None:
    """--NAME TEXT or --NAME-file PATH|- (the private way: text on the command line shows in
    the process list while the command runs); read them with read_text_arg(args.NAME,
    args.NAME_file). Optional (required=False) for edits, where absent means unchanged."""
    src = parser.add_mutually_exclusive_group(required=required)
    src.add_argument(f"--{name}",
                     help=f"{what} (visible in the process list: prefer --{name}-file)")
    src.add_argument(f"--{name}-file", metavar="PATH",
                     help=f"read {what} from a file, or - for standard input (the private "
                     "way: the text never appears in the process list)")


# -- passphrases, keys and files -------------------------------------------------------------


def passphrase_provider(purpose: str) -> str | None:
    """HMIP_PASSPHRASE, else a prompt on a terminal (asked twice when creating)."""
    env = os.environ.get(PASSPHRASE_VARIABLE)
    if env:
        return env
    if not sys.stdin.isatty():
        raise PassphraseRequired(
            "A passphrase is needed (this computer has no secure keyring): set HMIP_PASSPHRASE "
            "or run the command in a terminal."
        )
    first = getpass.getpass("Passphrase for inspection files: ")
    if purpose == "create" and getpass.getpass("Type it again: ") != first:
        raise ValidationError("The two passphrases differ; nothing was created.")
    return first


def open_store(path: str) -> InspectionStore:
    """Open an inspection file for a command."""
    return open_inspection(Path(path), provider=passphrase_provider)


def device_keys() -> DeviceKeys:
    """This device's sync keys (made on first use), unlocked as the command's files are."""
    from hmip_desktop.services import identity

    return identity.load_keys(passphrase_provider)


# -- output ----------------------------------------------------------------------------------
def print_json(data: Any, *, sort_keys: bool = True) -> None:
    """Pretty JSON on stdout (UTF-8, stable key order): views are turned into plain data by
    json_out.to_plain, the one way --json output is made."""
    print(json.dumps(to_plain(data), indent=2, ensure_ascii=False, sort_keys=sort_keys,
                     default=str))


def tty_progress(label: str) -> Callable[[int, int], None] | None:
    """A progress line on stderr for long work, only when stderr is a terminal (scripts get
    clean output)."""
    if not sys.stderr.isatty():
        return None
    last = [-1]

    def show(done: int, total: int) -> None:
        percent = 100 * done // max(total, 1)
        if percent != last[0]:
            last[0] = percent
            end = "\n" if done >= total else ""
            print(f"\r{label}: {percent:3d}%", end=end, file=sys.stderr, flush=True)

    return show


def read_text_arg(text: str | None, file_arg: str | None) -> str:
    """Text given inline, from a file, or from stdin with '-'; at most MAX_TEXT_FILE_BYTES
    read (the longest text a record may hold), so a wrong file is refused before it fills
    memory."""
    if file_arg is None:
        return text or ""
    name = "standard input" if file_arg == "-" else f"'{Path(file_arg).name}'"
    too_long = ValidationError(f"The text in {name} is longer than a text may be (limit: "
                               f"{MAX_TEXT_FILE_BYTES // (1024 * 1024)} MiB); nothing was "
                               "changed.")
    if file_arg == "-":
        text = sys.stdin.read(MAX_TEXT_FILE_BYTES + 1)
        if len(text) > MAX_TEXT_FILE_BYTES:
            raise too_long
        return text
    path = Path(file_arg)
    try:
        if path.is_dir():
            raise ValidationError(f"{name} is a folder, not a text file.")
        with path.open("rb") as handle:
            raw = handle.read(MAX_TEXT_FILE_BYTES + 1)
        if len(raw) > MAX_TEXT_FILE_BYTES:
            raise too_long
        return raw.decode("utf-8")
    except FileNotFoundError:
        raise ValidationError(f"No such file: {name}.") from None
    except PermissionError:
        raise ValidationError(f"{name} cannot be read (permission denied).") from None
    except UnicodeDecodeError:
        raise ValidationError(f"{name} is not UTF-8 text; save it as UTF-8 and try "
                              "again.") from None


def install_lock_notice() -> None:
    """While a command waits for another program's write lock, say so on stderr."""
    from hmip_desktop.services.inspection_store import set_lock_wait_listener

    shown = [-1.0]

    def notice(waited: float) -> None:
        if shown[0] < 0 or waited - shown[0] >= 10:
            shown[0] = waited
            print(f"hmip: waiting for another program to finish changing the file "
                  f"({int(waited)} s)…", file=sys.stderr, flush=True)

    set_lock_wait_listener(notice)


_FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))


def explain_environment_error(exc: BaseException, where: str | None) -> str | None:
    """One line for a full disk or a permission problem (never a traceback), else None.

    `where` is a path the command was working on; the free space of its disk is reported.
    SQLite rolls back a transaction that runs out of space, so the file stays as it was.
    """
    chain: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and len(chain) < 10:
        chain.append(cur)
        cur = getattr(cur, "orig", None) or cur.__cause__ or cur.__context__
    text = " ".join(str(e).lower() for e in chain)
    full = any(isinstance(e, OSError) and e.errno in _FULL for e in chain) \
        or "disk is full" in text or "no space left" in text
    if full:
        free = ""
        if where:
            try:
                folder = Path(where).resolve().parent
                free = f" ({shutil.disk_usage(folder).free // (1024 * 1024):,} MiB free there)"
            except OSError:
                free = ""
        return (f"the disk is full{free}: free some space (at least the size of the file "
                "being written) and try again; the inspection file is unchanged")
    denied = next((e for e in chain if isinstance(e, PermissionError)), None)
    if denied is not None or "readonly database" in text or "read-only file system" in text:
        name = Path(getattr(denied, "filename", "") or "").name if denied else ""
        what = f"'{name}'" if name else "the file or its folder"
        return (f"permission denied: {what} cannot be written; check the folder's permissions "
                "or choose another place; nothing was changed")
    return None


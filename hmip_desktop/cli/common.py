"""Helpers shared by command groups: passphrases, opening files, printing."""

from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

from hmip_desktop.domain.errors import PassphraseRequired, ValidationError
from hmip_desktop.services.inspections import open_inspection
from hmip_desktop.services.store import InspectionStore


def passphrase_provider(purpose: str) -> str | None:
    """HMIP_PASSPHRASE, else a prompt on a terminal (asked twice when creating)."""
    env = os.environ.get("HMIP_PASSPHRASE")
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


def print_json(data: Any) -> None:
    """Pretty JSON on stdout (UTF-8, stable key order)."""
    print(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True, default=str))


def read_text_arg(text: str | None, file_arg: str | None) -> str:
    """Text given inline, from a file, or from stdin with '-'."""
    if file_arg is None:
        return text or ""
    if file_arg == "-":
        return sys.stdin.read()
    try:
        return Path(file_arg).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValidationError(f"No such file: '{Path(file_arg).name}'.") from None
    except UnicodeDecodeError:
        raise ValidationError("The body file is not UTF-8 text.") from None

"""The one exception hierarchy of hmip_desktop.

Every layer raises these; the UI and the command line show a `UserError`'s message as it is
(so messages must never contain note text, names, keys or passphrases) and treat anything
else as a bug.
"""

from __future__ import annotations

import re

# Characters that could move a terminal's cursor, or reorder, hide or disguise the rest of a
# message on a terminal or a screen: control characters (C0, DEL, C1); bidirectional marks,
# overrides and isolates (U+061C, U+200E-F, U+202A-E, U+2066-9); the zero-width space, word
# joiner and invisible operators (U+200B, U+2060-4) and the byte order mark (U+FEFF). The
# zero-width (non-)joiners stay: Persian, Urdu and Indic text needs them.
_UNSAFE_TAIL = "\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_CONTROL_RUN = re.compile(f"[\x00-\x1f{_UNSAFE_TAIL}]+")
_UNSAFE_KEEPING_LINES = re.compile(f"[\x00-\x08\x0b-\x1f{_UNSAFE_TAIL}]+")  # keeps \t, \n
ECHO_LIMIT = 40


def plain_text(value: object, *, lines: bool = False) -> str:
    """Text that came from another laptop or a file, safe to print or show: the characters
    above removed (with `lines`, tabs and newlines kept)."""
    return (_UNSAFE_KEEPING_LINES if lines else _CONTROL_RUN).sub("", str(value))


def echo(value: object, limit: int = ECHO_LIMIT) -> str:
    """Text from a file, as a refusal may quote it: each run of control characters shown as
    one U+FFFD, at most `limit` characters (then '…'), so a hostile cell (a thousand NULs, a
    terminal escape) can neither flood nor garble the message."""
    text = _CONTROL_RUN.sub("\ufffd", str(value))
    return text if len(text) <= limit else text[:limit - 1] + "…"


class HmipError(Exception):
    """Root of every error raised on purpose by hmip_desktop."""


class UserError(HmipError):
    """Something the user can fix; the message says what to do."""


class ValidationError(UserError):
    """Input that breaks a rule (a field, a row, a framework file)."""


class NotFoundError(UserError):
    """A record, file or framework that does not exist."""


class ConflictError(UserError):
    """An edit that cannot be applied because the record changed meanwhile."""


class ReadOnlyError(UserError):
    """A write to an inspection opened read-only (for example one written by a newer version)."""


class KeyUnavailableError(UserError):
    """The key of an inspection file cannot be found (keyring entry or key file missing)."""


class WrongKeyError(UserError):
    """A key or passphrase that does not open the file."""


class DamagedFileError(UserError):
    """An inspection file whose pages fail SQLCipher's integrity check (disk fault, cut copy,
    a change made outside the app)."""


class PassphraseRequired(UserError):
    """A passphrase is needed and none was given."""


class NewerVersionError(UserError):
    """A file or bundle written by a newer version of the app."""


class BundleError(UserError):
    """A sync bundle that is corrupt, forged, or not for this inspection."""


class ImportFormatError(ValidationError):
    """A malformed import file; `row` and `column` locate the first problem when known."""

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None):
        where = []
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{echo(column)}'")
        full = f"{message} ({', '.join(where)})" if where else message
        super().__init__(full)
        self.row = row
        self.column = column


class Cancelled(HmipError):
    """Long work stopped because the user pressed Cancel; nothing was written."""

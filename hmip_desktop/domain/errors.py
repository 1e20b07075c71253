"""The one exception hierarchy of hmip_desktop.

Every layer raises these; the UI and the command line show a `UserError`'s message as it is
(so messages must never contain note text, names, keys or passphrases) and treat anything
else as a bug.
"""

from __future__ import annotations

import re

# Control characters (C0, DEL, C1) and the bidirectional overrides and isolates that could
# reorder or hide the rest of a message on a terminal or a screen.
_CONTROL_RUN = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]+")
ECHO_LIMIT = 40


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

"""The one exception hierarchy of hmip_desktop.

Every layer raises these; the UI and the command line show a `UserError`'s message as it is
(so messages must never contain note text, names, keys or passphrases) and treat anything
else as a bug.
"""

from __future__ import annotations


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
            where.append(f"column '{column}'")
        full = f"{message} ({', '.join(where)})" if where else message
        super().__init__(full)
        self.row = row
        self.column = column


class Cancelled(HmipError):
    """Long work stopped because the user pressed Cancel; nothing was written."""

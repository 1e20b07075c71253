"""The rules of a connection to an inspection file, with sqlcipher3 alone (no SQLAlchemy).

Every connection to an inspection file is made here: the store's engine (storage/db.py) uses
it for each pooled connection, and a GUI start uses it to read the first screen before
SQLAlchemy is imported (storage/first_screen.py). Rules:
- The database is keyed with a random 256-bit raw key (`x'…'`), which skips SQLCipher's
  PBKDF2 on each connection (9.6 ms instead of 82 ms in the design note).
- Every connection sets foreign keys on, WAL, synchronous=FULL (a note typed at 9 pm must
  survive a power cut), a 64 MiB page cache (FTS queries were 3.8x slower without it) and
  temp_store=MEMORY (no temporary file can hold plaintext).
- The driver's own transaction handling is off (isolation_level=None): whoever drives the
  connection emits BEGIN, so a transaction really is one SQLite transaction.
"""

from __future__ import annotations

from pathlib import Path

import sqlcipher3

from hmip_desktop.domain.errors import DamagedFileError, ValidationError, WrongKeyError
from hmip_desktop.storage.keys import KEY_BYTES

CACHE_KIB = 65536
DAMAGED = (
    "This inspection file is damaged: part of it fails its integrity check (a disk fault, a "
    "copy that was cut short, or a change made outside the app), so it cannot be read "
    "safely. Nothing was changed. Keep this file as it is and open your latest copy of it; "
    "in a team, you can also join again from the team leader's invite and merge the latest "
    "bundles."
)
EMPTY = (
    "This inspection file is empty (0 bytes): a copy was cut short, or the disk filled while "
    "it was written, so it holds no inspection. Nothing was changed. Open your latest copy of "
    "it; in a team, you can also join again from the team leader's invite."
)
BUSY_TIMEOUT_MS = 2000


# SQLite's words for a page that fails SQLCipher's HMAC or its own structure checks, once the
# key has opened the file's first page (connect).
_DAMAGE_WORDS = ("database disk image is malformed", "file is not a database")


def is_damage(exc: BaseException) -> bool:
    """True for the driver's error about a damaged page (not a lock, a constraint, a full
    disk: those are OperationalError, IntegrityError…, subclasses this does not match)."""
    return (type(exc) is sqlcipher3.DatabaseError
            and any(words in str(exc) for words in _DAMAGE_WORDS))


def connect(path: Path, key: bytes, *, read_only: bool) -> sqlcipher3.Connection:
    """A keyed connection to the file; WrongKeyError when the key does not open it."""
    if len(key) != KEY_BYTES:
        raise ValueError("inspection keys are 32 bytes")
    uri = f"file:{path.as_posix()}" + ("?mode=ro" if read_only else "")
    conn = sqlcipher3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    # SQLCipher logs key failures on stderr by default; our own message is clearer.
    conn.execute("PRAGMA cipher_log_level = NONE")
    try:
        # The first page only (the header): it decrypts and passes its HMAC with the right key.
        conn.execute("PRAGMA user_version").fetchone()
    except sqlcipher3.DatabaseError:
        conn.close()
        raise WrongKeyError(
            "This inspection file cannot be opened with the key found: the key or passphrase "
            "is wrong, or the file is not an inspection file. Nothing was changed."
        ) from None
    try:  # the whole schema: with the right key, a page that fails here is damaged
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError:
        conn.close()
        raise DamagedFileError(DAMAGED) from None
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    conn.execute("PRAGMA temp_store = MEMORY")
    # Short, so a writer kept waiting by another writer can say so (unit_of_work retries).
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if not read_only:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
    return conn


def check_existing(path: Path) -> None:
    """Refuse what only looks like an inspection file, before SQLite sees it: an empty file
    would open as a new database (and be migrated, written), a folder as a disk error."""
    if path.is_dir():
        raise ValidationError(f"'{path.name}' is a folder, not an inspection file.")
    if path.stat().st_size == 0:
        raise DamagedFileError(EMPTY)


def check_key(path: Path, key: bytes) -> None:
    """Raise WrongKeyError unless the key opens the file; touches nothing."""
    connect(path, key, read_only=True).close()

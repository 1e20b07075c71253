"""Keys of inspection files: OS keyring first, passphrase-wrapped key file otherwise.

Each inspection file has a random 256-bit key. Beside the file sits a small key record
(`NAME.hmip.key`, JSON) holding no secret in the clear: the file id, where the key lives, the
key wrapped with a passphrase (Argon2id t=3 m=64 MiB p=4 -> AES-256-GCM, the file id as
associated data) when the keyring is not secure, and the key wrapped with age to the
organisation's recovery recipient when one is set. A keyring backend that is the `fail` or
`null` backend, or that stores secrets in plaintext files (keyrings.alt), is never used.

Start-up (issue 11): `keyring` (which pulls in jaraco and backports.tarfile), `pyrage` and
`cryptography` are imported where they are used, so reading a key record costs no more than
reading JSON. `begin_unlock()` lets the GUI start finding a file's key (the Argon2id
derivation, or the keyring look-up) while the window is built: in a forked child at the entry
point (key_child: both hold the GIL most of their run), else on a helper thread.
`load_file_key()` then takes the result, when it was found for the same key record and the
same passphrase, instead of deriving it again.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hmip_desktop.domain.errors import (
    KeyUnavailableError,
    PassphraseRequired,
    ValidationError,
    WrongKeyError,
)
from hmip_desktop.private_files import write_private_text
from hmip_desktop.storage import key_reply
from hmip_desktop.storage.key_find import find_key
from hmip_desktop.storage.key_record_shape import DamagedRecord, key_record_path, read_record
from hmip_desktop.storage.passphrase_wrap import (  # noqa: F401 - KDF_PARAMS: this module's API
    KDF_PARAMS,
    unwrap_with_passphrase,
    wrap_with_passphrase,
)

log = logging.getLogger(__name__)

KEYRING_SERVICE = "hmip_desktop"
KEY_SOURCE_KEYRING = "keyring"
KEY_SOURCE_PASSPHRASE = "passphrase"
MIN_PASSPHRASE = 10
KEY_BYTES = 32  # a file key: 256 random bits

# (purpose, attempt) -> passphrase or None. purpose is "create" (ask twice) or "unlock".
PassphraseProvider = Callable[[str], "str | None"]

_INSECURE_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")

if TYPE_CHECKING:
    from types import ModuleType


def _keyring() -> ModuleType:
    """The `keyring` package, imported on first use (45-100 ms of imports)."""
    import keyring
    import keyring.errors

    return keyring


def keyring_backend_name() -> str:
    """Dotted name of the active keyring backend (for self-check and the status bar)."""
    kr = _keyring().get_keyring()
    return f"{type(kr).__module__}.{type(kr).__name__}"


def _is_secure(kr: object) -> bool:
    module = type(kr).__module__
    if module.startswith(_INSECURE_MODULES) or "plaintext" in type(kr).__name__.lower():
        return False
    backends = getattr(kr, "backends", None)  # the chainer: secure if any member is
    if backends is not None:
        return any(_is_secure(b) for b in backends)
    return True


def secure_keyring_available() -> bool:
    """True when the OS keyring can hold secrets safely (never fail/null/plaintext)."""
    if os.environ.get("HMIP_KEY_SOURCE") == KEY_SOURCE_PASSPHRASE:
        return False
    return _is_secure(_keyring().get_keyring())


@dataclass(frozen=True)
class KeyRecord:
    """The non-secret key record stored beside an inspection file."""

    file_id: str
    source: str
    wrapped: dict | None = None
    recovery: str | None = None

    def to_json(self) -> str:
        """Serialise for disk."""
        return json.dumps({"format": 1, "file_id": self.file_id, "source": self.source,
                           "wrapped": self.wrapped, "recovery": self.recovery}, indent=1)

    @classmethod
    def load(cls, file_path: Path) -> KeyRecord:
        """Read the record beside the file; clear errors when missing or damaged."""
        path = key_record_path(file_path)
        if not path.exists():
            raise KeyUnavailableError(
                f"The key record '{path.name}' is missing beside the inspection file. Copy it "
                "from where the file came from, or restore with the organisation recovery key."
            )
        try:
            data = read_record(path)
        except DamagedRecord as exc:
            raise KeyUnavailableError(
                f"The key record '{path.name}' is damaged: {exc}. Copy it again from where "
                "the file came from, or restore with the organisation recovery key.") from None
        except OSError as exc:
            raise KeyUnavailableError(f"The key record '{path.name}' could not be read "
                                      f"({exc.strerror or 'read error'}).") from None
        return cls(data["file_id"], data["source"], data["wrapped"], data["recovery"])

    def save(self, file_path: Path) -> None:
        """Write atomically beside the inspection file."""
        path = key_record_path(file_path)
        tmp = path.with_name(path.name + ".part")
        write_private_text(tmp, self.to_json())
        os.replace(tmp, path)


def wrap_to_recovery(key: bytes, recipient: str) -> str:
    """Encrypt a file key with age to the organisation recovery recipient."""
    import pyrage

    try:
        rcpt = pyrage.x25519.Recipient.from_str(recipient.strip())
    except Exception:  # noqa: BLE001 - pyrage raises its own types
        raise ValidationError(
            "The recovery key is not an age X25519 recipient (it starts with 'age1')."
        ) from None
    return base64.b64encode(pyrage.encrypt(key, [rcpt])).decode()


def unwrap_from_recovery(recovery: str, identity: str) -> bytes:
    """Decrypt a file key with the organisation's recovery identity."""
    import pyrage

    try:
        ident = pyrage.x25519.Identity.from_str(identity.strip())
        return pyrage.decrypt(base64.b64decode(recovery), [ident])
    except Exception:  # noqa: BLE001
        raise WrongKeyError("The recovery identity does not open this file.") from None


def _ask(provider: PassphraseProvider | None, purpose: str) -> str:
    passphrase = provider(purpose) if provider else None
    if not passphrase:
        raise PassphraseRequired(
            "A passphrase is needed because this computer has no secure keyring. "
            "Set HMIP_PASSPHRASE or type it when asked."
        )
    return passphrase


def _new_passphrase(provider: PassphraseProvider | None) -> str:
    """A passphrase that will wrap a key: asked for creation and held to the minimum length
    (new files and keys re-wrapped by recovery alike)."""
    passphrase = _ask(provider, "create")
    if len(passphrase) < MIN_PASSPHRASE:
        raise ValidationError(f"The passphrase must have at least {MIN_PASSPHRASE} characters "
                              "(limit: passphrase length). Nothing was changed.")
    return passphrase


def create_file_key(file_path: Path, file_id: str, *, provider: PassphraseProvider | None,
                    recovery_recipient: str | None = None) -> tuple[bytes, str]:
    """Make and store a new key for a new file; returns (key, source)."""
    key = os.urandom(KEY_BYTES)
    recovery = wrap_to_recovery(key, recovery_recipient) if recovery_recipient else None
    if secure_keyring_available():
        _keyring().set_password(KEYRING_SERVICE, file_id, key.hex())
        record = KeyRecord(file_id, KEY_SOURCE_KEYRING, None, recovery)
    else:
        passphrase = _new_passphrase(provider)
        record = KeyRecord(file_id, KEY_SOURCE_PASSPHRASE,
                           wrap_with_passphrase(key, passphrase, file_id), recovery)
    record.save(file_path)
    log.info("new file key stored (source=%s, recovery=%s)", record.source, bool(recovery))
    return key, record.source


def keyring_secret(file_id: str) -> str | None:
    """The hex key the keyring holds for this file id, or None when it has none."""
    keyring = _keyring()
    try:
        return keyring.get_password(KEYRING_SERVICE, file_id)  # type: ignore[no-any-return]
    except keyring.errors.KeyringError:
        return None


class _EarlyUnlock:
    """A file key being found ahead of `load_file_key` (see `begin_unlock`)."""

    def __init__(self, path: Path, passphrase: str | None) -> None:
        self.path = path
        self.passphrase = passphrase
        self.record: KeyRecord | None = None
        self.key: bytes | None = None
        self.extra: bytes | None = None  # what the key child read with it (child_reply)
        self.done = threading.Event()

    def find(self) -> bytes | None:
        """The key, from the keyring or unwrapped with the passphrase (None if not found)."""
        record = self.record
        if record is None:
            return None
        return find_key(record.source, record.wrapped, record.file_id, self.passphrase,
                        keyring_secret)

    def run(self, child: Callable[[], bytes | None] | None = None) -> None:
        """Find the key here, or wait for the child process finding it (key_child): its
        key is taken only for the file id of the record read here."""
        try:
            if child is not None:
                key, file_id, extra = key_reply.split(child())
                self.record = KeyRecord.load(self.path)
                ok = len(key) == KEY_BYTES and file_id == self.record.file_id.encode("ascii")
                self.key, self.extra = (key, extra or None) if ok else (None, None)
                return
            self.record = KeyRecord.load(self.path)
            self.key = self.find()
        except Exception:  # noqa: BLE001 - load_file_key finds (and reports) it again
            self.key = None
        finally:
            self.done.set()

    def matches(self, record: KeyRecord, passphrase: str | None) -> bool:
        if self.record != record:
            return False
        if record.source == KEY_SOURCE_KEYRING:
            return True
        return (self.passphrase is not None and passphrase is not None
                and _same_secret(self.passphrase, passphrase))


def _same_secret(a: str, b: str) -> bool:
    """Constant-time comparison; `hmac` is imported here, not at start-up, where it would
    load OpenSSL's libcrypto for _hashlib (~9 ms) before the window shows."""
    import hmac

    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


# One slot: a key found early waits only for the next load_file_key, whatever its file.
_early: _EarlyUnlock | None = None
_early_extra: tuple[Path, str, bytes] | None = None  # (file, file id, rest of a child's reply)
_early_lock = threading.Lock()
_EARLY_WAIT_S = 120.0


def begin_unlock(file_path: Path, passphrase: str | None = None, *,
                 child: Callable[[], bytes | None] | None = None) -> None:
    """Start finding the key of `file_path` ahead of its open, on a helper thread: the
    keyring look-up for a keyring-kept key, the Argon2id derivation for a passphrase-wrapped
    one when `passphrase` is given; or, given `child` (a child process the entry point
    forked to do that work, key_child.find_file_key), waiting for its answer. The next
    `load_file_key` of the same file, with the same key record and passphrase, takes the
    result instead of doing the work again; anything else (another file, another
    passphrase, a failure) finds the key as usual."""
    global _early
    early = _EarlyUnlock(Path(file_path).resolve(), passphrase)
    with _early_lock:
        under_way = (_early is not None and _early.path == early.path
                     and _early.passphrase == passphrase)
        if not under_way:
            _early = early
    if under_way:  # already being found (the entry point begins it before Qt loads)
        if child is not None:
            discard_child(child)
        return
    threading.Thread(target=early.run, args=(child,), name="early-unlock",
                     daemon=True).start()


def discard_child(child: Callable[[], bytes | None]) -> None:
    """Reap a key child whose answer is not wanted (a bundle, a key already being found) on
    a helper thread: waiting for it must not hold up the caller."""
    threading.Thread(target=child, name="key-child-reaper", daemon=True).start()


def _take_early(file_path: Path, record: KeyRecord, passphrase: str | None) -> bytes | None:
    """The key begin_unlock found for this file, record and passphrase, else None (the slot
    is emptied either way)."""
    global _early, _early_extra
    with _early_lock:
        early, _early = _early, None
        _early_extra = None
    if early is None or early.path != Path(file_path).resolve():
        return None
    early.done.wait(_EARLY_WAIT_S)
    key = early.key if early.done.is_set() and early.matches(record, passphrase) else None
    with _early_lock:
        _early_extra = (early.path, record.file_id, early.extra) if key and early.extra else None
    early.key = early.passphrase = early.extra = None
    return key


def early_key_pending(file_path: Path) -> bool:
    """True while begin_unlock is still finding the key of this file."""
    with _early_lock:
        early = _early
    return (early is not None and early.path == Path(file_path).resolve()
            and not early.done.is_set())


def take_early_extra(file_path: Path, file_id: str) -> bytes | None:
    """What the key child read with the key load_file_key just took for this file (see
    key_child.child_reply), once; None when there is none."""
    global _early_extra
    with _early_lock:
        taken, _early_extra = _early_extra, None
    if taken is None or taken[0] != Path(file_path).resolve() or taken[1] != file_id:
        return None
    return taken[2]


def load_file_key(file_path: Path, *, provider: PassphraseProvider | None) -> tuple[bytes, str,
                                                                                      str]:
    """Find the key of an existing file; returns (key, source, file_id)."""
    record = KeyRecord.load(file_path)
    if record.source == KEY_SOURCE_KEYRING:
        early = _take_early(file_path, record, None)
        secret = early.hex() if early is not None else keyring_secret(record.file_id)
        if secret is None:
            raise KeyUnavailableError(
                "The key of this inspection file is not in this computer's keyring. Open it "
                "on the laptop that created it, or restore it with the organisation recovery key."
            )
        return _checked(_from_hex(secret)), record.source, record.file_id
    if record.wrapped is None:
        raise KeyUnavailableError("The key record has no wrapped key.")
    passphrase = _ask(provider, "unlock")
    key = _take_early(file_path, record, passphrase)
    if key is None:
        key = unwrap_with_passphrase(record.wrapped, passphrase, record.file_id)
    return _checked(key), record.source, record.file_id


_DAMAGED_KEY = ("The key found for this inspection file is damaged (it is not a 256-bit key). "
                "Nothing was opened; restore it with the organisation recovery key.")


def _from_hex(secret: str) -> bytes:
    try:
        return bytes.fromhex(secret)
    except (ValueError, TypeError):
        raise KeyUnavailableError(_DAMAGED_KEY) from None


def _checked(key: bytes) -> bytes:
    """Every file key this module hands out, however it was found (keyring, passphrase, a key
    child's answer, the recovery wrap), is exactly KEY_BYTES long."""
    if len(key) != KEY_BYTES:
        raise KeyUnavailableError(_DAMAGED_KEY)
    return key


def restore_with_recovery(file_path: Path, identity: str, *,
                          provider: PassphraseProvider | None) -> str:
    """Re-store a file key from the recovery wrap on this computer; returns the new source."""
    record = KeyRecord.load(file_path)
    if not record.recovery:
        raise KeyUnavailableError("This file was created without a recovery key.")
    key = unwrap_from_recovery(record.recovery, identity)
    if len(key) != KEY_BYTES:
        raise KeyUnavailableError("The recovery copy in this key record does not hold a "
                                  "256-bit key; it cannot restore this file.")
    if secure_keyring_available():
        _keyring().set_password(KEYRING_SERVICE, record.file_id, key.hex())
        new = KeyRecord(record.file_id, KEY_SOURCE_KEYRING, None, record.recovery)
    else:
        passphrase = _new_passphrase(provider)
        new = KeyRecord(record.file_id, KEY_SOURCE_PASSPHRASE,
                        wrap_with_passphrase(key, passphrase, record.file_id), record.recovery)
    new.save(file_path)
    return new.source


def forget_file_key(file_id: str) -> None:
    """Remove a key from the keyring (used when a half-created file is cleaned up)."""
    keyring = _keyring()
    try:
        keyring.delete_password(KEYRING_SERVICE, file_id)
    except keyring.errors.KeyringError:
        pass

"""Where this installation's sync keys live: the OS keyring, or a passphrase-wrapped file.

The secret is the text form of the device's signing key and age identity (made and parsed by
the export layer; this module only keeps it). With a secure keyring it is stored under service
"hmip_desktop", user "device-keys:<device id>". Otherwise `device-keys.json` in the data
directory holds it wrapped with the passphrase (Argon2id + AES-256-GCM, the device id as
associated data) beside the public half, so the identity card can be shown without unlocking.
Never plaintext.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

import keyring
import keyring.errors

from hmip_desktop import paths
from hmip_desktop.domain.errors import KeyUnavailableError, PassphraseRequired, ValidationError
from hmip_desktop.private_files import write_private_text
from hmip_desktop.storage import keys
from hmip_desktop.storage.json_file import DamagedJson, read_json
from hmip_desktop.storage.key_record_shape import DamagedRecord, check_wrapped

log = logging.getLogger(__name__)

FILE_NAME = "device-keys.json"
MAX_FILE_BYTES = 64 * 1024  # a real one is about 1 KiB
_ADVICE = ("Restore it from your backup, or ask the team leader to add this device again with a "
           "new identity.")
_DAMAGED = f"This computer's sync keys file is damaged. {_ADVICE}"


def damaged(what: str) -> KeyUnavailableError:
    """The refusal for a damaged keys file, naming what is wrong (never a key)."""
    return KeyUnavailableError(f"This computer's sync keys file '{FILE_NAME}' is damaged "
                               f"({what}). {_ADVICE}")


def keyring_user(device_id: str) -> str:
    """Keyring user name of a device's sync keys."""
    return f"device-keys:{device_id}"


def key_file() -> Path:
    """The passphrase-wrapped key file (used when the keyring is not secure)."""
    return paths.data_dir() / FILE_NAME


def _read_file() -> dict | None:
    path = key_file()
    if not path.exists():
        return None
    try:
        data = read_json(path, max_bytes=MAX_FILE_BYTES)
    except DamagedJson as exc:
        raise damaged(str(exc)) from None
    except OSError:
        raise KeyUnavailableError(_DAMAGED) from None
    if not isinstance(data, dict) or data.get("format") != 1:
        raise damaged("it is not a keys file of this app")
    if not isinstance(data.get("device_id"), str):  # else taken for another device's keys
        raise damaged("its device id is missing or not text")
    return data


def stored_public(device_id: str) -> dict | None:
    """The public half kept beside the wrapped secret, when the file path is used."""
    data = _read_file()
    if data is None or data.get("device_id") != device_id:
        return None
    public = data.get("public")
    return dict(public) if isinstance(public, dict) else None


def load_secret(device_id: str, *, provider: keys.PassphraseProvider | None) -> str | None:
    """The stored secret text for this device, or None when none was stored yet."""
    data = _read_file()
    if data is not None and data.get("device_id") == device_id:
        wrapped = data.get("wrapped")
        try:  # bounded Argon2id parameters, sizes this app writes: as for a key record
            check_wrapped(wrapped)
        except DamagedRecord as exc:
            raise damaged(str(exc)) from None
        passphrase = provider("unlock") if provider else None
        if not passphrase:
            raise PassphraseRequired(
                "A passphrase is needed to unlock this computer's sync keys. Set "
                "HMIP_PASSPHRASE or type it when asked."
            )
        secret = keys.unwrap_with_passphrase(wrapped, passphrase, device_id)
        return secret.decode("utf-8")
    if keys.secure_keyring_available():
        try:
            return keyring.get_password(keys.KEYRING_SERVICE, keyring_user(device_id))
        except keyring.errors.KeyringError:
            raise KeyUnavailableError(
                "The keyring could not be read. Unlock it (log in again) and try again."
            ) from None
    return None


def save_secret(device_id: str, secret: str, public: dict[str, str], *,
                provider: keys.PassphraseProvider | None) -> str:
    """Store a new secret; returns where ("keyring" or "passphrase")."""
    if keys.secure_keyring_available():
        keyring.set_password(keys.KEYRING_SERVICE, keyring_user(device_id), secret)
        log.info("device sync keys stored in the keyring")
        return keys.KEY_SOURCE_KEYRING
    passphrase = provider("create") if provider else None
    if not passphrase:
        raise PassphraseRequired(
            "A passphrase is needed to protect this computer's sync keys (no secure keyring). "
            "Set HMIP_PASSPHRASE or type it when asked."
        )
    if len(passphrase) < keys.MIN_PASSPHRASE:
        raise ValidationError(
            f"The passphrase must have at least {keys.MIN_PASSPHRASE} characters."
        )
    wrapped = keys.wrap_with_passphrase(secret.encode("utf-8"), passphrase, device_id)
    data = {"format": 1, "device_id": device_id, "source": keys.KEY_SOURCE_PASSPHRASE,
            "public": dict(public), "wrapped": wrapped}
    path = key_file()
    old = _read_file()
    if old is not None and old.get("device_id") != device_id:
        # Keys of an earlier device profile: keep them aside rather than overwrite them.
        tag = "".join(ch for ch in str(old.get("device_id")) if ch.isalnum() or ch == "-")[:40]
        os.replace(path, path.with_name(f"device-keys-{tag or 'previous'}.json"))
    tmp = path.with_name(path.name + ".part")
    write_private_text(tmp, json.dumps(data, indent=1))
    os.replace(tmp, path)
    log.info("device sync keys stored in a passphrase-wrapped file")
    return keys.KEY_SOURCE_PASSPHRASE


def load_or_create(device_id: str, *, provider: keys.PassphraseProvider | None,
                   generate: Callable[[], tuple[str, dict[str, str]]]) -> str:
    """The secret of this device, created with `generate()` -> (secret, public) on first use."""
    secret = load_secret(device_id, provider=provider)
    if secret is not None:
        return secret
    secret, public = generate()
    save_secret(device_id, secret, public, provider=provider)
    return secret

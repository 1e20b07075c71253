"""A key wrapped with a passphrase: Argon2id (t=3, m=64 MiB, p=4; design note §3.2) derives a
key-encryption key, AES-256-GCM wraps the key with an id as associated data.

Its own small module so that the start-up's key child (storage/key_child.py) derives with
nothing loaded but this, the key record's shape checks and cryptography: every millisecond
the child spends importing comes before the derivation the window waits for (issue 11).
Standard library only at module level (cryptography is imported where it is used).
"""

from __future__ import annotations

import base64
import os
import threading

from hmip_desktop.domain.errors import KeyUnavailableError, WrongKeyError

# Argon2id parameters measured at about 0.11 s on the reference laptop (design note §3.2).
KDF_PARAMS = {"kdf": "argon2id", "iterations": 3, "memory_kib": 65536, "lanes": 4}

# One Argon2id derivation at a time: two at once in one process were seen to hang for good
# (cryptography's Argon2id, lanes=4), e.g. an early unlock beside an open of another file.
_KDF_LOCK = threading.Lock()


def kek(passphrase: str, salt: bytes, params: dict) -> bytes:
    """The key-encryption key a passphrase derives with these salt and parameters."""
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

    with _KDF_LOCK:
        return Argon2id(salt=salt, length=32, iterations=params["iterations"],
                        lanes=params["lanes"], memory_cost=params["memory_kib"]).derive(
            passphrase.encode("utf-8"))


def wrap_with_passphrase(key: bytes, passphrase: str, bound_to: str) -> dict:
    """Wrap a key with a passphrase-derived key; `bound_to` (a file or device id) is the
    associated data, so a wrap cannot be moved to another record."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, nonce = os.urandom(16), os.urandom(12)
    ct = AESGCM(kek(passphrase, salt, KDF_PARAMS)).encrypt(nonce, key, bound_to.encode())
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return {**KDF_PARAMS, "salt": b64(salt), "nonce": b64(nonce), "ct": b64(ct)}


def unwrap_with_passphrase(wrapped: dict, passphrase: str, bound_to: str) -> bytes:
    """Recover a wrapped key; WrongKeyError when the passphrase is wrong."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if wrapped.get("kdf") != "argon2id":
        raise KeyUnavailableError("The key record uses an unknown key derivation.")
    d = base64.b64decode
    try:
        return AESGCM(kek(passphrase, d(wrapped["salt"]), wrapped)).decrypt(
            d(wrapped["nonce"]), d(wrapped["ct"]), bound_to.encode())
    except InvalidTag:
        raise WrongKeyError("The passphrase is wrong. Nothing was changed; try again.") from None

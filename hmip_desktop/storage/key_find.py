"""Which way a file key is found from its record: the keyring, or the passphrase's Argon2id.

One branch for the two places that find a key ahead of the store's open: the start-up's key
child (storage/key_child.py, which reads the record as checked fields and loads as little as
it can) and the in-process early unlock (storage.keys). Standard library only at module level;
the look-up of a keyring secret is passed in, so that the child loads storage.keys and keyring
only on the keyring path.
"""

from __future__ import annotations

from collections.abc import Callable


def find_key(source: str, wrapped: dict | None, file_id: str, passphrase: str | None,
             keyring_secret: Callable[[str], str | None]) -> bytes | None:
    """The key, from the keyring or unwrapped with the passphrase; None when it cannot be
    found without asking (no entry, no passphrase). A wrong passphrase raises WrongKeyError,
    a keyring entry that is not hex ValueError: the callers find it again where errors are
    reported (storage.keys.load_file_key, which also checks the key's length)."""
    if source == "keyring":
        secret = keyring_secret(file_id)
        return bytes.fromhex(secret) if secret is not None else None
    if wrapped is not None and passphrase:
        from hmip_desktop.storage.passphrase_wrap import unwrap_with_passphrase

        return unwrap_with_passphrase(wrapped, passphrase, file_id)
    return None

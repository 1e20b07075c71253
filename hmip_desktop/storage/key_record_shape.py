"""What a key record (`NAME.hmip.key`) may hold, checked before any of it is used.

The record travels with the inspection file (copied by hand, restored from a backup), so it is
outside input: a damaged or hand-edited one must read as "damaged", never as an internal error,
and its Argon2id parameters must not make the app allocate or compute without bound. Bounds:
the file at most MAX_RECORD_BYTES; Argon2id at most MAX_KDF_MEMORY_KIB of memory (1 GiB, 16
times this app's 64 MiB), MAX_KDF_ITERATIONS passes and MAX_KDF_LANES lanes; salt, nonce and
wrapped key of the sizes this app writes. Standard library only, and not even `typing` (2.5 ms):
the start-up's key child reads records with it before its derivation (storage/key_child.py).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from pathlib import Path

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know it)
if TYPE_CHECKING:
    from typing import Any

KEY_RECORD_SUFFIX = ".key"

MAX_RECORD_BYTES = 64 * 1024  # a real record is under 2 KiB
MAX_KDF_MEMORY_KIB = 1 << 20
MAX_KDF_ITERATIONS = 10
MAX_KDF_LANES = 16
MAX_ID_CHARS = 200
MAX_RECOVERY_CHARS = 8 * 1024
_SOURCES = ("keyring", "passphrase")


def key_record_path(file_path: Path) -> Path:
    """Where the key record of an inspection file lives (beside it)."""
    return file_path.with_name(file_path.name + KEY_RECORD_SUFFIX)


class DamagedRecord(ValueError):
    """The record is not one this app can use; the message names what is wrong (no secret)."""


def read_record(path: Path) -> dict[str, Any]:
    """The record's fields (file_id, source, wrapped, recovery), checked; DamagedRecord when
    it is too large, not JSON, or holds anything out of shape."""
    with open(path, "rb") as handle:
        raw = handle.read(MAX_RECORD_BYTES + 1)
    if len(raw) > MAX_RECORD_BYTES:
        raise DamagedRecord(f"it is larger than a key record can be "
                            f"(limit: {MAX_RECORD_BYTES // 1024} KiB)")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        raise DamagedRecord("it is not a key record (not JSON text)") from None
    if not isinstance(data, dict):
        raise DamagedRecord("it is not a key record")
    file_id, source = data.get("file_id"), data.get("source")
    if not isinstance(file_id, str) or not 0 < len(file_id) <= MAX_ID_CHARS:
        raise DamagedRecord("its file id is missing or malformed")
    if source not in _SOURCES:
        raise DamagedRecord("it names an unknown key source")
    wrapped, recovery = data.get("wrapped"), data.get("recovery")
    if wrapped is not None:
        check_wrapped(wrapped)
    elif source == "passphrase":
        raise DamagedRecord("it holds no passphrase-wrapped key")
    if recovery is not None and (not isinstance(recovery, str)
                                 or len(recovery) > MAX_RECOVERY_CHARS):
        raise DamagedRecord("its recovery copy is malformed")
    return {"file_id": file_id, "source": source, "wrapped": wrapped, "recovery": recovery}


def check_wrapped(wrapped: object) -> None:
    """A passphrase-wrapped key: Argon2id within bounds, then salt, nonce and ciphertext."""
    if not isinstance(wrapped, Mapping):
        raise DamagedRecord("its wrapped key is malformed")
    if wrapped.get("kdf") != "argon2id":
        raise DamagedRecord("it uses an unknown key derivation")
    lanes = _int_in(wrapped, "lanes", 1, MAX_KDF_LANES)
    _int_in(wrapped, "iterations", 1, MAX_KDF_ITERATIONS)
    _int_in(wrapped, "memory_kib", 8 * lanes, MAX_KDF_MEMORY_KIB)
    for name, low, high in (("salt", 8, 64), ("nonce", 12, 12), ("ct", 17, 1024)):
        value = wrapped.get(name)
        try:
            size = len(base64.b64decode(value, validate=True)) if isinstance(value, str) else -1
        except (binascii.Error, ValueError):
            size = -1
        if not low <= size <= high:
            raise DamagedRecord(f"its wrapped key's {name} is malformed")


def _int_in(wrapped: Mapping[str, Any], name: str, low: int, high: int) -> int:
    value = wrapped.get(name)
    if type(value) is not int or not low <= value <= high:
        raise DamagedRecord(f"its key derivation's {name} is out of bounds "
                            f"(limit: {low} to {high:,})")
    return value

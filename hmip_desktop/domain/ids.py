"""Record identifiers.

Every record that travels in a bundle has a UUIDv7 text id made on the laptop (time-ordered,
so B-tree inserts stay local). Records that exist once per key (the score of test T by
inspector X in inspection I) get a deterministic UUIDv5 instead, so that two laptops creating
"the same" record collide into one entity and surface as a conflict rather than as two rows.
"""

from __future__ import annotations

import os
import threading
import time
from typing import NewType

InspectionId = NewType("InspectionId", str)
RecordId = NewType("RecordId", str)
RevisionId = NewType("RevisionId", str)
DeviceId = NewType("DeviceId", str)
AuthorId = NewType("AuthorId", str)

# Fixed namespace for deterministic ids; never change it or old ids stop matching.
HMIP_NAMESPACE = "6f1d3c1e-8a7b-4f5e-9a11-2c4b7d0e5a93"

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def uuid7() -> str:
    """A UUIDv7 (RFC 9562 §5.7): 48-bit ms timestamp, 12+62 bits of counter and randomness.

    Within one millisecond a 12-bit counter (rand_a) keeps ids from this process monotonic.
    """
    global _last_ms, _counter
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms > _last_ms:
            _last_ms = ms
            _counter = int.from_bytes(os.urandom(2), "big") & 0x3FF  # leave room to count up
        else:
            _counter += 1
            if _counter > 0xFFF:  # counter exhausted: borrow the next millisecond
                _last_ms += 1
                _counter = 0
            ms = _last_ms
        rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
        value = (ms & ((1 << 48) - 1)) << 80
        value |= 0x7 << 76
        value |= (_counter & 0xFFF) << 64
        value |= 0b10 << 62
        value |= rand_b
    digits = f"{value:032x}"  # str(uuid.UUID(int=value)), without importing uuid at start-up
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def new_id() -> str:
    """A fresh record id (UUIDv7 text)."""
    return uuid7()


def deterministic_id(kind: str, *parts: str) -> str:
    """A UUIDv5 over a record kind and its natural key, identical on every laptop."""
    import uuid  # here: with `platform`, ~3 ms of a GUI start that makes no id

    name = "\x1f".join((kind, *parts))
    return str(uuid.uuid5(uuid.UUID(HMIP_NAMESPACE), name))


def short_id(value: str) -> str:
    """An id shortened for people to tell apart: '…' and its last 8 characters. A UUIDv7
    starts with its creation time, so the first 8 characters of the devices (or authors) of
    one team, set up the same day, are all alike."""
    return f"…{value[-8:]}" if len(value) > 8 else value

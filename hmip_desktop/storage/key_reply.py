"""The answer a key child sends its parent (storage/key_child.py): key length (1 byte) | key |
file id length (1 byte) | file id (ASCII) | the rest (the first screen it read, or nothing).
Standard library only, no imports: both sides use it (the child to write, storage.keys to
read) and neither may pull the other in.
"""

from __future__ import annotations


def pack(key: bytes, file_id: str, rest: bytes = b"") -> bytes:
    """The answer for this key, file id (at most 255 ASCII characters) and rest."""
    ident = file_id.encode("ascii")
    return bytes([len(key)]) + key + bytes([len(ident)]) + ident + rest


def split(reply: bytes | None) -> tuple[bytes, bytes, bytes]:
    """(key, file id, rest) of an answer; empty parts when it is not one (cut short, or
    not one at all)."""
    if not reply:
        return b"", b"", b""
    key_end = 1 + reply[0]
    if len(reply) <= key_end:
        return b"", b"", b""
    id_end = key_end + 1 + reply[key_end]
    if len(reply) < id_end:
        return b"", b"", b""
    return reply[1:key_end], reply[key_end + 1:id_end], reply[id_end:]

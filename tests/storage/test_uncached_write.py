"""Attachment files written past the page cache (issue 11 §3) hold exactly the bytes given,
whatever their alignment, and fall back to ordinary writes where O_DIRECT is refused."""

from __future__ import annotations

import os
from pathlib import Path

from hmip_desktop.storage import uncached_write as U

MIB = 1 << 20


def _write(path: Path, parts: list[object]) -> bytes:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        writer = U.UncachedWriter(fd)
        for part in parts:
            assert writer.write(part) == len(memoryview(part))  # type: ignore[arg-type]
        os.fsync(writer.fileno())
    finally:
        os.close(fd)
    return path.read_bytes()


def test_aligned_and_unaligned_writes_keep_every_byte(tmp_path: Path) -> None:
    buffer = U.aligned_buffer(2 * MIB)
    buffer[:] = os.urandom(2 * MIB)
    view = memoryview(buffer)
    odd = bytearray(os.urandom(5000))
    # Whole mebibytes (direct), a tail, then more whole mebibytes (by then ordinary).
    parts = [view[:MIB], view[MIB:], bytes(odd), view[:MIB], odd, view[4096:8192]]
    expected = b"".join(bytes(p) for p in parts)
    assert _write(tmp_path / "a.part", parts) == expected


def test_unaligned_memory_and_refused_direct_fall_back(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    data = b"x" + os.urandom(2 * MIB)
    unaligned = memoryview(data)[1:]  # whole mebibytes at an address off the page
    assert _write(tmp_path / "b.part", [unaligned]) == data[1:]
    monkeypatch.setattr(U, "_set_direct", lambda fd, on: False)  # e.g. a tmpfs, Windows
    assert _write(tmp_path / "c.part", [unaligned, b"tail"]) == data[1:] + b"tail"

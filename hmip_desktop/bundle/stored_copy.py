"""Copying a stored attachment member out of a bundle: positioned reads into one buffer.

A merge copies every attachment it lacks as stored (issue 11 §3) on a helper thread while the
importing thread runs Python. Through `zipfile` each chunk was a fresh multi-megabyte bytes
object (allocated, faulted in, freed) plus the container's CRC pass: the copy cost more CPU
than the SHA-256 that verifies it. Here the member's bytes are read with `os.preadv` into a
buffer the caller reuses, so each chunk is read once into memory that is already mapped,
then hashed, CRC-checked and written from there. Positioned reads leave the shared file's
offset alone (the revision list may be streaming from the same file on another thread).

Everything `zipfile` checks on this path is still checked, with the same outcome for a bad
member: the local header's signature and name, a member cut short, and the CRC-32 of the
central directory. Members with flag bits `zipfile` refuses to read, and platforms without
`os.preadv`, take the `zipfile` path (`supported` says which).
"""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from typing import Any, BinaryIO

from hmip_desktop.bundle.format import damaged
from hmip_desktop.bundle.stream import Verifier

# Indices into zipfile.structFileHeader (zipfile keeps its own as private names).
_SIGNATURE, _FLAGS, _NAME_LENGTH, _EXTRA_LENGTH = 0, 3, 10, 11
_UTF8_NAME = 0x800
_UNREADABLE_FLAGS = 0x20 | 0x40  # compressed patch data, strong encryption: zipfile refuses
MISMATCH = "an attachment does not match its checksum"  # zipfile's errors said this, too
# Written a mebibyte at a time, whatever the read size: on Linux (ext4), 1.6 GB written in
# 8 MiB calls cost 2.8-4.5 s of kernel time, in 1 MiB calls 0.9-1.3 s (measured here).
_WRITE = 1 << 20


def supported(info: zipfile.ZipInfo) -> bool:
    """True when this member can be copied here rather than through `zipfile`."""
    return hasattr(os, "preadv") and not info.flag_bits & _UNREADABLE_FLAGS


def _data_offset(fd: int, info: zipfile.ZipInfo) -> int:
    """Where the member's bytes start, once its local header checks out as zipfile's does."""
    raw = os.pread(fd, zipfile.sizeFileHeader, info.header_offset)
    if len(raw) != zipfile.sizeFileHeader:
        raise damaged(MISMATCH)
    header = struct.unpack(zipfile.structFileHeader, raw)
    if header[_SIGNATURE] != zipfile.stringFileHeader:
        raise damaged(MISMATCH)
    start = info.header_offset + zipfile.sizeFileHeader
    name = os.pread(fd, header[_NAME_LENGTH], start)
    try:
        text = name.decode("utf-8" if header[_FLAGS] & _UTF8_NAME else "cp437")
    except UnicodeDecodeError:
        raise damaged(MISMATCH) from None
    if len(name) != header[_NAME_LENGTH] or text != info.orig_filename:
        raise damaged(MISMATCH)
    return start + header[_NAME_LENGTH] + header[_EXTRA_LENGTH]


def copy_member(fd: int, info: zipfile.ZipInfo, dest: BinaryIO | None, verifier: Verifier,
                buffer: bytearray) -> None:
    """Read the member's bytes into `buffer` a chunk at a time: each is verified (the caller
    calls `verifier.finish()`), CRC-checked, then written to `dest`. BundleError when the
    member is cut short or its CRC differs."""
    view = memoryview(buffer)
    position, left, crc = _data_offset(fd, info), info.compress_size, 0
    while left:
        n = os.preadv(fd, [view[:min(len(view), left)]], position)
        if n <= 0:
            raise damaged(MISMATCH)  # zipfile raised EOFError here
        part: Any = view[:n]
        verifier.update(part)
        crc = zlib.crc32(part, crc)
        if dest is not None:
            for start in range(0, n, _WRITE):
                dest.write(part[start:start + _WRITE])
        position, left = position + n, left - n
    if crc != info.CRC:
        raise damaged(MISMATCH)

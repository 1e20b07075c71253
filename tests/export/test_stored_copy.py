"""Issue 11 §3: a stored attachment copied with positioned reads into a reused buffer gives the
bytes zipfile gives, and refuses what zipfile's reading refused (header, length, CRC)."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import threading
import zipfile
from pathlib import Path

import pytest

from hmip_desktop.bundle import stored_copy
from hmip_desktop.bundle.stream import Verifier
from hmip_desktop.domain.errors import BundleError, Cancelled

NAME = "blobs/0001.age"


def _bundle(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "b.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("bundle.json", b"{}")
        zf.writestr(NAME, data)
        zf.writestr("z", b"after")
    return path


def _copy(path: Path, data: bytes, buffer_size: int = 7, cancel=None) -> bytes:  # type: ignore[no-untyped-def]
    entry = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    verifier = Verifier(entry, "an attachment", cancel)
    out = io.BytesIO()
    with open(path, "rb") as fh, zipfile.ZipFile(fh) as zf:
        info = zf.getinfo(NAME)
        assert stored_copy.supported(info)
        stored_copy.copy_member(fh.fileno(), info, out, verifier, bytearray(buffer_size))
    verifier.finish()
    return out.getvalue()


def _patch(path: Path, offset: int, raw: bytes) -> None:
    with open(path, "r+b") as fh:
        fh.seek(offset)
        fh.write(raw)


def _local_header(path: Path) -> int:
    with zipfile.ZipFile(path) as zf:
        return zf.getinfo(NAME).header_offset


def test_copies_the_members_bytes_in_any_buffer_size(tmp_path: Path) -> None:
    data = os.urandom(100_003)
    path = _bundle(tmp_path, data)
    for size in (1, 7, 4096, 1 << 20):
        assert _copy(path, data, size) == data


def _central_entry(path: Path) -> int:
    raw = path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        at = zf.start_dir
    while True:
        n, e, c = struct.unpack("<3H", raw[at + 28:at + 34])
        if raw[at + 46:at + 46 + n] == NAME.encode():
            return at
        at += 46 + n + e + c


def _refused_as_zipfile_refuses_it(path: Path, data: bytes) -> None:
    with pytest.raises(BundleError, match="does not match its checksum"):
        _copy(path, data)
    with zipfile.ZipFile(path) as zf, pytest.raises(zipfile.BadZipFile):
        zf.read(NAME)


def test_a_wrong_crc_is_refused_as_zipfile_refused_it(tmp_path: Path) -> None:
    data = os.urandom(5000)
    path = _bundle(tmp_path, data)
    _patch(path, _local_header(path) + 14, struct.pack("<L", 0))  # zipfile ignores it too
    assert _copy(path, data) == data
    _patch(path, _central_entry(path) + 16, struct.pack("<L", zipfile.crc32(data) ^ 1))
    _refused_as_zipfile_refuses_it(path, data)


def test_a_local_header_that_disagrees_is_refused(tmp_path: Path) -> None:
    data = os.urandom(5000)
    for offset, raw in ((0, b"PK\x09\x09"), (30, b"x")):  # signature, then the name
        path = _bundle(tmp_path, data)
        _patch(path, _local_header(path) + offset, raw)
        _refused_as_zipfile_refuses_it(path, data)


def test_altered_bytes_and_cancel(tmp_path: Path) -> None:
    data = os.urandom(5000)
    path = _bundle(tmp_path, data)
    with pytest.raises(BundleError, match="does not match its checksum"):
        _copy(path, data[:-1] + bytes([data[-1] ^ 1]))  # listed hash of other bytes
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        _copy(path, data, cancel=cancel)

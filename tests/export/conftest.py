"""Fixtures for sync bundle tests: a team of device keys and tools to build and tamper bundles."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import struct
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pyrage
import pytest

from hmip_desktop.bundle.format import MANIFEST_MEMBER, serialise_manifest, sign_envelope
from hmip_desktop.bundle.identity_keys import DeviceKeys
from hmip_desktop.bundle.writer import BlobSource, write_bundle

AUTHOR_NAME = "A. Inspector"


@dataclass
class Team:
    """Three team members (alice signs) plus an outsider who is not a recipient."""

    alice: DeviceKeys
    bob: DeviceKeys
    lead: DeviceKeys
    outsider: DeviceKeys

    @property
    def members(self) -> list[DeviceKeys]:
        return [self.alice, self.bob, self.lead]

    @property
    def recipients(self) -> list[str]:
        return [k.public.recipient for k in self.members]

    def roster(self) -> Callable[[bytes, dict[str, Any]], bool]:
        keys = {k.public.signer_public_key for k in self.members}
        return lambda public_key, _manifest: public_key in keys


@pytest.fixture(scope="session")
def team() -> Team:
    """Fresh keys for the whole test session (generation is cheap, but no need to repeat)."""
    return Team(
        DeviceKeys.generate(), DeviceKeys.generate(), DeviceKeys.generate(), DeviceKeys.generate()
    )


def bytes_blob(data: bytes, mime: str = "application/pdf") -> BlobSource:
    """A BlobSource over in-memory bytes."""
    return BlobSource(hashlib.sha256(data).hexdigest(), len(data), mime, lambda: io.BytesIO(data))


def manifest_fields(**overrides: Any) -> dict[str, Any]:
    """Typical caller-supplied manifest fields."""
    fields: dict[str, Any] = {
        "schema": 3,
        "app": "0.1.0",
        "inspection_id": "01990000-0000-7000-8000-000000000001",
        "bundle_id": "019a0000-0000-7000-8000-000000000002",
        "device_id": "dev-alice",
        "author": {"id": "user-alice", "name": AUTHOR_NAME},
        "hlc_min": "018f00000000-0000-dev-alice",
        "hlc_max": "019000000000-0003-dev-alice",
        "full_state": True,
        "extra": {"roster_version": 4},
    }
    fields.update(overrides)
    return fields


LINES = [json.dumps({"rev": i, "text": f"note {i}"}).encode() for i in range(200)]
BLOBS = [b"%PDF-1.7 first attachment" * 1000, b"second attachment bytes", b""]


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """An empty folder for bundles (tmp_path also holds the test-wide data dir)."""
    path = tmp_path / "bundles"
    path.mkdir()
    return path


@pytest.fixture
def make_bundle(out_dir: Path, team: Team) -> Callable[..., Path]:
    """Build a bundle signed by alice for the team; keyword arguments override the defaults."""

    def build(
        name: str = "out.hmipbundle",
        *,
        signer: DeviceKeys | None = None,
        lines: list[bytes] | None = None,
        blobs: list[bytes] | None = None,
        **fields: Any,
    ) -> Path:
        path = out_dir / name
        write_bundle(
            path,
            manifest_fields=manifest_fields(**fields),
            revision_lines=LINES if lines is None else lines,
            blobs=[bytes_blob(b) for b in (BLOBS if blobs is None else blobs)],
            recipients=team.recipients,
            signing_key=(signer or team.alice).signing_key,
        )
        return path

    return build


def rewrite_zip(
    src: Path,
    dst: Path,
    *,
    replace: dict[str, bytes] | None = None,
    drop: set[str] | None = None,
    add: list[tuple[str, bytes]] | None = None,
    compress: set[str] | None = None,
) -> Path:
    """Copy a bundle member by member, replacing, dropping, adding or compressing members."""
    replace, drop, add, compress = replace or {}, drop or set(), add or [], compress or set()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = replace.get(info.filename, zin.read(info))
            method = zipfile.ZIP_DEFLATED if info.filename in compress else zipfile.ZIP_STORED
            zout.writestr(zipfile.ZipInfo(info.filename), data, compress_type=method)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # zipfile warns on duplicate names
            for name, data in add:
                zout.writestr(zipfile.ZipInfo(name), data)
    return dst


def member_data_offset(path: Path, member: str) -> int:
    """File offset of a member's stored bytes (after its local header)."""
    with zipfile.ZipFile(path) as zf:
        offset = zf.getinfo(member).header_offset
    with open(path, "rb") as fh:
        fh.seek(offset)
        header = fh.read(30)
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    return offset + 30 + name_len + extra_len


def flip_bit(path: Path, offset: int, bit: int = 0) -> None:
    """Flip one bit of a file in place."""
    with open(path, "r+b") as fh:
        fh.seek(offset)
        byte = fh.read(1)[0]
        fh.seek(offset)
        fh.write(bytes([byte ^ (1 << bit)]))


def open_manifest(path: Path, keys: DeviceKeys) -> tuple[dict[str, Any], dict[str, Any]]:
    """Decrypt a bundle's envelope; returns (envelope, manifest)."""
    with zipfile.ZipFile(path) as zf:
        sealed = zf.read(MANIFEST_MEMBER)
    identity = pyrage.x25519.Identity.from_str(keys.age_identity)
    envelope = json.loads(pyrage.decrypt(sealed, [identity]))
    return envelope, json.loads(base64.b64decode(envelope["manifest"]))


def reseal_manifest(
    src: Path,
    dst: Path,
    team: Team,
    mutate: Callable[[dict[str, Any]], None],
    *,
    resign_with: DeviceKeys | None = None,
) -> Path:
    """Change the manifest and re-encrypt it; keep the old signature unless `resign_with`."""
    envelope, manifest = open_manifest(src, team.alice)
    mutate(manifest)
    new_bytes = serialise_manifest(manifest)
    if resign_with is not None:
        envelope = json.loads(sign_envelope(new_bytes, resign_with.signing_key))
    else:
        envelope["manifest"] = base64.b64encode(new_bytes).decode()
    recipients = [pyrage.x25519.Recipient.from_str(r) for r in team.recipients]
    sealed = pyrage.encrypt(json.dumps(envelope).encode(), recipients)
    return rewrite_zip(src, dst, replace={MANIFEST_MEMBER: sealed})


@pytest.fixture
def kit() -> SimpleNamespace:
    """The tampering helpers, for tests that cannot import conftest."""
    return SimpleNamespace(
        rewrite_zip=rewrite_zip,
        member_data_offset=member_data_offset,
        flip_bit=flip_bit,
        open_manifest=open_manifest,
        reseal_manifest=reseal_manifest,
        bytes_blob=bytes_blob,
        manifest_fields=manifest_fields,
        lines=LINES,
        blobs=BLOBS,
        author_name=AUTHOR_NAME,
    )

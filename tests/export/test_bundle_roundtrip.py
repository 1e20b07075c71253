"""Sync bundle round trips: write, read back, stream large blobs, cancel."""

from __future__ import annotations

import hashlib
import io
import threading
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest

from hmip_desktop.bundle.format import FORMAT_VERSION, MAGIC
from hmip_desktop.bundle.reader import BundleReader, inspect_bundle
from hmip_desktop.bundle.writer import BlobSource, write_bundle
from hmip_desktop.domain.errors import BundleError, Cancelled

MIB = 1024 * 1024


class PatternStream(io.RawIOBase):
    """A generator-backed plaintext stream of `size` bytes: nothing is held in memory."""

    def __init__(self, size: int):
        super().__init__()
        self.remaining, self.counter, self.block = size, 0, b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.remaining <= 0:
            return 0
        if not self.block:
            self.block = hashlib.sha256(self.counter.to_bytes(8, "big")).digest() * 2048
            self.counter += 1
        n = min(len(buffer), len(self.block), self.remaining)
        buffer[:n] = self.block[:n]
        self.block = self.block[n:]
        self.remaining -= n
        return n


def pattern_blob(size: int) -> BlobSource:
    """A BlobSource whose hash is computed by streaming the pattern once."""
    sha, stream = hashlib.sha256(), PatternStream(size)
    while chunk := stream.read(MIB):
        sha.update(chunk)
    return BlobSource(sha.hexdigest(), size, "video/mp4", lambda: PatternStream(size))


class HashSink:
    """A writable that only hashes, so reading a big blob keeps nothing."""

    def __init__(self) -> None:
        self.sha, self.size = hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.sha.update(data)
        self.size += len(data)
        return len(data)


def test_round_trip_each_recipient_reads_everything(make_bundle, team, kit) -> None:
    """Every one of three recipients decrypts the manifest, revisions and blobs intact."""
    path = make_bundle()
    for keys in team.members:
        with BundleReader(path, [keys.age_identity]) as reader:
            m = reader.manifest
            assert m["format"] == FORMAT_VERSION and m["schema"] == 3
            assert m["bundle_id"] == kit.manifest_fields()["bundle_id"]
            assert m["extra"] == {"roster_version": 4}
            assert reader.signer == team.alice.public.signer
            assert reader.signer_public_key == team.alice.public.signer_public_key
            reader.verify_signer(team.roster())
            assert list(reader.iter_revision_lines()) == kit.lines
            assert m["revisions"]["count"] == len(kit.lines)
            assert [b["member"] for b in m["blobs"]] == [
                "blobs/000001.age",
                "blobs/000002.age",
                "blobs/000003.age",
            ]
            for entry, data in zip(m["blobs"], kit.blobs, strict=True):
                out = io.BytesIO()
                assert reader.copy_blob_to(entry["member"], out) == len(data)
                assert out.getvalue() == data
                with reader.open_blob(entry["member"]) as stream:
                    assert stream.read() == data
                assert reader.member_for(entry["sha256"]) == entry["member"]
            reader.verify_all()


def test_outsider_is_told_it_is_not_encrypted_to_them(make_bundle, team) -> None:
    """Someone outside the recipient list gets a clear 'not encrypted to you' error."""
    path = make_bundle()
    with pytest.raises(BundleError, match="not encrypted to you"):
        BundleReader(path, [team.outsider.age_identity])
    with BundleReader(path, [team.outsider.age_identity, team.bob.age_identity]) as reader:
        assert reader.manifest["revisions"]["count"] == 200


def test_container_shape_and_plaintext_header(make_bundle) -> None:
    """bundle.json holds only magic and format; all members are STORED with fixed dates."""
    path = make_bundle()
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert names[0] == "bundle.json" and names[-1] == "manifest.age"
        assert zf.read("bundle.json") == (
            b'{"format":%d,"magic":"%s"}' % (FORMAT_VERSION, MAGIC.encode())
        )
        for info in zf.infolist():
            assert info.compress_type == zipfile.ZIP_STORED
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
        # Nothing in the container is plaintext except bundle.json.
        raw = path.read_bytes()
        assert (
            b"note 1" not in raw and b"A. Inspector" not in raw and b"first attachment" not in raw
        )


def test_inspect_bundle_summarises_without_importing(make_bundle, team, kit) -> None:
    """inspect_bundle reports who, when, which inspection and how much."""
    path = make_bundle()
    before = path.read_bytes()
    info = inspect_bundle(path, [team.lead.age_identity])
    assert info["author"] == {"id": "user-alice", "name": kit.author_name}
    assert info["inspection_id"] == kit.manifest_fields()["inspection_id"]
    assert info["revision_count"] == 200 and info["blob_count"] == 3
    assert info["blob_bytes"] == sum(len(b) for b in kit.blobs)
    assert info["file_size"] == path.stat().st_size and info["created_at"].endswith("Z")
    assert path.read_bytes() == before


def test_empty_bundle_and_newline_terminated_lines(make_bundle, team) -> None:
    """No blobs and no revisions is valid; a trailing newline on a line is accepted."""
    path = make_bundle(lines=[], blobs=[], hlc_min=None, hlc_max=None)
    with BundleReader(path, [team.bob.age_identity]) as reader:
        assert list(reader.iter_revision_lines()) == []
        assert reader.manifest["blobs"] == []
    path = make_bundle("nl.hmipbundle", lines=[b'{"a":1}\n', b'{"b":2}'])
    with BundleReader(path, [team.bob.age_identity]) as reader:
        assert list(reader.iter_revision_lines()) == [b'{"a":1}', b'{"b":2}']


@pytest.mark.parametrize("bad", [b"", b"\n", b'{"a":1}\n{"b":2}'])
def test_bad_revision_lines_are_a_caller_error(make_bundle, out_dir, bad) -> None:
    """An empty line or an embedded newline is refused and leaves no file."""
    with pytest.raises(ValueError):
        make_bundle(lines=[b"{}", bad])
    assert list(out_dir.iterdir()) == []


def test_bad_manifest_fields_leave_no_file(make_bundle, out_dir) -> None:
    """Missing, unknown or malformed caller fields are ValueErrors, raised before writing."""
    with pytest.raises(ValueError):
        make_bundle(bundle_id="not-a-uuid")
    with pytest.raises(ValueError):
        make_bundle(format=2)
    assert list(out_dir.iterdir()) == []


def test_stopping_revision_iteration_early_does_not_hang(make_bundle, team) -> None:
    """Breaking out of iter_revision_lines stops the decrypt thread."""
    path = make_bundle(lines=[b'{"x":"%d"}' % i for i in range(50_000)])
    before = threading.active_count()
    with BundleReader(path, [team.bob.age_identity]) as reader:
        lines = reader.iter_revision_lines()
        assert next(lines) == b'{"x":"0"}'
        lines.close()
        stream = reader.open_blob("blobs/000001.age")
        stream.read(10)
        stream.close()
    assert threading.active_count() == before


def test_large_blob_streams_with_flat_memory(out_dir: Path, team) -> None:
    """A 50 MB attachment is written and read back with a small Python heap peak."""
    size = 50 * MIB
    blob = pattern_blob(size)
    path = out_dir / "big.hmipbundle"
    tracemalloc.start()
    try:
        write_bundle(
            path,
            manifest_fields=_fields(),
            revision_lines=[b"{}"],
            blobs=[blob],
            recipients=team.recipients,
            signing_key=team.alice.signing_key,
        )
        _, write_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        with BundleReader(path, [team.lead.age_identity]) as reader:
            sink = HashSink()
            reader.copy_blob_to("blobs/000001.age", sink)
            with reader.open_blob("blobs/000001.age") as stream:
                streamed = hashlib.sha256()
                while chunk := stream.read(MIB):
                    streamed.update(chunk)
        _, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sink.size == size and sink.sha.hexdigest() == blob.sha256
    assert streamed.hexdigest() == blob.sha256
    assert write_peak < 20 * MIB, write_peak
    assert read_peak < 20 * MIB, read_peak


def _fields() -> dict[str, Any]:
    return {
        "schema": 1,
        "app": "0.1.0",
        "inspection_id": "insp-1",
        "bundle_id": "019a0000-0000-7000-8000-0000000000ff",
        "device_id": "dev",
        "author": {"id": "u", "name": "n"},
        "hlc_min": None,
        "hlc_max": None,
        "full_state": False,
    }


def test_cancel_during_write_leaves_no_file(out_dir: Path, team) -> None:
    """Cancelling mid-blob raises Cancelled and leaves neither the bundle nor a .part file."""
    cancel = threading.Event()
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        calls.append((done, total))
        if done > 2 * MIB:
            cancel.set()

    path = out_dir / "c.hmipbundle"
    with pytest.raises(Cancelled):
        write_bundle(
            path,
            manifest_fields=_fields(),
            revision_lines=[b"{}"],
            blobs=[pattern_blob(8 * MIB)],
            recipients=team.recipients,
            signing_key=team.alice.signing_key,
            progress=progress,
            cancel=cancel,
        )
    assert calls and all(total == 8 * MIB + 3 for _, total in calls)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert list(out_dir.iterdir()) == []


def test_blob_that_changed_since_hashing_is_refused_at_write(out_dir: Path, team, kit) -> None:
    """A blob whose bytes differ from its declared hash or size aborts the export cleanly."""
    good = kit.bytes_blob(b"original")
    for blob in (
        BlobSource(good.sha256, good.size, "text/plain", lambda: io.BytesIO(b"tampered")),
        BlobSource(good.sha256, good.size, "text/plain", lambda: io.BytesIO(b"original+more")),
        BlobSource(good.sha256, good.size, "text/plain", lambda: io.BytesIO(b"orig")),
    ):
        with pytest.raises(BundleError, match="export again"):
            write_bundle(
                out_dir / "x.hmipbundle",
                manifest_fields=_fields(),
                revision_lines=[],
                blobs=[blob],
                recipients=team.recipients,
                signing_key=team.alice.signing_key,
            )
        assert list(out_dir.iterdir()) == []


def test_existing_bundle_is_replaced_atomically(make_bundle, team) -> None:
    """Writing over an existing bundle replaces it whole."""
    make_bundle(lines=[b"{}"])
    path = make_bundle()
    with BundleReader(path, [team.bob.age_identity]) as reader:
        assert reader.manifest["revisions"]["count"] == 200
    assert not path.with_name(path.name + ".part").exists()


def test_cancel_during_blob_copy(make_bundle, team) -> None:
    """A set cancel event stops copy_blob_to with Cancelled."""
    cancel = threading.Event()
    cancel.set()
    with BundleReader(make_bundle(), [team.bob.age_identity]) as reader:
        with pytest.raises(Cancelled):
            reader.copy_blob_to("blobs/000001.age", io.BytesIO(), cancel=cancel)
        with pytest.raises(Cancelled):
            reader.verify_all(cancel=cancel)


def test_unwritable_destination_is_a_clear_error(out_dir: Path, team) -> None:
    """A folder that does not exist gives a 'could not be saved' BundleError."""
    with pytest.raises(BundleError, match="could not be saved"):
        write_bundle(
            out_dir / "missing" / "x.hmipbundle",
            manifest_fields=_fields(),
            revision_lines=[b"{}"],
            blobs=[],
            recipients=team.recipients,
            signing_key=team.alice.signing_key,
        )

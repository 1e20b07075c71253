"""Write a sync bundle: every member streamed through age, the signed manifest last.

Threading rule: `write_bundle` is blocking file and CPU work; call it from a worker thread
(the TaskRunner), never the GUI thread. Memory stays flat whatever the attachment sizes,
and no plaintext ever touches the disk.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import pyrage
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hmip_desktop.bundle.format import (
    BUNDLE_JSON,
    DEFAULT_LIMITS,
    FORMAT_VERSION,
    MANIFEST_MEMBER,
    MAX_BLOBS,
    REVISIONS_MEMBER,
    SHA256_HEX_RE,
    BundleLimits,
    blob_member_name,
    build_manifest,
    bundle_json_bytes,
    format_signer,
    public_key_bytes,
    serialise_manifest,
    sign_envelope,
)
from hmip_desktop.domain.errors import BundleError, Cancelled, ValidationError
from hmip_desktop.private_files import open_private

log = logging.getLogger(__name__)

# Fixed member timestamps: the plaintext ZIP directory should not reveal when work was done.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_PROGRESS_STEP = 1024 * 1024

ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class BlobSource:
    """One attachment to export sealed to the bundle's recipients; `open()` returns a
    PLAINTEXT binary stream of it (format 1's only way; still read and tested)."""

    sha256: str
    size: int
    mime: str
    open: Callable[[], BinaryIO]


@dataclass(frozen=True)
class StoredBlobSource:
    """One attachment to export as stored: `open()` returns its CIPHERTEXT (an age file
    encrypted to a team attachment key), copied byte for byte and listed by its hash.

    `sha256`/`size`/`mime` describe the plaintext (records refer to it); `stored_size` is
    the ciphertext's size on disk.
    """

    sha256: str
    size: int
    mime: str
    stored_size: int
    open: Callable[[], BinaryIO]


AnyBlob = BlobSource | StoredBlobSource


class _Reporter:
    """Throttled progress in plaintext bytes, plus the cancel check."""

    def __init__(self, progress: ProgressFn | None, cancel: threading.Event | None):
        self.progress, self.cancel = progress, cancel
        self.done = self.total = self._last = 0
        self.total_known = False  # no reports until the revisions are written

    def check(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled("Export cancelled; no bundle was written.")

    def add(self, n: int, *, force: bool = False) -> None:
        self.done += n
        if self.progress is None or not self.total_known:
            return
        if force or self.done - self._last >= _PROGRESS_STEP:
            self._last = self.done
            self.progress(self.done, self.total)


class _Source:
    """File-like reader fed to `pyrage.encrypt_io`; hashes and counts as it goes.

    pyrage wraps exceptions raised inside `read()` in its own EncryptError, so the real
    error is kept in `self.error` and re-raised by the caller.
    """

    def __init__(self, reporter: _Reporter, limit: int):
        self.reporter, self.limit = reporter, limit
        self.sha = hashlib.sha256()
        self.size = 0
        self.error: BaseException | None = None

    def _next(self, n: int) -> bytes:
        raise NotImplementedError

    def read(self, n: int = -1) -> bytes:
        try:
            self.reporter.check()
            data = self._next(n if n and n > 0 else 65536)
            self.size += len(data)
            if self.size > self.limit:
                raise self._too_big()
            self.sha.update(data)
            self.reporter.add(len(data))
            return data
        except BaseException as exc:
            self.error = exc
            raise

    def _too_big(self) -> BaseException:
        return BundleError("The export is larger than a bundle may be. Split the export.")


class _BlobReader(_Source):
    def __init__(self, stream: BinaryIO, declared: int, reporter: _Reporter):
        # Stop one byte past the declared size: enough to prove a mismatch.
        super().__init__(reporter, declared)
        self.stream = stream

    def _next(self, n: int) -> bytes:
        return self.stream.read(min(n, self.limit + 1 - self.size))

    def _too_big(self) -> BaseException:
        return _blob_changed()


class _LinesReader(_Source):
    """Turns an iterable of revision lines into a byte stream, one `\\n` per line."""

    def __init__(self, lines: Iterable[bytes], reporter: _Reporter, limits: BundleLimits):
        super().__init__(reporter, limits.max_member_bytes)
        self.lines: Iterator[bytes] = iter(lines)
        self.max_line = limits.max_revision_line_bytes
        self.count = 0
        self.buf = bytearray()

    def _next(self, n: int) -> bytes:
        while len(self.buf) < n:
            line = next(self.lines, None)
            if line is None:
                break
            if not isinstance(line, bytes | bytearray | memoryview):
                raise TypeError("revision lines must be bytes")
            line = bytes(line)
            if line.endswith(b"\n"):
                line = line[:-1]
            if not line or b"\n" in line or len(line) > self.max_line:
                raise ValueError("a revision line is empty, too long or holds a newline")
            self.buf += line
            self.buf += b"\n"
            self.count += 1
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out


def _blob_changed() -> BundleError:
    return BundleError(
        "An attachment changed or is damaged on this computer, so it could not be exported. "
        "Check the inspection's documents, then export again."
    )


def _unreadable() -> BundleError:
    return BundleError(
        "An attachment could not be read on this computer, so it could not be exported. "
        "Check the inspection's documents, then export again."
    )


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o600 << 16
    return info


def _encrypt_member(zf: zipfile.ZipFile, name: str, source: _Source, recipients: list[Any]) -> None:
    with zf.open(_zip_info(name), "w", force_zip64=True) as dst:
        try:
            pyrage.encrypt_io(source, dst, recipients)
        except Exception as exc:
            if isinstance(source.error, OSError):
                raise _unreadable() from source.error
            if source.error is not None:
                raise source.error from None
            if isinstance(exc, OSError):  # writing the bundle itself failed (disk full...)
                raise
            raise BundleError("The bundle could not be encrypted. Try the export again.") from exc
    if source.error is not None:  # an exception pyrage swallowed
        raise source.error if not isinstance(source.error, OSError) else _unreadable()


def _parse_recipients(recipients: list[str]) -> list[Any]:
    parsed: dict[str, Any] = {}
    for text in recipients:
        try:
            rec = pyrage.x25519.Recipient.from_str(text.strip())
        except (pyrage.RecipientError, AttributeError, TypeError, ValueError):
            raise ValidationError(
                "A team member's encryption key is not valid. Check the team roster."
            ) from None
        parsed.setdefault(str(rec), rec)
    if not parsed:
        raise ValueError("at least one recipient is required")
    return list(parsed.values())


def _copy_member(zf: zipfile.ZipFile, name: str, source: _Source) -> None:
    """Copy a stored (already encrypted) attachment into the bundle, hashing as it goes."""
    with zf.open(_zip_info(name), "w", force_zip64=True) as dst:
        try:
            while data := source.read(CHUNK):
                dst.write(data)
        except OSError:
            if isinstance(source.error, OSError):  # reading the stored copy failed
                raise _unreadable() from None
            raise


CHUNK = 1 << 20


def _check_blobs(blobs: list[AnyBlob], limits: BundleLimits) -> None:
    if len(blobs) > min(MAX_BLOBS, limits.max_members - 3):
        raise BundleError("Too many attachments for one bundle. Split the export.")
    seen: set[str] = set()
    total = 0
    for blob in blobs:
        if not SHA256_HEX_RE.fullmatch(blob.sha256) or blob.sha256 in seen:
            raise ValueError("blob sha256 must be unique lowercase hex")
        if not isinstance(blob.size, int) or blob.size < 0:
            raise ValueError("blob size must be a non-negative int")
        if _member_size(blob) > limits.max_member_bytes:
            raise BundleError("An attachment is larger than a bundle may hold.")
        seen.add(blob.sha256)
        total += _member_size(blob)
    if total > limits.max_total_bytes:
        raise BundleError("The export is larger than a bundle may be. Split the export.")


def _member_size(blob: AnyBlob) -> int:
    return blob.stored_size if isinstance(blob, StoredBlobSource) else blob.size


def write_bundle(
    out_path: Path,
    *,
    manifest_fields: dict[str, Any],
    revision_lines: Iterable[bytes],
    blobs: Iterable[AnyBlob],
    recipients: list[str],
    signing_key: Ed25519PrivateKey,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
    limits: BundleLimits = DEFAULT_LIMITS,
    format_version: int = FORMAT_VERSION,
) -> dict[str, Any]:
    """Write a signed, encrypted bundle atomically and return its manifest.

    `format_version=1` (sealed attachments only, no attachment keys) exists for tests that
    prove older bundles still import.

    Writes `<out_path>.part` then renames it; on cancel or error the `.part` is removed and
    Cancelled / BundleError (or ValueError for a caller bug) is raised. `progress(done,
    total)` counts plaintext bytes; the total is known once the revisions are written.
    """
    out_path = Path(out_path)
    part = out_path.with_name(out_path.name + ".part")
    reporter = _Reporter(progress, cancel)
    reporter.check()
    age_recipients = _parse_recipients(recipients)
    blob_list = list(blobs)
    _check_blobs(blob_list, limits)
    try:
        with open_private(part, "wb") as fh:
            with zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
                manifest = _write_members(
                    zf,
                    manifest_fields,
                    revision_lines,
                    blob_list,
                    age_recipients,
                    signing_key,
                    reporter,
                    limits,
                    format_version,
                )
            fh.flush()
            os.fsync(fh.fileno())
        reporter.check()
        os.replace(part, out_path)
    except OSError as exc:
        _remove(part)
        raise BundleError(
            "The bundle could not be saved. Check there is free space and that the folder "
            "can be written to, then try again."
        ) from exc
    except BaseException:
        _remove(part)
        raise
    reporter.add(0, force=True)
    return manifest


def _write_members(
    zf: zipfile.ZipFile,
    fields: dict[str, Any],
    revision_lines: Iterable[bytes],
    blobs: list[AnyBlob],
    recipients: list[Any],
    signing_key: Ed25519PrivateKey,
    reporter: _Reporter,
    limits: BundleLimits,
    format_version: int,
) -> dict[str, Any]:
    # Fail fast on bad caller fields, before any expensive encryption.
    created_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    signer = format_signer(public_key_bytes(signing_key))
    empty = {"count": 0, "sha256": hashlib.sha256().hexdigest(), "size": 0}
    if format_version == 1 and any(isinstance(b, StoredBlobSource) for b in blobs):
        raise ValueError("format 1 bundles hold sealed attachments only")
    build_manifest(fields, signer=signer, revisions=empty, blobs=[], created_at=created_at,
                   format_version=format_version)

    zf.writestr(_zip_info(BUNDLE_JSON), bundle_json_bytes(format_version))
    lines = _LinesReader(revision_lines, reporter, limits)
    _encrypt_member(zf, REVISIONS_MEMBER, lines, recipients)
    revisions = {"count": lines.count, "sha256": lines.sha.hexdigest(), "size": lines.size}
    reporter.total = lines.size + sum(_member_size(b) for b in blobs)
    reporter.total_known = True
    reporter.add(0, force=True)

    entries: list[dict[str, Any]] = []
    for index, blob in enumerate(blobs, start=1):
        member = blob_member_name(index)
        try:
            opened = blob.open()
        except OSError:
            raise _unreadable() from None
        stored: dict[str, Any] | None = None
        with opened as stream:
            source = _BlobReader(stream, _member_size(blob), reporter)
            if isinstance(blob, StoredBlobSource):
                _copy_member(zf, member, source)
                if source.size != blob.stored_size:
                    raise _blob_changed()
                stored = {"sha256": source.sha.hexdigest(), "size": source.size}
            else:
                _encrypt_member(zf, member, source, recipients)
                if source.size != blob.size or source.sha.hexdigest() != blob.sha256:
                    log.warning("blob %s differs from its declared hash or size",
                                blob.sha256[:12])
                    raise _blob_changed()
        entries.append({"member": member, "sha256": blob.sha256, "size": blob.size,
                        "mime": blob.mime, "stored": stored})
    reporter.check()

    manifest = build_manifest(
        fields,
        signer=signer,
        revisions=revisions,
        blobs=entries,
        created_at=created_at,
        limits=limits,
        format_version=format_version,
    )
    envelope = sign_envelope(serialise_manifest(manifest), signing_key)
    sealed = pyrage.encrypt(envelope, recipients)
    if len(sealed) > limits.max_manifest_bytes:
        raise BundleError("Too many attachments for one bundle. Split the export.")
    # Last member: the manifest can only list hashes once everything else is written.
    zf.writestr(_zip_info(MANIFEST_MEMBER), sealed)
    return manifest


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        log.warning("could not remove a partial bundle file")

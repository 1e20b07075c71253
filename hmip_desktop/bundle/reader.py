"""Read a sync bundle safely: validate the container, then decrypt and verify as it streams.

Threading rule: a BundleReader does blocking file and CPU work; use it from one worker
thread at a time, never the GUI thread. It never extracts anything by member name and never
writes plaintext to disk. It does not decide trust: call `verify_signer` with the roster.
Data streamed out of `iter_revision_lines`, `open_blob` or `copy_blob_to` is only verified
once the stream has been read to its end; commit nothing before that.
"""

from __future__ import annotations

import os
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

import pyrage

from hmip_desktop.bundle import stored_copy
from hmip_desktop.bundle.format import (
    BUNDLE_JSON,
    DEFAULT_LIMITS,
    FIXED_MEMBERS,
    MANIFEST_MEMBER,
    MEMBER_NAME_RE,
    NOT_A_BUNDLE,
    NOT_FOR_YOU,
    REVISIONS_MEMBER,
    UNTRUSTED_SIGNER,
    BundleLimits,
    damaged,
    open_envelope,
    parse_bundle_json,
)
from hmip_desktop.bundle.stream import BlobStream, CopyWriter, DecryptPipe, Verifier
from hmip_desktop.domain.errors import (
    BundleError,
    Cancelled,
    HmipError,
    KeyUnavailableError,
    NewerVersionError,
)

_LOCAL_HEADER_MIN = 30  # fixed part of a ZIP local file header
_NO_MATCHING_KEY = "No matching keys found"  # pyrage's message when we are not a recipient


def _parse_identities(identities: list[str]) -> list[Any]:
    if not identities:
        raise ValueError("at least one identity is required")
    try:
        return [pyrage.x25519.Identity.from_str(text.strip()) for text in identities]
    except (pyrage.IdentityError, AttributeError, TypeError, ValueError):
        raise KeyUnavailableError(
            "This device's decryption key could not be read. Restore it from your backup."
        ) from None


class BundleReader:
    """An open bundle whose container, manifest and signature have been checked."""

    def __init__(
        self,
        path: Path | str,
        identities: list[str],
        *,
        limits: BundleLimits = DEFAULT_LIMITS,
        max_schema: int | None = None,
    ):
        self.path, self.limits = Path(path), limits
        self._identities = _parse_identities(identities)
        self._fh: BinaryIO | None = None
        self._zf: zipfile.ZipFile | None = None
        try:
            self._open(max_schema)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> BundleReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the underlying file."""
        if self._zf is not None:
            self._zf.close()
            self._zf = None
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    # --- opening: container first, then the manifest ----------------------------------

    def _open(self, max_schema: int | None) -> None:
        try:
            self._fh = open(self.path, "rb")  # noqa: SIM115 - closed by close()
            self.file_size = os.fstat(self._fh.fileno()).st_size
            looks_like_zip = self._fh.read(4) == b"PK\x03\x04"
            self._fh.seek(0)
        except OSError:
            raise BundleError(
                "The bundle file could not be read. Check that it still exists, then try again."
            ) from None
        try:
            self._zf = zipfile.ZipFile(self._fh)
        except Exception:  # BadZipFile, struct.error, ValueError... all mean unreadable
            if not looks_like_zip:
                raise BundleError(NOT_A_BUNDLE) from None
            raise damaged("the file is incomplete or not a valid ZIP") from None
        try:
            self._check_header()
            self._check_members()
            self._open_manifest(max_schema)
        except HmipError:
            raise
        except Exception:  # zipfile's own errors on hostile input: never shown raw
            raise damaged("unreadable ZIP structure") from None

    def _zip(self) -> zipfile.ZipFile:
        if self._zf is None:
            raise ValueError("the bundle is closed")
        return self._zf

    def _check_header(self) -> None:
        # bundle.json is read before anything else so that a newer format is reported as
        # "update the app" rather than as unexpected member names.
        infos = self._zip().infolist()
        if len(infos) > self.limits.max_members:
            raise damaged("too many members")
        headers = [i for i in infos if i.orig_filename == BUNDLE_JSON]
        if not headers:
            raise BundleError(NOT_A_BUNDLE)
        if len(headers) > 1:
            raise damaged("a member name is repeated")
        info = headers[0]
        self._check_member_flags(info, self.limits.max_bundle_json_bytes)
        self.format = parse_bundle_json(self._zip().read(info))

    def _check_member_flags(self, info: zipfile.ZipInfo, cap: int) -> None:
        if info.flag_bits & 0x1:
            raise damaged("a member uses ZIP encryption")
        if info.compress_type != zipfile.ZIP_STORED:
            raise damaged("a member is compressed")  # also rules out compression bombs
        if info.file_size != info.compress_size or info.file_size > cap:
            raise damaged("a member is larger than allowed")
        if info.header_offset + info.compress_size > self.file_size:
            raise damaged("a member runs past the end of the file")

    def _check_members(self) -> None:
        limits, infos = self.limits, self._zip().infolist()
        caps = {
            BUNDLE_JSON: limits.max_bundle_json_bytes,
            MANIFEST_MEMBER: limits.max_manifest_bytes,
        }
        seen: set[str] = set()
        total = 0
        for info in infos:
            name = info.orig_filename
            # orig_filename is the raw name; filename has had NULs cut and `\` turned to `/`.
            if name != info.filename or not MEMBER_NAME_RE.fullmatch(name):
                raise damaged("unexpected member name")
            if name in seen:
                raise damaged("a member name is repeated")
            seen.add(name)
            self._check_member_flags(info, caps.get(name, limits.max_member_bytes))
            total += info.compress_size
        if total > limits.max_total_bytes or total > self.file_size:
            raise damaged("members larger than allowed")
        if not {MANIFEST_MEMBER, REVISIONS_MEMBER} <= seen:
            raise damaged("a required member is missing")
        # Overlapping members would let one stretch of the file count twice.
        ordered = sorted(infos, key=lambda i: i.header_offset)
        ends = getattr(self._zf, "start_dir", self.file_size)
        starts = [*(i.header_offset for i in ordered[1:]), ends]
        for info, next_start in zip(ordered, starts, strict=True):
            # A lower bound on the member's end: local header, name, then its data.
            end = info.header_offset + _LOCAL_HEADER_MIN + len(info.orig_filename)
            if end + info.compress_size > next_start:
                raise damaged("members overlap")
        self.members = frozenset(seen)

    def _open_manifest(self, max_schema: int | None) -> None:
        sealed = self._zip().read(MANIFEST_MEMBER)
        try:
            envelope = pyrage.decrypt(sealed, self._identities)
        except Exception as exc:
            if _NO_MATCHING_KEY in str(exc):
                raise BundleError(NOT_FOR_YOU) from None
            raise damaged("the manifest could not be decrypted") from None
        opened = open_envelope(envelope, self.limits)
        if opened.manifest["format"] != self.format:
            raise damaged("format numbers disagree")
        self.manifest: dict[str, Any] = opened.manifest
        self.manifest_bytes, self.signer = opened.manifest_bytes, opened.signer
        self.signer_public_key: bytes = opened.signer_public_key
        if max_schema is not None and self.manifest["schema"] > max_schema:
            raise NewerVersionError(
                "This bundle holds data from a newer version of the app. Update the app, "
                "then import it again."
            )
        declared = {b["member"] for b in self.manifest["blobs"]}
        present = self.members - FIXED_MEMBERS
        if present - declared:
            raise damaged("it holds an undeclared member")
        if declared - present:
            raise damaged("a declared attachment is missing")
        self._blobs = {b["member"]: b for b in self.manifest["blobs"]}
        self._by_sha = {b["sha256"]: b["member"] for b in self.manifest["blobs"]}
        sizes = [
            (REVISIONS_MEMBER, self.manifest["revisions"]["size"]),
            *((b["member"], b["size"]) for b in self.manifest["blobs"] if not b.get("stored")),
        ]
        for member, size in sizes:
            if size > self._zip().getinfo(member).file_size:  # age only ever adds bytes
                raise damaged("a member is shorter than declared")
        for b in self.manifest["blobs"]:
            # A member copied as stored is exactly the listed ciphertext.
            if b.get("stored") and b["stored"]["size"] != self._zip().getinfo(
                    b["member"]).file_size:
                raise damaged("a member's size differs from its listing")

    # --- trust ---------------------------------------------------------------------------

    def verify_signer(self, trusted: Callable[[bytes, dict[str, Any]], bool]) -> None:
        """Raise BundleError unless `trusted(raw_public_key, manifest)` accepts the signer."""
        if not trusted(self.signer_public_key, self.manifest):
            raise BundleError(UNTRUSTED_SIGNER)

    # --- streaming members ---------------------------------------------------------------

    def iter_revision_lines(self) -> Iterator[bytes]:
        """Yield each revision line (no newline); count and hash are checked at the end."""
        declared = self.manifest["revisions"]
        verifier = Verifier(declared, "the revision list")
        max_line = self.limits.max_revision_line_bytes
        pending, scan, count = bytearray(), 0, 0
        pipe = DecryptPipe(self._zip(), REVISIONS_MEMBER, self._identities, "the revision list",
                           verifier)  # hashed on the pipe's thread, each chunk before it
        try:
            for chunk in pipe:
                pending += chunk
                while (cut := pending.find(b"\n", scan)) >= 0:
                    line = bytes(pending[:cut])
                    del pending[: cut + 1]
                    scan, count = 0, count + 1
                    if count > declared["count"]:
                        raise damaged("the revision list has more lines than declared")
                    yield line
                scan = len(pending)
                if scan > max_line:
                    raise damaged("a revision line is longer than allowed")
        finally:
            pipe.close()
        verifier.finish()
        if pending or count != declared["count"]:
            raise damaged("the revision list does not match its count")

    def blob_entry(self, member: str) -> dict[str, Any]:
        """The manifest entry of a blob member; BundleError if it is not declared."""
        entry = self._blobs.get(member)
        if entry is None:
            raise BundleError("That attachment is not part of this bundle.")
        return entry

    def member_for(self, sha256: str) -> str | None:
        """The member holding the blob with this plaintext SHA-256, if included."""
        return self._by_sha.get(sha256)

    def is_stored(self, member: str) -> bool:
        """True when the member is an attachment copied as stored (format 2)."""
        return bool(self.blob_entry(member).get("stored"))

    def attachment_identities(self) -> list[str]:
        """The team attachment keys this bundle carries (format 2; empty for format 1)."""
        return list(self.manifest.get("attachment_keys") or [])

    def _member_identities(self, member: str) -> list[Any]:
        if not self.is_stored(member):
            return self._identities
        try:
            return [pyrage.x25519.Identity.from_str(k) for k in self.attachment_identities()]
        except (pyrage.IdentityError, ValueError):
            raise damaged("an attachment key is malformed") from None

    def open_blob(self, member: str) -> BlobStream:
        """A readable plaintext stream of one blob; verified when read to its end."""
        entry = self.blob_entry(member)
        pipe = DecryptPipe(self._zip(), member, self._member_identities(member), "an attachment")
        return BlobStream(pipe, Verifier(entry, "an attachment"))

    def copy_stored_to(
        self, member: str, dest: BinaryIO | None, *, cancel: threading.Event | None = None,
        chunk: int = 1 << 20, buffer: bytearray | None = None,
    ) -> int:
        """Copy a stored attachment's ciphertext into `dest` as it is, verifying its listed
        size and SHA-256 (no decryption); returns the size. BundleError when it differs.

        `buffer`, when given, is the memory each chunk is read into (its size is the chunk
        size): a caller copying many members passes one, so none is allocated per chunk."""
        stored = self.blob_entry(member).get("stored")
        if not stored:
            raise ValueError("not a stored attachment")
        verifier = Verifier(stored, "an attachment", cancel)
        info = self._zip().getinfo(member)
        if self._fh is not None and stored_copy.supported(info):
            stored_copy.copy_member(self._fh.fileno(), info, dest, verifier,
                                    buffer if buffer is not None else bytearray(chunk))
            verifier.finish()
            return verifier.size
        try:
            with self._zip().open(member) as src:
                while data := src.read(chunk):
                    verifier.update(data)
                    if dest is not None:
                        dest.write(data)
        except zipfile.BadZipFile:  # the container's own checksum caught it first
            raise damaged("an attachment does not match its checksum") from None
        verifier.finish()
        return verifier.size

    def copy_blob_to(
        self, member: str, dest: BinaryIO | None, *, cancel: threading.Event | None = None
    ) -> int:
        """Decrypt one blob into `dest` while verifying size and SHA-256; returns the size."""
        verifier = Verifier(self.blob_entry(member), "an attachment", cancel)
        writer = CopyWriter(verifier, dest)
        identities = self._member_identities(member)
        try:
            with self._zip().open(member) as src:
                pyrage.decrypt_io(src, writer, identities)
        except HmipError:
            raise
        except Exception as exc:
            if exc is writer.dest_error:
                raise
            # pyrage reports tampering or truncation as DecryptError or a bare OSError.
            raise damaged("an attachment could not be decrypted") from None
        verifier.finish()
        return verifier.size

    def verify_all(self, *, cancel: threading.Event | None = None) -> None:
        """Decrypt and verify every member without keeping any plaintext."""
        for _line in self.iter_revision_lines():
            if cancel is not None and cancel.is_set():
                raise Cancelled("Import cancelled; nothing was changed.")
        for member in self._blobs:
            if self.is_stored(member):
                self.copy_stored_to(member, None, cancel=cancel)
            else:
                self.copy_blob_to(member, None, cancel=cancel)

    def summary(self) -> dict[str, Any]:
        """Who, when, which inspection, and how much: read from the manifest only."""
        m = self.manifest
        return {
            "bundle_id": m["bundle_id"],
            "inspection_id": m["inspection_id"],
            "author": dict(m["author"]),
            "device_id": m["device_id"],
            "signer": m["signer"],
            "signer_fingerprint": m["signer_fingerprint"],
            "created_at": m["created_at"],
            "hlc_min": m["hlc_min"],
            "hlc_max": m["hlc_max"],
            "format": m["format"],
            "schema": m["schema"],
            "app": m["app"],
            "full_state": m["full_state"],
            "revision_count": m["revisions"]["count"],
            "blob_count": len(m["blobs"]),
            "blob_bytes": sum(b["size"] for b in m["blobs"]),
            "missing_blob_count": len(m["missing_blobs"]),
            "file_size": self.file_size,
            "extra": dict(m["extra"]),
        }


def inspect_bundle(path: Path | str, identities: list[str]) -> dict[str, Any]:
    """Summarise a bundle (who, when, what, how big) without importing or verifying trust."""
    with BundleReader(path, identities) as reader:
        return reader.summary()

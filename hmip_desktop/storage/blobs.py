"""Encrypted, content-addressed attachment store beside the inspection file.

Attachments live in `NAME.hmip.blobs/`, each an age file encrypted to the team's current
attachment key (an X25519 identity whose secret lives inside the encrypted database and
travels only inside bundles encrypted to the team) and to the organisation's recovery
recipient when set. Because every member holds the team keys, an attachment travels in a
bundle exactly as stored: copied and checked against its ciphertext hash, never decrypted
and re-encrypted on the way. File names are an HMAC of the content hash, so a
name reveals nothing about content; the hash itself is kept only inside the encrypted
database. Plaintext is streamed and never written to disk, temporary files included.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import pyrage

from hmip_desktop.domain.errors import Cancelled, HmipError
from hmip_desktop.private_files import open_private, private_dir
from hmip_desktop.storage.uncached_write import UncachedWriter

CHUNK = 1 << 20
BLOB_DIR_SUFFIX = ".blobs"


class _HashingReader(io.RawIOBase):
    """Wraps a plaintext stream: counts and hashes what age reads, honours cancellation."""

    def __init__(self, inner: BinaryIO, cancel: threading.Event | None,
                 progress: Callable[[int], None] | None) -> None:
        self._inner, self._cancel, self._progress = inner, cancel, progress
        self.sha = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        if self._cancel is not None and self._cancel.is_set():
            raise Cancelled()
        data = self._inner.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.sha.update(data)
        self.size += n
        if self._progress:
            self._progress(n)
        return n


def blob_dir_for(file_path: Path) -> Path:
    """The attachment folder of an inspection file."""
    return file_path.with_name(file_path.name + BLOB_DIR_SUFFIX)


class BlobStore:
    """Reads and writes encrypted blobs; knows nothing of the database."""

    def __init__(self, root: Path, identity: str, name_key: bytes,
                 extra_recipients: list[str] | None = None,
                 known_identities: list[str] | None = None) -> None:
        self.root = root
        self._extra = [pyrage.x25519.Recipient.from_str(r) for r in (extra_recipients or [])]
        self._name_key = name_key
        self.set_keys(identity, known_identities or [])
        # Files that running operations of this process stored or found here and mean to
        # commit a row for, with how many hold each: an extract import and a merge may both
        # rely on one file (the same spreadsheet), and the one that fails must not remove
        # it from under the other (`remove_unless`).
        self._holds: dict[str, int] = {}
        self._holds_lock = threading.Lock()

    def set_keys(self, current: str, known: list[str]) -> None:
        """Encrypt new attachments to `current`; decrypt with any known key."""
        self._identity = pyrage.x25519.Identity.from_str(current)
        self._recipients = [self._identity.to_public(), *self._extra]
        others = [pyrage.x25519.Identity.from_str(k) for k in known if k != current]
        self._identities = [self._identity, *others]

    @property
    def current_recipient(self) -> str:
        """The public half of the key new attachments are encrypted to."""
        return str(self._identity.to_public())

    def stored_name(self, sha256: str) -> str:
        """Opaque file name for a content hash."""
        return hmac.new(self._name_key, sha256.encode(), hashlib.sha256).hexdigest()[:40] + ".age"

    def path_of(self, sha256: str) -> Path:
        """Where the encrypted copy of a blob lives."""
        return self.root / self.stored_name(sha256)

    def has(self, sha256: str) -> bool:
        """True when the encrypted copy exists on disk."""
        return self.path_of(sha256).exists()

    def put_stream(self, stream: BinaryIO, *, expected_sha256: str | None = None,
                   cancel: threading.Event | None = None,
                   progress: Callable[[int], None] | None = None,
                   hold: bool = False) -> tuple[str, int]:
        """Encrypt a plaintext stream into the store; returns (sha256, size). Deduplicates.
        With `hold`, the file is held (see `release`) from the moment it is in place."""
        private_dir(self.root)
        # The name depends on the hash, known only at the end: write to an opaque temporary
        # name (random, in the store folder) holding ciphertext only, then rename.
        tmp = self.root / (os.urandom(12).hex() + ".part")
        reader = _HashingReader(stream, cancel, progress)
        try:
            with open_private(tmp, "wb") as out:
                pyrage.encrypt_io(io.BufferedReader(reader, CHUNK), out, self._recipients)
                out.flush()
                os.fsync(out.fileno())
            sha = reader.sha.hexdigest()
            if expected_sha256 is not None and sha != expected_sha256:
                raise HmipError("attachment content does not match its declared hash")
            final = self.path_of(sha)
            with self._holds_lock:  # no removal between finding the file and holding it
                if final.exists():
                    tmp.unlink()
                else:
                    os.replace(tmp, final)
                if hold:
                    self._holds[sha] = self._holds.get(sha, 0) + 1
            return sha, reader.size
        except BaseException:
            tmp.unlink(missing_ok=True)
            if cancel is not None and cancel.is_set():
                # pyrage wraps exceptions raised by our reader in its own EncryptError
                raise Cancelled() from None
            raise

    def hold_if_present(self, sha256: str) -> bool:
        """Hold the file if it is stored (a merge that need not copy it); False if not."""
        with self._holds_lock:
            if not self.has(sha256):
                return False
            self._holds[sha256] = self._holds.get(sha256, 0) + 1
            return True

    def release(self, sha256: str) -> None:
        """Stop holding a file (its row is committed, or the operation failed)."""
        with self._holds_lock:
            left = self._holds.pop(sha256, 0) - 1
            if left > 0:
                self._holds[sha256] = left

    def remove_unless(self, sha256: str, wanted: Callable[[], bool]) -> bool:
        """Remove a file a failed operation made, unless another operation holds it or
        `wanted()` (a committed row refers to it); True when removed."""
        with self._holds_lock:
            if self._holds.get(sha256) or wanted():
                return False
            self.path_of(sha256).unlink(missing_ok=True)
            return True

    def put_stored(self, sha256: str, write: Callable[[BinaryIO], int]) -> int:
        """Store an attachment that arrives already encrypted (a bundle's stored copy).

        `write(out)` copies the ciphertext into `out`, verifying it against the bundle's
        signed listing, and returns its size; the file is renamed into place only after
        that. Returns the size (0 when the attachment was already held).
        """
        private_dir(self.root)
        final = self.path_of(sha256)
        if final.exists():
            return 0
        tmp = self.root / (os.urandom(12).hex() + ".part")
        try:
            with open_private(tmp, "wb", buffering=0) as raw:
                # Past the page cache where it can (storage/uncached_write.py).
                size = write(UncachedWriter(raw.fileno()))  # type: ignore[arg-type]
                os.fsync(raw.fileno())
            os.replace(tmp, final)
            return size
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def stored_size(self, sha256: str) -> int:
        """The size of the encrypted copy on disk."""
        return self.path_of(sha256).stat().st_size

    def open_stored(self, sha256: str) -> BinaryIO:
        """The encrypted copy as stored (for a bundle: it travels as it is)."""
        return open(self.path_of(sha256), "rb")  # noqa: SIM115 - the caller closes it

    def put_file(self, path: Path, **kwargs) -> tuple[str, int]:  # type: ignore[no-untyped-def]
        """Encrypt a file from disk into the store."""
        with open(path, "rb") as f:
            return self.put_stream(f, **kwargs)

    def put_bytes(self, data: bytes) -> tuple[str, int]:
        """Encrypt bytes into the store."""
        return self.put_stream(io.BytesIO(data))

    def read_bytes(self, sha256: str) -> bytes:
        """Decrypt a whole blob into memory (previews and small files only).

        Attachments arrive from bundles checked against their ciphertext hash only, so the
        plaintext is checked here, where it is first read.
        """
        out = io.BytesIO()
        with open(self.path_of(sha256), "rb") as f:
            pyrage.decrypt_io(f, out, self._identities)
        data = out.getvalue()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise HmipError("An attachment is damaged: its content does not match its "
                            "record. Import the sender's bundle again, or ask them to "
                            "export with all attachments.")
        return data

    @contextmanager
    def open_plaintext(self, sha256: str) -> Iterator[BinaryIO]:
        """A readable plaintext stream with flat memory: age decrypts into a pipe in a thread."""
        read_fd, write_fd = os.pipe()
        errors: list[BaseException] = []

        def pump() -> None:
            try:
                with open(self.path_of(sha256), "rb") as src, open(write_fd, "wb") as sink:
                    pyrage.decrypt_io(src, sink, self._identities)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the reader thread
                errors.append(exc)

        worker = threading.Thread(target=pump, name="blob-decrypt", daemon=True)
        worker.start()
        reader = open(read_fd, "rb")
        try:
            yield reader
        finally:
            reader.close()  # a writer still pumping gets EPIPE and stops
            worker.join()
        if errors and not isinstance(errors[0], (BrokenPipeError, OSError)):
            raise HmipError("an attachment could not be decrypted") from None

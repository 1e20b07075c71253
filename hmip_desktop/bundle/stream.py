"""Streaming plumbing for reading bundles: a decrypt thread, a verifier and a blob stream.

pyrage only pushes plaintext into a writer; these helpers turn that into pull-style chunks
with flat memory, and check every byte against the sizes and hashes in the manifest.
"""

from __future__ import annotations

import hashlib
import io
import queue
import threading
import zipfile
from collections.abc import Iterator
from typing import Any, BinaryIO

import pyrage

from hmip_desktop.bundle.format import damaged
from hmip_desktop.domain.errors import BundleError, Cancelled

_CHUNK = 256 * 1024  # hand-off size between the decrypt thread and the consumer


class _Aborted(Exception):
    """Internal: the consumer closed the stream, so the decrypt thread stops."""


def _put(q: queue.Queue[Any], abort: threading.Event, item: object) -> None:
    while True:
        if abort.is_set():
            raise _Aborted
        try:
            q.put(item, timeout=0.05)
            return
        except queue.Full:
            continue


class _QueueWriter:
    """File-like sink for `pyrage.decrypt_io` that hands chunks to the consumer thread."""

    def __init__(self, q: queue.Queue[Any], abort: threading.Event,
                 verifier: Verifier | None = None):
        self.q, self.abort, self.buf, self.verifier = q, abort, bytearray(), verifier

    def write(self, data: bytes) -> int:
        self.buf += data
        if len(self.buf) >= _CHUNK:
            self.flush_chunk()
        return len(data)

    def flush_chunk(self) -> None:
        if self.buf:
            chunk = bytes(self.buf)
            self.buf.clear()
            if self.verifier is not None:
                self.verifier.update(chunk)  # its BundleError reaches the consumer as is
            _put(self.q, self.abort, chunk)


class DecryptPipe:
    """Decrypts one member on a helper thread into a small bounded queue (flat memory).

    pyrage only pushes plaintext into a writer, so a helper thread turns that into chunks
    the caller can pull; closing the pipe stops the thread at its next write.
    """

    _END = object()

    def __init__(self, zf: zipfile.ZipFile, member: str, identities: list[Any], what: str,
                 verifier: Verifier | None = None):
        self.zf, self.member, self.identities, self.what = zf, member, identities, what
        # Hashing here, not in the consumer: a consumer running Python (the importer) would
        # give up the GIL for each hashed chunk and wait to take it back from the other
        # threads of a merge. The consumer still calls `finish()` once the pipe has ended.
        self.verifier = verifier
        self.q: queue.Queue[Any] = queue.Queue(maxsize=4)
        self.abort = threading.Event()
        self.thread = threading.Thread(target=self._run, name="bundle-decrypt", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        writer = _QueueWriter(self.q, self.abort, self.verifier)
        item: object = self._END
        try:
            with self.zf.open(self.member) as src:
                pyrage.decrypt_io(src, writer, self.identities)
            writer.flush_chunk()
        except _Aborted:
            return
        except BaseException as exc:  # handed to the consumer, which raises BundleError
            item = exc
        try:
            _put(self.q, self.abort, item)
        except _Aborted:
            pass

    def __iter__(self) -> Iterator[bytes]:
        while True:
            try:
                item = self.q.get(timeout=0.5)
            except queue.Empty:
                if not self.thread.is_alive() and self.q.empty():
                    raise damaged(f"{self.what} could not be decrypted") from None
                continue
            if item is self._END:
                return
            if isinstance(item, BundleError):  # the verifier's own finding
                raise item
            if isinstance(item, BaseException):
                raise damaged(f"{self.what} could not be decrypted") from item
            yield item

    def close(self) -> None:
        self.abort.set()
        while self.thread.is_alive():
            try:
                self.q.get(timeout=0.05)
            except queue.Empty:
                pass
        self.thread.join()


class Verifier:
    """Counts and hashes plaintext against the manifest; stops one byte past the size."""

    def __init__(self, entry: dict[str, Any], what: str, cancel: threading.Event | None = None):
        self.entry, self.what, self.cancel = entry, what, cancel
        self.sha, self.size = hashlib.sha256(), 0

    def update(self, data: bytes) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled("Import cancelled; nothing was changed.")
        self.size += len(data)
        if self.size > self.entry["size"]:
            raise damaged(f"{self.what} is longer than declared")
        self.sha.update(data)

    def finish(self) -> None:
        if self.size != self.entry["size"] or self.sha.hexdigest() != self.entry["sha256"]:
            raise damaged(f"{self.what} does not match its checksum")


class CopyWriter:
    """Sink for `pyrage.decrypt_io`: verifies, then passes plaintext to the destination."""

    def __init__(self, verifier: Verifier, dest: BinaryIO | None):
        self.verifier, self.dest = verifier, dest
        self.dest_error: BaseException | None = None

    def write(self, data: bytes) -> int:
        self.verifier.update(data)  # raises propagate out of decrypt_io unchanged
        if self.dest is not None:
            try:
                self.dest.write(data)
            except BaseException as exc:  # the destination's own failure, e.g. disk full
                self.dest_error = exc
                raise
        return len(data)


class BlobStream(io.RawIOBase):
    """Readable plaintext of one blob; raises BundleError at the end if it does not verify."""

    def __init__(self, pipe: DecryptPipe, verifier: Verifier):
        super().__init__()
        self._pipe, self._verifier = pipe, verifier
        self._chunks = iter(pipe)
        self._pending, self._pos, self._eof = b"", 0, False

    def readable(self) -> bool:
        """Always True."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Fill `buffer`; 0 only at a verified end."""
        view = memoryview(buffer).cast("B")
        while self._pos >= len(self._pending):
            if self._eof:
                return 0
            chunk = next(self._chunks, None)
            if chunk is None:
                self._verifier.finish()
                self._eof = True
                return 0
            self._verifier.update(chunk)
            self._pending, self._pos = chunk, 0
        n = min(len(view), len(self._pending) - self._pos)
        view[:n] = self._pending[self._pos : self._pos + n]
        self._pos += n
        return n

    def close(self) -> None:
        """Stop the decrypt thread."""
        if not self.closed:
            self._pipe.close()
        super().close()

"""Put files into the encrypted attachment store and read them back.

Order matters for "never lost, never half-written": the encrypted blob file is written and
synced first, then its row is committed; a crash between the two leaves an orphan ciphertext
(harmless, reused on the next import of the same content), never a row without content.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore



def add_file(store: InspectionStore, path: Path, mime: str, *,
             cancel: threading.Event | None = None,
             progress: Callable[[int], None] | None = None) -> tuple[str, int, bool]:
    """Encrypt a file into the store; returns (sha256, size, newly_added)."""
    store.ensure_writable()
    sha, size = store.blobs.put_file(Path(path), cancel=cancel, progress=progress)
    with store.uow(write=True) as tx:
        added = tx.blobs.add(sha, size, mime, store.blobs.stored_name(sha))
    return sha, size, added


def add_bytes(store: InspectionStore, data: bytes, mime: str) -> tuple[str, int, bool]:
    """Encrypt bytes into the store; returns (sha256, size, newly_added)."""
    sha, size = store.blobs.put_bytes(data)
    with store.uow(write=True) as tx:
        added = tx.blobs.add(sha, size, mime, store.blobs.stored_name(sha))
    return sha, size, added


def remove_unreferenced(store: InspectionStore, sha256: str) -> bool:
    """Remove an attachment file a failed operation stored or copied, unless a committed row
    refers to it or another running operation holds it (BlobStore.remove_unless)."""

    def referenced() -> bool:
        with store.uow() as tx:
            return tx.blobs.get(sha256) is not None

    return store.blobs.remove_unless(sha256, referenced)


def read_bytes(store: InspectionStore, sha256: str) -> bytes:
    """Decrypt an attachment into memory (previews)."""
    return store.blobs.read_bytes(sha256)

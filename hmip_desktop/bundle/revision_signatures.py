"""Per-revision signatures: who wrote a change, provable to every team member.

A bundle's signature proves who sent it, not who wrote each change in it: any member could
otherwise attribute a note to a colleague. Each revision is therefore signed by its author
device's Ed25519 key over its id (the SHA-256 of its whole content, device and author
included), with a context string so that a signature made for a bundle manifest or a roster
attestation can never be replayed as a revision signature. Ed25519 is deterministic: signing
the same revision again yields the same bytes, so a device signs its own revisions when it
exports them and stores only the signatures it receives.
"""

from __future__ import annotations

import base64
import binascii
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

REVISION_CONTEXT = b"hmip-revision-v1\x00"


def sign_revision(rev_id: str, key: Ed25519PrivateKey) -> str:
    """The base64 signature of a revision id."""
    return base64.b64encode(key.sign(REVISION_CONTEXT + rev_id.encode("ascii"))).decode("ascii")


# Below this many signatures a thread pool costs more than it saves.
_PARALLEL_MIN = 256
_PART = 256  # signatures per task of the pool

Job = tuple[str, str, Sequence[bytes]]  # (revision id, base64 signature, candidate keys)


class RevisionVerifier:
    """Checks revision signatures against raw public keys, parsing each key once."""

    def __init__(self) -> None:
        self._keys: dict[bytes, Ed25519PublicKey | None] = {}

    def _key(self, public_raw: bytes) -> Ed25519PublicKey | None:
        if public_raw not in self._keys:
            try:
                self._keys[public_raw] = Ed25519PublicKey.from_public_bytes(public_raw)
            except ValueError:
                self._keys[public_raw] = None
        return self._keys[public_raw]

    def verify(self, rev_id: str, signature: str, public_raw: bytes) -> bool:
        """True when `signature` is `public_raw`'s signature of `rev_id`."""
        return _verify_any(rev_id, signature, (self._key(public_raw),))

    def verify_many(self, jobs: Sequence[Job], *,
                    cancel: threading.Event | None = None) -> list[bool]:
        """For each job, True when any of its keys signed its revision id.

        A large batch is checked on several threads: cryptography releases the GIL while it
        verifies (measured on 2 CPUs: 4,000 signatures in half the time on two threads), and
        these threads run nothing else. Results come back in the jobs' order; once `cancel`
        is set the remaining jobs are answered False without being checked.
        """
        parsed = {raw: self._key(raw) for _rid, _sig, keys in jobs for raw in keys}
        workers = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                      else os.cpu_count() or 1, 4)
        stop = cancel or threading.Event()

        def run(part: Sequence[Job]) -> list[bool]:
            return [not stop.is_set() and _verify_any(rid, sig, [parsed[k] for k in keys])
                    for rid, sig, keys in part]

        if workers < 2 or len(jobs) < _PARALLEL_MIN:
            return run(jobs)
        # Small parts taken in turn, not one share per thread: a thread slowed by something
        # else on the machine no longer leaves the others idle at the end.
        parts = [jobs[i:i + _PART] for i in range(0, len(jobs), _PART)]
        with ThreadPoolExecutor(max_workers=min(workers, len(parts)),
                                thread_name_prefix="revision-verify") as pool:
            return [ok for part in pool.map(run, parts) for ok in part]


def _verify_any(rev_id: str, signature: str,
                keys: Sequence[Ed25519PublicKey | None]) -> bool:
    try:
        raw_sig = base64.b64decode(signature.encode("ascii"), validate=True)
        message = REVISION_CONTEXT + rev_id.encode("ascii")
    except (ValueError, binascii.Error, UnicodeEncodeError):
        return False
    for key in keys:
        if key is None:
            continue
        try:
            key.verify(raw_sig, message)
        except (InvalidSignature, ValueError):
            continue
        return True
    return False

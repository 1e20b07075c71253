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

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

REVISION_CONTEXT = b"hmip-revision-v1\x00"


def sign_revision(rev_id: str, key: Ed25519PrivateKey) -> str:
    """The base64 signature of a revision id."""
    return base64.b64encode(key.sign(REVISION_CONTEXT + rev_id.encode("ascii"))).decode("ascii")


class RevisionVerifier:
    """Checks revision signatures against raw public keys, parsing each key once."""

    def __init__(self) -> None:
        self._keys: dict[bytes, Ed25519PublicKey] = {}

    def verify(self, rev_id: str, signature: str, public_raw: bytes) -> bool:
        """True when `signature` is `public_raw`'s signature of `rev_id`."""
        try:
            raw_sig = base64.b64decode(signature.encode("ascii"), validate=True)
            key = self._keys.get(public_raw)
            if key is None:
                key = self._keys[public_raw] = Ed25519PublicKey.from_public_bytes(public_raw)
            key.verify(raw_sig, REVISION_CONTEXT + rev_id.encode("ascii"))
        except (InvalidSignature, ValueError, binascii.Error, UnicodeEncodeError):
            return False
        return True

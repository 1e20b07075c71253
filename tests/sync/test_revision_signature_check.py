"""Revision signatures are made with cryptography and checked with libsodium (PyNaCl, issue
11 §3): every signature the app makes must verify, and a tampered signature, another key's,
a non-canonical one or a weak key must not."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from hmip_desktop.bundle.revision_signatures import RevisionVerifier, sign_revision

# The order of the Ed25519 group: S and S + L satisfy the same equation, only S < L is valid.
_L = 2**252 + 27742317777372353535851937790883648493


def _raw(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def test_every_signature_the_app_makes_verifies() -> None:
    verifier = RevisionVerifier()
    for i in range(200):
        key = Ed25519PrivateKey.generate()
        rid = f"{i:064x}"
        assert verifier.verify(rid, sign_revision(rid, key), _raw(key))


def test_tampered_foreign_and_non_canonical_signatures_are_refused() -> None:
    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    rid = "ab" * 32
    sig = base64.b64decode(sign_revision(rid, key))
    verifier = RevisionVerifier()
    assert verifier.verify(rid, _b64(sig), _raw(key))
    for i in (0, 31, 32, 63):  # a flipped bit in R or in S
        flipped = bytearray(sig)
        flipped[i] ^= 0x01
        assert not verifier.verify(rid, _b64(bytes(flipped)), _raw(key))
    assert not verifier.verify(rid, _b64(sig), _raw(other))  # another member's key
    assert not verifier.verify("cd" * 32, _b64(sig), _raw(key))  # another revision
    s = int.from_bytes(sig[32:], "little")
    non_canonical = sig[:32] + (s + _L).to_bytes(32, "little")
    assert not verifier.verify(rid, _b64(non_canonical), _raw(key))
    for wrong in (sig[:63], sig + b"\x00", b""):  # wrong lengths
        assert not verifier.verify(rid, _b64(wrong), _raw(key))
    assert not verifier.verify(rid, "not base64!", _raw(key))
    assert not verifier.verify(rid, _b64(sig), b"short key")


def test_weak_keys_are_refused() -> None:
    # The identity point as a public key: with R = identity and S = 0 the equation holds for
    # every message; such a "signature" must never pass.
    identity = (1).to_bytes(32, "little")
    forged = _b64(identity + bytes(32))
    assert not RevisionVerifier().verify("ab" * 32, forged, identity)


def test_batch_answers_as_single_checks() -> None:
    keys = [Ed25519PrivateKey.generate() for _ in range(2)]
    jobs = []
    for i in range(600):  # above the size that uses threads
        rid = f"{i:064x}"
        sig = sign_revision(rid, keys[i % 2])
        owner = _raw(keys[i % 2]) if i % 7 else _raw(keys[(i + 1) % 2])
        jobs.append((rid, sig, (owner,)))
    results = RevisionVerifier().verify_many(jobs)
    assert results == [bool(i % 7) for i in range(600)]

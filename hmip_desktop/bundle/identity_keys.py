"""Device keys for sync bundles: an Ed25519 signing key and an age X25519 identity.

The public half (signer + recipient) goes on the team roster; its fingerprint is short
enough to read aloud when keys are exchanged in person at kick-off.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import pyrage
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from hmip_desktop.bundle.format import format_signer, parse_signer, public_key_bytes
from hmip_desktop.domain.errors import KeyUnavailableError, ValidationError

AGE_SECRET_PREFIX = "AGE-SECRET-KEY-1"
# Domain-separates the fingerprint hash from any other SHA-256 of the same keys.
FINGERPRINT_CONTEXT = b"hmip-identity-fingerprint-v1\x00"
FINGERPRINT_GROUPS = 5
FINGERPRINT_GROUP_LEN = 4

_BAD_DEVICE_KEYS = (
    "This device's sync keys could not be read. Restore them from your backup, or ask the "
    "team lead to issue new ones."
)
_BAD_SIGNER = "A team member's signing key is not valid. Check the team roster."
_BAD_RECIPIENT = "A team member's encryption key is not valid. Check the team roster."


def generate_signing_key() -> Ed25519PrivateKey:
    """A fresh Ed25519 signing key."""
    return Ed25519PrivateKey.generate()


def signing_key_to_raw(key: Ed25519PrivateKey) -> bytes:
    """The raw 32-byte private key (store it only in the keyring or a wrapped key file)."""
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def signing_key_from_raw(raw: bytes) -> Ed25519PrivateKey:
    """Rebuild a signing key from its raw 32 bytes; raises KeyUnavailableError if malformed."""
    if len(raw) != 32:
        raise KeyUnavailableError(_BAD_DEVICE_KEYS)
    return Ed25519PrivateKey.from_private_bytes(raw)


def generate_age_identity() -> str:
    """A fresh age X25519 identity, as `AGE-SECRET-KEY-1...` text."""
    return str(pyrage.x25519.Identity.generate())


def parse_age_identity(text: str) -> pyrage.x25519.Identity:
    """Parse an `AGE-SECRET-KEY-1...` identity; raises KeyUnavailableError if malformed."""
    try:
        return pyrage.x25519.Identity.from_str(text.strip())
    except (pyrage.IdentityError, AttributeError, TypeError, ValueError):
        raise KeyUnavailableError(_BAD_DEVICE_KEYS) from None


def age_recipient_for(identity: str) -> str:
    """The public `age1...` recipient of an identity."""
    return str(parse_age_identity(identity).to_public())


def parse_age_recipient(text: str) -> pyrage.x25519.Recipient:
    """Parse an `age1...` recipient; raises ValidationError if malformed."""
    try:
        return pyrage.x25519.Recipient.from_str(text.strip())
    except (pyrage.RecipientError, AttributeError, TypeError, ValueError):
        raise ValidationError(_BAD_RECIPIENT) from None


def normalise_recipient(text: str) -> str:
    """The canonical text of an `age1...` recipient (so equal keys compare equal)."""
    return str(parse_age_recipient(text))


def fingerprint(signer_public_key: bytes, age_recipient: str) -> str:
    """Read-aloud fingerprint of a public identity, e.g. `ABCD-EFGH-IJKL-MNOP-QRST`.

    SHA-256 over both public keys, first 100 bits in RFC 4648 base32 (A-Z, 2-7: no 0/O or
    1/I to confuse when read aloud).
    """
    if len(signer_public_key) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    recipient = normalise_recipient(age_recipient).encode("ascii")
    digest = hashlib.sha256(
        FINGERPRINT_CONTEXT + signer_public_key + len(recipient).to_bytes(2, "big") + recipient
    ).digest()
    text = base64.b32encode(digest).decode("ascii")[: FINGERPRINT_GROUPS * FINGERPRINT_GROUP_LEN]
    return "-".join(
        text[i : i + FINGERPRINT_GROUP_LEN] for i in range(0, len(text), FINGERPRINT_GROUP_LEN)
    )


@dataclass(frozen=True)
class PublicIdentity:
    """The public half of a device's keys, as listed on the team roster."""

    signer: str  # "ed25519:<base64>"
    recipient: str  # "age1..."

    @property
    def signer_public_key(self) -> bytes:
        """Raw 32-byte Ed25519 public key."""
        return parse_signer(self.signer)

    @property
    def fingerprint(self) -> str:
        """Read-aloud fingerprint of both public keys."""
        return fingerprint(self.signer_public_key, self.recipient)

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form."""
        return {"signer": self.signer, "recipient": self.recipient}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PublicIdentity:
        """Parse and check the JSON form; raises ValidationError if malformed."""
        try:
            signer = format_signer(parse_signer(data["signer"]))
        except (KeyError, TypeError, ValueError):
            raise ValidationError(_BAD_SIGNER) from None
        recipient = data.get("recipient")
        if not isinstance(recipient, str):
            raise ValidationError(_BAD_RECIPIENT)
        return cls(signer, normalise_recipient(recipient))


@dataclass(frozen=True)
class DeviceKeys:
    """A device's secret keys; repr never shows them."""

    signing_key: Ed25519PrivateKey = field(repr=False)
    age_identity: str = field(repr=False)

    @classmethod
    def generate(cls) -> DeviceKeys:
        """Fresh signing key and age identity."""
        return cls(generate_signing_key(), generate_age_identity())

    @property
    def public(self) -> PublicIdentity:
        """The roster entry for these keys."""
        return PublicIdentity(
            format_signer(public_key_bytes(self.signing_key)),
            age_recipient_for(self.age_identity),
        )

    def to_secret_text(self) -> str:
        """Serialise both secrets as one JSON string (for the OS keyring or a wrapped file)."""
        return json.dumps(
            {
                "v": 1,
                "ed25519": base64.b64encode(signing_key_to_raw(self.signing_key)).decode("ascii"),
                "age": self.age_identity,
            },
            sort_keys=True,
        )

    @classmethod
    def from_secret_text(cls, text: str) -> DeviceKeys:
        """Parse `to_secret_text()` output; raises KeyUnavailableError if malformed."""
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("v") != 1:
                raise ValueError("version")
            raw = base64.b64decode(str(data["ed25519"]).encode("ascii"), validate=True)
            age_identity = str(data["age"])
        except (ValueError, KeyError, TypeError, binascii.Error, UnicodeEncodeError):
            raise KeyUnavailableError(_BAD_DEVICE_KEYS) from None
        parse_age_identity(age_identity)
        return cls(signing_key_from_raw(raw), age_identity.strip())

"""Device keys: generation, serialisation, roster entries and read-aloud fingerprints."""

from __future__ import annotations

import re

import pytest

from hmip_desktop.bundle.identity_keys import (
    DeviceKeys,
    PublicIdentity,
    age_recipient_for,
    fingerprint,
    generate_age_identity,
    generate_signing_key,
    signing_key_from_raw,
    signing_key_to_raw,
)
from hmip_desktop.domain.errors import KeyUnavailableError, ValidationError


def test_secret_text_round_trip_and_repr_hides_secrets() -> None:
    """Keys survive serialisation, and repr never shows a secret."""
    keys = DeviceKeys.generate()
    text = keys.to_secret_text()
    again = DeviceKeys.from_secret_text(text)
    assert again.public == keys.public
    assert keys.age_identity not in repr(keys) and "AGE-SECRET" not in repr(keys)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{}",
        '{"v": 2}',
        '{"v":1,"ed25519":"!!","age":"x"}',
        '{"v":1,"ed25519":"AAAA","age":"x"}',
    ],
)
def test_bad_secret_text_is_key_unavailable(text: str) -> None:
    """Corrupt stored keys give a KeyUnavailableError that shows no key material."""
    with pytest.raises(KeyUnavailableError, match="could not be read"):
        DeviceKeys.from_secret_text(text)


def test_raw_signing_key_round_trip() -> None:
    """The raw 32-byte form rebuilds the same key."""
    key = generate_signing_key()
    raw = signing_key_to_raw(key)
    assert len(raw) == 32
    assert signing_key_to_raw(signing_key_from_raw(raw)) == raw
    with pytest.raises(KeyUnavailableError):
        signing_key_from_raw(b"short")


def test_fingerprint_is_short_stable_and_depends_on_both_keys() -> None:
    """Five groups of four base32 characters, changing when either public key changes."""
    a, b = DeviceKeys.generate(), DeviceKeys.generate()
    fp = a.public.fingerprint
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){4}", fp)
    assert fp == fingerprint(a.public.signer_public_key, a.public.recipient.upper())
    assert fp != b.public.fingerprint
    assert fp != fingerprint(a.public.signer_public_key, b.public.recipient)
    assert fp != fingerprint(b.public.signer_public_key, a.public.recipient)


def test_public_identity_dict_round_trip_and_validation() -> None:
    """Roster entries parse back, and malformed ones are ValidationErrors."""
    pub = DeviceKeys.generate().public
    assert PublicIdentity.from_dict(pub.to_dict()) == pub
    with pytest.raises(ValidationError):
        PublicIdentity.from_dict({"signer": "ed25519:AAAA", "recipient": pub.recipient})
    with pytest.raises(ValidationError):
        PublicIdentity.from_dict({"signer": pub.signer, "recipient": "age1nope"})


def test_age_identity_helpers() -> None:
    """A generated identity has the standard prefix and a matching recipient."""
    identity = generate_age_identity()
    assert identity.startswith("AGE-SECRET-KEY-1")
    assert age_recipient_for(identity).startswith("age1")
    with pytest.raises(KeyUnavailableError):
        age_recipient_for("AGE-SECRET-KEY-1NOPE")

"""Bundle format pieces: header, strict JSON, member names, manifest validation, envelope."""

from __future__ import annotations

import base64
import json

import pytest

from hmip_desktop.bundle.format import (
    MEMBER_NAME_RE,
    blob_member_name,
    build_manifest,
    bundle_json_bytes,
    open_envelope,
    parse_bundle_json,
    serialise_manifest,
    sign_envelope,
    strict_json_loads,
)
from hmip_desktop.bundle.identity_keys import generate_signing_key
from hmip_desktop.domain.errors import BundleError, NewerVersionError

from .conftest import manifest_fields


def _manifest(key) -> dict:
    from hmip_desktop.bundle.format import format_signer, public_key_bytes

    return build_manifest(
        manifest_fields(),
        signer=format_signer(public_key_bytes(key)),
        revisions={"count": 0, "sha256": "0" * 64, "size": 0},
        blobs=[],
        created_at="2025-01-01T00:00:00Z",
    )


def test_header_round_trip_and_versions() -> None:
    """Our header parses; newer formats ask for an update; others are not bundles."""
    assert parse_bundle_json(bundle_json_bytes()) == 2
    assert parse_bundle_json(bundle_json_bytes(1)) == 1  # format 1 bundles are still read
    with pytest.raises(NewerVersionError, match="Update the app"):
        parse_bundle_json(b'{"magic":"hmip-bundle","format":7}')
    for bad in (b"", b"\xff", b"[]", b'{"magic":"x","format":1}'):
        with pytest.raises(BundleError, match="not an inspection sync bundle"):
            parse_bundle_json(bad)
    for bad in (
        b'{"magic":"hmip-bundle","format":0}',
        b'{"magic":"hmip-bundle","format":true}',
        b'{"magic":"hmip-bundle","format":1,"x":1}',
    ):
        with pytest.raises(BundleError, match="damaged"):
            parse_bundle_json(bad)


def test_strict_json_refuses_duplicate_keys() -> None:
    """Repeated keys could be read differently by two parsers, so they are refused."""
    with pytest.raises(ValueError):
        strict_json_loads(b'{"a":1,"a":2}')


def test_member_name_whitelist() -> None:
    """Only the four kinds of member name are accepted, exactly."""
    for ok in ("bundle.json", "manifest.age", "revisions.age", "blobs/000001.age"):
        assert MEMBER_NAME_RE.fullmatch(ok)
    for bad in ("blobs/000001.age\n", "./bundle.json", "blobs/1.age", "blobs//000001.age"):
        assert not MEMBER_NAME_RE.fullmatch(bad)
    assert blob_member_name(42) == "blobs/000042.age"
    with pytest.raises(ValueError):
        blob_member_name(0)


def test_envelope_signs_exact_bytes() -> None:
    """The envelope carries the exact bytes; changing any byte breaks the signature."""
    key = generate_signing_key()
    manifest_bytes = serialise_manifest(_manifest(key))
    opened = open_envelope(sign_envelope(manifest_bytes, key))
    assert opened.manifest_bytes == manifest_bytes
    env = json.loads(sign_envelope(manifest_bytes, key))
    # Same JSON meaning, different bytes (a space): still refused, no re-canonicalising.
    env["manifest"] = base64.b64encode(manifest_bytes.replace(b",", b", ", 1)).decode()
    with pytest.raises(BundleError, match="signature does not match"):
        open_envelope(json.dumps(env).encode())


def test_signed_manifest_from_a_newer_format_asks_for_update() -> None:
    """A validly signed manifest with a newer format number is a NewerVersionError."""
    key = generate_signing_key()
    manifest = _manifest(key)
    manifest["format"] = 3
    with pytest.raises(NewerVersionError):
        open_envelope(sign_envelope(serialise_manifest(manifest), key))


def test_signed_but_malformed_manifest_is_damage() -> None:
    """Shape errors in a correctly signed manifest are still refused."""
    key = generate_signing_key()
    manifest = _manifest(key)
    manifest["blobs"] = [{"member": "../x", "sha256": "0" * 64, "size": 1, "mime": "a/b",
                          "stored": None}]
    with pytest.raises(BundleError, match="blob member name"):
        open_envelope(sign_envelope(serialise_manifest(manifest), key))

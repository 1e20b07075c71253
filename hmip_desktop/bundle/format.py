"""Sync bundle file format: constants, limits, the manifest and its signed envelope.

A bundle is a ZIP (STORED, ZIP64) holding a plaintext `bundle.json` (magic and format only)
and age-encrypted members: `manifest.age` (a signed envelope around the exact manifest
bytes), `revisions.age` (JSON Lines) and `blobs/NNNNNN.age` (one attachment each). See
`sync-and-security.md` section 2. Pure library: no database, no Qt.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from hmip_desktop.domain.errors import BundleError, NewerVersionError
from hmip_desktop.domain.payload_rules import MAX_REVISION_LINE_BYTES

MAGIC = "hmip-bundle"
# Format 2 (this app writes it): revisions carry their author's signature, the manifest
# carries the team's attachment keys, and attachments travel as stored (ciphertext copied,
# verified by its hash). Format 1 bundles are still read.
FORMAT_VERSION = 2
READABLE_FORMATS = frozenset({1, 2})
AGE_SECRET_PREFIX = "AGE-SECRET-KEY-1"
AGE_PUBLIC_PREFIX = "age1"
MAX_ATTACHMENT_KEYS = 1000

BUNDLE_JSON = "bundle.json"
MANIFEST_MEMBER = "manifest.age"
REVISIONS_MEMBER = "revisions.age"
FIXED_MEMBERS = frozenset({BUNDLE_JSON, MANIFEST_MEMBER, REVISIONS_MEMBER})
MAX_BLOBS = 999_999  # six digits in the member name

# fullmatch only: `$` would also accept a trailing newline. ASCII so that no Unicode digit
# or look-alike character slips through.
MEMBER_NAME_RE = re.compile(
    r"bundle\.json|manifest\.age|revisions\.age|blobs/[0-9]{6}\.age", re.ASCII
)
BLOB_MEMBER_RE = re.compile(r"blobs/[0-9]{6}\.age", re.ASCII)
SHA256_HEX_RE = re.compile(r"[0-9a-f]{64}", re.ASCII)

# Domain separation: the same device key may sign other things (the team roster), so a
# signature made for one purpose can never be replayed as a manifest signature.
SIGNATURE_CONTEXT = b"hmip-bundle-manifest-v1\x00"
SIGNER_PREFIX = "ed25519:"

GIB = 1024**3
MIB = 1024**2


@dataclass(frozen=True)
class BundleLimits:
    """Size and count caps enforced by the reader (and checked by the writer)."""

    max_members: int = 100_000
    max_member_bytes: int = 16 * GIB
    max_total_bytes: int = 64 * GIB
    # 100k blob entries take about 17 MiB once base64-wrapped; 1 MiB would cap a bundle at
    # roughly 5,000 attachments.
    max_manifest_bytes: int = 32 * MIB
    max_bundle_json_bytes: int = 4096
    max_revision_line_bytes: int = MAX_REVISION_LINE_BYTES
    # The importer keeps one id per revision in memory while it checks a bundle.
    max_revisions: int = 5_000_000


DEFAULT_LIMITS = BundleLimits()

# --- user-facing messages (never include note text, names, keys or passphrases) ---------

RE_EXPORT = "Ask the sender to export it again."
NOT_FOR_YOU = (
    "This bundle is not encrypted to you. Ask the sender to check that you are on the team "
    "roster and to export it again."
)
NOT_A_BUNDLE = "This file is not an inspection sync bundle. Check that you chose the right file."
UNTRUSTED_SIGNER = (
    "This bundle was signed by a key that is not on your team roster. Do not import it; "
    "check the sender's key fingerprint with them in person."
)
BAD_SIGNATURE = (
    "This bundle's signature does not match its contents: it has been altered or damaged. "
    "Do not import it. " + RE_EXPORT
)


def damaged(detail: str) -> BundleError:
    """A BundleError saying the bundle is damaged, with a short technical detail."""
    return BundleError(f"This bundle is damaged ({detail}). {RE_EXPORT}")


def newer_format(found: int) -> NewerVersionError:
    """The error for a bundle written in a newer format than this app reads."""
    return NewerVersionError(
        f"This bundle was made by a newer version of the app (bundle format {found}; this "
        f"version reads format {FORMAT_VERSION}). Update the app, then import it again."
    )


def blob_member_name(index: int) -> str:
    """The opaque member name of the index-th blob (1-based)."""
    if not 1 <= index <= MAX_BLOBS:
        raise ValueError("blob index out of range")
    return f"blobs/{index:06d}.age"


# --- strict JSON --------------------------------------------------------------------------


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            # Two parsers could pick different values for a repeated key; refuse instead.
            raise ValueError("duplicate key")
        out[key] = value
    return out


def strict_json_loads(data: bytes) -> Any:
    """Parse UTF-8 JSON, refusing repeated keys; raises ValueError (or RecursionError)."""
    return json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicate_keys)


def _dumps(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


# --- bundle.json ---------------------------------------------------------------------------


def bundle_json_bytes(format_version: int = FORMAT_VERSION) -> bytes:
    """The plaintext `bundle.json` member for this format."""
    return _dumps({"magic": MAGIC, "format": format_version})


def parse_bundle_json(data: bytes) -> int:
    """Check `bundle.json`; returns the format or raises BundleError / NewerVersionError."""
    try:
        doc = strict_json_loads(data)
    except (ValueError, RecursionError):
        raise BundleError(NOT_A_BUNDLE) from None
    if not isinstance(doc, dict) or doc.get("magic") != MAGIC:
        raise BundleError(NOT_A_BUNDLE)
    fmt = doc.get("format")
    if not isinstance(fmt, int) or isinstance(fmt, bool) or fmt < 1:
        raise damaged("bad format number")
    if fmt > FORMAT_VERSION:
        raise newer_format(fmt)
    if set(doc) != {"magic", "format"}:
        raise damaged("unexpected header fields")
    return fmt


# --- signer strings ------------------------------------------------------------------------


def public_key_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The raw 32-byte Ed25519 public key of a private or public key."""
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return pub.public_bytes(Encoding.Raw, PublicFormat.Raw)


def format_signer(public_raw: bytes) -> str:
    """`ed25519:<base64>` text form of a raw Ed25519 public key."""
    if len(public_raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return SIGNER_PREFIX + base64.b64encode(public_raw).decode("ascii")


def parse_signer(text: object) -> bytes:
    """Raw 32-byte key from `ed25519:<base64>`; raises ValueError when malformed."""
    if not isinstance(text, str) or not text.startswith(SIGNER_PREFIX):
        raise ValueError("malformed signer")
    raw = _b64decode(text[len(SIGNER_PREFIX) :])
    if len(raw) != 32:
        raise ValueError("malformed signer")
    return raw


def _b64decode(text: object) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise ValueError("not base64 text") from None


# --- manifest ------------------------------------------------------------------------------

CALLER_REQUIRED = (
    "schema",
    "app",
    "inspection_id",
    "bundle_id",
    "device_id",
    "author",
    "hlc_min",
    "hlc_max",
    "full_state",
)
CALLER_OPTIONAL = ("created_at", "missing_blobs", "extra", "signer_fingerprint",
                   "attachment_keys", "attachment_current")
FORMAT_2_KEYS = ("attachment_keys", "attachment_current")
MANIFEST_KEYS = frozenset(
    CALLER_REQUIRED + CALLER_OPTIONAL + ("format", "signer", "revisions", "blobs")
)
MANIFEST_KEYS_V1 = MANIFEST_KEYS - frozenset(FORMAT_2_KEYS)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_str(value: object, field: str, *, optional: bool = False, max_len: int = 512) -> None:
    if optional and value is None:
        return
    if not isinstance(value, str) or not value or len(value) > max_len:
        raise ValueError(f"field '{field}'")


def _check_sha(value: object, field: str) -> None:
    if not isinstance(value, str) or not SHA256_HEX_RE.fullmatch(value):
        raise ValueError(f"field '{field}'")


def validate_manifest(m: object, limits: BundleLimits = DEFAULT_LIMITS) -> None:
    """Check the manifest's shape and types; raises ValueError naming the bad field."""
    if not isinstance(m, dict):
        raise ValueError("manifest is not an object")
    fmt = m.get("format")
    if fmt not in READABLE_FORMATS or isinstance(fmt, bool) or not _is_int(m.get("schema")):
        raise ValueError("field 'format' or 'schema'")
    if set(m) != (MANIFEST_KEYS if fmt >= 2 else MANIFEST_KEYS_V1):
        raise ValueError("manifest fields")
    for field in ("app", "inspection_id", "device_id", "created_at"):
        _check_str(m[field], field)
    _check_str(m["bundle_id"], "bundle_id", max_len=64)
    try:
        uuid.UUID(m["bundle_id"])
    except ValueError:
        raise ValueError("field 'bundle_id'") from None
    author = m["author"]
    if not isinstance(author, dict) or set(author) != {"id", "name"}:
        raise ValueError("field 'author'")
    _check_str(author["id"], "author.id")
    _check_str(author["name"], "author.name")
    parse_signer(m["signer"])
    _check_str(m["signer_fingerprint"], "signer_fingerprint", optional=True)
    _check_str(m["hlc_min"], "hlc_min", optional=True)
    _check_str(m["hlc_max"], "hlc_max", optional=True)
    if not isinstance(m["full_state"], bool):
        raise ValueError("field 'full_state'")
    if not isinstance(m["extra"], dict):
        raise ValueError("field 'extra'")
    revs = m["revisions"]
    if not isinstance(revs, dict) or set(revs) != {"count", "sha256", "size"}:
        raise ValueError("field 'revisions'")
    if not (_is_int(revs["count"]) and _is_int(revs["size"])):
        raise ValueError("field 'revisions'")
    if revs["size"] > limits.max_member_bytes:
        raise ValueError("revisions larger than the limit")
    if revs["count"] > limits.max_revisions:
        raise ValueError(f"more than {limits.max_revisions:,} revisions (limit: revisions)")
    _check_sha(revs["sha256"], "revisions.sha256")
    _validate_blob_list(m["blobs"], limits, fmt)
    if fmt >= 2:
        _validate_attachment_keys(m["attachment_keys"], m["attachment_current"])
    missing = m["missing_blobs"]
    if not isinstance(missing, list):
        raise ValueError("field 'missing_blobs'")
    for sha in missing:
        _check_sha(sha, "missing_blobs")


def _validate_attachment_keys(keys: object, current: object) -> None:
    if not isinstance(keys, list) or len(keys) > MAX_ATTACHMENT_KEYS:
        raise ValueError("field 'attachment_keys'")
    for key in keys:
        if not isinstance(key, str) or not key.startswith(AGE_SECRET_PREFIX) or len(key) > 100:
            raise ValueError("field 'attachment_keys'")
    if current is not None and (not isinstance(current, str)
                                or not current.startswith(AGE_PUBLIC_PREFIX)
                                or len(current) > 100):
        raise ValueError("field 'attachment_current'")


BLOB_KEYS_V1 = frozenset({"member", "sha256", "size", "mime"})
BLOB_KEYS = BLOB_KEYS_V1 | {"stored"}


def _validate_stored(stored: object, limits: BundleLimits) -> None:
    """`stored` is null (member sealed to the bundle's recipients) or the ciphertext's hash
    and size (member copied as stored, encrypted to a team attachment key)."""
    if stored is None:
        return
    if not isinstance(stored, dict) or set(stored) != {"sha256", "size"}:
        raise ValueError("field 'blobs.stored'")
    _check_sha(stored["sha256"], "blobs.stored.sha256")
    if not _is_int(stored["size"]) or stored["size"] > limits.max_member_bytes:
        raise ValueError("blob size")


def _validate_blob_list(blobs: object, limits: BundleLimits, fmt: int) -> None:
    if not isinstance(blobs, list) or len(blobs) > min(MAX_BLOBS, limits.max_members):
        raise ValueError("field 'blobs'")
    members: set[str] = set()
    hashes: set[str] = set()
    wanted = BLOB_KEYS if fmt >= 2 else BLOB_KEYS_V1
    for entry in blobs:
        if not isinstance(entry, dict) or set(entry) != wanted:
            raise ValueError("field 'blobs'")
        if fmt >= 2:
            _validate_stored(entry["stored"], limits)
        member, sha = entry["member"], entry["sha256"]
        if not isinstance(member, str) or not BLOB_MEMBER_RE.fullmatch(member):
            raise ValueError("blob member name")
        _check_sha(sha, "blobs.sha256")
        if member in members or sha in hashes:
            raise ValueError("repeated blob")
        members.add(member)
        hashes.add(sha)
        if not _is_int(entry["size"]) or entry["size"] > limits.max_member_bytes:
            raise ValueError("blob size")
        _check_str(entry["mime"], "blobs.mime", max_len=255)


def build_manifest(
    fields: dict[str, Any],
    *,
    signer: str,
    revisions: dict[str, Any],
    blobs: list[dict[str, Any]],
    created_at: str,
    limits: BundleLimits = DEFAULT_LIMITS,
    format_version: int = FORMAT_VERSION,
) -> dict[str, Any]:
    """Merge caller fields with the writer's own; raises ValueError on a bad or missing field.

    `format_version=1` exists so that tests can prove older bundles still import.
    """
    unknown = set(fields) - set(CALLER_REQUIRED) - set(CALLER_OPTIONAL)
    if unknown:
        raise ValueError(f"unknown manifest fields: {sorted(unknown)}")
    missing = [k for k in CALLER_REQUIRED if k not in fields]
    if missing:
        raise ValueError(f"missing manifest fields: {missing}")
    manifest: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "attachment_keys": list(fields.get("attachment_keys") or []),
        "attachment_current": fields.get("attachment_current"),
        "signer": signer,
        "signer_fingerprint": fields.get("signer_fingerprint"),
        "created_at": fields.get("created_at") or created_at,
        "missing_blobs": list(fields.get("missing_blobs") or []),
        "extra": dict(fields.get("extra") or {}),
        "revisions": revisions,
        "blobs": blobs,
    }
    for key in CALLER_REQUIRED:
        manifest[key] = fields[key]
    if format_version == 1:
        manifest["format"] = 1
        for key in FORMAT_2_KEYS:
            del manifest[key]
        manifest["blobs"] = [{k: v for k, v in b.items() if k != "stored"} for b in blobs]
    validate_manifest(manifest, limits)
    return manifest


def serialise_manifest(manifest: dict[str, Any]) -> bytes:
    """Serialise once; these exact bytes are signed and stored (never re-canonicalised)."""
    return _dumps(manifest)


# --- signed envelope -----------------------------------------------------------------------


def sign_envelope(manifest_bytes: bytes, signing_key: Ed25519PrivateKey) -> bytes:
    """The JSON envelope: manifest bytes, Ed25519 signature and signer, all base64."""
    signature = signing_key.sign(SIGNATURE_CONTEXT + manifest_bytes)
    return _dumps(
        {
            "manifest": base64.b64encode(manifest_bytes).decode("ascii"),
            "signature": base64.b64encode(signature).decode("ascii"),
            "signer": format_signer(public_key_bytes(signing_key)),
        }
    )


@dataclass(frozen=True)
class OpenedEnvelope:
    """A manifest whose signature checked out against the key named in its envelope."""

    manifest: dict[str, Any]
    manifest_bytes: bytes
    signer: str
    signer_public_key: bytes


def open_envelope(data: bytes, limits: BundleLimits = DEFAULT_LIMITS) -> OpenedEnvelope:
    """Check the envelope and signature, then parse and validate the exact signed bytes."""
    try:
        env = strict_json_loads(data)
        if not isinstance(env, dict) or set(env) != {"manifest", "signature", "signer"}:
            raise ValueError("envelope fields")
        manifest_bytes = _b64decode(env["manifest"])
        signature = _b64decode(env["signature"])
        public_raw = parse_signer(env["signer"])
        if len(signature) != 64:
            raise ValueError("signature length")
    except (ValueError, RecursionError):
        raise damaged("unreadable manifest envelope") from None
    try:
        Ed25519PublicKey.from_public_bytes(public_raw).verify(
            signature, SIGNATURE_CONTEXT + manifest_bytes
        )
    except (InvalidSignature, ValueError):
        raise BundleError(BAD_SIGNATURE) from None
    try:
        manifest = strict_json_loads(manifest_bytes)
    except (ValueError, RecursionError):
        raise damaged("manifest is not valid JSON") from None
    if isinstance(manifest, dict) and _is_int(manifest.get("format")):
        if manifest["format"] > FORMAT_VERSION:
            raise newer_format(manifest["format"])
    try:
        validate_manifest(manifest, limits)
    except ValueError as exc:
        # Our own validator's messages name a field, never a value.
        raise damaged(f"manifest: {exc}") from None
    if manifest["signer"] != env["signer"]:
        # The signer named inside the signed bytes must be the key that signed them.
        raise BundleError(BAD_SIGNATURE)
    return OpenedEnvelope(manifest, manifest_bytes, env["signer"], public_raw)

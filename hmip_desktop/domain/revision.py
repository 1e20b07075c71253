"""Immutable revisions: the unit of change, history and sync.

Every edit of every record appends one revision. Its id is the SHA-256 of its canonical
content, so identical revisions deduplicate and a forged id is detected. Payloads hold only
JSON strings, integers, booleans, null, lists and objects: floats are refused because their
text form is not canonical across versions (decimals travel as strings).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from hmip_desktop.domain.errors import BundleError
from hmip_desktop.domain.payload_rules import MAX_DEPTH, json_depth

# Version of the payload shapes (not of the database schema). Bump it with an upcaster.
PAYLOAD_SCHEMA = 1


def _check_value(value: Any) -> None:
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return
    if isinstance(value, float):
        raise TypeError("floats are not allowed in revision payloads; use a decimal string")
    if isinstance(value, (list, tuple)):
        for item in value:
            _check_value(item)
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError("payload keys must be strings")
            _check_value(item)
        return
    raise TypeError(f"unsupported payload value of type {type(value).__name__}")


def canonical_json(value: Any) -> bytes:
    """Deterministic JSON bytes: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class Revision:
    """One immutable change of one record."""

    entity_type: str
    entity_id: str
    parents: tuple[str, ...]
    hlc: str
    device_id: str
    author_id: str
    deleted: bool
    schema: int
    payload: Mapping[str, Any] = field(default_factory=dict)
    rev_id: str = ""
    # The author device's Ed25519 signature over `rev_id` (base64), or "" when unsigned.
    # Outside the hashed content: the id names the change, the signature vouches for it.
    signature: str = field(default="", compare=False)

    def content(self) -> dict[str, Any]:
        """The hashed content (everything but the id)."""
        return {
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "parents": sorted(self.parents),
            "hlc": self.hlc,
            "device_id": self.device_id,
            "author_id": self.author_id,
            "deleted": self.deleted,
            "schema": self.schema,
            "payload": dict(self.payload),
        }

    def compute_id(self) -> str:
        """SHA-256 of the canonical content."""
        return hashlib.sha256(canonical_json(self.content())).hexdigest()

    def to_json_line(self) -> bytes:
        """The bundle form: canonical JSON with the id (and signature, when signed), one line."""
        data = self.content()
        data["rev_id"] = self.rev_id
        if self.signature:
            data["sig"] = self.signature
        return canonical_json(data)

    def signed(self, signature: str) -> Revision:
        """The same revision carrying a signature."""
        return replace(self, signature=signature)


def make_revision(
    *,
    entity_type: str,
    entity_id: str,
    parents: Iterable[str],
    hlc: str,
    device_id: str,
    author_id: str,
    payload: Mapping[str, Any],
    deleted: bool = False,
    schema: int = PAYLOAD_SCHEMA,
) -> Revision:
    """Build a revision and stamp its content hash as its id."""
    _check_value(payload)
    rev = Revision(entity_type, entity_id, tuple(sorted(set(parents))), hlc, device_id,
                   author_id, deleted, schema, dict(payload))
    return Revision(**{**rev.__dict__, "rev_id": rev.compute_id()})


MAX_SIGNATURE_CHARS = 100  # base64 of a 64-byte Ed25519 signature is 88


def _signature_field(value: Any) -> str:
    if not isinstance(value, str) or len(value) > MAX_SIGNATURE_CHARS:
        raise ValueError("malformed signature")
    return value


def revision_from_json(line: bytes | str) -> Revision:
    """Parse one bundle line and check that its id matches its content.

    The nesting depth is measured before parsing, so a hostile line cannot exhaust the
    parser's recursion (the payload sits one level inside the line's object).
    """
    if json_depth(line) > MAX_DEPTH + 1:
        raise BundleError(f"a revision is nested too deeply (limit: depth {MAX_DEPTH})")
    try:
        data = json.loads(line)
        rev = Revision(
            entity_type=str(data["entity_type"]),
            entity_id=str(data["entity_id"]),
            parents=tuple(sorted(str(p) for p in data["parents"])),
            hlc=str(data["hlc"]),
            device_id=str(data["device_id"]),
            author_id=str(data["author_id"]),
            deleted=bool(data["deleted"]),
            schema=int(data["schema"]),
            payload=dict(data["payload"]),
            rev_id=str(data["rev_id"]),
            signature=_signature_field(data.get("sig", "")),
        )
        _check_value(rev.payload)
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise BundleError(f"a revision in the bundle is malformed ({type(exc).__name__})") from None
    if rev.compute_id() != rev.rev_id:
        raise BundleError("a revision's id does not match its content: the bundle was altered")
    return rev

"""Immutable revisions: the unit of change, history and sync.

Every edit of every record appends one revision. Its id is the SHA-256 of its canonical
content, so identical revisions deduplicate and a forged id is detected. Payloads hold only
JSON strings, integers, booleans, null, lists and objects: floats are refused because their
text form is not canonical across versions (decimals travel as strings).
"""

from __future__ import annotations

import hashlib
import json
import re
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


class _FloatSeen(Exception):
    """A float (or NaN, Infinity) somewhere in a line."""


def _float_seen(_text: str) -> Any:
    raise _FloatSeen


# JSON without floats yields only str, int, bool, None, lists and str-keyed dicts, which
# `_check_value` would all accept: a line parsed by this decoder needs no walk of its payload
# (a tenth of an import's parsing time). A line holding a float anywhere is parsed again the
# usual way and walked, so where the float sits decides exactly as before.
_NO_FLOATS = json.JSONDecoder(parse_float=_float_seen, parse_constant=_float_seen)


def _parse(line: bytes | str) -> tuple[Any, bool]:
    """`json.loads(line)`, and True when the result is known to hold no float."""
    if isinstance(line, str):
        if line.startswith("\ufeff"):
            return json.loads(line), False  # raises as json.loads does
        text = line
    else:
        text = line.decode(json.detect_encoding(line), "surrogatepass")
    try:
        return _NO_FLOATS.decode(text), True
    except _FloatSeen:
        return json.loads(line), False


def _too_deep(line: bytes | str) -> bool:
    # Counting brackets (strings included) bounds the depth from above at C speed; the exact
    # measure runs only when that bound is over the limit.
    if isinstance(line, str):
        opens = line.count("{") + line.count("[")
    else:
        opens = line.count(b"{") + line.count(b"[")
    return opens > MAX_DEPTH + 1 and json_depth(line) > MAX_DEPTH + 1


def _revision_of(data: Any) -> Revision:
    return Revision(
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


def revision_from_json(line: bytes | str) -> Revision:
    """Parse one bundle line and check that its id matches its content.

    The nesting depth is measured before parsing, so a hostile line cannot exhaust the
    parser's recursion (the payload sits one level inside the line's object).
    """
    return _checked(line)[0]


def revision_and_form_from_json(line: bytes | str) -> tuple[Revision, bool]:
    """`revision_from_json`, and whether the line is byte for byte the revision's own
    `to_json_line()` (what this app writes). Only then may a second read of the very same
    bytes take the payload's canonical text from the line (`payload_text_of_line`)."""
    rev, content = _checked(line)
    if not isinstance(line, bytes):
        return rev, False
    # The line is the content with the id (and signature) added: keys sort as "payload",
    # "rev_id", "schema", "sig", and the content ends with its "schema" (an integer).
    cut = content.rindex(b',"schema":')
    tail = b',"sig":' + _json_text(rev.signature) if rev.signature else b""
    own = (content[:cut] + b',"rev_id":' + _json_text(rev.rev_id) + content[cut:-1]
           + tail + b"}")
    return rev, line == own


_PLAIN_TEXT = re.compile(r"[A-Za-z0-9+/=]*")  # hex ids and base64: nothing JSON escapes


def _json_text(value: str) -> bytes:
    """`canonical_json(value)` of a string, without the encoder for the usual plain ones."""
    if _PLAIN_TEXT.fullmatch(value):
        return b'"' + value.encode("ascii") + b'"'
    return canonical_json(value)


_PAYLOAD_KEY = b',"payload":'
_REV_ID_KEY = b',"rev_id":'


def payload_text_of_line(line: bytes) -> str:
    """The canonical JSON of a line's payload, cut from a line that
    `revision_and_form_from_json` found canonical (the same bytes): it is what
    `canonical_json(payload)` makes, as the encoder writes a nested object exactly as it
    writes that object alone. In canonical JSON a quote inside a string is escaped, so the
    first `,"payload":` (after the ids, clock and parents) and the last `,"rev_id":` (before
    the schema and signature) are the keys themselves."""
    start = line.index(_PAYLOAD_KEY) + len(_PAYLOAD_KEY)
    return line[start:line.rindex(_REV_ID_KEY)].decode()


def _checked(line: bytes | str) -> tuple[Revision, bytes]:
    """The parsed, checked revision and its canonical content (what its id hashes)."""
    if _too_deep(line):
        raise BundleError(f"a revision is nested too deeply (limit: depth {MAX_DEPTH})")
    try:
        data, no_floats = _parse(line)
        rev = _revision_of(data)
        if not (no_floats and type(data["payload"]) is dict):
            _check_value(rev.payload)
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise BundleError(f"a revision in the bundle is malformed ({type(exc).__name__})") from None
    content = canonical_json(rev.content())
    if hashlib.sha256(content).hexdigest() != rev.rev_id:  # `compute_id`, keeping the text
        raise BundleError("a revision's id does not match its content: the bundle was altered")
    return rev, content


def revision_from_checked_json(line: bytes | str) -> Revision:
    """Parse a line that `revision_from_json` has already accepted, byte for byte, without
    checking it again (depth, value types, id).

    Only for a second read of the same bytes whose equality is proven before anything read
    is kept: the importer re-reads a bundle's revision list inside its transaction, and the
    list's SHA-256 (signed in the manifest) is checked at the end of that read, before the
    commit. Anything unparsable is still a BundleError.
    """
    try:
        return _revision_of(json.loads(line))
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise BundleError(f"a revision in the bundle is malformed ({type(exc).__name__})") from None

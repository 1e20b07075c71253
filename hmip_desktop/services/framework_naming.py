"""How a file pinned before frameworks had 'edition_note' names its Expectations.

Shipped frameworks used to hold working notes in 'edition' ("version 6 not confirmed: '6' is
this app's numbering ..."), and a file keeps the framework as it was pinned, so reports and
letters from such a file printed the note. The edition, its 'verified' flag and the note are
how the Expectations are named, not what they ask: for a shipped framework pinned without
'edition_verified', they are read from the shipped file of the same id and version. The
content (sections, expectations, scale) always stays the pinned one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from hmip_desktop import paths

if TYPE_CHECKING:
    from hmip_desktop.domain.framework import Framework

# The schema's patterns for id and version: pinned data can come from another team's bundle,
# so only these ever become part of a file name.
_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
MAX_SHIPPED_BYTES = 1024 * 1024  # the largest shipped framework is about 30 KB


@lru_cache(maxsize=32)
def shipped_naming(framework_id: str, version: str) -> tuple[str, bool, str] | None:
    """(edition, edition_verified, edition_note) of a shipped framework; None when no shipped
    framework has this id and version or its file cannot be read."""
    if not (_ID.fullmatch(framework_id) and len(framework_id) <= 80
            and _VERSION.fullmatch(version) and len(version) <= 60):
        return None
    path = paths.resource_path("frameworks", "shipped", f"{framework_id}--{version}.json")
    try:
        if path.stat().st_size > MAX_SHIPPED_BYTES:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or "edition_verified" not in data:
        return None
    return (str(data.get("edition") or ""), data.get("edition_verified") is not False,
            str(data.get("edition_note") or ""))


def with_shipped_naming(model: Framework, data: Mapping[str, Any]) -> Framework:
    """The pinned model, named as its shipped framework is now when it was pinned before
    editions were kept apart from their notes; otherwise unchanged."""
    if "edition_verified" in data or data.get("status") != "shipped":
        return model
    naming = shipped_naming(str(data.get("id") or ""), str(data.get("version") or ""))
    if naming is None:
        return model
    edition, verified, note = naming
    return model.replace(edition=edition, edition_verified=verified, edition_note=note)

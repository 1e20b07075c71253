"""Small JSON files read from disk within bounds: the data folder's own files (device profile,
settings, sync keys, imported frameworks) and files people hand over (identity cards).

A crash, a cut copy or a hand edit can leave any of them damaged, and a file handed over may
be hostile: the size is bounded before reading and the nesting before parsing (no recursion
without limit), so a bad file is a DamagedJson whose message names what is wrong and the
limit, never an internal error. Callers turn it into their own advice (restore from backup,
export again). Standard library only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hmip_desktop.domain.payload_rules import json_depth

MAX_DEPTH = 32  # the deepest file read here (a framework) nests 7 levels


class DamagedJson(ValueError):
    """The file is not JSON this app can read; the message says why (never its content)."""


def read_json(path: Path, *, max_bytes: int, max_depth: int = MAX_DEPTH) -> Any:
    """The parsed content of `path`; DamagedJson when it is a folder, larger than `max_bytes`,
    nested deeper than `max_depth`, or not UTF-8 JSON. FileNotFoundError (and other OS
    errors) pass through: a missing file often means "not made yet"."""
    path = Path(path)
    if path.is_dir():  # opening a folder is EISDIR here, a permission error on Windows
        raise DamagedJson("it is a folder, not a file")
    with open(path, "rb") as handle:
        raw = handle.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise DamagedJson(f"it is larger than such a file can be (limit: {_size(max_bytes)})")
    if json_depth(raw) > max_depth:  # measured without parsing: no recursion
        raise DamagedJson(f"it is nested too deeply (limit: depth {max_depth})")
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (ValueError, RecursionError):
        raise DamagedJson("it is not JSON text (empty, cut short or not UTF-8)") from None


def _size(limit: int) -> str:
    if limit >= 1024 * 1024 and limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MiB"
    return f"{limit // 1024} KiB"

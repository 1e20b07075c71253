"""The establishment types file (resources/frameworks/establishment_types.json), read once
per path: the framework registry builds its typed list from it, and the labels people read
("Men's prison") come from it without loading the registry (the Overview's first screen).
A shipped file: a broken one is a bug, not user input."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hmip_desktop import paths

_CACHE: dict[Path, tuple[Mapping[str, Any], ...]] = {}
_LOCK = threading.Lock()


def default_path() -> Path:
    """Where the shipped file is."""
    return paths.resource_path("frameworks", "establishment_types.json")


def raw_types(path: Path | None = None) -> tuple[Mapping[str, Any], ...]:
    """The file's establishment types, in file order, as written."""
    path = path or default_path()
    with _LOCK:
        found = _CACHE.get(path)
        if found is None:
            data = json.loads(path.read_text(encoding="utf-8"))
            found = _CACHE[path] = tuple(data["establishment_types"])
    return found


def labels(path: Path | None = None) -> dict[str, str]:
    """Each type's key and the label people read."""
    return {str(t["key"]): str(t.get("label") or t["key"]) for t in raw_types(path)}

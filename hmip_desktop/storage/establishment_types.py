"""The establishment types file (resources/frameworks/establishment_types.json), read once
per path: the framework registry builds its typed list from it, and the labels people read
("Men's prison") and the words for the people held ("prisoners") come from it without loading
the registry (the Overview's first screen, the Notes list).
A shipped file: a broken one is a bug, not user input."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hmip_desktop import paths
from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.domain.people_words import DEFAULT_PEOPLE, PeopleWords, parse_people

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


def people(key: str | None, path: Path | None = None) -> PeopleWords:
    """The words for the people a type of establishment holds; the neutral default for a type
    the file does not know or that names none. An entry whose words break the file's limits
    reads the default here (a label must not stop a screen): the registry, which parses
    every entry, refuses the file and names the fault."""
    for t in raw_types(path):
        if t.get("key") == key:
            try:
                return parse_people(t.get("people"), f"$.establishment_types[{key}].people")
            except ValidationError:
                return DEFAULT_PEOPLE
    return DEFAULT_PEOPLE

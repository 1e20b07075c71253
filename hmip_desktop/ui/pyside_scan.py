"""A cheaper answer to the question PySide6 asks of every module imported after it.

PySide6 (6.4 and later, PYSIDE-2029) decides for each newly imported module whether it uses
PySide6, so that `from __feature__ import ...` applies per module: `shibokensupport.feature.
_mod_uses_pyside(module)` runs `inspect.getsource(module)` and looks for "PySide6" in it.
getsource reads the whole file through linecache, splitting it into lines it then joins
again: ~0.13 ms a module, 8-15 ms of a GUI start from a checkout (70 modules are imported
before the first screen shows; issue 11). The same question is answered here by searching
the file's bytes, which gives the same answer for every source file in UTF-8 or ASCII (all
of ours, PEP 3120); anything that is not a readable .py file is left to PySide6's own.

Installed once, when the UI package is first imported (hmip_desktop/ui/__init__.py), and only
where that internal exists: with another PySide6 nothing changes. This app uses no
`__feature__` switch; the answer is kept exact all the same.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType
from typing import Any


class ByteScan:
    """Stands in for `shibokensupport.feature._mod_uses_pyside`: answers from the bytes of
    the module's source file (found through its import spec), and asks PySide6's own scan
    whenever there is no such file to read (built-in, compiled only, an extension, a frozen
    app's modules)."""

    def __init__(self, fallback: Any) -> None:
        self.fallback = fallback

    def __call__(self, module: ModuleType) -> bool:
        spec = getattr(module, "__spec__", None)
        origin = spec.origin if spec is not None and spec.has_location else None
        if isinstance(origin, str) and origin.endswith(".py"):
            named = _names_pyside(origin)
            if named is not None:
                return named
        return bool(self.fallback(module))


def _names_pyside(source_file: str) -> bool | None:
    """Whether the file's text contains "PySide6"; None when it cannot be read."""
    try:
        return b"PySide6" in Path(source_file).read_bytes()
    except OSError:
        return None


def install() -> bool:
    """Put a ByteScan in place of PySide6's scan, once; True when one is in place."""
    feature = sys.modules.get("shibokensupport.feature")
    current = getattr(feature, "_mod_uses_pyside", None)
    if current is None:
        return False
    if not isinstance(current, ByteScan):
        feature._mod_uses_pyside = ByteScan(current)  # type: ignore[union-attr]
    return True

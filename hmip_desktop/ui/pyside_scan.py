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
from types import ModuleType

_MARK = "_hmip_fast_scan"


def install() -> bool:
    """Replace PySide6's per-module source scan with a byte search; True when installed."""
    feature = sys.modules.get("shibokensupport.feature")
    upstream = getattr(feature, "_mod_uses_pyside", None)
    if upstream is None or getattr(upstream, _MARK, False):
        return upstream is not None

    def mod_uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return bool(upstream(module))  # built in, compiled only, an extension
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            return bool(upstream(module))

    setattr(mod_uses_pyside, _MARK, True)
    feature._mod_uses_pyside = mod_uses_pyside  # type: ignore[union-attr]
    return True

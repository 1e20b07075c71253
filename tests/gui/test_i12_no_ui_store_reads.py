"""Issue 12 §2: screen reads are service snapshots. No module under hmip_desktop/ui defines a
top-level read_* function that takes the store (it belongs in services/, run on the DB lane
through one service call)."""

from __future__ import annotations

import ast
from pathlib import Path

import hmip_desktop

UI = Path(hmip_desktop.__file__).parent / "ui"


def _takes_store(fn: ast.FunctionDef) -> bool:
    args = fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs
    return any(a.arg == "store"
               or (a.annotation is not None and "InspectionStore" in ast.unparse(a.annotation))
               for a in args)


def test_no_ui_module_reads_the_store_itself() -> None:
    found = []
    for path in sorted(UI.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [f"{path.relative_to(UI).as_posix()}:{node.name}" for node in tree.body
                  if isinstance(node, ast.FunctionDef) and node.name.startswith("read_")
                  and _takes_store(node)]
    assert found == []

"""Repositories only (issue 12 §4): the SQLAlchemy session stays inside hmip_desktop/storage.

Code elsewhere reaches the file through `tx.<repository>` of a unit of work, so no module
outside storage may read an attribute named `session` or `_session` on anything, and a
helper that receives the transaction says so in its type (`UnitOfWork`, never `Any`).
"""

from __future__ import annotations

import ast
from pathlib import Path

import hmip_desktop

PACKAGE_DIR = Path(hmip_desktop.__file__).parent
STORAGE_DIR = PACKAGE_DIR / "storage"
SESSION_NAMES = {"session", "_session"}
TRANSACTION_PARAMS = {"tx", "uow"}


def _names_any(annotation: ast.expr | None) -> bool:
    """True when the annotation is, or contains, `Any` (also as a string annotation)."""
    if annotation is None:
        return False
    for node in ast.walk(annotation):
        if isinstance(node, ast.Name) and node.id == "Any":
            return True
        if isinstance(node, ast.Attribute) and node.attr == "Any":
            return True
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                inner = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                continue
            if _names_any(inner):
                return True
    return False


def problems_in(source: str, name: str) -> list[str]:
    """Session reads and `Any`-typed transaction parameters in one module's source."""
    found = []
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, ast.Attribute) and node.attr in SESSION_NAMES:
            found.append(f"{name}:{node.lineno} reads .{node.attr}")
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            a = node.args
            params = [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]
            for p in params:
                if p is not None and p.arg in TRANSACTION_PARAMS and _names_any(p.annotation):
                    found.append(f"{name}:{p.lineno} types parameter {p.arg} as Any")
    return found


def test_the_checker_finds_what_it_forbids() -> None:
    """The checks are live: each forbidden form is reported, the allowed ones are not."""
    bad = ("def f(tx: Any, uow: 'Any | None' = None) -> None:\n"
           "    tx.session.execute(1)\n"
           "    store._session\n"
           "async def g(*, tx: typing.Any = None) -> None: ...\n")
    assert len(problems_in(bad, "bad.py")) == 5
    good = ("def f(tx: UnitOfWork, payload: Any) -> None:\n"
            "    tx.records.get(payload)\n"
            "    sessions = 1\n")
    assert problems_in(good, "good.py") == []


def test_no_module_outside_storage_touches_the_session() -> None:
    """Services, report, CLI, UI, export and ingest use repositories only."""
    files = [p for p in sorted(PACKAGE_DIR.rglob("*.py")) if STORAGE_DIR not in p.parents]
    assert len(files) > 50  # the walk found the package
    found = []
    for path in files:
        found += problems_in(path.read_text(encoding="utf-8"),
                             str(path.relative_to(PACKAGE_DIR.parent)))
    assert found == []


def test_a_unit_of_work_exposes_no_session(store) -> None:  # type: ignore[no-untyped-def]
    """The session is private to the unit of work; its repositories are what it offers."""
    with store.uow() as tx:
        assert not hasattr(tx, "session")
        for name in ("records", "document_text", "extract_tables", "extract_rows", "search"):
            assert hasattr(tx, name)
    with store.bulk_uow() as tx:
        assert not hasattr(tx, "session") and tx.extract_tables.existing() == set()

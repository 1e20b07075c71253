"""No import cycle inside a layer: each layer package's modules form a graph without loops.

import-linter's contracts check the direction between layers; this checks within each one,
with grimp (which import-linter installs). Function-level and TYPE_CHECKING imports count
too: a lazy import that closes a loop is still a loop to read and to untangle.
"""

from __future__ import annotations

import sys

import grimp
import pytest

PACKAGE = "hmip_desktop"
LAYERS = ("domain", "storage", "services", "bundle", "ingest", "report", "cli", "ui")

# Cycles that would need a big refactor to break, each with the reason it stays for now.
# Entries are frozensets of module names (one strongly connected group each, exactly: a group
# that grows fails again). Shrink this list; never add to it without a reason.
ALLOWED: dict[str, set[frozenset[str]]] = {layer: set() for layer in LAYERS}


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    """The import graph of the whole package (built once; a few seconds)."""
    return grimp.build_graph(PACKAGE)


def cycles_within(graph: grimp.ImportGraph, package: str) -> list[list[str]]:
    """Groups of two or more modules of `package` that import each other (Tarjan's SCCs)."""
    modules = set(graph.find_descendants(package)) | {package}
    edges = {m: sorted(graph.find_modules_directly_imported_by(m) & modules) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10 * len(modules) + 100))
    try:
        for m in sorted(modules):
            if m not in index:
                visit(m)
    finally:
        sys.setrecursionlimit(limit)
    return sorted(found)


@pytest.mark.parametrize("layer", LAYERS)
def test_no_import_cycle_inside_layer(graph: grimp.ImportGraph, layer: str) -> None:
    """Every layer package is free of import cycles (apart from the allow-list, now empty)."""
    package = f"{PACKAGE}.{layer}"
    assert graph.find_descendants(package), f"{package} has no modules: was it renamed?"
    cycles = [c for c in cycles_within(graph, package) if frozenset(c) not in ALLOWED[layer]]
    assert cycles == [], f"import cycles inside {package}: {cycles}"


def test_cycle_finder_sees_a_cycle() -> None:
    """The finder reports a planted two-module loop and ignores a one-way import."""
    g = grimp.ImportGraph()
    for m in ("p", "p.a", "p.b", "p.c"):
        g.add_module(m)
    g.add_import(importer="p.a", imported="p.b")
    g.add_import(importer="p.b", imported="p.a")
    g.add_import(importer="p.c", imported="p.a")
    assert cycles_within(g, "p") == [["p.a", "p.b"]]

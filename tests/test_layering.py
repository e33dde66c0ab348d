"""Every import in src/keqi runs down the layers, and no module imports itself back in a circle.

The house (docs/architecture.md):

    layer 0  policy                         pure: no Django, nothing of the rest of keqi
    layer 1  accounts
    layer 2  registry
    layer 3  pipeline
    layer 4  screening
    layer 5  contracts | credit | targets | applications   peers: none imports another (registry.measures: how one
                                            reads a figure another measures)
    layer 6  web | api | cli                fronts: none imports another

``keqi.synth`` (the synthetic population) sits just above the registry whose exchange format it
writes; ``keqi.synth.demo`` (the demo's steps, filling every app) just below the fronts.

A package may import its own modules and any package of a lower layer; nothing else. Every import
counts: at the top of a module or inside a function (a function-local import is still a
dependency), absolute or relative (resolved against the importing module). ``keqi.settings`` is
configuration (it imports nothing of keqi; anything may read it); ``keqi.urls`` and ``keqi.wsgi``
are the project's root, above every front. A new package must be given its layer here.

The test reads the source (``ast``), so it sees imports that a running process might never reach.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
KEQI = SRC / "keqi"

LAYERS = {
    "policy": 0,
    "accounts": 1,
    "registry": 2,
    "synth": 2.5,  # the synthetic population: writes the registry's exchange format
    "pipeline": 3,
    "screening": 4,
    "contracts": 5, "credit": 5, "targets": 5, "applications": 5,
    "synth.demo": 5.5,  # the demo's steps fill every app; only `keqi demo` calls them
    "web": 6, "api": 6, "cli": 6,
    "urls": 7, "wsgi": 7,
}
CONFIGURATION = {"settings"}  # read by any layer, imports no keqi module

# Circles between modules that are known and being taken apart: each names who removes it. The test
# fails on any other circle, and on a listed one that is gone (strike it from the list).
KNOWN_CIRCLES: set[frozenset[str]] = set()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(KEQI.rglob("*.py"))}


def _resolve(name: str) -> str | None:
    """The keqi module an imported name is: the module itself, or the module holding the name."""
    while name:
        if name in modules():
            return name
        name = name.rpartition(".")[0]
    return None


def imports(module: str) -> list[tuple[str, int]]:
    """(keqi module imported, line) for every import statement anywhere in ``module``."""
    path = modules()[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            # ``from a import b`` imports the module a.b when there is one, else a name of a
            names = [f"{origin}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name == "keqi" or name.startswith("keqi."):
                target = _resolve(name)
                if target is not None and target != module:
                    found.append((target, node.lineno))
    return found


def unit_of(module: str) -> str:
    """The part of keqi a module belongs to: the longest entry of LAYERS (or CONFIGURATION) it is in."""
    rest = module.split(".")[1:]
    for end in range(len(rest), 0, -1):
        name = ".".join(rest[:end])
        if name in LAYERS or name in CONFIGURATION:
            return name
    return rest[0] if rest else ""


def test_every_package_has_a_layer():
    units = {unit_of(m) for m in modules()} - {""}
    assert units - set(LAYERS) - CONFIGURATION == set(), "give each new package its layer in LAYERS"


def test_every_import_runs_down_the_layers():
    wrong = set()
    for module in modules():
        here = unit_of(module)
        for target, line in imports(module):
            there = unit_of(target)
            if there == here or there in CONFIGURATION or not there:
                continue
            if here in CONFIGURATION:
                wrong.add(f"{module}:{line} imports {target} (configuration imports nothing of keqi)")
            elif here not in LAYERS or there not in LAYERS:
                continue  # reported by test_every_package_has_a_layer
            elif LAYERS[there] > LAYERS[here]:
                wrong.add(f"{module}:{line} imports {target} (up: {here} is below {there})")
            elif LAYERS[there] == LAYERS[here]:
                wrong.add(f"{module}:{line} imports {target} (sideways: {here} and {there} are peers)")
    assert sorted(wrong) == []


def _circles() -> list[list[str]]:
    """Strongly connected groups of modules (Tarjan), those of more than one module."""
    graph = {m: sorted({t for t, _ in imports(m)}) for m in modules()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:  # iterative, so that deep chains need no recursion
        nonlocal counter
        work = [(start, iter(graph[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(graph[nxt])))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))

    for module in graph:
        if module not in index:
            visit(module)
    return groups


def test_no_module_imports_itself_back():
    found = {frozenset(group) for group in _circles()}
    assert sorted(map(sorted, found - KNOWN_CIRCLES)) == [], "a circle of imports (function-local ones count)"
    assert sorted(map(sorted, KNOWN_CIRCLES - found)) == [], "this circle is gone: strike it from KNOWN_CIRCLES"


def test_policy_imports_no_django():
    """The ground floor is pure: no Django, directly or through a Django library."""
    wrong = []
    for module, path in modules().items():
        if unit_of(module) != "policy":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            wrong += [f"{module}:{node.lineno} imports {n}" for n in names
                      if n.split(".")[0] in ("django", "ninja", "simple_history", "django_tasks")]
    assert wrong == []


def test_the_reader_sees_function_local_and_relative_imports():
    """The checks above are only as good as the reader: it finds a relative import inside a function."""
    found = dict(imports("keqi.screening.flatfile"))
    assert "keqi.screening.sqlcache" in found  # ``from . import sqlcache`` inside screen_flat_parquet
    assert "keqi.policy.evaluation" in found  # ``from keqi.policy.evaluation import gap_columns`` inside a function

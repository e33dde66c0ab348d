"""Heavy libraries imported when first used: Ibis, sqlglot and polars.

An edition's rules are Ibis expressions, compiled to SQL with Ibis and sqlglot; importing the two
costs more than the rest of a small screen's start (docs/benchmarks.md). Most processes never build or
compile an expression: the SQL comes from the cache (``keqi.screening.sqlcache``), and what else an
edition holds (criteria, settings, levers, sources) is plain data. So the edition modules and the
engine name these libraries through the stand-ins below, and import the Ibis types they use in
annotations only under ``TYPE_CHECKING``. Likewise polars: the registry's import and
export use it, but its services are imported by most of the apps, e.g. by a file screen for the ladder.

A stand-in imports its module (an ordinary import, safe from several threads) the first time one of
its attributes is read, and forwards every attribute to it: ``ibis.cases(...)`` in a ``build``
function reads exactly what ``import ibis`` would give. Reading an attribute of a stand-in at
module level would import the library there and then: keep such uses inside functions.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Any

__all__ = ["LazyModule", "ibis", "polars", "sqlglot"]


class LazyModule:
    """Stands for the module ``name``, imported when one of its attributes is first read."""

    __slots__ = ("_module", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str) -> Any:
        module = self._module
        if module is None:
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attr)

    def __repr__(self) -> str:
        state = "imported" if self._module is not None else "not imported yet"
        return f"<lazy module {self._name!r} ({state})>"


if TYPE_CHECKING:  # the real modules for type checkers and editors
    import ibis
    import polars
    import sqlglot
else:
    ibis = LazyModule("ibis")
    polars = LazyModule("polars")
    sqlglot = LazyModule("sqlglot")

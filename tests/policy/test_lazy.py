"""Ibis and sqlglot are imported when an expression is built or SQL parsed, not with the editions:
what an edition holds besides its rules (criteria, settings, levers) is read without them."""

import subprocess
import sys

from keqi.policy.lazy import LazyModule


def test_the_editions_and_the_engine_load_without_ibis_or_sqlglot():
    code = (
        "import sys; from keqi.policy import editions, engine, gaps, gapsearch;"
        "[(e.resolve_settings(), e.levers, e.criteria) for e in editions.all_editions()];"
        "loaded = {'ibis', 'sqlglot'} & set(sys.modules); assert not loaded, loaded"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_lazy_module_is_imported_when_first_used():
    code = (
        "import sys; from keqi.policy.lazy import LazyModule; m = LazyModule('wave');"
        "assert 'wave' not in sys.modules and 'not imported' in repr(m);"
        "assert m.open is sys.modules['wave'].open and repr(m).endswith('(imported)>')"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert LazyModule("json").dumps([1]) == "[1]"

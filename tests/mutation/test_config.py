"""The mutation testing set-up (scripts/mutate.py) stays true to the code it measures: a module that
moves or a test file that is renamed fails here, not silently in a mutation run."""

import importlib.util
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def mutate():
    spec = importlib.util.spec_from_file_location("keqi_mutate", ROOT / "scripts" / "mutate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_every_group_names_existing_modules_and_tests(mutate):
    groups = mutate.load_groups()
    assert groups, "tests/mutation/modules.toml lists no group"
    for name, group in groups.items():
        files = group.source_files()
        assert files, f"group {name}: no source file matches {group.sources}"
        for f in files:
            assert (ROOT / f).is_file() and f.startswith("src/keqi/") and f.endswith(".py"), (
                f"group {name}: {f} is not a module of src/keqi (moved? update tests/mutation/modules.toml)")
        for t in group.tests:
            assert (ROOT / t).exists(), f"group {name}: test path {t} does not exist (update modules.toml)"


def test_no_module_is_in_two_groups(mutate):
    seen = {}
    for name, group in mutate.load_groups().items():
        for f in group.source_files():
            assert f not in seen, f"{f} is in groups {seen[f]} and {name}"
            seen[f] = name


def test_every_written_off_mutant_says_why(mutate):
    data = tomllib.loads(mutate.EQUIVALENT.read_text(encoding="utf-8"))
    modules = {f.removeprefix("src/").removesuffix(".py").replace("/", ".")
               for g in mutate.load_groups().values() for f in g.source_files()}
    for entry in data.get("mutant", []):
        assert entry["module"] in modules, f"{entry['module']}: not a mutated module (moved?)"
        assert entry["function"] and mutate.change_lines(entry["change"]), entry
        assert len(entry["reason"].split()) >= 5, f"{entry['module']}.{entry['function']}: say why it is equivalent"


def test_a_mutant_is_known_by_its_changed_lines_whatever_their_indentation(mutate):
    diff = "--- a.py\n+++ a.py\n@@ -1,3 +1,3 @@\n     x = 1\n-    if a  <= b:\n+    if a < b:\n"
    assert mutate.change_lines(diff) == ("- if a <= b:", "+ if a < b:")
    m = mutate.Mutant(name="keqi.credit.services.xǁFundSummaryǁbalance__mutmut_3",
                      path="src/keqi/credit/services.py", status="survived", diff=diff)
    assert (m.module, m.function) == ("keqi.credit.services", "FundSummary.balance")
    e = mutate.Equivalent(module=m.module, function=m.function, change=("- if a <= b:", "+ if a < b:"), reason="x")
    assert mutate.matches(m, [e]) is e


def test_the_tool_is_pinned():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["dev"]
    assert any(d.startswith("mutmut==") for d in deps)

"""Inside keqi.policy, the engine's modules import downward and share no private names.

(The package as a whole imports nothing above it: tests/test_layering.py.)"""

import ast
from pathlib import Path

POLICY = Path(__file__).resolve().parents[2] / "src" / "keqi" / "policy"


# Inside the package, each module imports only those below it: the engine compiles and runs the rules;
# the two gap searches share ``plans`` and never import each other; ``evaluation`` dispatches.
POLICY_ORDER = {
    "engine": 1,
    "plans": 1,
    "gaps": 2,
    "gapsearch": 2,
    "spark": 2,
    "evaluation": 3,
}


def _policy_imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every ``keqi.policy…`` import of ``path``, function-local ones included."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("keqi.policy"):
            if node.module == "keqi.policy":
                out += [(f"keqi.policy.{a.name}", []) for a in node.names]
            else:
                out.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            out += [(a.name, []) for a in node.names if a.name.startswith("keqi.policy.")]
    return out


def test_policy_modules_import_downward_and_share_no_private_names():
    problems = []
    for name, rank in POLICY_ORDER.items():
        for module, names in _policy_imports(POLICY / f"{name}.py"):
            target = module.split(".")[2] if module.count(".") >= 2 else ""
            if target in POLICY_ORDER and target != name and POLICY_ORDER[target] >= rank:
                problems.append(f"{name} imports {module} (not below it)")
            if target not in ("editions",) and any(n.startswith("_") for n in names):
                problems.append(f"{name} imports private names {names} of {module}")
    assert problems == []

"""The ground floor imports nothing above it: keqi.policy uses no Django and no other keqi package."""

import ast
from pathlib import Path

POLICY = Path(__file__).resolve().parents[2] / "src" / "keqi" / "policy"


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_policy_imports_neither_django_nor_the_apps():
    offenders = {
        str(path.relative_to(POLICY)): sorted(
            m
            for m in imported_modules(path)
            if m.split(".")[0] == "django" or (m.startswith("keqi.") and not m.startswith("keqi.policy"))
        )
        for path in POLICY.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}

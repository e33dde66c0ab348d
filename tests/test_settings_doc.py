"""The settings module's docstring lists every KEQI_ environment variable read anywhere (code, tests,
benchmarks, scripts), so an operator finds each one in one table."""

import re
from pathlib import Path

import keqi.settings

ROOT = Path(__file__).resolve().parents[1]
READ = re.compile(r"""(?:environ(?:\.get)?\(|environ\[|getenv\(|_flag\(|_int\()\s*["'](KEQI_[A-Z0-9_]+)["']""")


def test_every_keqi_variable_read_is_documented():
    read = set()
    for folder in ("src", "tests", "benchmarks", "scripts"):
        for path in (ROOT / folder).rglob("*.py"):
            read |= set(READ.findall(path.read_text(encoding="utf-8")))
    rows = [line.split("|")[1] for line in keqi.settings.__doc__.splitlines() if line.startswith("| ``KEQI_")]
    documented = {name for row in rows for name in re.findall(r"``(KEQI_[A-Z0-9_]+)``", row)}
    assert read  # the pattern finds them
    assert sorted(read - documented) == []

"""The policy engine's compiled SQL, kept between processes in ``$KEQI_HOME/cache``.

Compiling the Ibis expressions of every edition to SQL takes longer than judging 100,000 firms
(docs/benchmarks.md). The SQL
depends only on the policy code, the libraries that compile it and the settings (part of each key),
so it is stored in a file named after a fingerprint of all of those: any change of an edition's
code or of a library version gives a new file, and a file that cannot be read is ignored.

The same file keeps what the gap search reads off that SQL (``engine.criterion_reads`` and
``engine.strict_conditions``, parsed with sqlglot): they change only with it, and
a process that finds them here parses nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from django.conf import settings

from keqi.policy import engine as policy_engine

LIBRARIES = ("ibis-framework", "duckdb", "sqlglot", "pyarrow")
FORMAT = 2  # of the file: {"sql": [...], "analyses": [...]} (1: the list of statements alone)
_stored: dict[Path, tuple[frozenset, frozenset]] = {}  # per file, the keys read from it or written to it


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """A hash of the policy package's source files and of the versions of the compiling libraries."""
    digest = hashlib.sha256(f"format {FORMAT}".encode())
    root = Path(policy_engine.__file__).parent
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    for name in LIBRARIES:
        try:
            digest.update(f"{name}=={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(name.encode())
    return digest.hexdigest()[:20]


def path() -> Path:
    return Path(settings.KEQI_HOME) / "cache" / f"policy-sql-{fingerprint()}.json"


def load() -> int:
    """Seed the engine with the SQL stored for this code, and with what was read off it; returns how
    many statements were read."""
    target = path()
    try:
        stored = json.loads(target.read_text(encoding="utf-8"))
        compiled = {(e["edition"], e["settings"], e["view"]): (e["sql"], tuple(e["reads"])) for e in stored["sql"]}
        found = {(e["edition"], e["settings"], e["what"]): e["value"] for e in stored["analyses"]}
    except (OSError, ValueError, KeyError, TypeError):
        return 0
    policy_engine.seed_compiled(compiled)
    policy_engine.seed_analyses(found)
    _stored[target] = (frozenset(compiled), frozenset(found))
    return len(compiled)


def save() -> None:
    """Store what the engine has compiled in this process and what the gap search reads off it
    (found now for the criteria SQL that lacks it, so that worker threads need not); written whole,
    then renamed into place, and only when there is something the file does not hold yet."""
    compiled = policy_engine.compiled_sql()
    if not compiled:
        return
    for edition, settings_key, view in compiled:
        if view == "criteria":
            policy_engine.analyse(edition, settings_key)
    found = policy_engine.analyses()
    target = path()
    keys = (frozenset(compiled), frozenset(found))
    if target in _stored and keys[0] <= _stored[target][0] and keys[1] <= _stored[target][1] and target.exists():
        return
    stored = {
        "sql": [{"edition": e, "settings": s, "view": v, "sql": sql, "reads": list(reads)}
                for (e, s, v), (sql, reads) in sorted(compiled.items())],
        "analyses": [{"edition": e, "settings": s, "what": w, "value": value}
                     for (e, s, w), value in sorted(found.items())],
    }
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent, delete=False,
                                         suffix=".tmp") as out:
            json.dump(stored, out, ensure_ascii=False)
        os.replace(out.name, target)
    except OSError:
        return  # a cache that cannot be written only costs the next process the compilation
    _stored[target] = keys

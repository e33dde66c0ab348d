"""The policy engine's compiled SQL, kept between processes in ``$KEQI_HOME/cache``.

Compiling the Ibis expressions of every edition to SQL takes seconds (about 0.7 s an edition and
view on the development machine, 13 editions × 3 views), more than judging 100,000 firms. The SQL
depends only on the policy code, the libraries that compile it and the settings (part of each key),
so it is stored in a file named after a fingerprint of all of those: any change of an edition's
code or of a library version gives a new file, and a file that cannot be read is ignored.
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


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """A hash of the policy package's source files and of the versions of the compiling libraries."""
    digest = hashlib.sha256()
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
    """Seed the engine with the SQL stored for this code; returns how many statements were read."""
    try:
        entries = json.loads(path().read_text(encoding="utf-8"))
        compiled = {(e["edition"], e["settings"], e["view"]): (e["sql"], tuple(e["reads"])) for e in entries}
    except (OSError, ValueError, KeyError, TypeError):
        return 0
    policy_engine.seed_compiled(compiled)
    return len(compiled)


def save() -> None:
    """Store what the engine has compiled in this process (written whole, then renamed into place)."""
    compiled = policy_engine.compiled_sql()
    if not compiled:
        return
    target = path()
    entries = [{"edition": e, "settings": s, "view": v, "sql": sql, "reads": list(reads)}
               for (e, s, v), (sql, reads) in sorted(compiled.items())]
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent, delete=False,
                                         suffix=".tmp") as out:
            json.dump(entries, out, ensure_ascii=False)
        os.replace(out.name, target)
    except OSError:
        pass  # a cache that cannot be written only costs the next process the compilation

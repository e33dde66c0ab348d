"""The policy engine's compiled SQL, kept between processes in ``$KEQI_HOME/cache``.

Compiling the Ibis expressions of every edition to SQL takes longer than judging 100,000 firms or a
firm's whole evaluation (docs/benchmarks.md). The SQL depends only on the policy code, the libraries
that compile it and the settings (part of each key), so it is stored in a file named after a
fingerprint of all of those: any change of an edition's code or of a library version gives a new file,
a file that cannot be read is ignored, and the files of other
fingerprints are removed once they have not been used for a day.

The same file keeps what the gap search reads off that SQL (``engine.criterion_reads``,
``engine.strict_conditions``, ``engine.composition``, parsed with sqlglot): they change only with it.

``install()`` hands the file to the engine (``engine.use_store``): the first statement a process needs
reads the file, and whatever a process compiles or analyses that the file lacks is added to it at once
(merged with what other processes added meanwhile, written whole and renamed into place). Every front
installs it at start — the CLI (``keqi evaluate`` without Django too), the web server and the task
worker (the screening app's ``ready``) — so the SQL is compiled once per installation and code version,
at first use, and shared by all of them. A process that finds everything there imports neither Ibis nor
sqlglot.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from keqi.policy import engine as policy_engine

LIBRARIES = ("ibis-framework", "duckdb", "sqlglot", "pyarrow")
FORMAT = 2  # of the file: {"sql": [...], "analyses": [...]} (1: the list of statements alone)
PREFIX = "policy-sql-"
STALE_SECONDS = 24 * 3600  # another fingerprint's file unused this long is removed
_lock = threading.Lock()


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


def home() -> Path:
    """``KEQI_HOME``: Django's setting when Django is set up, else as ``keqi.settings`` reads it (the CLI's
    ``keqi evaluate`` does not start Django)."""
    conf = sys.modules.get("django.conf")  # not imported for nothing: ~0.1 s of a one-firm evaluation
    if conf is not None and conf.settings.configured:
        return Path(conf.settings.KEQI_HOME)
    return Path(os.environ.get("KEQI_HOME", Path.cwd() / "var")).resolve()


def path() -> Path:
    return home() / "cache" / f"{PREFIX}{fingerprint()}.json"


def _read(target: Path) -> tuple[dict, dict] | None:
    try:
        stored = json.loads(target.read_text(encoding="utf-8"))
        compiled = {(e["edition"], e["settings"], e["view"]): (e["sql"], tuple(e["reads"])) for e in stored["sql"]}
        found = {(e["edition"], e["settings"], e["what"]): e["value"] for e in stored["analyses"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return compiled, found


class FileStore:
    """``engine.Store`` over ``path()`` (the engine asks again when the file's name changes, e.g. with
    ``KEQI_HOME``)."""

    def __init__(self) -> None:
        self._written: dict[Path, tuple[frozenset, frozenset]] = {}  # keys known to be in each file

    def key(self) -> Path:
        return path()

    def load(self) -> tuple[dict, dict] | None:
        target = path()
        found = _read(target)
        if found is not None:
            self._written[target] = (frozenset(found[0]), frozenset(found[1]))
        return found

    def save(self, compiled: Mapping, found: Mapping) -> None:
        if not compiled and not found:
            return
        target = path()
        with _lock:
            known = self._written.get(target)
            if known is not None and set(compiled) <= known[0] and set(found) <= known[1] and target.exists():
                return
            there = _read(target) or ({}, {})  # what other processes added meanwhile
            compiled = {**there[0], **compiled}
            found = {**there[1], **found}
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
            fresh = target not in self._written
            self._written[target] = (frozenset(compiled), frozenset(found))
        if fresh:
            prune(target.parent)


def prune(folder: Path, *, now: float | None = None) -> list[Path]:
    """Remove the cache files of other fingerprints (and stray temporary files) unused for a day; returns
    those removed. A file in use is read or written at least as often as its process starts."""
    now = time.time() if now is None else now
    current = f"{PREFIX}{fingerprint()}.json"
    removed = []
    for file in [*folder.glob(f"{PREFIX}*.json"), *folder.glob("tmp*.tmp")]:
        try:
            if file.name != current and now - file.stat().st_mtime > STALE_SECONDS:
                file.unlink()
                removed.append(file)
        except OSError:
            continue
    return removed


_store = FileStore()


_installed = False


def install() -> None:
    """Hand the cache file to the engine (once per process; the file is read when first needed)."""
    global _installed
    if not _installed:
        policy_engine.use_store(_store)
        _installed = True


def load() -> int:
    """Seed the engine with the SQL stored for this code, and with what was read off it; returns how
    many statements were read. Installs the file as the engine's store (``install``)."""
    install()
    found = _store.load()
    if found is None:
        return 0
    policy_engine.seed_compiled(found[0])
    policy_engine.seed_analyses(found[1])
    return len(found[0])


def save() -> None:
    """Store what the engine has compiled in this process and what the gap search reads off it (found now
    for the criteria SQL that lacks it, so that worker threads and processes need not)."""
    compiled = policy_engine.compiled_sql()
    for edition, settings_key, view in compiled:
        if view == "criteria":
            policy_engine.analyse(edition, settings_key)
    _store.save(policy_engine.compiled_sql(), policy_engine.analyses())

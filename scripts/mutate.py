#!/usr/bin/env python
"""Mutation testing of the modules whose rules users rely on (mutmut, pinned in the dev extras).

    python scripts/mutate.py run [GROUP ...]       measure groups (all by default) and record the figures
    python scripts/mutate.py ci [--budget SECONDS] what CI runs: the changed groups, then a rotating sample
    python scripts/mutate.py survivors GROUP       the last run's surviving mutants of a group, as diffs

The groups (source files and the tests their mutants run against) are listed once, in
tests/mutation/modules.toml. Each group is mutated in its own folder under var/mutation/ with its
own mutmut configuration, so a mutant runs only the tests of its group that call the function it
changes. A mutant that survives must be killed by a test or written off, with the reason, in
tests/mutation/equivalent.toml (reviewed like code); ``ci`` fails on any other survivor.

The figures of the last full measurement go to tests/mutation/scores.json (with a hash of each
group's sources, so that CI knows which groups changed since) and to the table in docs/testing.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "tests" / "mutation" / "modules.toml"
EQUIVALENT = ROOT / "tests" / "mutation" / "equivalent.toml"
SCORES = ROOT / "tests" / "mutation" / "scores.json"
DOC = ROOT / "docs" / "testing.md"
WORK = ROOT / "var" / "mutation"
GOAL = 0.90
SAMPLE = 40  # mutants of the rotating group that CI tries when no group changed
TABLE_START, TABLE_END = "<!-- mutation figures: start -->", "<!-- mutation figures: end -->"

# mutmut exit codes (mutmut.stats.status_by_exit_code), folded into what the figures count
KILLED_CODES = {1, 3, -11, -9}  # a failed test or a crash kills
TIMEOUT_CODES = {36, -24, 24, 152, 255}  # so does a time-out (CPU time), counted apart to be seen
SURVIVED_CODES = {0}
NO_TESTS_CODES = {5, 33}  # no test of the group calls the function: as bad as surviving


# --- configuration -------------------------------------------------------------------------------


@dataclass
class Group:
    name: str
    title: str
    sources: list[str]
    tests: list[str]

    @property
    def folder(self) -> Path:
        return WORK / self.name

    def source_files(self) -> list[str]:
        files: list[str] = []
        for pattern in self.sources:
            found = sorted(glob.glob(pattern, root_dir=ROOT)) if any(c in pattern for c in "*?[") else [pattern]
            files += [f for f in found if f not in files and not f.endswith("__init__.py")]
        return files

    def source_hash(self) -> str:
        digest = hashlib.sha256()
        for name in self.source_files():
            digest.update(name.encode())
            path = ROOT / name
            digest.update(path.read_bytes() if path.exists() else b"missing")
        return digest.hexdigest()[:16]


def load_groups() -> dict[str, Group]:
    data = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    return {name: Group(name=name, title=g["title"], sources=list(g["sources"]), tests=list(g["tests"]))
            for name, g in data["groups"].items()}


@dataclass
class Equivalent:
    module: str
    function: str
    change: tuple[str, ...]
    reason: str


def change_lines(diff: str) -> tuple[str, ...]:
    """The changed lines of a mutant's diff, without indentation: what identifies it across edits."""
    lines = []
    for line in diff.splitlines():
        if line.startswith(("---", "+++", "@@")) or line[:1] not in ("+", "-"):
            continue
        lines.append(line[0] + " " + " ".join(line[1:].split()))
    return tuple(lines)


def load_equivalents() -> list[Equivalent]:
    if not EQUIVALENT.exists():
        return []
    data = tomllib.loads(EQUIVALENT.read_text(encoding="utf-8"))
    out = []
    for e in data.get("mutant", []):
        out.append(Equivalent(module=e["module"], function=e["function"], change=change_lines(e["change"]),
                              reason=e["reason"].strip()))
    return out


# --- one group's run -----------------------------------------------------------------------------


@dataclass
class Mutant:
    name: str  # mutmut's name: keqi.targets.forecast.x_year_end__mutmut_7
    path: str
    status: str  # killed | survived | no tests | not checked | skipped
    diff: str = ""

    @property
    def module(self) -> str:
        return self.path.removeprefix("src/").removesuffix(".py").replace("/", ".")

    @property
    def function(self) -> str:
        key = self.name.rpartition(".")[2].rpartition("__mutmut_")[0]
        if key.startswith("x_"):
            return key[2:]
        return ".".join(p for p in key[1:].split("ǁ") if p)


@dataclass
class Result:
    group: str
    mutants: list[Mutant] = field(default_factory=list)
    seconds: float = 0.0
    complete: bool = True
    error: str = ""


def _status(code) -> str:
    if code is None:
        return "not checked"
    if code in KILLED_CODES:
        return "killed"
    if code in TIMEOUT_CODES:
        return "timeout"
    if code in SURVIVED_CODES:
        return "survived"
    if code in NO_TESTS_CODES:
        return "no tests"
    if code == 34:
        return "skipped"
    return "killed"  # "suspicious" exit codes: the tests did not pass


def _pytest_options() -> dict:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return data["tool"]["pytest"]["ini_options"]


def _toml_value(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def prepare(group: Group) -> None:
    """A fresh folder for the group: links to the code and the tests, and mutmut's configuration."""
    folder = group.folder
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / "src").symlink_to(ROOT / "src")
    (folder / "tests").symlink_to(ROOT / "tests")
    pytest_options = dict(_pytest_options())
    mutmut_options = {
        "source_paths": ["src"],
        "only_mutate": group.source_files(),
        "pytest_add_cli_args_test_selection": group.tests,
        "pytest_add_cli_args": ["-p", "no:cacheprovider", "-m", "not browser and not spark and not slow"],
        "use_git_change_detection": False,
        # each mutant forks from a server that imported the tests but ran none: a process that has run
        # polars or DuckDB holds their thread pools' locks, and a child forked from it can hang on them
        "process_isolation": "forkserver",
        "forkserver_warmup": "collect",
        # a mutant's tests may take (their time in the stats run, fixtures included, + constant) ×
        # multiplier seconds (twice that of CPU): generous, the machine is shared and its load varies
        "timeout_multiplier": 5.0,
        "timeout_constant": 15.0,
    }
    text = ["[tool.pytest.ini_options]"] + [f"{k} = {_toml_value(v)}" for k, v in pytest_options.items()]
    text += ["", "[tool.mutmut]"] + [f"{k} = {_toml_value(v)}" for k, v in mutmut_options.items()]
    (folder / "pyproject.toml").write_text("\n".join(text) + "\n", encoding="utf-8")
    (folder / "source.hash").write_text(group.source_hash(), encoding="utf-8")


def template_database() -> Path:
    """One migrated SQLite database that every test session of a mutation run copies."""
    WORK.mkdir(parents=True, exist_ok=True)
    migrations = hashlib.sha256()
    for path in sorted((ROOT / "src").rglob("migrations/*.py")):
        migrations.update(path.read_bytes())
    db = WORK / f"template-{migrations.hexdigest()[:12]}.sqlite3"
    if not db.exists():
        for old in WORK.glob("template-*.sqlite3*"):
            old.unlink()
        env = {**os.environ, "KEQI_DATABASE_URL": f"sqlite:///{db}", "KEQI_HOME": str(WORK / "home")}
        subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v", "0"], cwd=ROOT, env=env,
                       check=True)
    return db


def _worker_env(group: Group, db: Path) -> dict:
    env = dict(os.environ)
    env.update({
        "KEQI_MUTATION_DB": str(db),
        "KEQI_DATABASE_URL": f"sqlite:///{db}",
        "KEQI_HOME": str(group.folder / "home"),
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    env.pop("KEQI_TEST_DATABASE_NAME", None)
    return env


def _worker(group: Group, args: list[str], env: dict, log, timeout: float | None) -> tuple[int | None, str]:
    """Run this script's worker in the group's folder; a run past ``timeout`` is stopped (its
    results so far are kept by mutmut)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "_worker", *args]
    proc = subprocess.Popen(cmd, cwd=group.folder, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        return proc.wait(timeout=timeout), ""
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        return None, "time box reached"
    except BaseException:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise


def run_group(group: Group, *, db: Path, children: int, timeout: float | None = None,
              sample: int | None = None, seed: str = "", retest: bool = False) -> Result:
    started = time.monotonic()
    if retest:  # the last run's survivors again, against the tests as they are now
        report = group.folder / "report.json"
        measured = group.folder / "source.hash"
        if not measured.exists() or measured.read_text(encoding="utf-8") != group.source_hash():
            return Result(group=group.name, complete=False,
                          error="the sources changed since the last run (or there was none): run it whole")
        last = json.loads(report.read_text(encoding="utf-8")) if report.exists() else []
        survivors = [m["name"] for m in last if m["status"] in ("survived", "no tests")]
        result = Result(group=group.name)
        with open(group.folder / "run.log", "a", encoding="utf-8") as log:
            if survivors:
                code, _ = _worker(group, ["run", str(children), *survivors], _worker_env(group, db), log, None)
                if code not in (0, None):
                    result.error = f"mutmut stopped with exit code {code}: see {group.folder / 'run.log'}"
            _worker(group, ["report"], _worker_env(group, db), log, timeout=600)
        result.mutants = [Mutant(**m) for m in json.loads(report.read_text(encoding="utf-8"))]
        result.seconds = time.monotonic() - started
        return result
    prepare(group)
    env = _worker_env(group, db)
    result = Result(group=group.name)
    with open(group.folder / "run.log", "w", encoding="utf-8") as log:
        names: list[str] = []
        if sample is not None:
            code, _ = _worker(group, ["list"], env, log, timeout=600)
            every = json.loads((group.folder / "mutants.json").read_text()) if code == 0 else []
            names = sorted(random.Random(seed).sample(every, min(sample, len(every))))
        left = None if timeout is None else max(timeout - (time.monotonic() - started), 30)
        code, why = _worker(group, ["run", str(children), *names], env, log, timeout=left)
        if code not in (0, None):
            result.error = f"mutmut stopped with exit code {code}: see {group.folder / 'run.log'}"
        if code is None:
            result.complete = False
            result.error = why
        _worker(group, ["report", *names], env, log, timeout=600)
    report = group.folder / "report.json"
    if report.exists():
        result.mutants = [Mutant(**m) for m in json.loads(report.read_text(encoding="utf-8"))]
    result.seconds = time.monotonic() - started
    return result


# --- figures -------------------------------------------------------------------------------------


def matches(m: Mutant, equivalents: list[Equivalent]) -> Equivalent | None:
    change = change_lines(m.diff)
    for e in equivalents:
        if e.module == m.module and e.function == m.function and e.change == change:
            return e
    return None


def figures(results: list[Result], equivalents: list[Equivalent]) -> dict[str, dict]:
    per_file: dict[str, dict] = {}
    for r in results:
        for m in r.mutants:
            f = per_file.setdefault(m.path, {"group": r.group, "mutants": 0, "killed": 0, "timeout": 0,
                                             "equivalent": 0, "survived": 0, "no_tests": 0, "not_checked": 0})
            if m.status in ("not checked", "skipped"):
                f["not_checked"] += 1
                continue
            f["mutants"] += 1
            if m.status in ("killed", "timeout"):
                f["killed"] += 1
                f["timeout"] += m.status == "timeout"
            elif matches(m, equivalents):
                f["equivalent"] += 1
            elif m.status == "no tests":
                f["no_tests"] += 1
            else:
                f["survived"] += 1
    for f in per_file.values():
        counted = f["mutants"] - f["equivalent"]
        f["score"] = round(f["killed"] / counted, 4) if counted else 1.0
    return per_file


def open_survivors(results: list[Result], equivalents: list[Equivalent]) -> list[Mutant]:
    return [m for r in results for m in r.mutants
            if m.status in ("survived", "no tests") and not matches(m, equivalents)]


def print_survivors(survivors: list[Mutant]) -> None:
    for m in survivors:
        print(f"\n## {m.status}: {m.module}.{m.function}  ({m.name})")
        print(m.diff)


def print_figures(per_file: dict[str, dict]) -> None:
    print(f"\n{'module':<48} {'mutants':>7} {'killed':>6} {'equiv':>5} {'open':>5} {'score':>7}")
    for path, f in sorted(per_file.items()):
        print(f"{path:<48} {f['mutants']:>7} {f['killed']:>6} {f['equivalent']:>5} "
              f"{f['survived'] + f['no_tests']:>5} {f['score']:>7.1%}"
              + (f"  ({f['timeout']} of the killed by time-out)" if f["timeout"] else "")
              + (f"  ({f['not_checked']} not checked)" if f["not_checked"] else ""))


def identity(m: Mutant) -> dict:
    return {"module": m.module, "function": m.function, "change": list(change_lines(m.diff))}


def record(groups: dict[str, Group], results: list[Result], per_file: dict[str, dict],
           equivalents: list[Equivalent]) -> None:
    scores = json.loads(SCORES.read_text(encoding="utf-8")) if SCORES.exists() else {}
    load = os.getloadavg()[0]
    for r in results:
        if not r.complete or r.error or any(m.status == "not checked" for m in r.mutants):
            continue  # a partial run (time box, a sample) is no measurement
        g = groups[r.group]
        measured = g.folder / "source.hash"  # the code as it was when the run copied it
        scores[r.group] = {
            "hash": measured.read_text(encoding="utf-8") if measured.exists() else g.source_hash(),
            "measured": dt.date.today().isoformat(),
            "seconds": round(r.seconds),
            "load": round(load, 1),
            "files": {p: {k: v for k, v in f.items() if k != "group"} for p, f in per_file.items()
                      if f["group"] == r.group},
            # survivors not yet killed nor written off when measured: CI lists them, fails on new ones
            "open": [identity(m) for m in open_survivors([r], equivalents)],
        }
    scores = {k: scores[k] for k in groups if k in scores}
    SCORES.write_text(json.dumps(scores, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    write_table(groups, scores)


def write_table(groups: dict[str, Group], scores: dict) -> None:
    if not DOC.exists():
        return
    rows = ["| group | module | mutants | killed | written off | open | score | measured |",
            "|---|---|---:|---:|---:|---:|---:|---|"]
    for name, g in groups.items():
        s = scores.get(name)
        if not s:
            rows.append(f"| {name} | {', '.join(g.sources)} | | | | | not measured yet | |")
            continue
        stale = "" if s["hash"] == g.source_hash() else " (changed since)"
        for path, f in sorted(s["files"].items()):
            mark = "" if f["score"] >= GOAL else " ✗"
            rows.append(f"| {name} | `{path.removeprefix('src/keqi/')}` | {f['mutants']} | {f['killed']} | "
                        f"{f['equivalent']} | {f['survived'] + f['no_tests']} | {f['score']:.1%}{mark} | "
                        f"{s['measured']} (load {s['load']}){stale} |")
    text = DOC.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(TABLE_START) + ".*?" + re.escape(TABLE_END), re.S)
    if pattern.search(text):
        DOC.write_text(pattern.sub(lambda _: TABLE_START + "\n" + "\n".join(rows) + "\n" + TABLE_END, text),
                       encoding="utf-8")


# --- commands ------------------------------------------------------------------------------------


def cmd_run(args) -> int:
    groups = load_groups()
    chosen = args.groups or list(groups)
    unknown = [g for g in chosen if g not in groups]
    if unknown:
        print(f"unknown group(s): {', '.join(unknown)}; known: {', '.join(groups)}")
        return 2
    db = template_database()
    equivalents = load_equivalents()
    results = []
    for name in chosen:
        print(f"== {name}: {', '.join(groups[name].source_files())}", flush=True)
        r = run_group(groups[name], db=db, children=args.children, retest=args.retest)
        print(f"   {len(r.mutants)} mutants in {r.seconds:.0f} s" + (f"; {r.error}" if r.error else ""), flush=True)
        results.append(r)
    per_file = figures(results, equivalents)
    survivors = open_survivors(results, equivalents)
    print_survivors(survivors)
    print_figures(per_file)
    if args.record:
        record(groups, results, per_file, equivalents)
        print(f"\nrecorded in {SCORES.relative_to(ROOT)} and {DOC.relative_to(ROOT)} (load {os.getloadavg()[0]:.1f})")
    return 0


def _commit() -> tuple[str, int]:
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        count = int(subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=ROOT, capture_output=True,
                                   text=True).stdout.strip() or 0)
        return sha, count
    except (OSError, ValueError):
        return "", 0


def cmd_ci(args) -> int:
    """The changed groups in full, then (time left) a sample of the group whose turn it is; fails on
    a survivor that tests/mutation/equivalent.toml does not write off."""
    groups = load_groups()
    scores = json.loads(SCORES.read_text(encoding="utf-8")) if SCORES.exists() else {}
    unmeasured = [n for n in groups if n not in scores]
    changed = [n for n, g in groups.items() if n in scores and scores[n]["hash"] != g.source_hash()]
    measured = [n for n in groups if n in scores]
    sha, count = _commit()
    turn = measured[count % len(measured)] if measured else None
    deadline = time.monotonic() + args.budget
    db = template_database()
    equivalents = load_equivalents()
    results, skipped = [], []
    plan = [(n, None) for n in changed] + ([(turn, SAMPLE)] if turn and turn not in changed else [])
    for name, sample in plan:
        left = deadline - time.monotonic()
        if left < 60:
            skipped.append(name)
            continue
        what = f"a sample of {sample}" if sample else "changed since measured"
        print(f"== {name} ({what}): {', '.join(groups[name].source_files())}", flush=True)
        r = run_group(groups[name], db=db, children=args.children, timeout=left, sample=sample, seed=sha)
        checked = sum(m.status not in ("not checked", "skipped") for m in r.mutants)
        print(f"   {checked} of {len(r.mutants)} mutants tried in {r.seconds:.0f} s"
              + (f"; {r.error}" if r.error else ""), flush=True)
        results.append(r)
    known = {json.dumps(o, ensure_ascii=False) for n in scores for o in scores[n].get("open", [])}
    survivors, debt = [], []
    for m in open_survivors(results, equivalents):
        (debt if json.dumps(identity(m), ensure_ascii=False) in known else survivors).append(m)
    print_figures(figures(results, equivalents))
    if debt:
        print(f"\n{len(debt)} known survivor(s), open since last measured (see docs/testing.md): "
              + ", ".join(sorted({f"{m.module}.{m.function}" for m in debt})))
    if unmeasured:
        print(f"\nnever measured (not run by CI until recorded with make mutate): {', '.join(unmeasured)}")
    if skipped:
        print(f"\nnot tried within {args.budget} s: {', '.join(skipped)} (run `make mutate GROUPS=…` and commit "
              "the figures)")
    errors = [r for r in results if r.error and r.complete]
    for r in errors:
        print(f"\n{r.group}: {r.error}")
    if survivors:
        print_survivors(survivors)
        print(f"\n{len(survivors)} mutant(s) survived: kill each with a test, or write it off with the reason "
              f"in {EQUIVALENT.relative_to(ROOT)} (only if no test can tell it from the code)")
        return 1
    return 1 if errors else 0


def cmd_figures(args) -> int:
    """The table of docs/testing.md again from tests/mutation/scores.json (after a rebase, say)."""
    write_table(load_groups(), json.loads(SCORES.read_text(encoding="utf-8")) if SCORES.exists() else {})
    return 0


def cmd_survivors(args) -> int:
    groups = load_groups()
    report = groups[args.group].folder / "report.json"
    if not report.exists():
        print(f"no run of {args.group} yet: python scripts/mutate.py run {args.group}")
        return 2
    mutants = [Mutant(**m) for m in json.loads(report.read_text(encoding="utf-8"))]
    equivalents = load_equivalents()
    shown = [m for m in mutants if m.status in ("survived", "no tests")
             and (args.all or not matches(m, equivalents))]
    print_survivors(shown)
    print(f"\n{len(shown)} shown")
    return 0


# --- inside a group's folder (a subprocess, so that mutmut's state is one group's) ------------------

TRANSPARENT_DECORATORS = {"transaction.atomic"}


def _patch_mutmut() -> None:
    """mutmut leaves decorated functions alone; a function under ``@transaction.atomic`` (the credit
    ledger's writes) is a plain function for mutation: let mutmut mutate it (the decorator stays on
    the trampoline and on every copy, so each mutant still runs in its transaction)."""
    import libcst as cst
    from mutmut.mutation import file_mutation

    visitor = file_mutation.MutationVisitor
    original = visitor._skip_node_and_children

    def skip(self, node):
        if isinstance(node, cst.FunctionDef) and node.decorators and all(
                cst.Module([]).code_for_node(d.decorator) in TRANSPARENT_DECORATORS for d in node.decorators):
            position = self.get_metadata(file_mutation.PositionProvider, node, None)
            if not (position and position.start.line in self._ignored_node_lines):
                return False
        return original(self, node)

    visitor._skip_node_and_children = skip

    # mutmut times a test by its call alone; a test's fixtures (an import, a screening) take seconds
    # too, and a mutant's time limit that leaves them out stops survivors and counts them as killed
    from mutmut.runners import harness
    from mutmut.state import state

    class SetupTimes:
        def pytest_runtest_makereport(self, item, call):
            if call.when != "call" and os.environ.get("MUTANT_UNDER_TEST") == "stats":
                durations = state().duration_by_test
                durations[item.nodeid] = durations.get(item.nodeid, 0) + call.duration

    execute = harness.PytestRunner.execute_pytest

    def execute_pytest(self, params, **kwargs):
        kwargs["plugins"] = [*kwargs.get("plugins", []), SetupTimes()]
        return execute(self, params, **kwargs)

    harness.PytestRunner.execute_pytest = execute_pytest

    # a mutant's tests run quickest first: most mutants die in the first failing test (-x)
    from mutmut.workers import isolation

    for runner in (isolation.ForkServerRunner, isolation.ForkRunner):
        def submit(self, mutant_name, tests, cpu_time_limit, estimated_time, _submit=runner.submit):
            durations = state().duration_by_test
            tests = sorted(tests, key=lambda t: (durations.get(t, 0.0), t))
            return _submit(self, mutant_name, tests, cpu_time_limit, estimated_time)

        runner.submit = submit


def _mutated_files() -> list[str]:
    from mutmut.configuration import config
    from mutmut.utils.file_utils import walk_source_files

    return [str(p) for p in walk_source_files() if config().should_mutate(p)]


def cmd_worker(argv: list[str]) -> int:
    _patch_mutmut()
    what, rest = argv[0], argv[1:]
    if what == "run":
        from mutmut.__main__ import cli

        try:
            cli(["run", "--max-children", rest[0], *rest[1:]], standalone_mode=False)
        except SystemExit as e:
            return int(e.code or 0)
        return 0
    from mutmut.mutation.data import SourceFileMutationData

    if what == "list":
        from mutmut.__main__ import create_mutants
        from mutmut.utils.file_utils import copy_also_copy_files, copy_src_dir, setup_source_paths

        Path("mutants").mkdir(exist_ok=True)
        copy_src_dir()
        copy_also_copy_files()
        setup_source_paths()
        create_mutants(1)
        names = []
        for path in _mutated_files():
            data = SourceFileMutationData(path=path)
            data.load()
            names += list(data.exit_code_by_key)
        Path("mutants.json").write_text(json.dumps(names), encoding="utf-8")
        return 0
    if what == "report":
        from mutmut.mutation.diff_apply import get_diff_for_mutant

        wanted = set(rest)
        out = []
        for path in _mutated_files():
            data = SourceFileMutationData(path=path)
            data.load()
            for name, code in data.exit_code_by_key.items():
                if wanted and name not in wanted:
                    continue
                status = _status(code)
                diff = get_diff_for_mutant(name, path=path) if status in ("survived", "no tests") else ""
                out.append({"name": name, "path": path, "status": status, "diff": diff})
        Path("report.json").write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
        return 0
    raise SystemExit(f"unknown worker command {what}")


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "_worker":
        return cmd_worker(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run", help="measure groups (all by default) and record their figures")
    p.add_argument("groups", nargs="*")
    p.add_argument("--no-record", dest="record", action="store_false", help="do not write the figures")
    p.add_argument("--children", type=int, default=1, help="mutants tried at once (default 1)")
    p.add_argument("--retest", action="store_true",
                   help="only the last run's survivors, against the tests as they are now (same code)")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("ci", help="the changed groups, then a rotating sample; fails on an unlisted survivor")
    p.add_argument("--budget", type=float, default=float(os.environ.get("KEQI_MUTATE_BUDGET", 420)))
    p.add_argument("--children", type=int, default=os.cpu_count() or 1)
    p.set_defaults(func=cmd_ci)
    p = sub.add_parser("figures", help="rewrite the table in docs/testing.md from the recorded figures")
    p.set_defaults(func=cmd_figures)
    p = sub.add_parser("survivors", help="the last run's survivors of a group, as diffs")
    p.add_argument("group")
    p.add_argument("--all", action="store_true", help="also those written off as equivalent")
    p.set_defaults(func=cmd_survivors)
    args = parser.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())

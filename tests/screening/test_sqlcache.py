"""The compiled SQL kept between processes (with what the gap search reads off it): stored, read back
as it was, and ignored when unreadable."""

import json

from django.test import override_settings

from keqi.policy import engine
from keqi.screening import sqlcache


def test_saved_sql_seeds_a_fresh_process(tmp_path, monkeypatch):
    with override_settings(KEQI_HOME=tmp_path):
        engine._compiled_view("tsme-2017", "{}", "verdict")
        compiled = engine.compiled_sql()
        sqlcache.save()
        assert sqlcache.path().parent == tmp_path / "cache"
        monkeypatch.setattr(engine, "_sql_cache", {})  # a new process
        assert sqlcache.load() == len(compiled)
        assert engine.compiled_sql() == compiled
        assert engine._compiled_view("tsme-2017", "{}", "verdict") == compiled[("tsme-2017", "{}", "verdict")]


def test_an_unreadable_cache_is_ignored(tmp_path, monkeypatch):
    with override_settings(KEQI_HOME=tmp_path):
        sqlcache.path().parent.mkdir(parents=True)
        sqlcache.path().write_text("{not json", encoding="utf-8")
        monkeypatch.setattr(engine, "_sql_cache", {})
        assert sqlcache.load() == 0 and engine.compiled_sql() == {}


def test_the_file_name_follows_the_policy_code():
    assert len(sqlcache.fingerprint()) == 20
    assert sqlcache.fingerprint() in sqlcache.path().name


def test_the_server_start_stores_the_evaluation_pages_sql_for_the_next_process(tmp_path, monkeypatch):
    import datetime as dt

    from keqi.screening import services

    with override_settings(KEQI_HOME=tmp_path):
        day = dt.date(2026, 6, 30)
        prepared = services.prepare_evaluation(day=day)
        assert prepared == services.editions_on(day) and len(prepared) >= 10
        monkeypatch.setattr(engine, "_sql_cache", {})  # a new process
        sqlcache.load()
        assert {(e, "{}", v) for e in prepared for v in ("full", "criteria")} <= set(engine.compiled_sql())


def test_what_the_gap_search_reads_off_the_sql_is_stored_with_it(tmp_path, monkeypatch):
    """``criterion_reads`` and ``strict_conditions`` read back from the file equal the parsed ones, and
    are not parsed again."""
    key = engine.settings_key(None)
    parts_asked = (("passed",), ("passed", "min", "max"))
    editions = ("hnte-2016", "kv-credit")
    with override_settings(KEQI_HOME=tmp_path):
        fresh = {(e, p): engine._criterion_reads(e, key, p) for e in editions for p in parts_asked}
        strict = {e: engine._strict_conditions(e, key) for e in editions}
        for e in editions:
            engine._compiled_view(e, key, "criteria")
        sqlcache.save()  # finds what the gap search reads off the criteria SQL it stores
        monkeypatch.setattr(engine, "_sql_cache", {})  # a new process
        monkeypatch.setattr(engine, "_analysis_cache", {})
        engine.criterion_reads.cache_clear()
        engine.strict_conditions.cache_clear()
        sqlcache.load()

        def parse(*args):
            raise AssertionError(f"parsed again: {args}")

        monkeypatch.setattr(engine, "_criterion_reads", parse)
        monkeypatch.setattr(engine, "_strict_conditions", parse)
        assert {(e, p): engine.criterion_reads(e, key, p) for e in editions for p in parts_asked} == fresh
        assert {e: engine.strict_conditions(e, key) for e in editions} == strict
        assert strict["hnte-2016"] and strict["kv-credit"] == frozenset({"registered"})  # kv-credit: only 入库
    engine.criterion_reads.cache_clear()
    engine.strict_conditions.cache_clear()


def test_a_file_of_the_first_format_is_not_read(tmp_path, monkeypatch):
    with override_settings(KEQI_HOME=tmp_path):
        sqlcache.path().parent.mkdir(parents=True)
        entry = {"edition": "tsme-2017", "settings": "{}", "view": "verdict", "sql": "SELECT 1", "reads": []}
        sqlcache.path().write_text(json.dumps([entry]), encoding="utf-8")
        monkeypatch.setattr(engine, "_sql_cache", {})
        assert sqlcache.load() == 0 and engine.compiled_sql() == {}


def _new_process(monkeypatch, store=None):
    """The engine as a new process finds it: nothing compiled or analysed, the cache file as the store."""
    monkeypatch.setattr(engine, "_sql_cache", {})
    monkeypatch.setattr(engine, "_analysis_cache", {})
    for cached in (engine.criterion_reads, engine.strict_conditions, engine.composition):
        cached.cache_clear()
    monkeypatch.setattr(engine, "_store", None)
    monkeypatch.setattr(engine, "_store_loaded", None)
    engine.use_store(store or sqlcache.FileStore())


def test_the_installed_cache_is_read_at_first_need_and_given_what_is_compiled(tmp_path, monkeypatch):
    with override_settings(KEQI_HOME=tmp_path):
        _new_process(monkeypatch)
        sql = engine._compiled_view("tsme-2017", "{}", "verdict")  # compiled here, stored at once
        assert engine.composition("tsme-2017", "{}") is not None
        assert sqlcache.path().is_file()
        _new_process(monkeypatch)

        def compile_again(*args):
            raise AssertionError(f"compiled again: {args}")

        monkeypatch.setattr(engine, "_compile_view", compile_again)
        monkeypatch.setattr(engine, "_composition", compile_again)
        assert engine._compiled_view("tsme-2017", "{}", "verdict") == sql
        assert engine.composition("tsme-2017", "{}") is not None
    engine.composition.cache_clear()


def test_what_two_processes_store_is_kept_together(tmp_path, monkeypatch):
    """Each process writes the whole file: it merges what the file holds first, so nothing is lost."""
    with override_settings(KEQI_HOME=tmp_path):
        _new_process(monkeypatch)
        first = engine._compiled_view("tsme-2017", "{}", "verdict")
        _new_process(monkeypatch, store=sqlcache.FileStore())
        monkeypatch.setattr(engine, "_from_store", lambda: None)  # started before the first one stored
        second = engine._compiled_view("cq-tech-2022", "{}", "verdict")
        monkeypatch.setattr(engine, "_sql_cache", {})
        assert sqlcache.load() == 2
        assert engine._sql_cache[("tsme-2017", "{}", "verdict")] == first
        assert engine._sql_cache[("cq-tech-2022", "{}", "verdict")] == second


def test_files_of_other_policy_code_are_removed_once_unused_for_a_day(tmp_path):
    import os
    import time

    folder = tmp_path / "cache"
    folder.mkdir()
    now = time.time()
    old, recent, current = (folder / f"policy-sql-{x}.json" for x in ("0" * 20, "1" * 20, sqlcache.fingerprint()))
    for file in (old, recent, current):
        file.write_text("{}", encoding="utf-8")
    os.utime(old, (now - 2 * 86400, now - 2 * 86400))
    os.utime(current, (now - 5 * 86400, now - 5 * 86400))  # this code's file stays whatever its age
    assert sqlcache.prune(folder, now=now) == [old]
    assert sorted(p.name for p in folder.iterdir()) == sorted([recent.name, current.name])


EVALUATE = """
import json, sys
from keqi.cli.main import app

try:
    app(["evaluate", "--edition", "hnte-2016", sys.argv[1]], standalone_mode=False)
finally:
    print(json.dumps(sorted(m for m in ("ibis", "sqlglot", "django.conf", "pandas") if m in sys.modules)))
    print(json.dumps(sorted(m for m in sys.modules if m.startswith(("keqi.cli.", "rich.")))))
"""


def test_keqi_evaluate_compiles_once_per_installation(tmp_path):
    """``keqi evaluate`` (no Django) stores what it compiles in $KEQI_HOME/cache; the next run reads it and
    imports neither Ibis nor sqlglot (nor Django's settings, nor pandas), and prints the same verdict.
    Neither run imports the other verbs' modules (their tables, progress bars, Django helpers), nor the
    second rich."""
    import os
    import subprocess
    import sys

    from tests.policy.helpers import base_profile

    firm = tmp_path / "firm.json"
    firm.write_text(json.dumps(base_profile(tech_staff=5)), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"} | {"KEQI_HOME": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", EVALUATE, str(firm)], capture_output=True, env=env, text=True)
            for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stderr
    first, second = (run.stdout.strip().splitlines() for run in runs)
    assert list((tmp_path / "cache").glob("policy-sql-*.json"))
    assert "ibis" in json.loads(first[-2]) and json.loads(second[-2]) == []
    assert json.loads(second[-1]) == ["keqi.cli.arrow", "keqi.cli.main", "keqi.cli.policy"]
    assert {m for m in json.loads(first[-1]) if m.startswith("keqi.")} == set(json.loads(second[-1]))  # (Ibis imports rich)
    assert second[:-2] == first[:-2] and json.loads("\n".join(first[:-2]))["verdict"] == "ineligible"

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
        assert strict["hnte-2016"] and not strict["kv-credit"]  # a non-empty answer and an empty one
    engine.criterion_reads.cache_clear()
    engine.strict_conditions.cache_clear()


def test_a_file_of_the_first_format_is_not_read(tmp_path, monkeypatch):
    with override_settings(KEQI_HOME=tmp_path):
        sqlcache.path().parent.mkdir(parents=True)
        entry = {"edition": "tsme-2017", "settings": "{}", "view": "verdict", "sql": "SELECT 1", "reads": []}
        sqlcache.path().write_text(json.dumps([entry]), encoding="utf-8")
        monkeypatch.setattr(engine, "_sql_cache", {})
        assert sqlcache.load() == 0 and engine.compiled_sql() == {}

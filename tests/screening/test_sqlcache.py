"""The compiled SQL kept between processes: stored, read back as it was, and ignored when unreadable."""

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

"""A page reads the data version, the ladder and the units once, however many figures it shows
(the leadership report read the version 17 times, the overview 23: benchmarks/targets_services.py, issue #14); a figure
computed after a write in the same request still sees the write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keqi.accounts.scope import SYSTEM
from keqi.pipeline import figures, memo
from keqi.pipeline.models import LadderTier
from keqi.registry import flows
from keqi.registry.models import ReportingUnit

from support import qualification_rows, report_rows, write_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def certified(tmp_path):
    rows = report_rows(3, unit="渝北区", years=(2022,), seed=31)
    flows.run_import(path=write_file(tmp_path / "f.xlsx", rows, qualification_rows(rows)), scope=SYSTEM)


def reads(queries, table):
    return sum(1 for q in queries if table in q["sql"])


@pytest.mark.parametrize("page", ["targets:overview", "targets:report"])
def test_a_targets_page_reads_the_version_and_the_ladder_once(client_for, city_admin, certified, page):
    client = client_for(city_admin)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse(page), {"year": 2027, "on": "2024-06-30"}).status_code == 200
    queries = captured.captured_queries
    assert reads(queries, "ORDER BY history_id DESC LIMIT 1") == 1
    assert reads(queries, f'FROM "{LadderTier._meta.db_table}"') == 1


def test_outside_a_request_every_call_reads_afresh():
    ReportingUnit.objects.create(name="测试区")
    assert figures.unit_names() == dict(ReportingUnit.objects.values_list("pk", "name"))
    assert memo.once("x", lambda: 1) == 1 and memo.once("x", lambda: 2) == 2


def test_a_write_in_a_request_is_seen_by_the_next_figure(certified):
    memo._start()
    try:
        on = dt.date(2024, 6, 30)
        before = figures.counts(scope=SYSTEM, on=on).firms
        assert figures.counts(scope=SYSTEM, on=on).firms == before  # kept
        from keqi.registry.models import Enterprise

        firm = Enterprise.objects.first()
        firm.name = firm.name + "（改）"
        firm.save()  # a history row: a new data version, and the memo is emptied
        assert figures.data_version() == figures._data_version()
        assert memo.once("ladder", lambda: "read again") == "read again"
    finally:
        memo._end()

"""Targets pages: the allocation page (the city sets district targets), the overview with its charts and
their table fallbacks, a unit's page, and the leadership report as a page and as xlsx; all scoped."""

import io
from decimal import Decimal

import polars as pl
import pytest
from django.urls import reverse

from keqi.accounts.scope import SYSTEM
from keqi.registry import flows
from keqi.registry.models import ReportingUnit
from keqi.targets.models import Target

from support import qualification_rows, report_rows, write_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def certified(tmp_path):
    rows = pl.concat([report_rows(3, unit="渝北区", years=(2022,), seed=31),
                      report_rows(2, unit="南岸区", years=(2022,), seed=32)])
    flows.run_import(path=write_file(tmp_path / "f.xlsx", rows, qualification_rows(rows)), scope=SYSTEM)


def unit(name):
    return ReportingUnit.objects.get(name=name).pk


URL = reverse("targets:allocations")


def test_allocation_page_has_a_labelled_box_per_unit_and_the_suggestion(client_for, city_admin, certified):
    html = client_for(city_admin).get(URL, {"indicator": "hnte_count", "year": 2027}).content.decode()
    yubei = unit("渝北区")
    assert f'<label for="unit-{yubei}">渝北区</label>' in html and f'name="unit-{yubei}" id="unit-{yubei}"' in html
    assert 'id="id_source"' in html and 'value="accept"' in html and 'value="save"' in html
    assert "7,110" in html  # the zone target being split (thousands separated)


def test_the_city_accepts_the_split_in_one_click(client_for, city_admin, certified):
    client = client_for(city_admin)
    r = client.post(URL, {"indicator": "hnte_count", "year": 2027, "source": "市科技局分解", "action": "accept"})
    assert r.status_code == 302
    assert Target.objects.filter(indicator="hnte_count", year=2027, scope_key__startswith="unit:").count() == \
        ReportingUnit.objects.count()
    html = client.get(URL, {"indicator": "hnte_count", "year": 2027}).content.decode()
    assert "市科技局分解" in html and 'id="history"' in html and "city" in html


def test_the_city_edits_one_unit_and_sees_its_progress(client_for, city_admin, certified):
    client = client_for(city_admin)
    yubei = unit("渝北区")
    r = client.post(URL, {"indicator": "hnte_count", "year": 2024, "source": "2024 年分解", "action": "save",
                          f"unit-{yubei}": "4"})
    assert r.status_code == 302
    assert Target.objects.get(year=2024, scope_key=f"unit:{yubei}").value == 4
    html = client.get(reverse("targets:overview"), {"year": 2024, "on": "2024-06-30"}).content.decode()
    assert "渝北区" in html and "75.00%" in html  # 3 of 4


def test_a_bad_number_is_named_and_nothing_changes(client_for, city_admin, certified):
    yubei, nanan = unit("渝北区"), unit("南岸区")
    r = client_for(city_admin).post(URL, {"indicator": "hnte_count", "year": 2027, "source": "x", "action": "save",
                                          f"unit-{yubei}": "12", f"unit-{nanan}": "abc"})
    html = r.content.decode()
    assert r.status_code == 200 and "南岸区" in html and "abc" in html
    assert not Target.objects.filter(scope_key__startswith="unit:").exists()


def test_an_officer_reads_its_own_row_and_cannot_post(client_for, yubei_officer, certified):
    client = client_for(yubei_officer)
    html = client.get(URL, {"indicator": "hnte_count", "year": 2027}).content.decode()
    assert "渝北区" in html and "南岸区" not in html and 'name="unit-' not in html
    r = client.post(URL, {"indicator": "hnte_count", "year": 2027, "source": "x", "action": "accept"})
    assert r.status_code == 403 and not Target.objects.filter(scope_key__startswith="unit:").exists()


def test_overview_has_charts_from_the_api_and_tables_without_javascript(client_for, city_admin, certified):
    html = client_for(city_admin).get(reverse("targets:overview"), {"year": 2027, "on": "2024-06-30"}).content.decode()
    for kind in ("progress", "trend", "ranking", "funnel"):
        assert f'data-chart="{kind}"' in html
    assert 'data-src="/api/targets/progress?year=2027' in html and "web/vendor/echarts.min.js" in html
    assert 'id="trend"' in html and 'id="ranking"' in html and 'id="funnel"' in html and 'id="progress"' in html


def test_unit_page_is_the_officers_own_only(client_for, yubei_officer, city_admin, certified):
    client = client_for(yubei_officer)
    html = client.get(reverse("targets:unit", args=[unit("渝北区")]), {"on": "2024-06-30"}).content.decode()
    assert "渝北区" in html and 'id="candidates"' in html and 'id="tasks"' in html and 'id="funnel"' in html
    assert client.get(reverse("targets:unit", args=[unit("南岸区")])).status_code == 403
    assert client_for(city_admin).get(reverse("targets:unit", args=[unit("南岸区")])).status_code == 200
    assert client_for(city_admin).get(reverse("targets:unit", args=[99999])).status_code == 404


def test_report_page_and_xlsx_are_scoped(client_for, city_admin, yubei_officer, certified):
    Target.objects.create(indicator="hnte_count", year=2027, scope_key=f"unit:{unit('南岸区')}", value=500,
                          source="t")
    city = client_for(city_admin).get(reverse("targets:report"), {"year": 2027, "on": "2024-06-30"}).content.decode()
    assert "数读 · 全市" in city and 'id="lagging"' in city and "南岸区" in city and "@media print" not in city
    book = client_for(city_admin).get(reverse("targets:report_xlsx"), {"year": 2027, "on": "2024-06-30"})
    assert book["Content-Type"].startswith("application/vnd.openxmlformats")
    sheets = pl.read_excel(io.BytesIO(b"".join(book.streaming_content if book.streaming else [book.content])),
                           sheet_id=0, has_header=False)
    assert list(sheets) == ["关键指标", "落后单位", "梯次", "趋势"]
    lagging = sheets["落后单位"]
    assert "南岸区" in lagging[lagging.columns[0]].to_list()  # 2 of 500
    officer = client_for(yubei_officer).get(reverse("targets:report"), {"year": 2027, "on": "2024-06-30"})
    text = officer.content.decode()
    assert "数读 · 渝北区" in text and "南岸区" not in text


def test_enterprise_users_get_no_report(client_for, make_user, certified):
    from keqi.registry.models import Enterprise

    firm = make_user("firm", "enterprise_user", uscc=Enterprise.objects.first().uscc)
    assert client_for(firm).get(reverse("targets:report")).status_code == 403
    assert client_for(firm).get(reverse("targets:allocations")).status_code == 403


def _queries(client, url, params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_allocation_and_values_pages_make_as_many_queries_whatever_their_length(client_for, city_admin, certified):
    import datetime as dt

    from keqi.accounts.scope import scope_for
    from keqi.targets import allocating, reported

    client = client_for(city_admin)
    params = {"indicator": "hnte_count", "year": 2027}
    client.get(URL, params)  # warm the cache of per-unit counts
    empty = _queries(client, URL, params)
    allocating.accept_suggestion(scope=scope_for(city_admin), user=city_admin, indicator="hnte_count", year=2027,
                               on=dt.date(2024, 6, 30), source="s")
    client.get(URL, params)
    assert _queries(client, URL, params) == empty  # 41 targets and 41 history rows more, same queries
    few = _queries(client, reverse("targets:values"), {})
    for i in range(5):
        reported.record_value(scope=scope_for(city_admin), user=city_admin, indicator="rd_intensity", year=2024,
                              scope_key="city", as_of=dt.date(2024, 1, 1 + i), value=Decimal("2.1"), source="s")
    assert _queries(client, reverse("targets:values"), {}) == few

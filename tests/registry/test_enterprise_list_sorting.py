"""The enterprise list (issue 15, item 5): each firm's current tier, page numbers and a page size, every
column sortable both ways; the API lists the same firms in the same order and refuses bad values (422)."""

import datetime as dt
import re

import polars as pl
import pytest
from django.urls import reverse

from keqi.accounts.scope import SYSTEM
from keqi.accounts.tokens import create_token
from keqi.registry import flows
from keqi.registry.services import ENTERPRISE_SORTS

from support import qualification_rows, report_rows, write_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def firms(tmp_path):
    """渝北区: 45 firms; the first 3 hold a valid 高企 certificate, the next 4 a 科技型企业 registration
    (one of them expired), the rest nothing; 南岸区: 2 firms."""
    yubei = report_rows(45, unit="渝北区", years=(2023, 2024), seed=91)
    codes = yubei["uscc"].unique(maintain_order=True).to_list()
    hnte = qualification_rows(yubei.filter(pl.col("uscc").is_in(codes[:3]))).with_columns(
        valid_to=pl.lit(dt.date.today() + dt.timedelta(days=400)))  # held today, whenever the test runs
    tech = qualification_rows(yubei.filter(pl.col("uscc").is_in(codes[3:7])), kind="科技型企业入库").with_columns(
        valid_to=pl.when(pl.col("uscc") == codes[6]).then(pl.lit(dt.date(2024, 1, 1))).otherwise(pl.lit(None)))
    some = pl.col("uscc").is_in(codes[:10])
    yubei = yubei.with_columns(industry_code=pl.when(some).then(pl.lit("C2710")).otherwise(pl.col("industry_code")))
    nanan = report_rows(2, unit="南岸区", years=(2024,), seed=92)
    flows.run_import(path=write_file(tmp_path / "e.xlsx", pl.concat([yubei, nanan]), pl.concat([hnte, tech])),
                     scope=SYSTEM)
    return codes, nanan["uscc"].unique().to_list()


def rows(response):
    return [(e.uscc, tier) for e, tier in response.context["rows"]]


def test_each_firm_shows_its_current_tier(client_for, yubei_officer, firms):
    codes, nanan = firms
    c = client_for(yubei_officer)
    shown = dict(rows(c.get(reverse("registry:enterprise_list"), {"size": 200})))
    assert set(shown) == set(codes)  # its own district only
    assert {shown[u] for u in codes[:3]} == {"高新技术企业"}
    assert {shown[u] for u in codes[3:6]} == {"科技型企业"}
    assert shown[codes[6]] == shown[codes[10]] != "科技型企业"  # an expired registration places it nowhere
    html = c.get(reverse("registry:enterprise_list"), {"tier": "hnte"}).content.decode()
    assert all(u in html for u in codes[:3]) and not any(u in html for u in codes[3:])
    assert "当前梯次" in html


@pytest.mark.parametrize("key", list(ENTERPRISE_SORTS))
@pytest.mark.parametrize("descending", [False, True])
def test_every_column_sorts_both_ways_and_the_api_follows(client_for, yubei_officer, firms, key, descending):
    sort = ("-" if descending else "") + key
    c = client_for(yubei_officer)
    response = c.get(reverse("registry:enterprise_list"), {"sort": sort, "size": 200})
    firms_ = [e for e, _ in response.context["rows"]]
    value = {"name": "name", "uscc": "uscc", "unit": None, "registered_on": "registered_on", "tier": "tier_level",
             "latest_year": "latest_year", "qualifications": "qualification_count"}[key]
    if value:
        values = [getattr(e, value) for e in firms_]
        assert values == sorted(values, reverse=descending)
        # ties in name order, whichever way the column runs
        for a, b in zip(firms_, firms_[1:], strict=False):
            if getattr(a, value) == getattr(b, value):
                assert (a.name, a.pk) <= (b.name, b.pk)
    active = next(h for h in response.context["headers"] if h.active)
    assert active.label == ENTERPRISE_SORTS[key].label and ("▼" if descending else "▲") in response.content.decode()
    _, token = create_token(user=yubei_officer, name="t")
    api = c.get("/api/enterprises", {"sort": sort, "page_size": 200}, HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert [e["uscc"] for e in api["items"]] == [e.uscc for e in firms_] and api["count"] == 45
    tiers = {e["uscc"]: e["tier_label"] for e in api["items"]}
    assert tiers == {e.uscc: t for e, t in response.context["rows"]}


def test_page_numbers_and_page_size(client_for, yubei_officer, firms):
    c = client_for(yubei_officer)
    url = reverse("registry:enterprise_list")
    first = c.get(url, {"size": 20, "sort": "-registered_on"})
    html = first.content.decode()
    assert len(first.context["rows"]) == 20 and "共 3 页" in html
    assert "上一页" not in html and "下一页" in html
    for n in (2, 3):
        assert f"page={n}" in html  # every page reachable by its number
    assert "sort=-registered_on" in html  # the links keep the order chosen
    third = c.get(url, {"size": 20, "page": 3, "sort": "-registered_on"})
    assert len(third.context["rows"]) == 5 and 'aria-current="page">3<' in third.content.decode()
    pages = [u for p in (1, 2, 3) for u, _ in rows(c.get(url, {"size": 20, "page": p, "sort": "-registered_on"}))]
    assert len(pages) == len(set(pages)) == 45  # no firm twice, none left out
    assert len(c.get(url, {"size": "abc"}).context["rows"]) == 45  # a size not offered: 50


def test_industry_filter_and_bad_values(client_for, yubei_officer, firms):
    codes, _ = firms
    c = client_for(yubei_officer)
    shown = {u for u, _ in rows(c.get(reverse("registry:enterprise_list"), {"industry": "C"}))}
    assert shown == set(codes[:10])
    assert c.get(reverse("registry:enterprise_list"), {"sort": "password"}).status_code == 200
    _, token = create_token(user=yubei_officer, name="t")
    for param, value in [("sort", "password"), ("industry", "ZZ"), ("tier", "gold"), ("status", "x")]:
        response = c.get("/api/enterprises", {param: value}, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 422, param
        body = response.json()
        assert set(body) == {"detail", "errors"} and re.search(r"[\u4e00-\u9fff]", body["errors"][param])


def test_the_tier_reads_as_text_and_sorts_from_the_highest_first(client_for, yubei_officer, firms):
    """The tier is a word (科技型企业, 高新技术企业): left-aligned like the other words, yet its first click
    sorts from the highest tier down, as the numbers do from the largest."""
    response = client_for(yubei_officer).get(reverse("registry:enterprise_list"))
    tier = next(h for h in response.context["headers"] if h.label == ENTERPRISE_SORTS["tier"].label)
    assert not tier.numeric and "sort=-tier" in tier.url
    numbers = [h for h in response.context["headers"] if h.numeric]
    assert numbers and all("sort=-" in h.url for h in numbers)

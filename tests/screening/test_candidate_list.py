"""The candidate list an officer works from (issue 15, item 5): for a target tier, every screened firm on the
tier below with its closeness, what it misses and its key figures; sortable by each column, filtered by
field, industry and planned work; the page, its export and the API show the same rows in the same order."""

import datetime as dt
import io
import re

import polars as pl
import pytest
from django.urls import reverse

from keqi.accounts.scope import SYSTEM
from keqi.accounts.tokens import create_token
from keqi.registry import flows as registry_flows
from keqi.screening import flows as screening_flows
from keqi.screening import services

from support import qualification_rows, report_rows, write_file

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 6, 30)


@pytest.fixture
def tech_firms(tmp_path):
    """渝北区: 8 firms registered as 科技型企业 (their next tier: 高企), in two fields and two industries, one of
    them with nothing the engine can plan (too little data); 南岸区: 2 firms, also 科技型企业."""
    yubei = report_rows(8, unit="渝北区", years=(2022, 2023, 2024), seed=81)
    codes = yubei["uscc"].unique(maintain_order=True).to_list()
    bio = set(codes[:3])
    yubei = yubei.with_columns(
        pl.when(pl.col("uscc").is_in(list(bio))).then(pl.lit("生物与新医药")).otherwise(pl.col("hitech_field"))
        .alias("hitech_field"),
        pl.when(pl.col("uscc").is_in(list(bio))).then(pl.lit("2710")).otherwise(pl.col("industry_code"))
        .alias("industry_code"),
    )
    nanan = report_rows(2, unit="南岸区", years=(2022, 2023, 2024), seed=82)
    both = pl.concat([yubei, nanan])
    quals = qualification_rows(both, kind="科技型企业入库")
    registry_flows.run_import(path=write_file(tmp_path / "t.xlsx", both, quals), scope=SYSTEM)
    screening_flows.run_screening(scope=SYSTEM, assess_on=DAY)
    return codes, nanan["uscc"].unique().to_list(), bio


def listed(response) -> list[str]:
    return [c.standing.enterprise.uscc for c, _ in response.context["rows"]]


def test_every_firm_of_the_tier_below_is_listed_with_its_figures(client_for, yubei_officer, tech_firms):
    yubei, nanan, _ = tech_firms
    response = client_for(yubei_officer).get(reverse("screening:candidate_list"), {"next_tier": "hnte"})
    html = response.content.decode()
    assert sorted(listed(response)) == sorted(yubei)  # eligible or not: every 科技型企业 of the district
    assert not any(code in html for code in nanan)
    assert "（8 家）" in html
    from keqi.registry.models import AnnualReport

    for c, _ in response.context["rows"]:
        s = c.standing
        report = AnnualReport.objects.get(enterprise=s.enterprise, fiscal_year=2024)  # the latest before 2025
        assert s.revenue == report.revenue and s.figures_year == 2024
        assert s.rd_ratio == pytest.approx(report.rd_expense / report.revenue)
        assert s.tech_share == pytest.approx(report.tech_staff / report.staff_total)
        assert s.ip_total == report.ip_class1 + report.ip_class2
        assert c.state_label in html
        if s.next_verdict != "eligible":
            assert c.missing, s.enterprise.name  # what it misses, in Chinese
            assert all(re.search(r"[\u4e00-\u9fff]", m) and not re.search(r"[a-z_]{3,}", m) for m in c.missing)
    # the headers a user reads, and the figures as a user reads them (万元, %)
    for header in ("接近程度", "营业收入（万元）", "研发费用占比", "科技人员占比", "知识产权（项）", "未满足的条件"):
        assert header in html
    first = response.context["rows"][0][0].standing
    from keqi.policy.formats import percent, wan

    assert wan(first.revenue) in html and percent(first.tech_share) in html


SORTS = ["closeness", "name", "unit", "revenue", "rd_ratio", "tech_share", "ip"]
VALUE = {"name": "name", "revenue": "revenue", "rd_ratio": "rd_ratio", "tech_share": "tech_share", "ip": "ip_total"}


@pytest.mark.parametrize("key", SORTS)
@pytest.mark.parametrize("descending", [False, True])
def test_each_column_sorts_both_ways_and_the_export_and_api_follow(client_for, yubei_officer, tech_firms, tmp_path,
                                                                   key, descending):
    sort = ("-" if descending else "") + key
    c = client_for(yubei_officer)
    response = c.get(reverse("screening:candidate_list"), {"next_tier": "hnte", "sort": sort})
    rows = [row.standing for row, _ in response.context["rows"]]
    if key in VALUE:
        values = [getattr(s, VALUE[key]) for s in rows]
        present = [v for v in values if v is not None]
        assert present == sorted(present, reverse=descending)
        assert values[: len(present)] == present  # empty values last, either way
    elif key == "closeness":
        ranked = [s.closeness for s in rows if s.closeness is not None]
        assert ranked == sorted(ranked, reverse=descending)
    # the header of the column sorted shows it, and a click turns it round
    active = next(h for h in response.context["headers"] if h.active)
    assert active.label == services.CANDIDATE_SORTS[key].label and f"sort={'' if descending else '-'}{key}" in active.url
    codes = [s.enterprise.uscc for s in rows]
    export = c.get(reverse("screening:candidate_export"), {"next_tier": "hnte", "sort": sort})
    sheet = pl.read_excel(io.BytesIO(b"".join(export.streaming_content)))
    assert sheet["统一社会信用代码"].to_list() == codes
    _, key_ = create_token(user=yubei_officer, name="t")
    api = c.get("/api/screening/candidates", {"next_tier": "hnte", "sort": sort}, HTTP_AUTHORIZATION=f"Bearer {key_}")
    assert [r["uscc"] for r in api.json()] == codes


def test_filters_by_field_industry_and_planned_work(client_for, yubei_officer, tech_firms):
    yubei, _, bio = tech_firms
    c = client_for(yubei_officer)
    url = reverse("screening:candidate_list")
    assert set(listed(c.get(url, {"hitech_field": "生物与新医药"}))) == bio
    assert set(listed(c.get(url, {"industry": "C"}))) == bio  # 2710: 医药制造业, section C without its letter
    assert set(listed(c.get(url, {"industry": "I"}))) == set(yubei) - bio  # I6513
    assert listed(c.get(url, {"industry": "A"})) == []
    # a visit planned on one firm: marked on the list, and the filter finds it
    from keqi.pipeline.services import create_task
    from keqi.registry.models import Enterprise

    firm = Enterprise.objects.get(uscc=yubei[4])
    create_task(scope=_scope(yubei_officer),
                user=yubei_officer, uscc=firm.uscc, kind="visit", title="走访了解研发投入", assigned_to=yubei_officer,
                due_on=dt.date(2030, 1, 15))
    response = c.get(url, {"next_tier": "hnte"})
    html = response.content.decode()
    assert html.count("已安排走访") == 1
    row = next(row for row, _ in response.context["rows"] if row.standing.enterprise_id == firm.pk)
    assert [t.title for t in row.tasks] == ["走访了解研发投入"]
    assert listed(c.get(url, {"planned": "yes"})) == [firm.uscc]
    assert firm.uscc not in listed(c.get(url, {"planned": "no"}))


def _scope(user):
    from keqi.accounts.scope import scope_for

    return scope_for(user)


def test_a_firm_sees_only_itself_and_no_planning(client_for, make_user, tech_firms):
    yubei, _, _ = tech_firms
    me = make_user("f", "enterprise_user", uscc=yubei[0])
    response = client_for(me).get(reverse("screening:candidate_list"))
    assert listed(response) == [yubei[0]]
    assert "planned" not in response.context["form"].fields and "培育工作" not in response.content.decode()


def test_bad_values_answer_422_in_the_api_and_do_not_break_the_page(client_for, yubei_officer, tech_firms):
    c = client_for(yubei_officer)
    assert c.get(reverse("screening:candidate_list"), {"sort": "uscc; drop table"}).status_code == 200
    _, key = create_token(user=yubei_officer, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    for param, value in [("sort", "bogus"), ("sort", "-"), ("industry", "Z"), ("next_tier", "nonsense"),
                         ("planned", "maybe"), ("hitech_field", "魔法"), ("edition", "x")]:
        response = c.get("/api/screening/candidates", {param: value}, **auth)
        assert response.status_code == 422, (param, value)
        body = response.json()
        assert set(body) == {"detail", "errors"} and param in body["errors"]
        assert re.search(r"[\u4e00-\u9fff]", body["errors"][param])


def test_long_lists_have_page_numbers_and_a_page_size(client_for, city_admin, tmp_path):
    firms = report_rows(45, unit="渝北区", years=(2023, 2024), seed=83)
    registry_flows.run_import(path=write_file(tmp_path / "m.xlsx", firms), scope=SYSTEM)
    screening_flows.run_screening(scope=SYSTEM, assess_on=DAY)
    c = client_for(city_admin)
    url = reverse("screening:candidate_list")
    page = c.get(url, {"size": 20, "page": 2})
    assert len(page.context["rows"]) == 20 and page.context["page"].number == 2
    html = page.content.decode()
    assert 'aria-current="page">2<' in html and "page=3" in html and "共 3 页" in html
    assert "<strong>20</strong>" in html and "size=50" in html  # the page size chosen, and the others offered
    seen = listed(page)
    assert not set(seen) & set(listed(c.get(url, {"size": 20, "page": 1})))  # pages do not overlap
    assert len(listed(c.get(url, {"size": 999}))) == 45  # a size not offered: the default (50)

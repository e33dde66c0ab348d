"""The firm page: profile over the years, tier history, the verdicts deciding its next tier with every
criterion and its gap, the latest screening, and who changed what."""

import datetime as dt

import polars as pl
import pytest
from django.urls import reverse

from keqi.accounts.scope import SYSTEM
from keqi.registry import flows as registry_flows
from keqi.registry.models import Enterprise, Qualification
from keqi.screening import flows as screening_flows

from support import qualification_rows, report_rows, write_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm(tmp_path, city_admin):
    rows = report_rows(2, unit="渝北区", years=(2023, 2024, 2025), seed=61)
    quals = qualification_rows(rows).head(1).with_columns(pl.lit(dt.date(2029, 10, 31)).alias("valid_to"))
    registry_flows.run_import(path=write_file(tmp_path / "f.xlsx", rows, quals), scope=SYSTEM, user=city_admin)
    return Enterprise.objects.get(uscc=quals["uscc"][0])


def page(client, firm):
    response = client.get(reverse("web:enterprise_detail", args=[firm.uscc]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_firm_page_shows_its_tier_year_by_year(firm, client_for, city_admin):
    html = page(client_for(city_admin), firm)
    assert 'id="tiers"' in html
    for year in range(2023, dt.date.today().year + 1):
        assert f"<td>{year}</td><td>高新技术企业" in html  # the tier held at the year's end (this year: today)


@pytest.mark.parametrize(("day", "state", "held"), [
    (dt.date(2029, 10, 30), "有效", "高新技术企业"),
    (dt.date(2029, 10, 31), "有效", "高新技术企业"),  # the expiry day: still held
    (dt.date(2029, 11, 1), "已过期", "储备（市场主体）"),  # the day after: expired, and the tier falls with it
])
def test_an_expired_certificate_is_marked_and_the_tiers_agree(firm, client_for, city_admin, monkeypatch, day, state,
                                                              held):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: day)
    response = client_for(city_admin).get(reverse("web:enterprise_detail", args=[firm.uscc]))
    html = response.content.decode()
    (q, shown), = response.context["qualifications"]
    assert {"有效": "held", "已过期": "expired"}[state] == shown and f">{state}</span>" in html
    # the current tier (the verdicts) and this year's row of the history say the same
    assert response.context["tier"].label == held
    this_year = response.context["tier_history"][0]
    assert this_year["year"] == day.year and this_year["held"].label == held
    assert this_year["tier"].label == "高新技术企业"  # held on some day of the year
    assert ("资格已于年内到期或撤销" in html) == (held != "高新技术企业")


def test_the_firm_page_judges_the_editions_deciding_its_next_tier(firm, client_for, city_admin):
    html = page(client_for(city_admin), firm)
    # a certified 高企 aims at the growth rung: its edition(s) with every criterion and the gap column
    assert "高成长企业（瞪羚、专精特新）" in html and 'id="edition-gazelle-cq-2023"' in html
    assert "重庆市瞪羚企业" in html and ("<th>Gap</th>" in html or "<th>差距</th>" in html)
    other = Enterprise.objects.exclude(pk=firm.pk).get()
    html = page(client_for(city_admin), other)
    assert 'id="edition-cq-tech-2022"' in html  # a firm without a title aims at 科技型企业


def test_the_firm_page_shows_the_latest_screening(firm, client_for, city_admin):
    assert "id=\"verdicts\"" in page(client_for(city_admin), firm)
    run = screening_flows.run_screening(scope=SYSTEM, assess_on=dt.date(2026, 6, 30))
    html = page(client_for(city_admin), firm)
    assert run.assess_on.strftime("%Y-%m-%d") in html
    assert "科技型中小企业" in html  # every edition's verdict of the run, not only the next tier's


def test_the_audit_history_says_who_changed_a_qualification_and_what(firm, client_for, city_admin, tmp_path):
    q = Qualification.objects.get(enterprise=firm)
    q._change_reason = "证书更正"
    q.number = "GR2023500999"
    q.save()
    html = page(client_for(city_admin), firm)
    assert 'id="audit"' in html and "证书更正" in html and "GR2023500999" in html
    assert city_admin.username in html  # the import was made by the city administrator


def test_an_officer_of_another_unit_cannot_open_the_firm_page(firm, client_for, nanan_officer):
    response = client_for(nanan_officer).get(reverse("web:enterprise_detail", args=[firm.uscc]))
    assert response.status_code == 404

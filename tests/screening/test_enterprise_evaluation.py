"""A firm's page judges it exactly as the policy engine judges its contract profile."""

import datetime as dt

import polars as pl
import pytest
from django.urls import reverse

from keqi.accounts.scope import SYSTEM, scope_for
from keqi.policy import evaluate
from keqi.registry import flows
from keqi.screening import services

from support import profile_from_rows, qualification_rows, report_rows, write_file

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 6, 30)


@pytest.fixture
def firms(tmp_path):
    rows = report_rows(4, years=(2022, 2023, 2024), seed=21)
    quals = qualification_rows(rows).head(1)
    flows.run_import(path=write_file(tmp_path / "f.xlsx", rows, quals), scope=SYSTEM)
    return rows, set(quals["uscc"].to_list())


def test_page_verdicts_equal_the_engine_on_the_contract_profile(firms):
    rows, certified = firms
    for code in rows["uscc"].unique().to_list():
        profile = profile_from_rows(rows.filter(pl.col("uscc") == code), DAY, code in certified)
        page = services.evaluate_enterprise(scope=SYSTEM, uscc=code, assess_on=DAY)
        for verdict in page:
            expected = evaluate([profile], edition=verdict["edition"])[0]
            assert {k: v for k, v in verdict.items() if k != "title"} == expected


def test_holding_a_valid_hnte_certificate_is_a_direct_route_to_tsme(firms):
    rows, certified = firms
    (code,) = certified
    tsme = next(v for v in services.evaluate_enterprise(scope=SYSTEM, uscc=code, assess_on=DAY)
                if v["edition"] == "tsme-2017")
    direct = next(c for c in tsme["criteria"] if c["id"] == "direct")
    assert direct["passed"] is True


def test_page_renders_verdicts_and_respects_scope(client_for, yubei_officer, nanan_officer, firms):
    code = firms[0]["uscc"][0]
    url = reverse("screening:enterprise_evaluation", args=[code])
    html = client_for(yubei_officer).get(url, {"on": "2025-06-30"}).content.decode()
    assert "高新技术企业认定" in html and "科技型中小企业评价" in html
    assert "国科发政〔2017〕115号" in html  # every criterion cites its article
    assert client_for(nanan_officer).get(url).status_code == 404


def test_evaluate_enterprise_refuses_a_firm_outside_the_scope(firms, nanan_officer):
    from keqi.registry.models import Enterprise

    with pytest.raises(Enterprise.DoesNotExist):
        services.evaluate_enterprise(scope=scope_for(nanan_officer), uscc=firms[0]["uscc"][0], assess_on=DAY)

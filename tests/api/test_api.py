"""The JSON API: token or session, and the same role scoping as the pages on every endpoint."""

import polars as pl
import pytest
from typer.testing import CliRunner

from keqi.accounts.scope import SYSTEM
from keqi.accounts.tokens import create_token
from keqi.registry import flows
from keqi.screening import flows as screening_flows

from support import report_rows, write_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def firms(tmp_path):
    yubei = report_rows(3, unit="渝北区", years=(2023, 2024), seed=61)
    nanan = report_rows(2, unit="南岸区", years=(2023, 2024), seed=62)
    flows.run_import(path=write_file(tmp_path / "f.xlsx", pl.concat([yubei, nanan])), scope=SYSTEM)
    import datetime as dt

    screening_flows.run_screening(scope=SYSTEM, assess_on=dt.date(2025, 6, 30))
    return yubei["uscc"].unique().to_list(), nanan["uscc"].unique().to_list()


def bearer(user):
    _, key = create_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_no_credentials_no_data(client, firms):
    assert client.get("/api/enterprises").status_code == 401
    assert client.get("/api/enterprises", HTTP_AUTHORIZATION="Bearer kq_wrong").status_code == 401


def test_token_of_an_officer_lists_only_its_district(client, yubei_officer, firms):
    yubei, nanan = firms
    body = client.get("/api/enterprises", **bearer(yubei_officer)).json()
    assert {e["uscc"] for e in body["items"]} == set(yubei) and body["count"] == 3
    assert client.get(f"/api/enterprises/{nanan[0]}", **bearer(yubei_officer)).status_code == 404
    assert client.get(f"/api/enterprises/{nanan[0]}/verdicts", **bearer(yubei_officer)).status_code == 404


def test_detail_and_verdicts_in_the_contract_shape(client, yubei_officer, firms):
    code = firms[0][0]
    detail = client.get(f"/api/enterprises/{code}", **bearer(yubei_officer)).json()
    assert detail["reporting_unit"] == "渝北区" and [r["fiscal_year"] for r in detail["reports"]] == [2024, 2023]
    verdicts = client.get(f"/api/enterprises/{code}/verdicts?on=2025-06-30", **bearer(yubei_officer)).json()
    tsme = next(v for v in verdicts if v["edition"] == "tsme-2017")
    assert {"uscc", "edition", "verdict", "route", "score", "criteria", "gaps"} <= tsme.keys()
    assert [c["id"] for c in tsme["criteria"]] == ["size", "industry", "integrity", "tech_staff", "rd_investment",
                                                 "ip", "direct"]


@pytest.fixture
def ranked_firms(tmp_path):
    """渝北区: one firm eligible for 科技型企业 now, two short of tech staff by different amounts; 南岸区: two."""
    yubei = report_rows(3, unit="渝北区", years=(2023, 2024), seed=61)
    codes = yubei["uscc"].unique(maintain_order=True).to_list()
    short = {codes[1]: 1, codes[2]: 0}  # tech staff (of 10–400), and no senior title: below 5 %
    yubei = yubei.with_columns(
        pl.col("uscc").replace_strict(short, default=pl.col("tech_staff"), return_dtype=pl.Int64).alias("tech_staff"),
        pl.when(pl.col("uscc").is_in(list(short))).then(0).otherwise(pl.col("senior_tech_staff"))
        .alias("senior_tech_staff"))
    nanan = report_rows(2, unit="南岸区", years=(2023, 2024), seed=62)
    flows.run_import(path=write_file(tmp_path / "f.xlsx", pl.concat([yubei, nanan])), scope=SYSTEM)
    import datetime as dt

    screening_flows.run_screening(scope=SYSTEM, assess_on=dt.date(2025, 6, 30))
    return codes, nanan["uscc"].unique().to_list()


def test_candidates_are_scoped_and_ranked(client, yubei_officer, city_admin, ranked_firms):
    yubei, nanan = ranked_firms
    mine = client.get("/api/screening/candidates", **bearer(yubei_officer)).json()
    assert {c["uscc"] for c in mine} == set(yubei), mine  # every candidate of the district, no other
    assert {c["reporting_unit"] for c in mine} == {"渝北区"}
    ranks = [c["closeness"] for c in mine]
    assert ranks == sorted(ranks) and ranks[0] == 0 and ranks[1] > 0, ranks  # the eligible firm first
    assert mine[0]["uscc"] == yubei[0] and mine[0]["verdict"] == "eligible"
    assert all(c["gaps"] and c["verdict"] == "ineligible" for c in mine[1:])
    everyone = client.get("/api/screening/candidates", **bearer(city_admin)).json()
    assert {c["uscc"] for c in everyone} == set(yubei) | set(nanan)
    assert [c for c in everyone if c["reporting_unit"] == "渝北区"] == mine  # the same rows, in the same order
    assert [c["closeness"] for c in everyone] == sorted(c["closeness"] for c in everyone)


def test_session_login_works_for_the_pages_charts(client_for, yubei_officer, firms):
    assert client_for(yubei_officer).get("/api/units").json() == [
        {"id": yubei_officer.membership.reporting_unit_id, "code": "500112", "name": "渝北区", "kind": "区",
         "zone": "中心城区"}]


def test_roles_without_registry_access_get_403(client, make_user, firms):
    bank = make_user("bank", "bank_officer")
    assert client.get("/api/enterprises", **bearer(bank)).status_code == 403


def test_revoked_and_deactivated_tokens_stop_working(client, yubei_officer, firms):
    token, key = create_token(user=yubei_officer, name="t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get("/api/units", **headers).status_code == 200
    token.revoked = True
    token.save()
    assert client.get("/api/units", **headers).status_code == 401


def test_token_cli_prints_a_working_token(client, yubei_officer, firms):
    from keqi.cli.main import app

    out = CliRunner().invoke(app, ["token", "create", "yubei", "--name", "dashboard"])
    assert out.exit_code == 0
    key = out.output.strip()
    assert client.get("/api/units", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_openapi_docs_are_served(client):
    assert client.get("/api/openapi.json").json()["info"]["title"] == "KeQi API"

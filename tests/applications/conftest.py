"""Firms of two districts, their users, and helpers to walk an application through its workflow."""

from __future__ import annotations

import datetime as dt

import pytest

TODAY = dt.date(2026, 12, 3)  # a Thursday; 2026's arrangement is known, 2027's is not


@pytest.fixture(autouse=True)
def _private_root(tmp_path, settings):
    settings.KEQI_PRIVATE_ROOT = tmp_path / "private"


@pytest.fixture
def firms(db, tmp_path):
    """Three firms of 渝北区 and one of 南岸区, with figures for 2024 and 2025; the second 渝北 firm holds a
    科技型中小企业 number (so no 首次申报 site check), the others hold nothing."""
    import polars as pl

    from keqi.accounts.scope import SYSTEM
    from keqi.registry import flows
    from keqi.registry.models import Enterprise

    from support import report_rows, write_file

    yubei = report_rows(3, unit="渝北区", years=(2024, 2025), seed=11).with_columns(
        staff_total=pl.lit(40, pl.Int64), tech_staff=pl.lit(10, pl.Int64), senior_tech_staff=pl.lit(1, pl.Int64))
    nanan = report_rows(1, unit="南岸区", years=(2024, 2025), seed=12).with_columns(
        pl.col("name").str.replace("重庆测试", "南岸样本"))
    codes = yubei["uscc"].unique(maintain_order=True).to_list()
    quals = pl.DataFrame([{"uscc": codes[1], "kind": "科技型中小企业", "number": "2025500112A0001",
                           "valid_from": dt.date(2025, 5, 1), "valid_to": dt.date(2025, 12, 31), "source": "测试"}])
    result = flows.run_import(path=write_file(tmp_path / "firms.xlsx", pl.concat([yubei, nanan]), quals),
                              scope=SYSTEM, today=TODAY)
    assert not result.errors, result.errors
    by_code = {e.uscc: e for e in Enterprise.objects.all()}
    return {"yubei": [by_code[c] for c in codes], "nanan": [by_code[nanan["uscc"][0]]]}


@pytest.fixture
def firm_user(make_user, firms):
    return make_user("firm-a", "enterprise_user", uscc=firms["yubei"][1].uscc)


@pytest.fixture
def other_firm_user(make_user, firms):
    return make_user("firm-b", "enterprise_user", uscc=firms["yubei"][0].uscc)


@pytest.fixture
def scope_of():
    from keqi.accounts.scope import scope_for

    return scope_for


@pytest.fixture
def walk(scope_of):
    """``walk(user, case, action, **kw)``: one step through the service, as that user."""
    from keqi.applications import flows

    def step(user, case, action, **kw):
        kw.setdefault("today", TODAY)
        return flows.act(scope=scope_of(user), user=user, case=case, action=action, **kw)

    return step


@pytest.fixture
def filed(firm_user, scope_of, walk):
    """The firm's 2025 filing, submitted (prefilled from the registry, so it passes the checks)."""
    from keqi.applications import services

    scope = scope_of(firm_user)
    filing = services.open_filing(scope=scope, user=firm_user, enterprise_id=scope.enterprise_id, fiscal_year=2025,
                                  today=TODAY)
    return walk(firm_user, filing, "submit")


@pytest.fixture
def submitted(firm_user, filed, scope_of, walk):
    """A 科技型企业入库 application of the firm, submitted to its district."""
    from keqi.applications import services

    scope = scope_of(firm_user)
    app = services.start_application(scope=scope, user=firm_user, enterprise_id=scope.enterprise_id,
                                     programme="cq-tech", today=TODAY, filing_id=filed.pk)
    return walk(firm_user, app, "submit")


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
       b"\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

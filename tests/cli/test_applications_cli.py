"""``keqi filings|applications|publicity|calendar|workflows``: the whole way through the command line,
with the same role rules (exit 1 on a refusal, 2 on a bad argument)."""

import json

import pytest
from typer.testing import CliRunner

from keqi.applications.models import Application
from keqi.cli.main import app
from keqi.registry.models import Qualification

pytestmark = pytest.mark.django_db
runner = CliRunner()


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch, tmp_path, settings):
    from keqi.cli import registry

    settings.KEQI_PRIVATE_ROOT = tmp_path / "private"
    for c in (registry.console, registry.err):
        monkeypatch.setattr(c, "width", 240)


@pytest.fixture
def firm(tmp_path, make_user):
    import polars as pl

    from keqi.accounts.scope import SYSTEM
    from keqi.registry import flows

    from support import report_rows, write_file

    rows = report_rows(1, unit="渝北区", years=(2024, 2025), seed=5)
    quals = pl.DataFrame([{"uscc": rows["uscc"][0], "kind": "科技型中小企业", "number": "T1",
                           "valid_from": __import__("datetime").date(2025, 5, 1), "valid_to": None, "source": "测试"}])
    assert flows.run_import(path=write_file(tmp_path / "f.xlsx", rows, quals), scope=SYSTEM).applied
    make_user("firm", "enterprise_user", uscc=rows["uscc"][0])
    make_user("yubei", "district_officer", unit="渝北区")
    make_user("nanan", "district_officer", unit="南岸区")
    make_user("city", "city_admin")
    return rows["uscc"][0]


def run(*args):
    return runner.invoke(app, [*map(str, args)])


def test_from_filing_to_the_registry(firm, tmp_path):
    entries = tmp_path / "2025.json"
    entries.write_text(json.dumps({"staff_total": "四十"}), encoding="utf-8")
    bad = run("filings", "fill", 2025, entries, "--submit", "--as", "firm")
    assert bad.exit_code == 1 and "应为整数" in bad.output
    entries.write_text(json.dumps({"staff_total": "40", "tech_staff": "10"}), encoding="utf-8")
    ok = run("filings", "fill", 2025, entries, "--submit", "--as", "firm")
    assert ok.exit_code == 0, ok.output
    started = run("applications", "start", "cq-tech", "--as", "firm")
    assert started.exit_code == 0, started.output
    pk = Application.objects.get().pk
    assert run("applications", "act", pk, "submit", "--as", "firm").exit_code == 0
    refused = run("applications", "act", pk, "district_approve", "--as", "nanan")
    assert refused.exit_code == 1 and "没有该记录" in refused.output
    assert run("applications", "act", pk, "district_approve", "--as", "yubei").exit_code == 0
    assert run("applications", "bulk", "cq-tech", "city_approve", pk, "--as", "city").exit_code == 0
    opened = run("publicity", "open", "--opens-on", "2026-11-20", "--as", "city")
    assert opened.exit_code == 0 and "2026-11-26" in opened.output
    batch = opened.output.split("：")[0].split()[-1]
    assert run("applications", "bulk", "cq-tech", "publish", pk, "--batch", batch, "--as", "city").exit_code == 0
    done = run("publicity", "conclude", batch, "--as", "city")
    assert done.exit_code == 0 and "1 家企业入库" in done.output
    assert Qualification.objects.filter(kind="cq_tech").count() == 1
    shown = run("applications", "show", pk, "--as", "firm")
    assert "已入库" in shown.output and "编号" in shown.output


def test_calendar_and_workflows(db):
    assert "2026-10-10" in run("calendar", "show", 2026).output
    assert "未核实" in run("calendar", "show", 2027).output
    assert "cq-tech-2022" in run("workflows").output
    assert '"district_approve"' in run("workflows", "cq-tech-2022").output
    assert run("workflows", "nope").exit_code == 2

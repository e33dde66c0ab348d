"""One truth per figure (#14.1): every page, export, API endpoint and command that shows a count for a scope
on a day shows the number of the one counting service (``keqi.pipeline.figures``).

A small population whose figures differ by definition (``support.figures_population``: a certificate
expiring, one revoked, a 高企 that is also a 瞪羚, a 科技型中小企业 that is not 入库, a firm registered
late), several days (the expiry day and the day after, the revocation day and the day after, a year-end)
and every scope (the city, a zone, two units). :data:`FRONTS` lists every front showing a count; the test
walks it, so a new front that counts is added there.

Figures are named ``firms``, ``holders:<kind>`` (firms holding a qualification of the kind), ``highest:<tier>``
(firms whose highest tier it is) and ``tier_holders:<tier>`` (firms holding a qualification of the tier).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db.models import Max
from django.urls import reverse
from typer.testing import CliRunner

from keqi.accounts.scope import SYSTEM
from keqi.accounts.tokens import create_token
from keqi.pipeline import figures
from keqi.pipeline.services import current_ladder
from keqi.registry.models import Enterprise, ReportingUnit
from keqi.targets.models import Indicator, Target

from support import EXPIRY, figures_population

pytestmark = pytest.mark.django_db
COUNTED = {Indicator.HNTE_COUNT: "hnte", Indicator.TECH_COUNT: "cq_tech"}
DAYS = [dt.date(2025, 12, 31), dt.date(2026, 3, 10), dt.date(2026, 3, 11), EXPIRY, EXPIRY + dt.timedelta(days=1),
        dt.date(2026, 9, 15)]
SCOPES = ["city", "zone:中心城区", "unit:渝北区", "unit:南岸区"]


@pytest.fixture
def world(make_user, client):
    figures_population()
    for year in (2025, 2026):
        for ind in COUNTED:
            for key in ("city", "zone:中心城区", *(f"unit:{u}" for u in units().values())):
                Target.objects.update_or_create(indicator=ind, year=year, scope_key=key,
                                                defaults={"value": Decimal(10), "source": "测试"})
    admin = make_user("city", "city_admin")
    _, key = create_token(user=admin, name="test")
    client.force_login(admin)
    return {"client": client, "bearer": {"HTTP_AUTHORIZATION": f"Bearer {key}"}}


def units() -> dict[str, int]:
    return dict(ReportingUnit.objects.filter(name__in=("渝北区", "南岸区")).values_list("name", "pk"))


def resolve(key: str) -> str:
    return f"unit:{units()[key[5:]]}" if key.startswith("unit:") and not key[5:].isdigit() else key


def expected(day: dt.date, key: str) -> dict[str, int]:
    c = figures.counts(scope=SYSTEM, on=day, scope_key=key)
    out = {"firms": c.firms, **{f"holders:{k}": n for k, n in c.holders.items()}}
    for t in c.tiers:
        out[f"highest:{t.key}"] = t.highest
        out[f"tier_holders:{t.key}"] = t.holders
    return out


def tiers_shown(rows, highest="firms", holders="holders") -> dict[str, int]:
    out = {}
    for i, t in enumerate(rows):
        out[f"highest:{t['tier']}"] = t[highest]
        if i:
            out[f"tier_holders:{t['tier']}"] = t[holders]
    return out


def trend_last(points, day, kind) -> dict[str, int]:
    last = points[-1]
    assert last["on"] in (day, day.isoformat())
    return {f"holders:{kind}": last["value"]}


def progress_rows(rows, key) -> dict[str, int]:
    return {f"holders:{COUNTED[p['indicator']]}": int(p["actual"]) for p in rows
            if p["scope_key"] == key and p["indicator"] in COUNTED}


# ---------------------------------------------------------------- the fronts: (world, day, scope key) → figures


def api_get(w, path):
    r = w["client"].get(path, **w["bearer"])
    assert r.status_code == 200, (path, r.status_code, r.content[:300])
    return r.json()


def api_counts(w, day, key):
    body = api_get(w, f"/api/targets/counts?on={day}&scope_key={key}")
    return {"firms": body["firms"], **{f"holders:{h['kind']}": h["firms"] for h in body["holders"]},
            **tiers_shown(body["tiers"], "highest", "holders")}


def api_trend(w, day, key):
    out = {}
    for ind, kind in COUNTED.items():
        out.update(trend_last(api_get(w, f"/api/targets/trend?indicator={ind}&scope_key={key}&on={day}"), day, kind))
    return out


def api_funnel(w, day, key):
    if key.startswith("zone:"):
        return {}
    unit = f"&unit={key[5:]}" if key.startswith("unit:") else ""
    return tiers_shown(api_get(w, f"/api/targets/funnel?on={day}{unit}"))


def api_ranking(w, day, key):
    if not key.startswith("unit:"):
        return {}
    out = {}
    for ind, kind in COUNTED.items():
        rows = api_get(w, f"/api/targets/ranking?indicator={ind}&year={day.year}&on={day}")
        out[f"holders:{kind}"] = next(r["actual"] for r in rows if r["unit_id"] == int(key[5:]))
    return out


def api_progress(w, day, key):
    return progress_rows(api_get(w, f"/api/targets/progress?year={day.year}&on={day}"), key)


def api_enterprises(w, day, key, monkeypatch):
    if not key.startswith("unit:"):
        return {}
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: day)
    out = {}
    for kind in COUNTED.values():
        r = w["client"].get(f"/api/enterprises?unit={key[5:]}&qualification={kind}&limit=1", **w["bearer"])
        out[f"holders:{kind}"] = r.json()["count"]
    return out


def page(w, name, day, *args, **params):
    query = "&".join(f"{k}={v}" for k, v in {"on": day, **params}.items())
    r = w["client"].get(f"{reverse(name, args=args)}?{query}")
    assert r.status_code == 200, (name, r.status_code)
    return r.context


def overview_page(w, day, key):
    ctx = page(w, "targets:overview", day, year=day.year)
    out = progress_rows([{**p.__dict__} for p, _f in ctx["rows"]], key)
    if key == "city":  # the charts' tables show the user's own scope: the city's for the city
        out.update(tiers_shown(ctx["funnel"]))
        out.update(trend_last(ctx["trend"], day, "hnte"))
        out.update(trend_last(ctx["trend_tech"], day, "cq_tech"))
    if key.startswith("unit:"):
        out["holders:hnte"] = next(r["actual"] for r in ctx["ranking"] if r["unit_id"] == int(key[5:]))
    return out


def unit_page(w, day, key):
    if not key.startswith("unit:"):
        return {}
    ctx = page(w, "targets:unit", day, int(key[5:]), year=day.year)
    out = progress_rows([{**p.__dict__} for p, _f in ctx["rows"]], key)
    out.update(tiers_shown(ctx["funnel"]))
    out.update(trend_last(ctx["trend"], day, "hnte"))
    return out


def report_page(w, day, key):
    ctx = page(w, "targets:report", day, year=day.year)
    out = progress_rows([{**r.progress.__dict__} for r in ctx["key_rows"]], key)
    if key == "city":
        out.update(tiers_shown(ctx["funnel"]))
        for ind, kind in COUNTED.items():
            out.update(trend_last(ctx["trend"][ind], day, kind))
    return out


def report_xlsx(w, day, key, tmp_path):
    import fastexcel

    r = w["client"].get(f"{reverse('targets:report_xlsx')}?on={day}&year={day.year}")
    path = tmp_path / f"report-{day}.xlsx"
    path.write_bytes(r.content)
    book = fastexcel.read_excel(str(path))

    def sheet(name):
        return book.load_sheet_by_name(name, header_row=2).to_polars().to_dicts()

    scope = figures.counts(scope=SYSTEM, on=day, scope_key=key).scope_label
    labels = {str(label): ind for ind, label in Indicator.choices}
    out = {f"holders:{COUNTED[labels[row['指标']]]}": int(row["现值"]) for row in sheet("关键指标")
           if row["范围"] == scope and labels.get(row["指标"]) in COUNTED}
    if key == "city":
        ladder = {t.label: t.key for t in current_ladder().tiers}
        for i, row in enumerate(sheet("梯次")):
            out[f"highest:{ladder[row['梯次']]}"] = int(row["最高梯次在此的企业"])
            if i:
                out[f"tier_holders:{ladder[row['梯次']]}"] = int(row["持有本梯次资格的企业"])
        for ind, kind in COUNTED.items():
            points = [row for row in sheet("趋势") if labels.get(row["指标"]) == ind]
            assert points[-1]["日期"] == day.isoformat()
            out[f"holders:{kind}"] = int(points[-1]["持有有效资格的企业"])
    return out


def home_page(w, day, key, monkeypatch):
    if key != "city":  # the city administrator's home shows the city
        return {}
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: day)
    ctx = w["client"].get(reverse("web:home")).context
    return {"firms": ctx["enterprise_count"], **{f"holders:{q['kind']}": q["n"] for q in ctx["qualifications"]}}


def enterprise_list(w, day, key, monkeypatch):
    if not key.startswith("unit:"):
        return {}
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: day)
    out = {}
    for kind in COUNTED.values():
        ctx = w["client"].get(f"{reverse('registry:enterprise_list')}?unit={key[5:]}&qualification={kind}").context
        out[f"holders:{kind}"] = ctx["total"]
    registered = Enterprise.objects.aggregate(last=Max("registered_on"))["last"]
    for tier in current_ladder().tiers:  # the list's 当前梯次 filter: firms whose highest tier it is
        if tier.level == current_ladder().tiers[0].level and day < registered:
            continue  # the list is the registry as it stands (a firm registered later is on it, on 储备)
        ctx = w["client"].get(f"{reverse('registry:enterprise_list')}?unit={key[5:]}&tier={tier.key}").context
        out[f"highest:{tier.key}"] = ctx["total"]
    return out


def cli_counts(w, day, key):
    from keqi.cli.main import app

    result = CliRunner().invoke(app, ["counts", "--on", day.isoformat(), "--scope", key, "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    return {"firms": body["firms"], **{f"holders:{k}": n for k, n in body["holders"].items()},
            **tiers_shown(body["tiers"], "highest", "holders")}


FRONTS = {
    "API /api/targets/counts": api_counts,
    "API /api/targets/trend": api_trend,
    "API /api/targets/funnel": api_funnel,
    "API /api/targets/ranking": api_ranking,
    "API /api/targets/progress": api_progress,
    "API /api/enterprises?qualification=": api_enterprises,
    "page 目标进度 /targets/": overview_page,
    "page 区县 /targets/units/<id>/": unit_page,
    "page 数读 /targets/report/": report_page,
    "xlsx 数读 /targets/report.xlsx": report_xlsx,
    "page 首页 /": home_page,
    "page 企业名录 /registry/enterprises/?qualification=": enterprise_list,
    "CLI keqi counts": cli_counts,
}


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_every_front_shows_the_services_number(world, day, monkeypatch, tmp_path):
    extra = {"monkeypatch": monkeypatch, "tmp_path": tmp_path}
    shown_somewhere: set[str] = set()
    for raw_key in SCOPES:
        key = resolve(raw_key)
        truth = expected(day, key)
        for name, front in FRONTS.items():
            wanted = {k: v for k, v in extra.items() if k in front.__code__.co_varnames[:front.__code__.co_argcount]}
            shown = front(world, day, key, **wanted)
            monkeypatch.undo()
            for figure, value in shown.items():
                assert value == truth[figure], f"{name} shows {figure} = {value} for {raw_key} on {day}; the service says {truth[figure]}"
            if shown:
                shown_somewhere.add(name)
    assert shown_somewhere == set(FRONTS), f"fronts that showed nothing: {set(FRONTS) - shown_somewhere}"


def test_the_population_makes_the_definitions_differ(world):
    """The days chosen are ones where a wrong definition shows: expired, revoked, 高企 also 瞪羚, not 入库."""
    yubei = resolve("unit:渝北区")
    on, after = expected(EXPIRY, yubei), expected(EXPIRY + dt.timedelta(days=1), yubei)
    assert on["holders:cq_tech"] == after["holders:cq_tech"] + 1  # the expiry day counts, the day after not
    assert on["holders:hnte"] > on["highest:hnte"]  # a 高企 that is also a 瞪羚 stands on the growth tier
    city = expected(EXPIRY, "city")
    assert city["tier_holders:tech"] > city["holders:cq_tech"]  # a 科技型中小企业 is on the tier, not 入库
    revoked, next_day = expected(dt.date(2026, 3, 10), "city"), expected(dt.date(2026, 3, 11), "city")
    assert revoked["holders:cq_tech"] == next_day["holders:cq_tech"] + 1

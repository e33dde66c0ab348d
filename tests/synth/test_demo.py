"""The demo (``keqi demo``, keqi.synth.demo): calibrated to the city's published year-end counts at its
scale, units that grow at different speeds, targets scaled the same way, and every role's main pages
showing work after the demo's steps (a small-scale run: 1/200 of the city).
"""

from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction

import polars as pl
import pytest

from keqi.synth import history

TODAY = dt.date(2026, 12, 3)
#: published year-end counts (../shared/reference/chongqing.md §6): 高企, 科技型企业
PUBLISHED = {2021: (5108, 36900), 2022: (6348, 42989)}


def _demo(scale: Fraction, home):
    from keqi.synth import demo

    return demo.Demo(scale=scale, seed=7, today=TODAY, home=home)


@pytest.fixture(scope="module")
def frames(tmp_path_factory):
    from keqi.synth import demo

    return demo.population_frames(_demo(Fraction(1, 50), tmp_path_factory.mktemp("demo")))


@pytest.mark.parametrize("year", sorted(PUBLISHED))
def test_year_end_holders_are_the_published_counts_times_the_scale(frames, year):
    quals = frames.qualifications
    day = dt.date(year, 12, 31)
    hnte, tech = PUBLISHED[year]
    assert history.holders(quals, kind="hnte", on=day).height == int(hnte / 50 + 0.5)
    assert history.holders(quals, kind="cq_tech", on=day).height == int(tech / 50 + 0.5)


def test_the_years_after_grow_and_nothing_is_dated_after_today(frames):
    quals = frames.qualifications
    tech = [history.holders(quals, kind="cq_tech", on=dt.date(y, 12, 31)).height for y in range(2021, 2026)]
    hnte = [history.holders(quals, kind="hnte", on=dt.date(y, 12, 31)).height for y in range(2021, 2026)]
    assert tech == sorted(tech) and hnte == sorted(hnte) and tech[-1] > 1.5 * tech[0]
    assert quals["valid_from"].max() <= TODAY
    # a firm holds one certificate of a kind at a time, and never before it was registered
    firms = frames.reports.select("uscc", "registered_on").unique()
    joined = quals.join(firms, on="uscc")
    assert joined.height == quals.height and (joined["valid_from"] > joined["registered_on"]).all()
    overlap = (quals.sort("uscc", "kind", "valid_from")
               .with_columns(prev_to=pl.col("valid_to").shift(1).over("uscc", "kind"))
               .filter(pl.col("prev_to") >= pl.col("valid_from")))
    assert overlap.height == 0


def test_units_grow_at_different_speeds(frames):
    quals = frames.qualifications.join(frames.reports.select("uscc", "district").unique(), on="uscc")

    def per_unit(day):
        held = history.holders(quals, kind="cq_tech", on=day).join(quals.select("uscc", "district").unique(), on="uscc")
        return dict(held.group_by("district").len().iter_rows())

    base, now = per_unit(dt.date(2022, 12, 31)), per_unit(TODAY)
    growth = sorted(now.get(u, 0) / n for u, n in base.items() if n >= 20)
    assert len(growth) >= 8
    assert growth[-1] > 1.5 * growth[0], growth  # the fastest units grow far more than the slowest


def test_the_history_is_reproducible(frames):
    firms = frames.reports.select("uscc", "district", "registered_on")
    again = history.history(firms, frames.qualifications, scale=Fraction(1, 50), seed=7, today=TODAY)
    assert again.equals(history.history(firms, frames.qualifications, scale=Fraction(1, 50), seed=7, today=TODAY))


def test_scaling_rounds_half_up():
    assert history.scaled(6348, Fraction(1, 10)) == 635
    assert history.scaled(12800, Fraction(1, 10)) == 1280
    assert history.scaled(5, Fraction(1, 10)) == 1
    assert history.year_end("hnte", 2030) > history.year_end("hnte", 2027)


# ---------------------------------------------------------------- the whole demo, small


@pytest.fixture
def city(db, tmp_path, settings, monkeypatch):
    """The demo's steps at 1/200 of the city (1,300 firms, their reports in several files), run twice
    (the second changes nothing)."""
    from keqi.synth import demo

    monkeypatch.setattr(demo, "ROWS_PER_FILE", 1500)
    settings.KEQI_DEMO_SCALE = Fraction(1, 200)
    config = _demo(Fraction(1, 200), tmp_path)
    first = demo.run(config)
    second = demo.run(config)
    return config, first, second


def _counts(on):
    from keqi.accounts.scope import SYSTEM
    from keqi.pipeline import figures

    return figures.counts(scope=SYSTEM, on=on, scope_key="city")


def test_the_demo_is_calibrated_scaled_and_re_runnable(city):
    from keqi.contracts.models import TechContract
    from keqi.credit.models import Default, Loan, Repayment
    from keqi.pipeline.models import CultivationTask
    from keqi.screening.models import ScreeningRun
    from keqi.targets import services as targets
    from keqi.targets.models import Target

    config, first, second = city
    for year, (hnte, tech) in PUBLISHED.items():
        c = _counts(dt.date(year, 12, 31))
        assert (c.holding("hnte"), c.holding("cq_tech")) == (int(hnte / 200 + 0.5), int(tech / 200 + 0.5))  # half up
    # the targets scaled the same way (2027: 12,800 and 86,000), and split over the units
    city_targets = dict(((i, y), v) for i, y, v in Target.objects.filter(scope_key="city")
                        .values_list("indicator", "year", "value"))
    assert city_targets[("hnte_count", 2027)] == 64 and city_targets[("tech_count", 2027)] == 430
    units = Target.objects.filter(indicator="tech_count", year=2027, scope_key__startswith="unit:")
    assert units.count() > 30
    # some units ahead of the way to their 2027 target, some behind
    from keqi.accounts.scope import SYSTEM

    rows = [p for p in targets.progress(scope=SYSTEM, year=2027, on=TODAY)
            if p.scope_key.startswith("unit:") and p.indicator == "tech_count" and p.target >= 5]
    assert {p.lagging for p in rows} == {True, False}
    # the work of every app
    assert TechContract.objects.filter(reporting_unit__name="渝北区").exists()
    assert Loan.objects.filter(status=Loan.Status.REPAID).exists() and Default.objects.count() == 1
    assert Repayment.objects.exists() and Loan.objects.filter(status=Loan.Status.ACTIVE).exists()
    assert CultivationTask.objects.filter(status="open", due_on__lt=TODAY).exists()  # overdue
    sunday = TODAY + dt.timedelta(days=6 - TODAY.weekday())
    assert CultivationTask.objects.filter(status="open", due_on__gte=TODAY, due_on__lte=sunday).exists()  # this week
    assert ScreeningRun.objects.filter(status="complete").count() == 2
    from keqi.contracts.models import ContractImport

    assert list(ContractImport.objects.values_list("status", "rows")) == [("checked", 6)]  # awaiting registration
    # the second run found everything done
    assert len(first["population"]) >= 3  # report files of whole firms, then the certificates
    assert sum(s["enterprises"]["created"] for s in first["population"].values()) == config.firms
    assert all(s["enterprises"]["created"] == 0 and s["qualifications"]["created"] == 0
               for s in second["population"].values())
    assert second["targets"] == {"scaled": 0, "split": {}}
    assert second["contracts"]["created"] == 0 and second["contracts"]["rows"] == first["contracts"]["created"]
    assert second["credit"]["loans"] == first["credit"]["loans"]
    assert second["tasks"] == {"tasks": first["tasks"]["tasks"]}
    assert second["applications"] == first["applications"]
    _registry_entries_went_through_their_batches()


def _registry_entries_went_through_their_batches():
    """科技型企业入库 in the demo: a concluded 公示 batch whose firms got their 入库登记编号 and count
    today, a batch in its window with one objection, applications with the district and the firm."""
    from keqi.applications.models import Application, ApplicationEvent, PublicityBatch
    from keqi.registry.models import Qualification

    ended, live = PublicityBatch.objects.filter(programme="cq-tech").order_by("opens_on")
    assert (ended.status, ended.closes_on < TODAY) == ("concluded", True)
    assert (live.status, live.opens_on <= TODAY <= live.closes_on) == ("open", True)
    registered = list(ended.applications.all())
    assert len(registered) == 3 and {a.state for a in registered} == {"registered"}
    held = set(Qualification.objects.held_on(TODAY).filter(kind="cq_tech").values_list("enterprise_id", flat=True))
    for app in registered:
        assert app.number and app.number.startswith(str(TODAY.year)) and app.qualification.number == app.number
        assert app.enterprise_id in held
    assert _counts(TODAY).holding("cq_tech") == len(held)  # the firms count today
    assert sorted(a.state for a in live.applications.all()) == ["objection", "publicity", "publicity"]
    # the journey of the first: returned, corrected and resubmitted, checked on site if the rules say so,
    # approved, published
    steps = list(ApplicationEvent.objects.filter(application=registered[0]).order_by("at", "pk")
                 .values_list("action", flat=True))
    assert steps[:4] == ["start", "submit", "district_return", "submit"] and steps[-2:] == ["publish", "register"]
    assert ("site_check_pass" in steps) == registered[0].site_check_required and "city_approve" in steps
    waiting = Application.objects.filter(programme="cq-tech", batch__isnull=True).values_list("state", flat=True)
    assert sorted(waiting) == ["returned", "submitted"]


def _pages(config):
    """Each role's main pages and something of the demo each must show."""
    from django.urls import reverse

    from keqi.applications.models import Application, PublicityBatch
    from keqi.contracts.models import TechContract
    from keqi.credit.models import Loan
    from keqi.pipeline.models import CultivationTask
    from keqi.registry.models import Enterprise

    yubei_firm = Enterprise.objects.filter(reporting_unit__name="渝北区").order_by("name").first()
    firm_app = Application.objects.filter(created_by__username="enterprise-user").first()
    loan = Loan.objects.order_by("-granted_on").first()
    contract = TechContract.objects.filter(reporting_unit__name="渝北区").order_by("-registered_on").first()
    task = CultivationTask.objects.order_by("due_on").first()
    ended, live = PublicityBatch.objects.filter(programme="cq-tech").order_by("opens_on")
    registered = ended.applications.order_by("pk").first()
    return {
        "city-admin": [(reverse("web:home"), "高新技术企业"), (reverse("targets:overview"), re.compile(r">\s*64\s*<")),
                       (reverse("targets:overview"), "渝北区"), (reverse("targets:allocations"), "渝北区"),
                       (reverse("screening:index"), "全市"), (reverse("contracts:list"), contract.number),
                       (reverse("applications:batches"), ended.title), (reverse("applications:batches"), live.title),
                       (reverse("applications:batch", args=[ended.pk]), registered.number),
                       (reverse("applications:batch", args=[live.pk]), "异议")],
        "yubei-officer": [(reverse("registry:enterprise_list"), yubei_firm.name),
                          (reverse("web:home"), "高企申报政策培训（第二期）"),
                          (reverse("pipeline:task_list"), task.title),
                          (reverse("screening:candidate_list"), "渝北区"),
                          (reverse("applications:list"), "高新技术企业认定"),
                          (reverse("applications:list"), "待区县初审"),
                          (reverse("targets:overview"), "渝北区")],
        "yubei-firm-1": [(reverse("applications:list"), "已入库"),
                         (reverse("applications:detail", args=[registered.pk]), registered.number)],
        "enterprise-user": [(reverse("web:home"), firm_app.enterprise.name),
                            (reverse("applications:list"), "高新技术企业认定"),
                            (reverse("applications:filings"), str(TODAY.year - 1))],
        "bank-officer": [(reverse("credit:index"), loan.enterprise.name)],
        "yubei-registrar": [(reverse("contracts:list"), contract.number),
                            (reverse("web:home"), f"渝北区技术合同登记-{TODAY:%Y%m%d}.xlsx")],
    }


def test_every_role_sees_work_on_its_main_pages(city, client):
    from django.contrib.auth import get_user_model

    config, _first, _second = city
    note = "演示数据：按实际规模的 1/200 生成，目标同比缩放"
    missing = []
    for username, pages in _pages(config).items():
        client.force_login(get_user_model().objects.get(username=username))
        for url, text in pages:
            response = client.get(url)
            body = response.content.decode()
            found = text.search(body) if isinstance(text, re.Pattern) else text in body
            if response.status_code != 200 or not found or note not in body:
                missing.append((username, url, response.status_code, text))
    assert missing == []


def test_no_note_outside_a_demo(client, city_admin, settings):
    settings.KEQI_DEMO_SCALE = None  # production: the setting is unset
    client.force_login(city_admin)
    assert "演示数据" not in client.get("/").content.decode()
    settings.KEQI_DEMO_SCALE = Fraction(1, 4)
    assert "演示数据：按实际规模的 1/4 生成，目标同比缩放" in client.get("/").content.decode()


@pytest.mark.parametrize("scale", ["0", "2", "abc", "1/0", "-1/10"])
def test_keqi_demo_refuses_a_scale_outside_0_to_1(scale):
    from typer.testing import CliRunner

    from keqi.cli.main import app

    result = CliRunner().invoke(app, ["demo", "--scale", scale, "--no-serve"])
    assert result.exit_code == 2 and "规模应为 0 到 1 之间的比例" in result.output


def test_a_later_run_adds_contracts_and_changes_none(tmp_path):
    from keqi.synth import demo

    sellers = [("91500112MA5U7W4B2X", "重庆示例科技有限公司", "渝北区"), ("91500107MA5U7W4B3Y", "重庆样本电子有限公司", "九龙坡区")]
    early = demo.contract_frame(_demo(Fraction(1, 100), tmp_path), sellers)
    later = demo.contract_frame(demo.Demo(scale=Fraction(1, 100), seed=7, today=dt.date(2026, 12, 20), home=tmp_path),
                                sellers)
    assert early["registered_on"].max() <= TODAY < later["registered_on"].max()
    assert early.join(later, on=early.columns, how="anti", nulls_equal=True).height == 0  # every early row is in the later file
    per_year = early.group_by(pl.col("registered_on").dt.year()).len().sort("registered_on")["len"].to_list()
    assert per_year[0] == 69 and per_year[1] == 77  # 6,919 in 2022, +12 % a year, at 1/100


def test_every_past_year_end_is_the_table_times_the_scale(frames):
    """The assumed years too (docs/synth.md), exactly, rounded half up."""
    quals = frames.qualifications
    for year in range(2019, TODAY.year):
        day = dt.date(year, 12, 31)
        for kind in ("hnte", "cq_tech"):
            expected = history.scaled(history.year_end(kind, year), Fraction(1, 50))
            assert history.holders(quals, kind=kind, on=day).height == expected, (kind, year)

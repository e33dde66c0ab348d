"""The engine: one firm equals its row in any batch; editions, settings and portability."""

from __future__ import annotations

import datetime as dt

import ibis
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keqi.policy import engine, evaluate, evaluate_one, evaluation
from keqi.policy.editions import EDITION_IDS, all_editions, get
from keqi.policy.flat import FLAT_COLUMNS, profiles_to_table
from keqi.policy.profile import Profile

from .helpers import base_profile, uscc
from cases import examples

maybe_bool = st.one_of(st.none(), st.booleans())


@st.composite
def profiles(draw, i=0):
    staff = draw(st.one_of(st.none(), st.integers(0, 700)))
    tech = None if staff is None else draw(st.one_of(st.none(), st.integers(0, staff)))
    fin = []
    for year in draw(st.sets(st.integers(2021, 2025), max_size=3)):
        revenue = draw(st.integers(0, 400_000_000))
        rd = draw(st.integers(0, max(revenue // 5, 1)))
        fin.append(
            {
                "year": year,
                "revenue": revenue,
                "rd_expense": draw(st.one_of(st.none(), st.just(rd))),
                "rd_expense_domestic": rd * draw(st.integers(0, 100)) // 100,
                "cost_total": rd + draw(st.integers(0, 300_000_000)),
                "total_assets": draw(st.integers(0, 300_000_000)),
                "net_assets": draw(st.integers(-50_000_000, 300_000_000)),
                "hitech_revenue": revenue * draw(st.integers(0, 100)) // 100,
            }
        )
    return base_profile(
        uscc=uscc(draw(st.integers(0, 10_000))),
        registered_on=draw(st.sampled_from(["2014-05-01", "2019-06-30", "2023-01-01", "2025-06-01"])),
        staff_total=staff,
        tech_staff=tech,
        senior_tech_staff=0 if tech is not None else None,
        financials=fin,
        ip={
            "class1": draw(st.one_of(st.none(), st.integers(0, 2))),
            "class2": draw(st.integers(0, 6)),
            "self_developed": draw(maybe_bool),
        },
        conversions_3y=draw(st.one_of(st.none(), st.integers(0, 20))),
        flags={
            k: draw(st.one_of(st.just(False), maybe_bool))
            for k in (
                "major_incident",
                "research_misconduct",
                "credit_blacklisted",
                "abnormal_operation",
                "prohibited_industry",
            )
        },
        direct={
            k: draw(st.one_of(st.just(False), maybe_bool))
            for k in (
                "hnte_certificate_valid",
                "national_award_top3",
                "provincial_rd_institution",
                "led_standard",
            )
        },
        valuation_usd=draw(st.one_of(st.none(), st.floats(0, 2e9))),
        financing_usd=draw(st.one_of(st.none(), st.floats(0, 1e8))),
    )


@settings(max_examples=examples(12), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    batch=st.lists(profiles(), min_size=2, max_size=8),
    edition=st.sampled_from(EDITION_IDS),
    pick=st.integers(0, 7),
)
def test_single_firm_equals_its_row_in_a_batch(batch, edition, pick):
    pick %= len(batch)
    together = evaluate(batch, edition)
    alone = evaluate_one(batch[pick], edition)
    assert together[pick] == alone
    assert [v["uscc"] for v in together] == [Profile.model_validate(p).uscc for p in batch]


def test_order_is_kept_in_a_large_batch():
    batch = [
        base_profile(uscc=uscc(i), staff_total=100 + i % 450, tech_staff=i % 90, senior_tech_staff=0)
        for i in range(600)
    ]
    out = evaluation.evaluate_table(profiles_to_table(Profile.model_validate(p) for p in batch), "tsme-2017")
    assert out.column("uscc").to_pylist() == [uscc(i) for i in range(600)]
    assert out.column("tech_staff__value").to_pylist() == [(i % 90) / (100 + i % 450) for i in range(600)]


def test_evaluate_table_columns_and_gaps():
    table = profiles_to_table([Profile.model_validate(base_profile(tech_staff=5))])
    out = evaluation.evaluate_table(table, "tsme-2017", gaps=True)
    for name in (
        "uscc",
        "verdict",
        "route",
        "score_min",
        "score_max",
        "pass_mark",
        "tech_staff__passed",
        "tech_staff__min",
        "tech_staff__max",
        "gap__tech_staff",
        "gap__rd_expense",
        "gaps_json",
    ):
        assert name in out.column_names
    assert out.column("verdict").to_pylist() == ["ineligible"]
    assert out.column("gap__tech_staff").to_pylist()[0] > 0


def test_flat_table_from_plain_rows_with_missing_columns():
    # the registry may build the flat table from SQL rows: absent columns are NULL
    table = pa.table(
        {
            "uscc": [uscc(3)],
            "registered_on": [dt.date(2015, 1, 1)],
            "assess_on": [dt.date(2026, 6, 1)],
            "staff_total": [100],
            "tech_staff": [40],
        }
    )
    out = evaluation.evaluate_table(table, "tsme-2017")
    assert out.column("tech_staff__min").to_pylist() == [20]
    assert out.column("verdict").to_pylist() == ["uncertain"]


def test_flat_years_are_consecutive_from_the_latest():
    p = Profile.model_validate(base_profile())
    p.financials = [f for f in p.financials if f.year != 2024]
    row = profiles_to_table([p]).to_pylist()[0]
    assert row["y1_year"] == 2025 and row["y2_year"] is None and row["y3_year"] == 2023
    assert set(row) == set(FLAT_COLUMNS)


def test_editions_metadata():
    assert [e.id for e in all_editions()] == list(EDITION_IDS)
    for e in all_editions():
        d = e.describe()
        assert d["title"] and d["version"] and d["sources"]
        for c in e.criteria:
            assert c.label and c.source.cite() and c.source.status in ("TEXT", "SECONDARY", "UNCONFIRMED")
        for s in e.settings:
            if s.status == "UNCONFIRMED":
                assert s.official is False
            if not s.official:
                assert "not official" in s.description or "UNCONFIRMED" in s.description
    with pytest.raises(KeyError, match="tsme-2017"):
        get("nope")


def test_settings_are_validated():
    with pytest.raises(ValueError, match="unknown setting"):
        evaluate_one(base_profile(), "hnte-2016", {"nope": 1})
    with pytest.raises(ValueError, match="one of"):
        evaluate_one(base_profile(), "hnte-2016", {"negative_net_assets": "maybe"})
    v = evaluate_one(base_profile(), "hnte-2016", {"negative_net_assets": "zero"})
    assert v["settings"] == {"negative_net_assets": "zero"}


@pytest.mark.parametrize("edition", EDITION_IDS)
def test_rules_compile_for_another_sql_engine(edition):
    unbound = ibis.table(engine.flat_ibis_schema(), name="flat")
    sql = ibis.to_sql(engine.expression(unbound, edition), dialect="postgres")
    assert "verdict" in sql

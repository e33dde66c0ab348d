"""The one counting service: firms, holders of a qualification, holders of a tier and firms by their
highest tier, per scope, on a day; the one definition of "held on D" behind them."""

import datetime as dt

import pytest

from keqi.accounts.scope import SYSTEM, scope_for
from keqi.pipeline import figures
from keqi.registry.models import Qualification, ReportingUnit, held_on

from support import EXPIRY, figures_population

pytestmark = pytest.mark.django_db
AFTER = EXPIRY + dt.timedelta(days=1)


@pytest.fixture
def firms():
    return figures_population()


def unit(name):
    return f"unit:{ReportingUnit.objects.get(name=name).pk}"


def test_held_on_counts_the_expiry_day_and_not_the_day_after(firms):
    b = Qualification.objects.get(enterprise_id=firms["B"])
    assert Qualification.objects.held_on(EXPIRY).filter(pk=b.pk).exists() and b.is_valid_on(EXPIRY)
    assert not Qualification.objects.filter(held_on(AFTER), pk=b.pk).exists() and not b.is_valid_on(AFTER)
    assert (b.state_on(EXPIRY), b.state_on(AFTER), b.state_on(dt.date(2022, 4, 30))) == ("held", "expired", "pending")
    # every row agrees with the query condition, on every day around every bound
    days = {q.valid_from + dt.timedelta(days=k) for q in Qualification.objects.all() for k in (-1, 0, 1)}
    days |= {q.valid_to + dt.timedelta(days=k) for q in Qualification.objects.exclude(valid_to=None) for k in (-1, 0, 1)}
    for day in days:
        assert set(Qualification.objects.held_on(day).values_list("pk", flat=True)) == {
            q.pk for q in Qualification.objects.all() if q.is_valid_on(day)}


@pytest.mark.parametrize(("day", "key", "expected"), [
    # firms, 入库 holders, 高企 holders, highest: reserve, tech, hnte, growth, leader; tech-tier holders
    (EXPIRY, "city", (6, 2, 2, (2, 2, 1, 1, 0), 3)),
    (AFTER, "city", (6, 1, 2, (3, 1, 1, 1, 0), 2)),
    (EXPIRY, "unit:渝北区", (5, 2, 2, (2, 1, 1, 1, 0), 2)),
    (AFTER, "unit:渝北区", (5, 1, 2, (3, 0, 1, 1, 0), 1)),
    (dt.date(2026, 9, 15), "unit:南岸区", (2, 1, 0, (0, 2, 0, 0, 0), 2)),
    (dt.date(2026, 3, 10), "zone:中心城区", (6, 3, 2, (1, 3, 1, 1, 0), 4)),  # G's revocation day: still held
    (dt.date(2026, 3, 11), "zone:中心城区", (6, 2, 2, (2, 2, 1, 1, 0), 3)),
    (dt.date(2025, 12, 31), "city", (6, 3, 2, (1, 3, 1, 1, 0), 4)),
])
def test_counts_per_scope_and_day(firms, day, key, expected):
    if key.startswith("unit:"):
        key = unit(key[5:])
    c = figures.counts(scope=SYSTEM, on=day, scope_key=key)
    highest = tuple(t.highest for t in c.tiers)
    assert (c.firms, c.holding("cq_tech"), c.holding("hnte"), highest, c.tier("tech").holders) == expected
    assert sum(highest) == c.firms  # each firm once, on its highest tier
    assert c.tier("hnte").holders >= c.tier("hnte").highest  # a 高企 that is also 瞪羚 stands higher


def test_holders_by_unit_are_the_same_figures(firms):
    for day in (EXPIRY, AFTER):
        by_unit = figures.holders_by_unit(kind="cq_tech", on=day)
        for pk in ReportingUnit.objects.values_list("pk", flat=True):
            assert by_unit.get(pk, 0) == figures.counts(scope=SYSTEM, on=day, scope_key=f"unit:{pk}").holding("cq_tech")


def test_an_officer_sees_its_own_scopes_only(firms, make_user):
    from django.core.exceptions import PermissionDenied

    officer = scope_for(make_user("y", "district_officer", unit="渝北区"))
    assert figures.counts(scope=officer, on=EXPIRY).scope_key == unit("渝北区")
    assert figures.counts(scope=officer, on=EXPIRY, scope_key="city").firms == 6
    with pytest.raises(PermissionDenied):
        figures.counts(scope=officer, on=EXPIRY, scope_key=unit("南岸区"))


def test_a_change_shows_at_once(firms):
    before = figures.counts(scope=SYSTEM, on=AFTER).holding("cq_tech")
    b = Qualification.objects.get(enterprise_id=firms["B"])
    b.valid_to = None
    b.save()
    assert figures.counts(scope=SYSTEM, on=AFTER).holding("cq_tech") == before + 1


def test_the_two_tier_figures_are_named_apart():
    assert figures.holders_label("hnte") == "持有有效“高新技术企业”资格的企业"
    assert figures.highest_label("高新技术企业") == "最高梯次为“高新技术企业”的企业"

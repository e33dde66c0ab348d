"""Exact shares: 80% compensation and the city 4 : district 6 split, rounded half up, always adding up."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from keqi.credit.money import city_district, compensation_for, one_year_after


def decimal_round(amount: int, share: str) -> int:
    return int((Decimal(amount) * Decimal(share)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_worked_examples():
    assert compensation_for(1_000_000) == (800_000, 200_000)
    assert compensation_for(3) == (2, 1)  # 2.4 → 2
    assert compensation_for(7) == (6, 1)  # 5.6 → 6
    assert city_district(800_000) == (320_000, 480_000)
    assert city_district(5) == (2, 3)  # 2.0
    assert city_district(4) == (2, 2)  # 1.6 → 2
    assert city_district(0) == (0, 0)


@given(st.integers(min_value=0, max_value=10**13))
def test_compensation_is_80_percent_half_up_and_the_parts_add_up(principal):
    fund, bank = compensation_for(principal)
    assert fund == decimal_round(principal, "0.8")
    assert fund + bank == principal and 0 <= bank <= fund + 1


@given(st.integers(min_value=0, max_value=10**13))
def test_city_gets_40_percent_half_up_and_the_district_the_rest(amount):
    city, district = city_district(amount)
    assert city == decimal_round(amount, "0.4")
    assert city + district == amount and district >= 0


def test_one_year_term_limit_handles_leap_days():
    assert one_year_after(dt.date(2025, 3, 1)) == dt.date(2026, 3, 1)
    assert one_year_after(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)


def test_a_negative_amount_is_refused_in_words():
    import pytest

    from keqi.credit.money import COMPENSATION_SHARE, half_up

    with pytest.raises(ValueError, match=r"^amounts are never negative$"):
        half_up(-1, COMPENSATION_SHARE)
    assert half_up(0, COMPENSATION_SHARE) == 0

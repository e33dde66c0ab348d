"""The suggested split (largest remainder) and the year-end forecast: pure computations, boundary cases."""

import pytest

from keqi.targets.allocation import largest_remainder
from keqi.targets.forecast import MIN_OBSERVED, Group, Rate, needed_by_year_end, year_end


def test_parts_add_up_exactly_to_the_whole():
    parts = largest_remainder(12800, {"a": 1, "b": 1, "c": 1})
    assert sum(parts.values()) == 12800 and sorted(parts.values()) == [4266, 4267, 4267]


def test_parts_follow_the_weights_and_leftovers_go_to_the_largest_remainders():
    # exact shares 5.5, 3.3, 1.2 → floors 5, 3, 1, one left → a (remainder .5)
    assert largest_remainder(10, {"a": 55, "b": 33, "c": 12}) == {"a": 6, "b": 3, "c": 1}


def test_zero_weights_split_equally_and_a_zero_whole_gives_zeros():
    assert largest_remainder(7, {"a": 0, "b": 0}) == {"a": 4, "b": 3}
    assert largest_remainder(0, {"a": 3, "b": 1}) == {"a": 0, "b": 0}


def test_a_unit_with_no_weight_gets_nothing_when_others_have_some():
    assert largest_remainder(5, {"a": 0, "b": 2}) == {"a": 0, "b": 5}


def test_bad_splits_are_refused():
    with pytest.raises(ValueError, match="negative"):
        largest_remainder(-1, {"a": 1})
    with pytest.raises(ValueError, match="weight of a"):
        largest_remainder(3, {"a": -1})
    with pytest.raises(ValueError, match="nothing"):
        largest_remainder(3, {})


def test_needed_follows_the_straight_path_and_is_clamped():
    assert needed_by_year_end(base=100, target=200, period_share_at_year_end=0.5) == 150
    assert needed_by_year_end(base=100, target=200, period_share_at_year_end=1.7) == 200
    assert needed_by_year_end(base=100, target=200, period_share_at_year_end=-1) == 100


def test_with_the_whole_year_gone_the_forecast_is_the_actual_value():
    f = year_end(actual=120, start_of_year=100, elapsed=1.0, groups=[Group(50, Rate(5, 10), Rate(5, 10))],
                 expiring=9, needed=120)
    assert (f.low, f.central, f.high) == (120, 120, 120) and f.status == "on_track"
    assert year_end(actual=119, start_of_year=100, elapsed=1.0, needed=120).status == "off_track"


def test_at_the_start_of_the_year_only_the_pipeline_speaks():
    f = year_end(actual=100, start_of_year=100, elapsed=0.0, groups=[Group(40, Rate(50, 100), Rate(1, 2))],
                 needed=110)
    assert f.trend is None and f.pipeline == 20 and f.central == 120
    assert f.low < 120 < f.high


def test_no_history_gives_the_widest_range_and_zero_candidates_add_nothing():
    unknown = year_end(actual=100, start_of_year=100, elapsed=0.0, groups=[Group(10, Rate(0, 0), Rate(0, 0))],
                       needed=100)
    assert (unknown.low, unknown.high) == (100, 110) and unknown.central == 105
    nobody = year_end(actual=100, start_of_year=90, elapsed=0.5, groups=[Group(0, Rate(3, 30), Rate(3, 30))],
                      needed=100)
    assert nobody.pipeline == 0 and nobody.trend == 10 and nobody.central == 105


def test_nothing_known_forecasts_the_actual_value():
    f = year_end(actual=100, start_of_year=100, elapsed=0.0, needed=101)
    assert (f.low, f.central, f.high) == (100, 100, 100) and f.status == "off_track"


def test_a_unit_with_few_observations_borrows_the_city_rate():
    few = Rate(MIN_OBSERVED - 1, MIN_OBSERVED - 1)
    assert Group(10, few, Rate(1, 10)).rate == Rate(1, 10)
    enough = Rate(MIN_OBSERVED, MIN_OBSERVED)
    assert Group(10, enough, Rate(1, 10)).rate == enough


def test_expiring_certificates_lower_the_forecast():
    kept = year_end(actual=100, start_of_year=100, elapsed=0.5, needed=100)
    lost = year_end(actual=100, start_of_year=100, elapsed=0.5, expiring=10, renewal_rate=0.5, needed=100)
    assert lost.central == kept.central - 5 and lost.low == kept.low - 10 and lost.high == kept.high
    assert lost.status == "at_risk"


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="between 0 and 1"):
        year_end(actual=1, start_of_year=0, elapsed=1.5, needed=1)
    with pytest.raises(ValueError, match="renewal"):
        year_end(actual=1, start_of_year=0, elapsed=0.5, renewal_rate=2, needed=1)
    with pytest.raises(ValueError, match="negative"):
        year_end(actual=1, start_of_year=0, elapsed=0.5, groups=[Group(-1, Rate(0, 0), Rate(0, 0))], needed=1)


def test_wilson_interval_brackets_the_rate():
    lo, hi = Rate(30, 100).interval()
    assert 0 < lo < 0.3 < hi < 1
    assert Rate(0, 0).interval() == (0.0, 1.0) and Rate(0, 0).value is None
    assert Rate(0, 50).interval()[0] == 0.0 and Rate(50, 50).interval()[1] == pytest.approx(1.0)


def test_the_leftover_goes_to_the_largest_remainder_not_the_largest_share_or_the_first_key():
    # exact shares 6.4 and 3.6 → floors 6 and 3, one left → b (remainder .6 beats .4)
    assert largest_remainder(10, {"a": 64, "b": 36}) == {"a": 6, "b": 4}


def test_equal_remainders_go_to_the_larger_weight_then_to_the_first_key_in_order():
    # shares 0.5 and 2.5 → floors 0 and 2, one left, remainders equal → the larger weight (b)
    assert largest_remainder(3, {"a": 1, "b": 5}) == {"a": 0, "b": 3}
    # everything equal → by key, whatever order the units come in
    assert largest_remainder(1, {"b": 1, "a": 1}) == {"b": 0, "a": 1}


def test_the_refusals_name_the_fault():
    with pytest.raises(ValueError, match=r"^weight of b is negative: -2$"):
        largest_remainder(3, {"a": 0, "b": -2})
    with pytest.raises(ValueError, match=r"^nothing to split the whole over$"):
        largest_remainder(3, {})
    with pytest.raises(ValueError, match=r"^the whole to split must not be negative: -1$"):
        largest_remainder(-1, {"a": 1})

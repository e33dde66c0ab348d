"""The year-end forecast against worked examples computed by hand, at uneven shares of the year and
uneven renewal rates (at 0, ½ and 1, and a renewal rate of ½, a wrong formula can give the right
number). Every figure of the table is derived in the comment beside it from the rules of
keqi.targets.forecast; the Wilson ends are those of the score interval at z = 1.2816 (80 %):

    centre = (p + z²/2n) / (1 + z²/n),   half = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n),   z² = 1.64249856

    9 of 30    (p = 0.3): centre 0.310382, half 0.104921 → [0.205460, 0.415303]
    48 of 160  (p = 0.3): centre 0.302032, half 0.046239 → [0.255794, 0.348271]
    no history:          [0, 1], central rate ½
"""

import pytest

from keqi.targets.forecast import Group, Rate, year_end

A = dict(actual=130, start_of_year=100, elapsed=0.25, expiring=10, renewal_rate=0.3,
         groups=[Group(40, Rate(9, 30), Rate(1, 100))])  # 30 observations ≥ 20: the unit's own rate
B = dict(actual=205, start_of_year=200, elapsed=0.6, expiring=4, renewal_rate=0.75,
         groups=[Group(500, Rate(3, 10), Rate(48, 160))])  # 10 observations < 20: the city's rate
C = dict(actual=50, start_of_year=50, elapsed=0.2, groups=[Group(8, Rate(0, 0), Rate(0, 0))])
D = dict(actual=95, start_of_year=100, elapsed=0.5)  # a year that loses firms, no candidates

EXAMPLES = [
    # A: remaining = 1 − 0.25 = 0.75
    #    pipeline = 40 × 0.3 × 0.75 = 9;  low 40 × 0.205460 × 0.75 = 6.1638;  high 40 × 0.415303 × 0.75 = 12.4591
    #    trend    = (130 − 100) × 0.75 / 0.25 = 90;  range 90 × (1 ∓ 0.5) = 45 .. 135
    #    central  = 130 + (9 + 90) / 2 − 10 × (1 − 0.3) = 130 + 49.5 − 7 = 172.5
    #    low      = 130 + min(6.1638, 45) − 10 = 126.1638;   high = 130 + max(12.4591, 135) = 265
    ("A", A, dict(pipeline=9.0, trend=90.0, central=172.5, low=126.1638, high=265.0)),
    # B: remaining = 0.4
    #    pipeline = 500 × 0.3 × 0.4 = 60;  low 500 × 0.255794 × 0.4 = 51.1588;  high 500 × 0.348271 × 0.4 = 69.6542
    #    trend    = (205 − 200) × 0.4 / 0.6 = 3.3333;  range 1.6667 .. 5
    #    central  = 205 + (60 + 3.3333) / 2 − 4 × (1 − 0.75) = 205 + 31.6667 − 1 = 235.6667
    #    low      = 205 + min(51.1588, 1.6667) − 4 = 202.6667;   high = 205 + max(69.6542, 5) = 274.6542
    ("B", B, dict(pipeline=60.0, trend=3.3333, central=235.6667, low=202.6667, high=274.6542)),
    # C: remaining = 0.8; no history: the central rate is ½, the range 0 .. 1
    #    pipeline = 8 × 0.5 × 0.8 = 3.2;  low 8 × 0 × 0.8 = 0;  high 8 × 1 × 0.8 = 6.4
    #    trend    = (50 − 50) × 0.8 / 0.2 = 0;  range 0 .. 0
    #    central  = 50 + (3.2 + 0) / 2 = 51.6;   low = 50 + min(0, 0) = 50;   high = 50 + max(6.4, 0) = 56.4
    ("C", C, dict(pipeline=3.2, trend=0.0, central=51.6, low=50.0, high=56.4)),
    # D: remaining = 0.5; trend = (95 − 100) × 0.5 / 0.5 = −5;  range −5 × 1.5 .. −5 × 0.5 = −7.5 .. −2.5
    #    central  = 95 − 5 = 90;   low = 95 − 7.5 = 87.5;   high = 95 − 2.5 = 92.5
    ("D", D, dict(pipeline=None, trend=-5.0, central=90.0, low=87.5, high=92.5)),
]


@pytest.mark.parametrize(("name", "given", "expected"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_forecast_matches_the_worked_example(name, given, expected):
    f = year_end(needed=0, **given)
    for key, value in expected.items():
        got = getattr(f, key)
        if value is None:
            assert got is None, f"example {name}: {key} is {got}, expected none"
        else:
            assert got == pytest.approx(value, abs=1e-4), f"example {name}: {key} is {got}, worked out {value}"
    assert f.expiring == given.get("expiring", 0)


@pytest.mark.parametrize(("needed", "status"), [
    (170.0, "on_track"),     # central 172.5 ≥ needed
    (172.5, "on_track"),     # at the central forecast: on track
    (172.6, "at_risk"),      # just above the central forecast, within the range
    (265.0, "at_risk"),      # at the high end: still reachable
    (265.01, "off_track"),   # above the high end: even the best case misses it
])
def test_status_at_and_around_the_ends_of_the_worked_range(needed, status):
    assert year_end(needed=needed, **A).status == status


def test_the_pooling_threshold_changes_the_worked_figures():
    """Example A with 19 observations instead of 30 borrows the city's 1 in 100:
    pipeline = 40 × 0.01 × 0.75 = 0.3, central = 130 + (0.3 + 90) / 2 − 7 = 168.15."""
    pooled = year_end(needed=0, **{**A, "groups": [Group(40, Rate(6, 19), Rate(1, 100))]})
    assert pooled.pipeline == pytest.approx(0.3) and pooled.central == pytest.approx(168.15)


def test_every_group_of_candidates_adds_to_the_pipeline_and_its_range():
    """Example A's group and B's city-rate group together, at A's share of the year (0.75 left):
    pipeline = 9 + 500 × 0.3 × 0.75 = 9 + 112.5 = 121.5;  low 6.1638 + 500 × 0.255794 × 0.75 = 102.0865;
    high 12.4591 + 500 × 0.348271 × 0.75 = 143.0607;  central = 130 + (121.5 + 90) / 2 − 7 = 228.75;
    low = 130 + min(102.0865, 45) − 10 = 165;  high = 130 + max(143.0607, 135) = 273.0607."""
    both = year_end(needed=0, **{**A, "groups": A["groups"] + B["groups"]})
    assert both.pipeline == pytest.approx(121.5) and both.central == pytest.approx(228.75)
    assert (both.low, both.high) == (pytest.approx(165.0), pytest.approx(273.0607, abs=1e-4))
    # at the start of the year (no trend, remaining 1) the pipeline's ends are the range:
    #   pipeline 40 × 0.3 + 500 × 0.3 = 12 + 150 = 162
    #   low  40 × 0.205460 + 500 × 0.255794 = 8.2184 + 127.8970 = 136.1154
    #   high 40 × 0.415303 + 500 × 0.348271 = 16.6121 + 174.1355 = 190.7476
    start = year_end(needed=0, **{**A, "actual": 100, "elapsed": 0.0, "groups": A["groups"] + B["groups"]})
    assert start.trend is None and start.pipeline == pytest.approx(162)
    assert start.central == pytest.approx(100 + 162 - 7)
    assert (start.low, start.high) == (pytest.approx(100 + 136.1154 - 10, abs=1e-3),
                                       pytest.approx(100 + 190.7476, abs=1e-3))


def test_with_nothing_known_the_range_still_loses_every_expiring_certificate():
    """No candidates, no time gone: the additions are 0, so low = 100 − 10 = 90 (all expire),
    central = 100 − 10 × (1 − 0.4) = 94, high = 100 (all renewed)."""
    f = year_end(actual=100, start_of_year=100, elapsed=0.0, expiring=10, renewal_rate=0.4, needed=0)
    assert (f.actual, f.low, f.central, f.high) == (100, 90, 94, 100)


def test_the_whole_year_gone_reports_no_addition_and_no_expiry():
    f = year_end(actual=120, start_of_year=100, elapsed=1.0, groups=A["groups"], expiring=9, needed=0)
    assert (f.actual, f.pipeline, f.trend, f.expiring) == (120, 0.0, 0.0, 0)


def test_renewal_rates_of_none_and_all_are_accepted_and_others_refused_in_words():
    none = year_end(renewal_rate=0.0, needed=0, **{k: v for k, v in A.items() if k != "renewal_rate"})
    every = year_end(renewal_rate=1.0, needed=0, **{k: v for k, v in A.items() if k != "renewal_rate"})
    assert none.central == pytest.approx(130 + 49.5 - 10) and every.central == pytest.approx(130 + 49.5)
    with pytest.raises(ValueError, match=r"^renewal rate must be between 0 and 1: 1\.5$"):
        year_end(actual=1, start_of_year=0, elapsed=0.5, renewal_rate=1.5, needed=1)
    with pytest.raises(ValueError, match=r"^candidates and expiring certificates cannot be negative$"):
        year_end(actual=1, start_of_year=0, elapsed=0.5, expiring=-1, needed=1)


def test_a_rate_of_every_candidate_has_an_upper_end_of_exactly_one():
    """In floating point the Wilson upper end of 9 of 9 is 1.0000000000000002: it is clamped to 1
    (a forecast never counts more converts than candidates)."""
    assert Rate(9, 9).interval()[1] == 1.0 and Rate(19, 19).interval()[1] == 1.0

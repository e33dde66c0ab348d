"""Working days: the shipped arrangements, and the arithmetic of windows and deadlines."""

import datetime as dt

import pytest

from keqi.policy.workdays import ARRANGEMENTS, Arrangement, Holiday, WorkCalendar, shipped

D = dt.date


@pytest.mark.parametrize("arrangement", ARRANGEMENTS, ids=lambda a: str(a.year))
def test_every_arrangement_is_sourced_and_consistent(arrangement: Arrangement):
    assert arrangement.document and arrangement.source
    for w in arrangement.workdays:
        assert w.year == arrangement.year and w.weekday() >= 5, f"{w} is an adjusted working day on a weekday"
    for h in arrangement.holidays:
        days = h.days()
        assert days and all(d.year == arrangement.year for d in days)
    if arrangement.confirmed:
        assert arrangement.published is not None and arrangement.holidays
    else:  # nothing invented for a year whose notice was not read
        assert not arrangement.holidays and not arrangement.workdays and "未" in arrangement.note


def test_the_2026_national_day_window():
    cal = shipped()
    # 9-28 Mon … 9-30 Wed, 10-1..7 off, 10-8 Thu, 10-9 Fri, 10-10 Sat (调休上班), 10-12 Mon …
    assert cal.window_end(D(2026, 9, 28), 10) == D(2026, 10, 15)
    assert cal.is_working_day(D(2026, 10, 10)) and not cal.is_working_day(D(2026, 10, 11))
    assert cal.kind(D(2026, 10, 10)) == "workday" and cal.kind(D(2026, 10, 1)) == "holiday"


def test_spring_festival_2026_and_a_window_that_opens_on_a_holiday():
    cal = shipped()
    assert cal.window_end(D(2026, 2, 13), 5) == D(2026, 2, 26)  # 13, 14 (Sat, 上班), 24, 25, 26
    assert cal.window_end(D(2026, 2, 16), 1) == D(2026, 2, 24)  # opens in the holiday: first working day
    assert cal.next_working_day(D(2026, 2, 15)) == D(2026, 2, 24)


@pytest.mark.parametrize("day, working", [
    (D(2024, 2, 4), True), (D(2024, 2, 9), True), (D(2024, 2, 12), False), (D(2024, 6, 10), False),
    (D(2025, 1, 28), False), (D(2025, 2, 8), True), (D(2025, 5, 2), False), (D(2025, 10, 8), False),
    (D(2026, 1, 4), True), (D(2026, 1, 2), False), (D(2026, 5, 9), True), (D(2026, 12, 5), False),
    (D(2026, 12, 3), True),
])
def test_known_days(day, working):
    assert shipped().is_working_day(day) is working


def test_add_working_days_and_counting():
    cal = shipped()
    assert cal.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert cal.add_working_days(D(2026, 12, 4), 1) == D(2026, 12, 7)  # Friday → Monday
    assert cal.add_working_days(D(2026, 12, 4), 0) == D(2026, 12, 4)
    assert cal.working_days_between(D(2026, 9, 28), D(2026, 10, 15)) == 10
    assert cal.working_days_between(D(2026, 10, 15), D(2026, 9, 28)) == 0
    with pytest.raises(ValueError):
        cal.window_end(D(2026, 1, 1), 0)
    with pytest.raises(ValueError):
        cal.add_working_days(D(2026, 1, 1), -1)


def test_a_year_without_a_known_arrangement_is_named():
    cal = shipped()
    assert cal.unconfirmed_years(D(2026, 12, 20), D(2027, 1, 10)) == (2027,)
    assert cal.unconfirmed_years(D(2026, 1, 1), D(2026, 12, 31)) == ()
    assert cal.is_working_day(D(2027, 1, 1))  # weekends only until the city enters 2027's arrangement


def test_a_day_cannot_be_both_holiday_and_working_day():
    bad = Arrangement(2030, True, "x", D(2029, 11, 1), "x", holidays=(Holiday("元旦", D(2030, 1, 5), D(2030, 1, 5)),),
                      workdays=(D(2030, 1, 5),))
    with pytest.raises(ValueError, match="2030-01-05"):
        WorkCalendar.from_arrangements([bad])


def test_a_holiday_that_ends_before_it_starts_is_named():
    with pytest.raises(ValueError, match="^国庆节: the holiday ends before it starts$"):
        Holiday("国庆节", D(2030, 10, 8), D(2030, 10, 7)).days()
    assert Holiday("国庆节", D(2030, 10, 1), D(2030, 10, 1)).days() == [D(2030, 10, 1)]
    assert Holiday("国庆节", D(2030, 10, 1), D(2030, 10, 3)).days() == [D(2030, 10, 1), D(2030, 10, 2), D(2030, 10, 3)]

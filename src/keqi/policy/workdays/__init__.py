"""Working days in China: the arithmetic of deadlines and objection windows (pure, no Django).

A day is a working day when it is a Monday to Friday that the year's official arrangement does not
make a holiday, or a Saturday or Sunday that the arrangement makes a working day (调休上班). The
arrangements are data (:mod:`.arrangements`: one per year, with the State Council notice it comes
from); the database keeps an editable copy that the city administrator may correct or complete
(``keqi.applications``), and builds a :class:`WorkCalendar` from it.

A year without a confirmed arrangement is still computed (weekends only), but
:meth:`WorkCalendar.unconfirmed_years` names it, so a window that runs into it can say so rather
than pretend to know.

Counting follows the usual reading of "公示N个工作日": the window starts on its first day if that is
a working day (else on the next working day) and ends at the end of its N-th working day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .arrangements import ARRANGEMENTS, Arrangement, Holiday

__all__ = ["ARRANGEMENTS", "Arrangement", "Holiday", "WorkCalendar", "shipped"]

ONE_DAY = dt.timedelta(days=1)
MAX_SPAN_DAYS = 3660  # ten years: no window in the programmes runs longer; guards against runaway loops


@dataclass(frozen=True)
class WorkCalendar:
    """Holidays and adjusted working days of the years it knows (``confirmed``: those with an official
    arrangement; other years are weekends only)."""

    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()  # Saturdays and Sundays made working days (调休上班)
    confirmed: frozenset[int] = frozenset()  # years whose arrangement is known
    names: Mapping[dt.date, str] = field(default_factory=dict)  # holiday → its name (元旦, 春节 …)

    @classmethod
    def from_arrangements(cls, arrangements: Iterable[Arrangement]) -> WorkCalendar:
        holidays: set[dt.date] = set()
        workdays: set[dt.date] = set()
        names: dict[dt.date, str] = {}
        confirmed: set[int] = set()
        for a in arrangements:
            for h in a.holidays:
                for day in h.days():
                    holidays.add(day)
                    names[day] = h.name
            workdays.update(a.workdays)
            if a.confirmed:
                confirmed.add(a.year)
        clash = holidays & workdays
        if clash:
            raise ValueError(f"days both holiday and working day: {', '.join(sorted(map(str, clash)))}")
        return cls(frozenset(holidays), frozenset(workdays), frozenset(confirmed), names)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def next_working_day(self, day: dt.date) -> dt.date:
        """``day`` itself if it is a working day, else the first working day after it."""
        for _ in range(MAX_SPAN_DAYS):
            if self.is_working_day(day):
                return day
            day += ONE_DAY
        raise ValueError("no working day within ten years")  # pragma: no cover - a calendar of only holidays

    def window_end(self, start: dt.date, working_days: int) -> dt.date:
        """The last day of a window of ``working_days`` working days that opens on ``start``."""
        if working_days < 1:
            raise ValueError(f"a window has at least one working day, not {working_days}")
        day = self.next_working_day(start)
        counted = 1
        while counted < working_days:
            day += ONE_DAY
            if self.is_working_day(day):
                counted += 1
        return day

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The working day ``n`` working days after ``day`` (a deadline "N个工作日内" counted from ``day``)."""
        if n < 0:
            raise ValueError(f"cannot add a negative number of working days: {n}")
        for _ in range(n):
            day += ONE_DAY
            while not self.is_working_day(day):
                day += ONE_DAY
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in ``start``..``end``, both ends included (0 when ``end`` is before ``start``)."""
        if end < start:
            return 0
        if (end - start).days > MAX_SPAN_DAYS:
            raise ValueError("span longer than ten years")
        n, day = 0, start
        while day <= end:
            n += self.is_working_day(day)
            day += ONE_DAY
        return n

    def unconfirmed_years(self, start: dt.date, end: dt.date) -> tuple[int, ...]:
        """Years touched by ``start``..``end`` whose arrangement is not known (weekends only were used)."""
        return tuple(y for y in range(start.year, end.year + 1) if y not in self.confirmed)

    def kind(self, day: dt.date) -> str:
        """``'workday'`` (调休上班), ``'holiday'``, ``'weekend'`` or ``'weekday'``."""
        if day in self.workdays:
            return "workday"
        if day in self.holidays:
            return "holiday"
        return "weekend" if day.weekday() >= 5 else "weekday"


def shipped() -> WorkCalendar:
    """The calendar of the arrangements shipped with KeQi (before any edit by the city)."""
    return WorkCalendar.from_arrangements(ARRANGEMENTS)

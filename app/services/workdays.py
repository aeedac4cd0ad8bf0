"""Working-day arithmetic on China's official calendar. Pure: no Flask, no clock.

A `WorkCalendar` is built from the exceptions (holidays that fall on weekdays
or weekends, and makeup working days 调休) plus the set of years whose official
schedule is loaded. A year without a schedule is computed on plain weekdays and
reported as unconfirmed, never silently trusted.

The working days of the covered span are precomputed into one sorted list, so
"the Nth working day after D" and "working days between D1 and D2" are two
binary searches (100k deadlines in tens of milliseconds), not day-by-day loops.

Conventions (受理日不计):
- `add_workdays(d, n)`: the n-th working day strictly after d (d itself is day 0).
- `workdays_between(a, b)`: the working days in the half-open span (a, b].
"""

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

# How far past the last confirmed year the calendar reaches (on weekdays).
HORIZON_YEARS = 3


@dataclass(frozen=True)
class CalendarException:
    day: date
    is_workday: bool  # True: makeup working day (调休上班); False: holiday
    name: str = ""


class WorkCalendar:
    def __init__(
        self,
        exceptions: Iterable[CalendarException],
        confirmed_years: Iterable[int],
        *,
        first_year: int | None = None,
        last_year: int | None = None,
    ):
        self.exceptions = {e.day: e for e in exceptions}
        self.confirmed_years = frozenset(confirmed_years)
        years = set(self.confirmed_years) | {d.year for d in self.exceptions}
        self.first_year = first_year or (min(years) if years else date.today().year)
        self.last_year = last_year or (max(years) if years else self.first_year) + HORIZON_YEARS
        start, end = date(self.first_year, 1, 1), date(self.last_year, 12, 31)
        self._days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
        self._days = [d for d in self._days if self._is_workday_uncached(d)]

    def _is_workday_uncached(self, day: date) -> bool:
        exception = self.exceptions.get(day)
        if exception is not None:
            return exception.is_workday
        return day.weekday() < 5

    def _check_range(self, day: date) -> None:
        if not self.first_year <= day.year <= self.last_year:
            raise ValueError(f"{day} is outside the calendar ({self.first_year}–{self.last_year})")

    def is_workday(self, day: date) -> bool:
        self._check_range(day)
        return self._is_workday_uncached(day)

    def is_confirmed(self, day: date) -> bool:
        """Is `day`'s year covered by an official schedule?"""
        return day.year in self.confirmed_years

    def add_workdays(self, day: date, n: int) -> date:
        """The n-th working day after `day` (n ≥ 1); for n = 0, `day` itself."""
        if n < 0:
            raise ValueError("n must not be negative")
        if n == 0:
            return day
        self._check_range(day)
        position = bisect_right(self._days, day) + n - 1
        if position >= len(self._days):
            raise ValueError(f"{n} working days after {day} is past the calendar's end ({self.last_year})")
        return self._days[position]

    def next_workday(self, day: date) -> date:
        """The first working day strictly after `day`."""
        return self.add_workdays(day, 1)

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end < start."""
        self._check_range(start)
        self._check_range(end)
        return bisect_right(self._days, end) - bisect_right(self._days, start)

    def unconfirmed_between(self, start: date, end: date) -> bool:
        """Does the span touch a year without an official schedule?"""
        return any(year not in self.confirmed_years for year in range(start.year, end.year + 1))


def from_chinese_calendar(first_year: int = 2004, last_year: int | None = None) -> list[CalendarException]:
    """The official schedule as published in the `chinesecalendar` package (2004 up to its last year).

    Only exceptions to the weekday rule are kept: holidays that fall on a weekday
    and makeup working days that fall on a weekend.
    """
    import chinese_calendar

    last = last_year or max(chinese_calendar.holidays).year
    exceptions = []
    for day, name in chinese_calendar.holidays.items():
        if first_year <= day.year <= last and day.weekday() < 5:
            exceptions.append(CalendarException(day, False, _holiday_name(name)))
    for day, name in chinese_calendar.workdays.items():
        if first_year <= day.year <= last and day.weekday() >= 5:
            exceptions.append(CalendarException(day, True, _holiday_name(name)))
    return sorted(exceptions, key=lambda e: e.day)


_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def _holiday_name(english) -> str:
    return _NAMES.get(english, english or "")


def years_covered(exceptions: Iterable[CalendarException]) -> set[int]:
    return {e.day.year for e in exceptions}

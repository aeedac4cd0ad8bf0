"""Working-day arithmetic on China's official calendar. Pure: no Flask, no clock.

A `WorkCalendar` is built from the exceptions (holidays that fall on weekdays
or weekends, and makeup working days 调休) plus the set of years whose official
schedule is loaded. A year without a schedule is computed on plain weekdays and
reported as unconfirmed, never silently trusted.

The working days of the covered span are precomputed into one sorted list plus,
for every date, how many working days fall on or before it. "The Nth working day
after D" and "working days between D1 and D2" are then two dictionary lookups
(100k deadlines in tens of milliseconds), not day-by-day loops.

Conventions (受理日不计):
- `add_workdays(d, n)`: the n-th working day strictly after d (d itself is day 0).
- `workdays_between(a, b)`: the working days in the half-open span (a, b].
"""

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
        self._days = []  # the working days, in order
        self._rank = {}  # every date of the span -> working days on or before it
        for offset in range((end - start).days + 1):
            day = start + timedelta(days=offset)
            if self._is_workday_uncached(day):
                self._days.append(day)
            self._rank[day] = len(self._days)

    def _is_workday_uncached(self, day: date) -> bool:
        exception = self.exceptions.get(day)
        if exception is not None:
            return exception.is_workday
        return day.weekday() < 5

    def _rank_of(self, day: date) -> int:
        try:
            return self._rank[day]
        except KeyError:
            raise ValueError(f"{day} is outside the calendar ({self.first_year}–{self.last_year})") from None

    def is_workday(self, day: date) -> bool:
        rank = self._rank_of(day)
        return rank > 0 and self._days[rank - 1] == day

    def is_confirmed(self, day: date) -> bool:
        """Is `day`'s year covered by an official schedule?"""
        return day.year in self.confirmed_years

    def add_workdays(self, day: date, n: int) -> date:
        """The n-th working day after `day` (n ≥ 1); for n = 0, `day` itself."""
        if n < 0:
            raise ValueError("n must not be negative")
        if n == 0:
            return day
        position = self._rank_of(day) + n - 1
        if position >= len(self._days):
            raise ValueError(f"{n} working days after {day} is past the calendar's end ({self.last_year})")
        return self._days[position]

    def count_from(self, day: date, n: int, *, day_is_over: bool = False) -> tuple[date, date]:
        """(day 0, the n-th working day after it) for something received on `day`.

        Day 0 is `day` itself when it is a working day still open (`day_is_over`
        False), otherwise the next working day. The deadline hot path: two lookups.
        """
        rank = self._rank_of(day)
        days = self._days
        try:
            if day_is_over or rank == 0 or days[rank - 1] != day:
                start, rank = days[rank], rank + 1
            else:
                start = day
            return start, start if n == 0 else days[rank + n - 1]
        except IndexError:
            raise ValueError(f"{n} working days after {day} is past the calendar's end ({self.last_year})") from None

    def workday_before(self, day: date, n: int) -> date:
        """The first date on which at most `n` working days remain until `day` (a working day)."""
        rank = self._rank_of(day) - n
        return self._days[rank - 1] if rank >= 1 else self._days[0]

    def elapsed_since(self, today: date, n: int) -> date:
        """The boundary date B such that every date before B has at least `n` working
        days in (date, today] and no date from B on has: "for n working days" in SQL
        becomes `column < B`."""
        rank = self._rank_of(today) - n
        if rank < 0:
            return self._days[0]
        return self._days[rank] if rank < len(self._days) else today + timedelta(days=1)

    def next_workday(self, day: date) -> date:
        """The first working day strictly after `day`."""
        return self.add_workdays(day, 1)

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end < start."""
        return self._rank_of(end) - self._rank_of(start)

    def unconfirmed_between(self, start: date, end: date) -> bool:
        """Does the span touch a year without an official schedule?"""
        if start.year == end.year:
            return start.year not in self.confirmed_years
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

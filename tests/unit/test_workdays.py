"""Working-day arithmetic, checked against the State Council schedules by hand."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.workdays import CalendarException, WorkCalendar, from_chinese_calendar, years_covered

OFFICIAL = from_chinese_calendar()
CAL = WorkCalendar(OFFICIAL, years_covered(OFFICIAL))

# (start, n, expected): each line worked out on paper from the published schedules.
# 2025 Spring Festival: off 28 Jan–4 Feb, makeup Sun 26 Jan and Sat 8 Feb.
# 2025 National Day: off 1–8 Oct, makeup Sun 28 Sep and Sat 11 Oct.
# 2026 Spring Festival: off 15–23 Feb, makeup Sat 14 Feb and Sat 28 Feb.
# 2026 National Day: off 1–7 Oct, makeup Sun 20 Sep and Sat 10 Oct.
TABLE = [
    (date(2025, 1, 24), 1, date(2025, 1, 26)),  # Friday → the makeup Sunday
    (date(2025, 1, 24), 3, date(2025, 2, 5)),  # 26 Jan, 27 Jan, then the whole festival off
    (date(2025, 1, 27), 1, date(2025, 2, 5)),
    (date(2025, 2, 7), 1, date(2025, 2, 8)),  # makeup Saturday counts
    (date(2025, 2, 1), 1, date(2025, 2, 5)),  # from inside the holiday
    (date(2025, 9, 26), 2, date(2025, 9, 29)),  # Sat no, makeup Sun 28 Sep, Mon
    (date(2025, 9, 30), 1, date(2025, 10, 9)),
    (date(2025, 9, 30), 3, date(2025, 10, 11)),  # 9, 10, makeup Sat 11 Oct
    (date(2025, 10, 3), 1, date(2025, 10, 9)),
    (date(2026, 2, 13), 1, date(2026, 2, 14)),  # makeup Saturday
    (date(2026, 2, 13), 2, date(2026, 2, 24)),
    (date(2026, 2, 24), 4, date(2026, 2, 28)),  # 25, 26, 27, makeup Sat 28 Feb
    (date(2026, 2, 24), 20, date(2026, 3, 23)),
    (date(2026, 9, 18), 1, date(2026, 9, 20)),  # makeup Sunday
    (date(2026, 9, 30), 1, date(2026, 10, 8)),
    (date(2026, 9, 30), 5, date(2026, 10, 13)),  # 8, 9, makeup Sat 10, 12, 13
    (date(2026, 9, 30), 20, date(2026, 11, 3)),
    (date(2026, 12, 31), 0, date(2026, 12, 31)),
]


@pytest.mark.parametrize(("start", "n", "expected"), TABLE, ids=[f"{s}+{n}" for s, n, _ in TABLE])
def test_official_schedule_table(start, n, expected):
    assert CAL.add_workdays(start, n) == expected
    assert CAL.workdays_between(start, expected) == n


@pytest.mark.parametrize(
    ("day", "workday"),
    [
        (date(2025, 1, 26), True),
        (date(2025, 1, 28), False),
        (date(2025, 2, 8), True),
        (date(2025, 10, 8), False),
        (date(2025, 10, 11), True),
        (date(2026, 2, 14), True),
        (date(2026, 2, 23), False),
        (date(2026, 10, 10), True),
        (date(2026, 10, 7), False),
        (date(2026, 11, 24), True),
        (date(2026, 11, 28), False),
    ],
)
def test_is_workday(day, workday):
    assert CAL.is_workday(day) is workday


def test_a_year_without_schedule_is_weekdays_and_unconfirmed():
    cal = WorkCalendar([CalendarException(date(2026, 10, 1), False, "国庆节")], {2026})
    assert cal.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 1)  # New Year not known yet: plain Friday
    assert not cal.is_confirmed(date(2027, 1, 1)) and cal.is_confirmed(date(2026, 12, 31))
    assert cal.unconfirmed_between(date(2026, 12, 20), date(2027, 1, 5))
    assert not cal.unconfirmed_between(date(2026, 1, 1), date(2026, 12, 31))


def test_outside_the_calendar_is_an_error_not_a_guess():
    with pytest.raises(ValueError):
        CAL.add_workdays(date(2003, 12, 31), 1)
    with pytest.raises(ValueError):
        CAL.add_workdays(date(2026, 1, 1), -1)


starts = st.dates(min_value=date(2004, 1, 1), max_value=date(2027, 12, 31))


@settings(max_examples=300, deadline=None)
@given(start=starts, n=st.integers(min_value=1, max_value=60))
def test_deadline_is_always_a_working_day_and_exact(start, n):
    due = CAL.add_workdays(start, n)
    assert CAL.is_workday(due) and due > start
    assert CAL.workdays_between(start, due) == n
    assert CAL.workdays_between(start, due - timedelta(days=1)) == n - 1


@settings(max_examples=300, deadline=None)
@given(start=starts, n=st.integers(min_value=0, max_value=60))
def test_monotonic_in_n(start, n):
    assert CAL.add_workdays(start, n + 1) > CAL.add_workdays(start, n)


@settings(max_examples=200, deadline=None)
@given(start=starts, n=st.integers(min_value=1, max_value=40), k=st.integers(min_value=0, max_value=20))
def test_adding_k_more_days_moves_by_exactly_k_working_days(start, n, k):
    base = CAL.add_workdays(start, n)
    moved = CAL.add_workdays(start, n + k)
    assert CAL.workdays_between(base, moved) == k
    assert moved == CAL.add_workdays(base, k)

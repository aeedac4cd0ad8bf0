"""Deadline rules: day 0, after-hours and holiday acceptance, immediate cases, pauses, extensions."""

from datetime import date, datetime, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.deadlines import deadline, parse_office_hours
from app.services.workdays import CalendarException, WorkCalendar, from_chinese_calendar, years_covered

OFFICIAL = from_chinese_calendar()
CAL = WorkCalendar(OFFICIAL, years_covered(OFFICIAL))
HOURS = parse_office_hours("08:30-12:00,13:30-17:30")


def due(accepted, n, **kw):
    return deadline(accepted, n, CAL, HOURS, **kw).due_at


@pytest.mark.parametrize(
    ("accepted", "n", "expected"),
    [
        # Wednesday 30 Sep 2026, in hours: day 0; 1st working day after the holiday is 8 Oct.
        (datetime(2026, 9, 30, 10, 0), 1, datetime(2026, 10, 8, 17, 30)),
        (datetime(2026, 9, 30, 10, 0), 5, datetime(2026, 10, 13, 17, 30)),
        # After closing: day 0 moves to 8 Oct, so day 1 is 9 Oct and day 2 the makeup Saturday.
        (datetime(2026, 9, 30, 17, 30), 1, datetime(2026, 10, 9, 17, 30)),
        (datetime(2026, 9, 30, 18, 5), 2, datetime(2026, 10, 10, 17, 30)),
        # Accepted on a holiday (online): day 0 is the first working day after it.
        (datetime(2026, 10, 3, 9, 0), 1, datetime(2026, 10, 9, 17, 30)),
        # Accepted on the makeup Saturday 14 Feb 2026: a working day, counted normally.
        (datetime(2026, 2, 14, 9, 0), 1, datetime(2026, 2, 24, 17, 30)),
        # Immediate cases: end of day 0.
        (datetime(2026, 11, 24, 9, 0), 0, datetime(2026, 11, 24, 17, 30)),
        (datetime(2026, 11, 27, 17, 45), 0, datetime(2026, 11, 30, 17, 30)),  # Friday after hours → Monday
        # Spring Festival 2025 with both makeup days.
        (datetime(2025, 1, 24, 11, 0), 3, datetime(2025, 2, 5, 17, 30)),
    ],
)
def test_table(accepted, n, expected):
    assert due(accepted, n) == expected


def test_pause_spanning_a_holiday_adds_back_working_days_only():
    # 5 working days suspended (补件) across National Day 2026 push the deadline by 5 working days.
    base = due(datetime(2026, 9, 28, 9, 0), 10)
    paused = due(datetime(2026, 9, 28, 9, 0), 10, paused_workdays=5)
    assert CAL.workdays_between(base.date(), paused.date()) == 5


def test_extension_adds_days():
    assert due(datetime(2026, 11, 2, 9, 0), 20, extension_days=10) == due(datetime(2026, 11, 2, 9, 0), 30)


def test_unconfirmed_year_is_marked():
    cal = WorkCalendar([CalendarException(date(2026, 10, 1), False, "国庆节")], {2026})
    result = deadline(datetime(2026, 12, 20, 9, 0), 20, cal, HOURS)
    assert not result.confirmed
    assert deadline(datetime(2026, 11, 2, 9, 0), 5, cal, HOURS).confirmed


@pytest.mark.parametrize("text", ["", "8:30", "17:30-08:30", "08:30-12:00,11:00-17:30", "abc"])
def test_bad_office_hours(text):
    with pytest.raises(ValueError):
        parse_office_hours(text)


def test_office_hours_parse():
    hours = parse_office_hours("08:30-12:00，14:00-18:00")
    assert (hours.opens, hours.closes) == (time(8, 30), time(18, 0))


instants = st.datetimes(min_value=datetime(2004, 1, 1), max_value=datetime(2027, 6, 30))


@settings(max_examples=300, deadline=None)
@given(accepted=instants, n=st.integers(0, 45), k=st.integers(0, 15))
def test_properties(accepted, n, k):
    result = deadline(accepted, n, CAL, HOURS)
    assert CAL.is_workday(result.due_at.date()) and result.due_at.time() == HOURS.closes
    assert result.due_at > accepted
    assert due(accepted, n + 1) > result.due_at
    moved = due(accepted, n, paused_workdays=k)
    assert CAL.workdays_between(result.due_at.date(), moved.date()) == k

"""Warning lights: yellow starts when at most max(1 day, 20 % of the limit) working days are left."""

from datetime import datetime
from math import ceil

from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.case_light import light_at
from app.services.deadlines import deadline, parse_office_hours
from app.services.warnings import warn_at
from app.services.workdays import WorkCalendar, from_chinese_calendar, years_covered

OFFICIAL = from_chinese_calendar()
CAL = WorkCalendar(OFFICIAL, years_covered(OFFICIAL))
HOURS = parse_office_hours("08:30-12:00,13:30-17:30")


def light(due, limit, now, calendar):
    return light_at(now, due, warn_at(due, limit, calendar)).name


def test_walk_from_green_to_yellow_to_red_across_national_day():
    # Accepted Thu 17 Sep 2026: 18, Sun 20 (makeup), 21–24, (25 Mid-Autumn), 28, 29, 30, 8 Oct = 10 days.
    due = deadline(datetime(2026, 9, 17, 10, 0), 10, CAL, HOURS).due_at
    assert due == datetime(2026, 10, 8, 17, 30)
    assert warn_at(due, 10, CAL) == datetime(2026, 9, 29, 0, 0)  # 20 % of 10 = 2 working days left
    assert light(due, 10, datetime(2026, 9, 28, 17, 0), CAL) == "green"
    assert light(due, 10, datetime(2026, 9, 29, 8, 30), CAL) == "yellow"
    assert light(due, 10, datetime(2026, 10, 4, 12, 0), CAL) == "yellow"  # through the holiday week
    assert light(due, 10, datetime(2026, 10, 8, 17, 30), CAL) == "yellow"
    assert light(due, 10, datetime(2026, 10, 8, 17, 31), CAL) == "red"


def test_short_limits_warn_one_working_day_ahead():
    due = datetime(2026, 10, 12, 17, 30)  # Monday after the makeup Saturday
    assert warn_at(due, 3, CAL) == datetime(2026, 10, 10, 0, 0)


@settings(max_examples=300, deadline=None)
@given(
    accepted=st.datetimes(min_value=datetime(2005, 1, 1), max_value=datetime(2026, 6, 30)),
    limit=st.integers(0, 45),
    offset_hours=st.integers(0, 24 * 90),
)
def test_light_matches_working_days_left(accepted, limit, offset_hours):
    from datetime import timedelta

    due = deadline(accepted, limit, CAL, HOURS).due_at
    now = accepted + timedelta(hours=offset_hours)
    left = CAL.workdays_between(now.date(), due.date())
    expected = "red" if now > due else "yellow" if left <= max(1, ceil(limit * 0.2)) else "green"
    assert light(due, limit, now, CAL) == expected

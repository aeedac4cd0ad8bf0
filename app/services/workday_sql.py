"""Working days between two instants as an SQL expression, for aggregates over many rows.

The same count as WorkCalendar.workdays_between (the earlier day is day 0: 受理日不计): the
weekdays after the earlier date up to the later date, less the holidays on weekdays, plus the
makeup working days (调休) on weekends, both read from work_calendar_day by an index range. The
weekdays are arithmetic on day numbers counted from a Monday, so no calendar of days is needed.

A query over many rows computes each instant's day number once (a materialized CTE holding
`day_number`), then `weekdays_between` on the numbers plus `exceptions_between` on the instants:
the whole expression names each day number three times and SQLite evaluates it as written.
"""

import sqlalchemy as sa

from app.models.calendar import DayKind, WorkCalendarDay

MONDAY = "2000-01-03"  # day 0 of the day numbers below; every date compared is later
MONDAY_JULIAN_DAY = 2451547  # julianday(MONDAY) + 0.5: the Julian day number of that Monday


def day_number(dialect: str, instant):
    """SQL: the days from MONDAY to `instant`'s date."""
    if dialect == "postgresql":
        return sa.cast(instant, sa.Date) - sa.cast(sa.literal(MONDAY), sa.Date)
    # julianday() of any instant of a date lies in [n − 0.5, n + 0.5) around its day number n:
    # one function call, where julianday(date(x)) − julianday(MONDAY) takes three.
    return sa.cast(sa.func.julianday(instant) + 0.5, sa.Integer) - MONDAY_JULIAN_DAY


def _date(dialect: str, instant):
    return sa.cast(instant, sa.Date) if dialect == "postgresql" else sa.func.date(instant)


def _weekdays_through(number):
    """Weekdays among day numbers 0 … number."""
    rest = number % 7
    return 5 * (number // 7) + sa.case((rest >= 5, 5), else_=rest + 1)


def weekdays_between(first, last):
    """SQL: weekdays after day number `first` up to and including day number `last`."""
    return _weekdays_through(last) - _weekdays_through(first)


def exceptions_between(dialect: str, earlier, later):
    """SQL: makeup working days on weekends less holidays on weekdays, after `earlier`'s date up to
    and including `later`'s date."""
    day = WorkCalendarDay.__table__.c.day
    kind = WorkCalendarDay.__table__.c.kind
    weekend = day_number(dialect, day) % 7 >= 5
    return (
        sa.select(
            sa.func.coalesce(
                sa.func.sum(
                    sa.case(
                        (sa.and_(kind == DayKind.workday.name, weekend), 1),
                        (sa.and_(kind == DayKind.holiday.name, ~weekend), -1),
                        else_=0,
                    )
                ),
                0,
            )
        )
        .where(day > _date(dialect, earlier), day <= _date(dialect, later))
        .scalar_subquery()
    )


def workdays_between(dialect: str, earlier, later):
    """SQL: working days after `earlier`'s date up to and including `later`'s date."""
    first, last = day_number(dialect, earlier), day_number(dialect, later)
    return weekdays_between(first, last) + exceptions_between(dialect, earlier, later)

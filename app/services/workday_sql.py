"""Working days between two instants as an SQL expression, for aggregates over many rows.

The same count as WorkCalendar.workdays_between (the earlier day is day 0: 受理日不计): the
weekdays after the earlier date up to the later date, less the holidays on weekdays, plus the
makeup working days (调休) on weekends, both read from work_calendar_day by an index range. The
weekdays are arithmetic on day numbers counted from a Monday, so no calendar of days is needed.
"""

import sqlalchemy as sa

from app.models.calendar import DayKind, WorkCalendarDay

MONDAY = "2000-01-03"  # day 0 of the day numbers below; every date compared is later


def _day_number(dialect: str, instant):
    if dialect == "postgresql":
        return sa.cast(instant, sa.Date) - sa.cast(sa.literal(MONDAY), sa.Date)
    return sa.cast(sa.func.julianday(sa.func.date(instant)) - sa.func.julianday(MONDAY), sa.Integer)


def _date(dialect: str, instant):
    return sa.cast(instant, sa.Date) if dialect == "postgresql" else sa.func.date(instant)


def _weekdays_through(number):
    """Weekdays among day numbers 0 … number."""
    rest = number % 7
    return 5 * (number // 7) + sa.case((rest >= 5, 5), else_=rest + 1)


def workdays_between(dialect: str, earlier, later):
    """SQL: working days after `earlier`'s date up to and including `later`'s date."""
    first, last = _day_number(dialect, earlier), _day_number(dialect, later)
    day = WorkCalendarDay.__table__.c.day
    weekend = _day_number(dialect, day) % 7 >= 5
    exceptions = (
        sa.select(
            sa.func.coalesce(
                sa.func.sum(
                    sa.case(
                        (sa.and_(WorkCalendarDay.__table__.c.kind == DayKind.workday.name, weekend), 1),
                        (sa.and_(WorkCalendarDay.__table__.c.kind == DayKind.holiday.name, ~weekend), -1),
                        else_=0,
                    )
                ),
                0,
            )
        )
        .where(day > _date(dialect, earlier), day <= _date(dialect, later))
        .scalar_subquery()
    )
    return _weekdays_through(last) - _weekdays_through(first) + exceptions

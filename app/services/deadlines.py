"""When a case is due. Pure: takes the calendar, office hours and instants; reads no clock.

The rules, as the design and the seeds fix them (受理日不计，次一工作日起算):
1. Day 0 is the acceptance day. An acceptance after closing time, or on a day
   that is not a working day, is treated as accepted on the next working day,
   which then is day 0.
2. Counting starts on the working day after day 0. A promised case with a limit
   of N working days is due at closing time of the N-th working day.
3. An immediate case (limit 0) is due at closing time of day 0.
4. Working days spent suspended (补件, 上报, 特别程序) are added back, and an
   approved extension adds its days: both simply lengthen N.
5. A due date in a year whose official calendar is not loaded is computed on
   weekdays and marked unconfirmed.
6. An urgent case (急办件) has its own limit, shorter than the promised one: the matter's
   urgent limit, else the setting urgent_limit_days (case_limit_days, urgent_limit_days).
"""

import re
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from app.models.matter import CaseKind
from app.services.workdays import WorkCalendar

_PERIOD = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class OfficeHours(NamedTuple):
    periods: tuple[tuple[time, time], ...]
    opens: time
    closes: time


def parse_office_hours(text: str) -> OfficeHours:
    """ "08:30-12:00,13:30-17:30" → OfficeHours; raises ValueError on anything else."""
    periods = []
    for part in (text or "").replace("，", ",").split(","):
        match = _PERIOD.match(part)
        if not match:
            raise ValueError(f"not a HH:MM-HH:MM period: {part!r}")
        start, end = time(int(match[1]), int(match[2])), time(int(match[3]), int(match[4]))
        if end <= start or (periods and start < periods[-1][1]):
            raise ValueError(f"periods must be in order and not overlap: {part!r}")
        periods.append((start, end))
    return OfficeHours(tuple(periods), periods[0][0], periods[-1][1])


class Deadline(NamedTuple):
    due_at: datetime
    day_zero: date
    confirmed: bool


def deadline(
    accepted_at: datetime,
    limit_days: int,
    calendar: WorkCalendar,
    hours: OfficeHours,
    *,
    paused_workdays: int = 0,
    extension_days: int = 0,
) -> Deadline:
    if limit_days < 0 or paused_workdays < 0 or extension_days < 0:
        raise ValueError("day counts must not be negative")
    start, due_day = calendar.count_from(
        accepted_at.date(),
        limit_days + paused_workdays + extension_days,
        day_is_over=accepted_at.time() >= hours.closes,
    )
    years = calendar.confirmed_years
    # The common case (one confirmed year) without a call; spans across years are checked in full.
    confirmed = (start.year == due_day.year and start.year in years) or not calendar.unconfirmed_between(start, due_day)
    return Deadline(datetime.combine(due_day, hours.closes), start, confirmed)


def urgent_limit_days(promised_days: int, matter_urgent_days: int | None, fallback_days: int) -> int:
    """An urgent case's limit (急办件, seed 004: 实行“绿色通道”办理): the matter's own urgent limit,
    else the setting urgent_limit_days; always shorter than the promised limit (one working day
    less at most), and an on-the-spot matter (promised 0) stays on the spot."""
    if promised_days <= 0:
        return 0
    chosen = matter_urgent_days if matter_urgent_days is not None else fallback_days
    return max(0, min(chosen, promised_days - 1))


def case_limit_days(kind, promised_days: int, matter_urgent_days: int | None, fallback_days: int) -> int:
    """The working days a case of `kind` has: immediate 0, urgent its own shorter limit, the rest promised."""
    if kind is CaseKind.immediate:
        return 0
    if kind is CaseKind.urgent:
        return urgent_limit_days(promised_days, matter_urgent_days, fallback_days)
    return promised_days


def step_due_at(calendar: WorkCalendar, started: datetime, limit_days: int) -> datetime | None:
    """When a step begun at `started` has been held longer than its share of `limit_days`
    working days (the start of the working day after its last one); None without a share."""
    if not limit_days:
        return None
    return datetime.combine(calendar.add_workdays(started.date(), limit_days + 1), time())


def after_office_time(start: datetime, days: float, calendar: WorkCalendar, hours: OfficeHours) -> datetime:
    """The instant `days` working days of office time after `start`: a working day is the office
    hours' length, and only office time on working days counts (seed 003: a comprehensive window
    hands a case over "within 0.5 working day"; accepted at 16:00, it is due the next working
    morning). An instant exactly at the end of a period is the answer, not the next opening."""
    per_day = sum(_minutes(end) - _minutes(begin) for begin, end in hours.periods)
    remaining = round(days * per_day)
    if remaining <= 0:
        return start
    day, since = start.date(), start.time()
    while True:
        if calendar.is_workday(day):
            for begin, end in hours.periods:
                opened = max(_minutes(begin), _minutes(since))
                available = _minutes(end) - opened
                if available <= 0:
                    continue
                if remaining <= available:
                    return datetime.combine(day, time()) + timedelta(minutes=opened + remaining)
                remaining -= available
        day, since = day + timedelta(days=1), time()


def _minutes(moment: time) -> float:
    return moment.hour * 60 + moment.minute + moment.second / 60

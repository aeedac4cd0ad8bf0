"""Leave in working days (分中心管理办法 第六条): how long a leave is, and which A/B posts are away.

Length is counted in working days on the working-day calendar, by half days: a
morning or an afternoon touched by the leave counts 0.5; holidays and weekends
are not counted, makeup working days (调休) are. The request workflow that uses
these counts (filing, tiered approval, the A/B post guard) is leave.py.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models.org import Staff, StaffPosition, StaffStatus, Window
from app.models.personnel import LeaveRequest, LeaveStatus
from app.services.deadlines import OfficeHours
from app.services.workdays import WorkCalendar

HALF = Decimal("0.5")


# ---------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------


def halves(hours: OfficeHours) -> tuple[tuple[time, time], tuple[time, time]]:
    """(morning, afternoon) of a working day: split at the end of the first office-hours
    period (12:00 with the default 08:30-12:00,13:30-17:30), or at noon with one period."""
    split = hours.periods[0][1] if len(hours.periods) > 1 else time(12, 0)
    split = min(max(split, hours.opens), hours.closes)
    return (hours.opens, split), (split, hours.closes)


def working_days(starts_at: datetime, ends_at: datetime, calendar: WorkCalendar, hours: OfficeHours) -> Decimal:
    """Working days the period [starts_at, ends_at) takes, in halves."""
    if ends_at <= starts_at:
        return Decimal(0)
    total = Decimal(0)
    parts = halves(hours)
    day = starts_at.date()
    # Whole working days in the middle are counted by the calendar's index, the two ends by halves.
    last = ends_at.date()
    for current in {day, last}:
        if calendar.is_workday(current):
            for start, end in parts:
                if starts_at < datetime.combine(current, end) and ends_at > datetime.combine(current, start):
                    total += HALF
    if last > day + timedelta(days=1):
        total += calendar.workdays_between(day, last - timedelta(days=1))
    return total


def overlap_days(a_start, a_end, b_start, b_end, rules) -> Decimal:
    """Working time two periods share, in days (`rules`: leave.Rules, for its calendar and hours)."""
    return working_days(max(a_start, b_start), min(a_end, b_end), rules.calendar, rules.hours)


# ---------------------------------------------------------------------------
# Coverage (AB 岗)
# ---------------------------------------------------------------------------


@dataclass
class PostDay:
    day: date
    workday: bool
    a_names: list
    b_names: list
    a_absent: list
    b_absent: list

    @property
    def a_covered_by_b(self) -> bool:
        return bool(self.a_names) and len(self.a_absent) == len(self.a_names) and len(self.b_absent) < len(self.b_names)

    @property
    def both_absent(self) -> bool:
        a_out = not self.a_names or len(self.a_absent) == len(self.a_names)
        b_out = not self.b_names or len(self.b_absent) == len(self.b_names)
        return self.workday and a_out and b_out and bool(self.a_absent or self.b_absent)


def coverage(session: Session, window_clause, today: date, rules, days: int = 8):
    """[(window, [PostDay × days])] for the windows `window_clause` selects: two queries (the
    windows with their A/B staff, the approved leave overlapping the span), then arithmetic."""
    rows = session.execute(
        sa.select(Window.id, Window.code, Window.name, Staff.id, Staff.name, Staff.position)
        .join(
            Staff,
            sa.and_(
                Staff.window_id == Window.id,
                Staff.status == StaffStatus.active,
                Staff.position.in_([StaffPosition.a_post, StaffPosition.b_post]),
            ),
            isouter=True,
        )
        .where(window_clause)
        .order_by(Window.code, Window.id, Staff.position, Staff.name)
    ).all()
    windows: dict[int, dict] = {}
    for window_id, code, name, staff_id, staff_name, position in rows:
        entry = windows.setdefault(window_id, {"code": code, "name": name, "a": [], "b": []})
        if staff_id is not None:
            entry["a" if position is StaffPosition.a_post else "b"].append((staff_id, staff_name))
    span_start = datetime.combine(today, time.min)
    span_end = span_start + timedelta(days=days)
    staff_ids = [sid for entry in windows.values() for sid, _ in entry["a"] + entry["b"]]
    leave: dict[int, list] = {}
    if staff_ids:
        for staff_id, starts_at, ends_at in session.execute(
            sa.select(LeaveRequest.staff_id, LeaveRequest.starts_at, LeaveRequest.ends_at).where(
                LeaveRequest.staff_id.in_(staff_ids),
                LeaveRequest.status == LeaveStatus.approved,
                LeaveRequest.starts_at < span_end,
                LeaveRequest.ends_at > span_start,
            )
        ):
            leave.setdefault(staff_id, []).append((starts_at, ends_at))

    def away(staff_id, day):
        day_start = datetime.combine(day, time.min)
        day_end = day_start + timedelta(days=1)
        return any(overlap_days(s, e, day_start, day_end, rules) > 0 for s, e in leave.get(staff_id, ()))

    result = []
    for entry in windows.values():
        cells = []
        for offset in range(days):
            day = today + timedelta(days=offset)
            cells.append(
                PostDay(
                    day,
                    rules.calendar.is_workday(day),
                    [n for _, n in entry["a"]],
                    [n for _, n in entry["b"]],
                    [n for sid, n in entry["a"] if away(sid, day)],
                    [n for sid, n in entry["b"] if away(sid, day)],
                )
            )
        result.append((entry, cells))
    return result

"""综合窗口轮值: one member department on duty per week (Monday to Sunday) at a comprehensive window.

`generate_rotation` lays a quarter's weeks (those whose Monday falls in the
quarter: 13, sometimes 14) round-robin over the member departments in their
sort order, continuing after the department on duty in the last week before
the quarter. It is idempotent: weeks already started are kept as they are,
the weeks not yet started are (re)written in place, so running it twice
changes nothing the second time.

While on duty, the department's staff at that window may accept every member
department's matters there (see case_flow.intake).
"""

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.models.org import Department, RecordStatus, Window, WindowKind, window_member_department
from app.models.personnel import WindowRotation
from config import ROLE_DUTIES

CENTER_ROLES = ROLE_DUTIES["duty_rosters"]


class RotationError(Exception):
    def __init__(self, message, code="refused"):
        super().__init__(str(message))
        self.code = code


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def quarter_of(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def next_quarter(start: date) -> date:
    return date(start.year + 1, 1, 1) if start.month == 10 else date(start.year, start.month + 3, 1)


def quarter_weeks(quarter_start: date) -> list[date]:
    """The Mondays inside the quarter."""
    end = next_quarter(quarter_start)
    weeks, week = [], quarter_start + timedelta(days=(7 - quarter_start.weekday()) % 7)
    while week < end:
        weeks.append(week)
        week += timedelta(weeks=1)
    return weeks


def members(session: Session, window_id: int) -> list[int]:
    """Member department ids in duty order (sort order, then id), departments in use only."""
    return list(
        session.scalars(
            sa.select(Department.id)
            .join(window_member_department, window_member_department.c.department_id == Department.id)
            .where(window_member_department.c.window_id == window_id, Department.status == RecordStatus.active)
            .order_by(Department.sort_order, Department.id)
        )
    )


def generate_rotation(session: Session, window: Window, quarter_start: date, actor, now: datetime) -> int:
    """Write the quarter's duty roster of `window`; returns the number of weeks created or changed."""
    if not actor.roles & CENTER_ROLES:
        raise RotationError(_l("Only the center may generate duty rosters."), "actor")
    if window.kind is not WindowKind.comprehensive:
        raise RotationError(_l("Only comprehensive windows have a duty roster."), "input")
    if quarter_start != quarter_of(quarter_start):
        raise RotationError(_l("Choose the first day of a quarter."), "input")
    order = members(session, window.id)
    if not order:
        raise RotationError(_l("The window has no member departments to rotate."), "input")
    weeks = quarter_weeks(quarter_start)
    existing = {
        row.week_start: row
        for row in session.scalars(
            sa.select(WindowRotation).where(
                WindowRotation.window_id == window.id,
                WindowRotation.week_start >= weeks[0],
                WindowRotation.week_start <= weeks[-1],
            )
        )
    }
    today = now.date()
    previous = session.scalar(
        sa.select(WindowRotation.department_id)
        .where(WindowRotation.window_id == window.id, WindowRotation.week_start < weeks[0])
        .order_by(WindowRotation.week_start.desc())
        .limit(1)
    )
    changed = 0
    for week in weeks:
        row = existing.get(week)
        started = week <= today
        if row is not None and started:
            previous = row.department_id  # history stays; the order continues after it
            continue
        position = (order.index(previous) + 1) % len(order) if previous in order else 0
        department_id = order[position]
        if row is None:
            # The window itself, not its id: the audit entry names the row by it ("None 2026-10-05" before).
            session.add(WindowRotation(window=window, week_start=week, department_id=department_id))
            changed += 1
        elif row.department_id != department_id:
            row.department_id = department_id
            changed += 1
        previous = department_id
    session.flush()
    return changed


def on_duty(session: Session, window_id: int, day: date) -> int | None:
    """The department on duty at the window on `day`, or None without a roster entry."""
    return session.scalar(
        sa.select(WindowRotation.department_id).where(
            WindowRotation.window_id == window_id, WindowRotation.week_start == monday(day)
        )
    )


def may_accept_for(
    session: Session, window_id: int | None, department_id: int | None, matter_department_id: int, day: date
) -> bool:
    """May staff of `department_id` at window `window_id` accept a matter of `matter_department_id` on `day`?
    Yes when the window is comprehensive, the matter's department is one of its members, and the
    staff's department is on duty that week. One query."""
    if window_id is None or department_id is None:
        return False
    member = sa.select(window_member_department.c.department_id).where(
        window_member_department.c.window_id == window_id,
        window_member_department.c.department_id == matter_department_id,
    )
    found = session.scalar(
        sa.select(WindowRotation.id)
        .join(Window, Window.id == WindowRotation.window_id)
        .where(
            WindowRotation.window_id == window_id,
            WindowRotation.week_start == monday(day),
            WindowRotation.department_id == department_id,
            Window.kind == WindowKind.comprehensive,
            sa.exists(member),
        )
    )
    return found is not None


def acceptable_departments(session: Session, actor, day: date) -> set[int]:
    """Departments whose matters the actor may accept on `day`: their own, plus the member
    departments of their comprehensive window while their department is on duty there."""
    if actor.department_id is None:
        return set()
    ids = {actor.department_id}
    if actor.window_id is not None and on_duty(session, actor.window_id, day) == actor.department_id:
        kind = session.scalar(sa.select(Window.kind).where(Window.id == actor.window_id))
        if kind is WindowKind.comprehensive:
            ids.update(members(session, actor.window_id))
    return ids

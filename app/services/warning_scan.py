"""The warning scan: lights for open cases and joint tasks, one overdue event and violation each.

Set-based: a few INSERT … SELECT and UPDATE statements, never a loop over
rows. A routine run only looks at deadlines and warning instants crossed since
the previous run (index range queries on (status, deadline_at) and
(status, warn_at)); a full rebuild walks the table in id chunks, committing each,
so no SQLite write transaction holds the lock for long. Every statement only
touches rows whose light is not already right: a second run changes nothing.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models.case import RUNNING_STATUSES, Case, CaseAction, CaseEvent, CaseTask, Violation, ViolationKind
from app.services import holders

CASE = Case.__table__
TASK = CaseTask.__table__
RUNNING = [status.name for status in RUNNING_STATUSES]
SYSTEM = "系统"


def _window(column, since, now, id_range):
    conditions = [column <= now]
    if since is not None:
        conditions.append(column > since)
    if id_range is not None:
        conditions.append(CASE.c.id.between(*id_range))
    return conditions


def overdue_detail(number):
    """The overdue violation's wording, for a case number or the number column (in SQL)."""
    return "办件 " + number + " 超过承诺时限"


def _mark_overdue(connection, now, since, id_range) -> int:
    due = sa.and_(
        CASE.c.status.in_(RUNNING),
        *_window(CASE.c.deadline_at, since, now, id_range),
        sa.or_(CASE.c.light.is_(None), CASE.c.light != "red"),
    )
    events = sa.select(
        CASE.c.id,
        sa.literal(CaseAction.overdue.name),
        CASE.c.deadline_at,
        sa.literal(None),
        sa.literal(SYSTEM),
        CASE.c.status,
        CASE.c.status,
    ).where(due)
    connection.execute(
        sa.insert(CaseEvent.__table__).from_select(
            ["case_id", "action", "at", "actor_id", "actor_name", "from_status", "to_status"], events
        )
    )
    violations = sa.select(
        sa.literal(ViolationKind.overdue.name),
        CASE.c.deadline_at,
        CASE.c.id,
        CASE.c.department_id,
        # Whoever held the case at its deadline, not whoever holds it now.
        holders.of_table(CASE, CASE.c.deadline_at),
        CASE.c.window_id,
        overdue_detail(CASE.c.number),
    ).where(due)
    connection.execute(
        sa.insert(Violation.__table__).from_select(
            ["kind", "at", "case_id", "department_id", "staff_id", "window_id", "detail"], violations
        )
    )
    return connection.execute(sa.update(CASE).where(due).values(light="red")).rowcount


def _mark_yellow(connection, now, since, id_range) -> int:
    entering = sa.and_(
        CASE.c.status.in_(RUNNING),
        *_window(CASE.c.warn_at, since, now, id_range),
        CASE.c.deadline_at >= now,
        sa.or_(CASE.c.light.is_(None), CASE.c.light == "green"),
    )
    return connection.execute(sa.update(CASE).where(entering).values(light="yellow")).rowcount


def _mark_tasks(connection, now, since) -> int:
    conditions = [
        TASK.c.status == "open",
        TASK.c.deadline_at <= now,
        sa.or_(TASK.c.light.is_(None), TASK.c.light != "red"),
    ]
    if since is not None:
        conditions.append(TASK.c.deadline_at > since)
    return connection.execute(sa.update(TASK).where(*conditions).values(light="red")).rowcount


def scan(session: Session, now: datetime, since: datetime | None) -> int:
    """Routine run for the deadlines crossed in (since, now]; returns rows changed. Caller commits."""
    connection = session.connection()
    return (
        _mark_overdue(connection, now, since, None)
        + _mark_yellow(connection, now, since, None)
        + _mark_tasks(connection, now, since)
    )


def rebuild(session: Session, now: datetime, *, chunk: int = 50_000) -> int:
    """Every open case's light from scratch, committed per id chunk."""
    total = 0
    low, high = session.execute(sa.select(sa.func.min(CASE.c.id), sa.func.max(CASE.c.id))).one()
    for start in range(low or 0, (high or 0) + 1, chunk):
        id_range = (start, start + chunk - 1)
        connection = session.connection()
        total += _mark_overdue(connection, now, None, id_range) + _mark_yellow(connection, now, None, id_range)
        in_range = CASE.c.id.between(*id_range)
        # Lights that are no longer right: green again after an extension, cleared once closed.
        total += connection.execute(
            sa.update(CASE)
            .where(
                in_range,
                CASE.c.status.in_(RUNNING),
                CASE.c.warn_at > now,
                sa.or_(CASE.c.light.is_(None), CASE.c.light != "green"),
            )
            .values(light="green")
        ).rowcount
        total += connection.execute(
            sa.update(CASE)
            .where(in_range, CASE.c.status.not_in(RUNNING + ["suspended"]), CASE.c.light.is_not(None))
            .values(light=None)
        ).rowcount
        session.commit()
    total += _mark_tasks(session.connection(), now, None)
    session.commit()
    return total

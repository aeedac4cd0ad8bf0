"""Demo attendance: the last full month for the demo county's active staff (`seed_attendance`),
and any other period (`seed_days`: the history fills the rest of the year with it).

Deterministic (seeded): most days normal, a few late, early, half-day or whole-day
absences, classified by the same rules as imported records (approved leave included).
Written with Core bulk inserts; `seed_attendance` is skipped when any attendance exists.
"""

import random
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models.org import Staff, StaffStatus
from app.models.personnel import AttendanceKind, AttendanceRecord, AttendanceSource
from app.services import attendance, calendar
from app.services.demo import bulk


def last_full_month(today: date) -> tuple[date, date]:
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def _at(base: time, minutes: int, rng) -> time:
    moment = datetime.combine(date(2000, 1, 1), base) + timedelta(minutes=minutes, seconds=rng.randrange(60))
    return moment.time()


def _punches(rng, rules):
    start, end = rules.morning[0], rules.afternoon[1]
    draw = rng.random()
    if draw < 0.90:
        return _at(start, -rng.randint(2, 25), rng), _at(end, rng.randint(0, 25), rng)
    if draw < 0.945:
        return _at(start, rng.randint(1, 25), rng), _at(end, rng.randint(0, 15), rng)
    if draw < 0.975:
        return _at(start, -rng.randint(2, 20), rng), _at(end, -rng.randint(2, 25), rng)
    if draw < 0.985:
        return _at(start, rng.randint(35, 90), rng), _at(end, rng.randint(0, 10), rng)  # late, however long
    if draw < 0.99:
        return _at(rules.afternoon[0], rng.randint(-10, 10), rng), _at(end, rng.randint(0, 10), rng)  # half a day
    if draw < 0.995:
        return _at(start, -rng.randint(2, 20), rng), None  # forgot to clock out
    return None, None


def seed_attendance(session: Session, today: date, *, seed: int = 2026, batch: int = 5000) -> int:
    """Generate the last full month before `today`; returns the rows written (0 if any exist)."""
    if session.scalar(sa.select(sa.func.count()).select_from(AttendanceRecord)):
        return 0
    first, last = last_full_month(today)
    return seed_days(session, first, last, random.Random(seed), batch=batch)


def seed_days(session: Session, first: date, last: date, rng, *, batch: int = 5000) -> int:
    """Device rows for every working day of [first, last] and every active staff member who had
    joined, classified with the approved leave of the time; returns the rows written."""
    cal = calendar.load(session)
    rules = attendance.Rules.from_settings(session)
    leaves = attendance.load_leaves(session, first, last)
    staff = session.execute(
        sa.select(Staff.id, Staff.department_id, Staff.joined_on)
        .where(Staff.status == StaffStatus.active)
        .order_by(Staff.id)
    ).all()
    table = AttendanceRecord.__table__
    rows, written = [], 0
    day = first
    while day <= last:
        if cal.is_workday(day):
            for member in staff:
                if member.joined_on and member.joined_on > day:
                    continue
                clock_in, clock_out = _punches(rng, rules)
                result = attendance.classify(
                    day, clock_in, clock_out, workday=True, rules=rules, leaves=leaves.get(member.id, ())
                )
                rows.append(
                    {
                        "staff_id": member.id,
                        "department_id": member.department_id,
                        "day": day,
                        "clock_in": clock_in,
                        "clock_out": clock_out,
                        "kind": (result.kind if result else AttendanceKind.normal).name,
                        "minutes_late": result.minutes_late if result else 0,
                        "minutes_early": result.minutes_early if result else 0,
                        "source": AttendanceSource.device.name,
                        "version": 1,
                    }
                )
                if len(rows) >= batch:
                    bulk.insert(session.connection(), table, rows)
                    written, rows = written + len(rows), []
        day += timedelta(days=1)
    bulk.insert(session.connection(), table, rows)
    written += len(rows)
    return written

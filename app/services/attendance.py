"""Attendance: what a day's first and last punch mean, absences, manual corrections.

The rule (考勤规则), against the `office_hours` setting — its first period is the
morning, its last the afternoon, e.g. 08:30-12:00,13:30-17:30 — and the 考核细则
(迟到或早退 1次扣1分；擅自离岗超过半小时 1次扣0.5分；无故旷工半天以上 1次扣5分):

- Times count in whole minutes (seconds dropped): a clock-in at 08:30:59 is on
  time, 08:31 is one minute late; a clock-out at 17:29 is one minute early.
- Late: clock-in after the expected start plus `attendance_grace_minutes`
  (default 0). Early: clock-out before the expected end. Both: late_and_early,
  two occurrences (迟到 and 早退, −1 each). The minutes never change the kind:
  09:01 is late, not absent. They are stored either way.
- A clock-in after the first worked half ends or a clock-out before the last
  worked half starts: a half day unworked, absent_half (旷工半天, one occurrence).
- No punch at all on a working day: absent_day (旷工, one occurrence).
- Two conversions the 考核细则 do not make, each a setting, off by default:
  `attendance_late_as_absence` (late or early by more than
  `attendance_absent_minutes` → absent_half, both → absent_day, the common
  迟到/早退超过30分钟按旷工半天计) and `attendance_missing_punch_as_absence` (only
  one punch → absent_half). Off, a lone punch is judged by itself (a clock-in
  alone can be late, a clock-out alone early); a supervisor corrects the day.
- Approved leave (LeaveRequest, status approved) covering a half (its period
  from start to end) excuses that half: the expected start and end move to the
  half that is worked. Leave covering the whole day: on_leave, or official when
  it is official business (公出). A half-day leave with the other half worked on
  time is on_leave (official), otherwise the worked half's kind.
- Non-working days (weekends and holidays of the calendar; a makeup Saturday 调休
  is a working day): no record is expected; punches there are kept as normal.

A correction by a supervisor (source manual) always wins: imports and
reclassification never overwrite it.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.models.org import Staff, StaffStatus
from app.models.personnel import (
    AttendanceKind,
    AttendanceRecord,
    AttendanceSource,
    LeaveRequest,
    LeaveStatus,
    LeaveType,
)
from app.services import settings
from app.services.deadlines import parse_office_hours


@dataclass(frozen=True)
class Rules:
    morning: tuple[time, time]
    afternoon: tuple[time, time]
    grace_minutes: int = 0
    absent_minutes: int = 30
    late_as_absence: bool = False
    missing_punch_as_absence: bool = False

    @classmethod
    def from_settings(cls, session: Session) -> "Rules":
        hours = parse_office_hours(settings.get(session, "office_hours"))
        return cls(
            morning=hours.periods[0],
            afternoon=hours.periods[-1],
            grace_minutes=int(settings.get(session, "attendance_grace_minutes")),
            absent_minutes=int(settings.get(session, "attendance_absent_minutes")),
            late_as_absence=settings.get(session, "attendance_late_as_absence") == "on",
            missing_punch_as_absence=settings.get(session, "attendance_missing_punch_as_absence") == "on",
        )

    @property
    def midday(self) -> time:
        """Where a lone punch stops being a clock-in and becomes a clock-out: the morning's end."""
        return self.morning[1]


@dataclass(frozen=True)
class LeaveSpan:
    starts_at: datetime
    ends_at: datetime
    official: bool = False

    def covers(self, day: date, period: tuple[time, time]) -> bool:
        return self.starts_at <= datetime.combine(day, period[0]) and self.ends_at >= datetime.combine(day, period[1])


@dataclass(frozen=True)
class Result:
    kind: AttendanceKind
    minutes_late: int = 0
    minutes_early: int = 0


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _leave_kind(halves) -> AttendanceKind:
    return AttendanceKind.official if all(span.official for span in halves) else AttendanceKind.on_leave


def classify(
    day: date,
    clock_in: time | None,
    clock_out: time | None,
    *,
    workday: bool,
    rules: Rules,
    leaves=(),
) -> Result | None:
    """The day's kind and minutes; None for a non-working day without punches (nothing expected)."""
    if not workday:
        return None if clock_in is None and clock_out is None else Result(AttendanceKind.normal)
    periods = [rules.morning, rules.afternoon]
    covering = [next((s for s in leaves if s.covers(day, p)), None) for p in periods]
    if all(covering):
        return Result(_leave_kind(covering))
    worked = [p for p, span in zip(periods, covering, strict=True) if span is None]
    start, end = worked[0][0], worked[-1][1]
    if clock_in is None and clock_out is None:
        return Result(AttendanceKind.absent_half if any(covering) else AttendanceKind.absent_day)
    late = max(0, _minutes(clock_in) - _minutes(start)) if clock_in else 0
    early = max(0, _minutes(end) - _minutes(clock_out)) if clock_out else 0
    if (clock_in is None or clock_out is None) and rules.missing_punch_as_absence:
        return Result(AttendanceKind.absent_half, late, early)
    if (clock_in and clock_in >= worked[0][1]) or (clock_out and clock_out <= worked[-1][0]):
        return Result(AttendanceKind.absent_half, late, early)
    is_late, is_early = late > rules.grace_minutes, early > 0
    # How many of late/early pass the absence threshold; 0 unless the center converts them.
    far = rules.late_as_absence and (late > rules.absent_minutes) + (early > rules.absent_minutes)
    if far:
        kind = AttendanceKind.absent_day if far == 2 else AttendanceKind.absent_half
    elif is_late and is_early:
        kind = AttendanceKind.late_and_early
    elif is_late:
        kind = AttendanceKind.late
    elif is_early:
        kind = AttendanceKind.early_leave
    elif any(covering):
        kind = _leave_kind([s for s in covering if s])
    else:
        kind = AttendanceKind.normal
    return Result(kind, late, early)


def load_leaves(session: Session, first: date, last: date, staff_ids=None) -> dict[int, list[LeaveSpan]]:
    """Approved leave overlapping [first, last], by staff id."""
    query = sa.select(
        LeaveRequest.staff_id, LeaveRequest.starts_at, LeaveRequest.ends_at, LeaveRequest.leave_type
    ).where(
        LeaveRequest.status == LeaveStatus.approved,
        LeaveRequest.starts_at < datetime.combine(last + timedelta(days=1), time()),
        LeaveRequest.ends_at > datetime.combine(first, time()),
    )
    if staff_ids is not None:
        query = query.where(LeaveRequest.staff_id.in_(list(staff_ids)))
    spans = defaultdict(list)
    for staff_id, starts_at, ends_at, leave_type in session.execute(query):
        spans[staff_id].append(LeaveSpan(starts_at, ends_at, leave_type == LeaveType.official))
    return spans


def _day_rows(days, rules):
    """One literal row per day: the instants a covering leave must reach (set-based SQL needs them)."""
    selects = [
        sa.select(
            sa.literal(day, sa.Date).label("day"),
            sa.literal(datetime.combine(day, rules.morning[0]), sa.DateTime).label("day_start"),
            sa.literal(datetime.combine(day, rules.morning[1]), sa.DateTime).label("morning_end"),
            sa.literal(datetime.combine(day, rules.afternoon[0]), sa.DateTime).label("afternoon_start"),
            sa.literal(datetime.combine(day, rules.afternoon[1]), sa.DateTime).label("day_end"),
        )
        for day in days
    ]
    return (selects[0] if len(selects) == 1 else sa.union_all(*selects)).subquery("days")


# SQLite refuses a compound SELECT of more than 500 terms (a file spanning two years
# failed with "too many terms in compound SELECT"): the days go in statements of this many.
DAYS_PER_STATEMENT = 400


def absence_select(days, rules: Rules, department_ids=None):
    """SELECT of the missing records: active staff without a record on one of these working days."""
    d = _day_rows(days, rules)
    leave = LeaveRequest.__table__

    def leave_covering(start, end, *extra):
        return sa.exists().where(
            leave.c.staff_id == Staff.id,
            leave.c.status == LeaveStatus.approved.name,
            leave.c.starts_at <= start,
            leave.c.ends_at >= end,
            *extra,
        )

    kind = sa.case(
        (leave_covering(d.c.day_start, d.c.day_end, leave.c.leave_type == LeaveType.official.name), "official"),
        (leave_covering(d.c.day_start, d.c.day_end), "on_leave"),
        (
            sa.or_(
                leave_covering(d.c.day_start, d.c.morning_end),
                leave_covering(d.c.afternoon_start, d.c.day_end),
            ),
            "absent_half",
        ),
        else_="absent_day",
    )
    record = AttendanceRecord.__table__
    query = (
        sa.select(
            Staff.id,
            Staff.department_id,
            d.c.day,
            kind,
            sa.literal(0),
            sa.literal(0),
            sa.literal(AttendanceSource.device.name),
            sa.literal(1),
        )
        .select_from(Staff)
        .join(d, sa.true())
        .where(
            Staff.status == StaffStatus.active,
            sa.or_(Staff.joined_on.is_(None), Staff.joined_on <= d.c.day),
            ~sa.exists().where(record.c.staff_id == Staff.id, record.c.day == d.c.day),
        )
    )
    if department_ids is not None:
        query = query.where(Staff.department_id.in_(list(department_ids)))
    return query


def fill_absences(
    session: Session, first: date, last: date, calendar, rules: Rules, department_ids=None, *, dry_run=False
) -> int:
    """Give every active staff member without a record on a working day of [first, last] one
    (absent_day, or on_leave/official/absent_half where approved leave covers it), in one
    INSERT ... SELECT per DAYS_PER_STATEMENT working days. Idempotent: a second run finds
    nothing missing. Returns the row count."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    days = [day for day in days if calendar.is_workday(day)]
    table = AttendanceRecord.__table__
    names = ("staff_id", "department_id", "day", "kind", "minutes_late", "minutes_early", "source", "version")
    columns = [table.c[name] for name in names]
    count = 0
    for start in range(0, len(days), DAYS_PER_STATEMENT):
        query = absence_select(days[start : start + DAYS_PER_STATEMENT], rules, department_ids)
        if dry_run:
            count += session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
            continue
        result = session.execute(
            sa.insert(table).from_select(columns, query),
            # psycopg reports -1 for INSERT … SELECT unless asked to keep the count.
            execution_options={"preserve_rowcount": True},
        )
        count += result.rowcount
    return count


def classified(day: date, clock_in: time | None, clock_out: time | None, calendar, rules: Rules, leaves=()) -> dict:
    """A device row's kind and minutes as column values; a non-working day's row counts normal."""
    result = classify(day, clock_in, clock_out, workday=calendar.is_workday(day), rules=rules, leaves=leaves)
    result = result or Result(AttendanceKind.normal)
    return {"kind": result.kind.name, "minutes_late": result.minutes_late, "minutes_early": result.minutes_early}


def update_rows(session: Session, rows: list[dict]) -> None:
    """One executemany UPDATE of attendance rows by `row_id`: the columns the dicts carry
    (all the same ones), and the version moves on."""
    if not rows:
        return
    table = AttendanceRecord.__table__
    columns = {name: sa.bindparam(name) for name in rows[0] if name != "row_id"}
    session.execute(
        sa.update(table).where(table.c.id == sa.bindparam("row_id")).values(**columns, version=table.c.version + 1),
        rows,
    )


def reclassify(session: Session, first: date, last: date, calendar, rules: Rules, staff_ids=None) -> int:
    """Recompute device rows of [first, last] (after leave is approved or cancelled); manual rows stay.

    Returns how many rows changed."""
    table = AttendanceRecord.__table__
    query = sa.select(
        table.c.id, table.c.staff_id, table.c.day, table.c.clock_in, table.c.clock_out, table.c.kind
    ).where(table.c.day.between(first, last), table.c.source == AttendanceSource.device.name)
    if staff_ids is not None:
        query = query.where(table.c.staff_id.in_(list(staff_ids)))
    rows = session.execute(query).all()
    leaves = load_leaves(session, first, last, {row.staff_id for row in rows})
    changes = [
        {
            "row_id": row.id,
            **classified(row.day, row.clock_in, row.clock_out, calendar, rules, leaves.get(row.staff_id, ())),
        }
        for row in rows
    ]
    update_rows(session, changes)
    return len(changes)


class CorrectionError(ValueError):
    """A correction that may not be saved (no reason, impossible times)."""


class StaleCorrection(CorrectionError):
    """The record changed after the form was opened."""


def correct(
    record: AttendanceRecord,
    *,
    kind: AttendanceKind,
    clock_in: time | None,
    clock_out: time | None,
    reason: str,
    actor: str,
    rules: Rules,
    expected_version: int | None = None,
) -> AttendanceRecord:
    """A supervisor's correction (audited through the session like any ORM change; caller commits).

    The reason is mandatory; the record becomes manual so no re-import overwrites it.
    """
    reason = (reason or "").strip()
    if not reason:
        raise CorrectionError(str(_l("Give the reason for the correction.")))
    if len(reason) > 500:
        raise CorrectionError(str(_l("The reason may be at most 500 characters.")))
    if expected_version is not None and expected_version != record.version:
        raise StaleCorrection(
            str(_l("This record was changed by someone else after you opened it. Reload it and edit again."))
        )
    if kind is None:
        raise CorrectionError(str(_l("Choose the attendance kind.")))
    if clock_in and clock_out and clock_out <= clock_in:
        raise CorrectionError(str(_l("The clock-out time must be after the clock-in time.")))
    late = early = 0
    if kind in (AttendanceKind.late, AttendanceKind.late_and_early, AttendanceKind.absent_half) and clock_in:
        late = max(0, _minutes(clock_in) - _minutes(rules.morning[0]))
    if kind in (AttendanceKind.early_leave, AttendanceKind.late_and_early, AttendanceKind.absent_half) and clock_out:
        early = max(0, _minutes(rules.afternoon[1]) - _minutes(clock_out))
    record.kind, record.clock_in, record.clock_out = kind, clock_in, clock_out
    record.minutes_late, record.minutes_early = late, early
    record.source = AttendanceSource.manual
    record.correction_reason = reason
    record.corrected_by = actor
    return record

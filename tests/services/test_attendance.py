"""Attendance classification, absence fill and manual corrections."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.models import AuditLog
from app.models.org import Staff, StaffStatus
from app.models.personnel import (
    AttendanceKind,
    AttendanceRecord,
    AttendanceSource,
    LeaveRequest,
    LeaveStatus,
    LeaveTier,
    LeaveType,
)
from app.services import attendance, calendar
from app.services.attendance import LeaveSpan, Rules, classify

RULES = Rules(morning=(time(8, 30), time(12, 0)), afternoon=(time(13, 30), time(17, 30)))
# Both conversions the 考核细则 do not make, switched on (settings attendance_late_as_absence and
# attendance_missing_punch_as_absence): the classification before issue 14.
CONVERTING = Rules(RULES.morning, RULES.afternoon, late_as_absence=True, missing_punch_as_absence=True)
K = AttendanceKind
MONDAY = date(2026, 11, 2)


def kind(clock_in, clock_out, *, workday=True, leaves=(), rules=RULES):
    result = classify(MONDAY, clock_in, clock_out, workday=workday, rules=rules, leaves=leaves)
    return result and (result.kind, result.minutes_late, result.minutes_early)


@pytest.mark.parametrize(
    ("clock_in", "clock_out", "expected"),
    [
        (time(8, 30), time(17, 30), (K.normal, 0, 0)),
        (time(8, 30, 59), time(17, 30), (K.normal, 0, 0)),  # seconds do not count
        (time(8, 31), time(17, 30), (K.late, 1, 0)),
        (time(8, 20), time(17, 29), (K.early_leave, 0, 1)),
        (time(8, 35), time(17, 20), (K.late_and_early, 5, 10)),
        (time(9, 0), time(17, 40), (K.late, 30, 0)),  # exactly 30 minutes: still late
        (time(9, 1), time(17, 40), (K.absent_half, 31, 0)),
        (time(8, 0), time(16, 59), (K.absent_half, 0, 31)),
        (time(9, 1), time(16, 59), (K.absent_day, 31, 31)),
        (time(13, 20), time(17, 40), (K.absent_half, 290, 0)),  # came after lunch
        (time(8, 20), None, (K.absent_half, 0, 0)),  # no clock-out
        (None, time(17, 45), (K.absent_half, 0, 0)),
        (None, None, (K.absent_day, 0, 0)),
    ],
)
def test_office_hour_boundaries(clock_in, clock_out, expected):
    """With both conversion settings on, as before issue 14."""
    assert kind(clock_in, clock_out, rules=CONVERTING) == expected


@pytest.mark.parametrize(
    ("clock_in", "clock_out", "expected"),
    [
        (time(8, 31), time(17, 30), (K.late, 1, 0)),
        (time(9, 1), time(17, 40), (K.late, 31, 0)),  # 迟到 whatever the minutes
        (time(11, 59), time(17, 40), (K.late, 209, 0)),
        (time(8, 0), time(16, 59), (K.early_leave, 0, 31)),
        (time(9, 1), time(16, 59), (K.late_and_early, 31, 31)),
        (time(12, 0), time(17, 40), (K.absent_half, 210, 0)),  # the morning unworked
        (time(13, 20), time(17, 40), (K.absent_half, 290, 0)),
        (time(8, 20), time(13, 30), (K.absent_half, 0, 240)),  # the afternoon unworked
        (time(8, 20), None, (K.normal, 0, 0)),  # a lone punch is judged by itself
        (time(8, 45), None, (K.late, 15, 0)),
        (None, time(17, 45), (K.normal, 0, 0)),
        (None, time(17, 0), (K.early_leave, 0, 30)),
        (None, None, (K.absent_day, 0, 0)),
    ],
)
def test_office_hour_boundaries_as_the_seeds_read(clock_in, clock_out, expected):
    """Conversions off (the default): late and early never become absence, a missing punch neither."""
    assert kind(clock_in, clock_out) == expected


def test_grace_minutes():
    lenient = Rules(RULES.morning, RULES.afternoon, grace_minutes=5)
    assert kind(time(8, 35), time(17, 30), rules=lenient) == (K.normal, 5, 0)
    assert kind(time(8, 36), time(17, 30), rules=lenient) == (K.late, 6, 0)


def test_non_working_day_expects_nothing():
    assert kind(None, None, workday=False) is None
    assert kind(time(9, 0), time(11, 0), workday=False) == (K.normal, 0, 0)


def _span(start, end, official=False):
    return LeaveSpan(datetime.combine(MONDAY, start), datetime.combine(MONDAY, end), official)


def test_leave_full_half_and_official():
    whole = _span(time(8, 30), time(17, 30))
    assert kind(None, None, leaves=[whole]) == (K.on_leave, 0, 0)
    assert kind(None, None, leaves=[_span(time(0, 0), time(23, 59), official=True)]) == (K.official, 0, 0)
    morning = _span(time(8, 30), time(12, 0))
    # Morning off: the day starts at 13:30.
    assert kind(time(13, 25), time(17, 31), leaves=[morning]) == (K.on_leave, 0, 0)
    assert kind(time(13, 40), time(17, 31), leaves=[morning]) == (K.late, 10, 0)
    assert kind(None, None, leaves=[morning]) == (K.absent_half, 0, 0)
    afternoon = _span(time(13, 30), time(17, 30), official=True)
    # Afternoon on official business: the day ends at 12:00.
    assert kind(time(8, 29), time(12, 1), leaves=[afternoon]) == (K.official, 0, 0)
    assert kind(time(8, 29), time(11, 50), leaves=[afternoon]) == (K.early_leave, 0, 10)
    # A leave that does not cover a whole half excuses nothing.
    partial = [_span(time(8, 30), time(9, 30))]
    assert kind(time(9, 30), time(17, 30), leaves=partial, rules=CONVERTING) == (K.absent_half, 60, 0)
    assert kind(time(9, 30), time(17, 30), leaves=partial) == (K.late, 60, 0)


def _calendar(db_session):
    return calendar.load(db_session)


def test_makeup_saturday_and_holiday_in_calendar(db_session):
    cal = _calendar(db_session)
    assert cal.is_workday(date(2026, 10, 10))  # 国庆调休 Saturday
    assert not cal.is_workday(date(2026, 10, 1))
    assert classify(date(2026, 10, 10), None, None, workday=cal.is_workday(date(2026, 10, 10)), rules=RULES)
    assert classify(date(2026, 10, 1), None, None, workday=cal.is_workday(date(2026, 10, 1)), rules=RULES) is None


def _leave(db_session, staff_id, start, end, leave_type=LeaveType.personal, status=LeaveStatus.approved):
    staff = db_session.get(Staff, staff_id)
    db_session.add(
        LeaveRequest(
            staff_id=staff_id,
            department_id=staff.department_id,
            leave_type=leave_type,
            starts_at=start,
            ends_at=end,
            working_days=Decimal("1"),
            tier=LeaveTier.chief_or_below,
            reason="测试",
            status=status,
            requested_at=datetime(2026, 10, 1, 9, 0),
            requested_by="test",
        )
    )


def _records(db_session, day=None):
    query = sa.select(AttendanceRecord)
    if day:
        query = query.where(AttendanceRecord.day == day)
    return {(r.staff_id, r.day): r for r in db_session.scalars(query)}


def test_fill_absences_is_set_based_and_idempotent(db_session, world_ids):
    a, b = world_ids["staff_staff_a"], world_ids["staff_chief_a"]
    _leave(db_session, a, datetime(2026, 10, 9, 8, 30), datetime(2026, 10, 9, 17, 30))
    _leave(db_session, b, datetime(2026, 10, 9, 0, 0), datetime(2026, 10, 10, 23, 0), LeaveType.official)
    _leave(db_session, b, datetime(2026, 10, 12, 8, 0), datetime(2026, 10, 12, 12, 0), status=LeaveStatus.pending)
    db_session.commit()
    cal = _calendar(db_session)
    first, last = date(2026, 9, 30), date(2026, 10, 12)  # National Day week, makeup Saturday 10-10
    assert attendance.fill_absences(db_session, first, last, cal, RULES, [world_ids["dept_a"]], dry_run=True) == 10
    added = attendance.fill_absences(db_session, first, last, cal, RULES, [world_ids["dept_a"]])
    db_session.commit()
    assert added == 10  # 2 staff x 5 working days
    records = _records(db_session)
    days = sorted({day for _, day in records})
    assert days == [date(2026, 9, 30), date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10), date(2026, 10, 12)]
    assert records[(a, date(2026, 10, 9))].kind == K.on_leave
    assert records[(b, date(2026, 10, 9))].kind == K.official
    assert records[(b, date(2026, 10, 10))].kind == K.official
    assert records[(b, date(2026, 10, 12))].kind == K.absent_day  # pending leave excuses nothing
    assert records[(a, date(2026, 10, 10))].kind == K.absent_day
    assert {staff for staff, _ in records} == {a, b}
    assert attendance.fill_absences(db_session, first, last, cal, RULES, [world_ids["dept_a"]]) == 0


def test_fill_absences_skips_inactive_and_half_leave(db_session, world_ids):
    a, b = world_ids["staff_staff_a"], world_ids["staff_chief_a"]
    db_session.get(Staff, b).status = StaffStatus.left
    _leave(db_session, a, datetime(2026, 11, 2, 8, 30), datetime(2026, 11, 2, 12, 0))
    db_session.commit()
    added = attendance.fill_absences(db_session, MONDAY, MONDAY, _calendar(db_session), RULES, None)
    db_session.commit()
    records = _records(db_session)
    assert records[(a, MONDAY)].kind == K.absent_half
    assert (b, MONDAY) not in records
    # Everybody active in every department, the B staff too.
    assert added == 3


def _record(db_session, world_ids, **values):
    record = AttendanceRecord(
        staff_id=world_ids["staff_staff_a"],
        department_id=world_ids["dept_a"],
        day=MONDAY,
        clock_in=time(8, 45),
        clock_out=time(17, 30),
        kind=K.late,
        minutes_late=15,
        **values,
    )
    db_session.add(record)
    db_session.commit()
    return record


def test_correction_needs_a_reason_and_is_audited(db_session, world_ids):
    record = _record(db_session, world_ids)
    with pytest.raises(attendance.CorrectionError, match="更正理由"):
        attendance.correct(
            record, kind=K.normal, clock_in=time(8, 25), clock_out=time(17, 30), reason="  ", actor="sup", rules=RULES
        )
    attendance.correct(
        record,
        kind=K.normal,
        clock_in=time(8, 25),
        clock_out=time(17, 30),
        reason="指纹机故障，有值班记录",
        actor="sup",
        rules=RULES,
        expected_version=1,
    )
    db_session.commit()
    assert (record.kind, record.source, record.corrected_by, record.version) == (
        K.normal,
        AttendanceSource.manual,
        "sup",
        2,
    )
    assert record.minutes_late == 0
    log = db_session.scalars(
        sa.select(AuditLog)
        .where(AuditLog.table_name == "attendance_record", AuditLog.row_id == str(record.id))
        .order_by(AuditLog.id)
    ).all()
    assert log[-1].changes["kind"] == ["late", "normal"]
    assert log[-1].changes["correction_reason"] == [None, "指纹机故障，有值班记录"]


def test_correction_refuses_stale_version_and_bad_times(db_session, world_ids):
    record = _record(db_session, world_ids)
    with pytest.raises(attendance.StaleCorrection):
        attendance.correct(
            record, kind=K.normal, clock_in=None, clock_out=None, reason="x", actor="s", rules=RULES, expected_version=0
        )
    with pytest.raises(attendance.CorrectionError):
        attendance.correct(record, kind=K.late, clock_in=time(9), clock_out=time(8), reason="x", actor="s", rules=RULES)


def test_reclassify_after_leave_keeps_manual_rows(db_session, world_ids):
    record = _record(db_session, world_ids, source=AttendanceSource.device)
    other = AttendanceRecord(
        staff_id=world_ids["staff_chief_a"],
        department_id=world_ids["dept_a"],
        day=MONDAY,
        kind=K.absent_day,
        source=AttendanceSource.manual,
        correction_reason="x",
    )
    db_session.add(other)
    _leave(db_session, world_ids["staff_staff_a"], datetime(2026, 11, 2, 8, 30), datetime(2026, 11, 2, 12, 0))
    _leave(db_session, world_ids["staff_chief_a"], datetime(2026, 11, 2, 8, 0), datetime(2026, 11, 2, 18, 0))
    db_session.commit()
    assert attendance.reclassify(db_session, MONDAY, MONDAY, _calendar(db_session), RULES) == 1
    db_session.commit()
    db_session.refresh(record)
    db_session.refresh(other)
    assert (record.kind, record.minutes_late) == (K.on_leave, 0)
    assert other.kind == K.absent_day


def test_demo_attendance_is_realistic_and_idempotent(db_session):
    from collections import Counter

    from app.services.demo.attendance import last_full_month, seed_attendance

    assert last_full_month(date(2026, 12, 2)) == (date(2026, 11, 1), date(2026, 11, 30))
    written = seed_attendance(db_session, date(2026, 12, 2))
    db_session.commit()
    active = db_session.scalar(sa.select(sa.func.count()).select_from(Staff).where(Staff.status == StaffStatus.active))
    assert written == active * 21  # November 2026 has 21 working days
    kinds = Counter(db_session.scalars(sa.select(AttendanceRecord.kind)))
    assert kinds[K.normal] > written * 0.5
    assert seed_attendance(db_session, date(2026, 12, 2)) == 0

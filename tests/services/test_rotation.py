"""综合窗口轮值: a round-robin quarter, idempotent, continuing the previous quarter; on-duty intake."""

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models.case import CaseStatus
from app.models.org import Staff, Window
from app.models.personnel import WindowRotation
from app.services import rotation
from app.services.case_flow import CaseError
from tests.services.test_case_flow import actor, new_case

Q4 = date(2026, 10, 1)  # a Thursday: the quarter's first week starts Monday 5 October
BEFORE = datetime(2026, 9, 1, 9, 0)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield db.session
        db.session.remove()


@pytest.fixture
def window_c(ctx, world_ids):
    """The comprehensive window C01 with members A, B and C (in that sort order)."""
    from app.models.org import Department

    window = db.session.get(Window, world_ids["win_c"])
    window.member_departments = [db.session.get(Department, world_ids[k]) for k in ("dept_c", "dept_a", "dept_b")]
    db.session.commit()
    return window


def roster(window_id):
    return db.session.execute(
        sa.select(WindowRotation.week_start, WindowRotation.department_id)
        .where(WindowRotation.window_id == window_id)
        .order_by(WindowRotation.week_start)
    ).all()


def test_quarter_weeks():
    weeks = rotation.quarter_weeks(Q4)
    assert weeks[0] == date(2026, 10, 5) and weeks[-1] == date(2026, 12, 28) and len(weeks) == 13
    assert all(w.weekday() == 0 for w in weeks)
    assert len(rotation.quarter_weeks(date(2026, 1, 1))) == 13  # 5 Jan … 30 Mar
    assert rotation.next_quarter(Q4) == date(2027, 1, 1)


def test_round_robin_idempotent_and_continued_next_quarter(window_c, world_ids):
    a, b, c = world_ids["dept_a"], world_ids["dept_b"], world_ids["dept_c"]
    assert rotation.generate_rotation(db.session, window_c, Q4, actor("manager"), BEFORE) == 13
    db.session.commit()
    rows = roster(window_c.id)
    assert [d for _, d in rows[:4]] == [a, b, c, a]  # sort order A(1), B(2), C(3)
    assert rows[-1] == (date(2026, 12, 28), a)  # 13 weeks: A B C × 4 + A
    # Running it again writes nothing and duplicates nothing.
    assert rotation.generate_rotation(db.session, window_c, Q4, actor("manager"), BEFORE) == 0
    assert len(roster(window_c.id)) == 13
    # The next quarter continues after the last department on duty (A): B first.
    rotation.generate_rotation(db.session, window_c, date(2027, 1, 1), actor("manager"), BEFORE)
    db.session.commit()
    assert roster(window_c.id)[13] == (date(2027, 1, 4), b)
    assert rotation.on_duty(db.session, window_c.id, date(2026, 10, 8)) == a  # Thursday of the first week
    assert rotation.on_duty(db.session, window_c.id, date(2026, 10, 12)) == b


def test_regenerating_replaces_only_weeks_not_yet_started(window_c, world_ids):
    a, b, c = world_ids["dept_a"], world_ids["dept_b"], world_ids["dept_c"]
    rotation.generate_rotation(db.session, window_c, Q4, actor("manager"), BEFORE)
    db.session.commit()
    # The center swapped week 2 by hand; C leaves the window before week 3 starts.
    week2 = db.session.scalar(sa.select(WindowRotation).where(WindowRotation.week_start == date(2026, 10, 12)))
    week2.department_id = c
    window_c.member_departments = [d for d in window_c.member_departments if d.id != c]
    db.session.commit()
    changed = rotation.generate_rotation(db.session, window_c, Q4, actor("manager"), datetime(2026, 10, 14, 9, 0))
    db.session.commit()
    rows = dict(roster(window_c.id))
    assert rows[date(2026, 10, 5)] == a and rows[date(2026, 10, 12)] == c  # started weeks are kept
    # From week 3 on: A and B alternate, continuing after C (not a member any more: from the start).
    assert [rows[w] for w in rotation.quarter_weeks(Q4)[2:6]] == [a, b, a, b]
    assert changed > 0 and len(rows) == 13


def test_refusals(window_c, world_ids):
    with pytest.raises(rotation.RotationError):
        rotation.generate_rotation(db.session, window_c, Q4, actor("chief_a"), BEFORE)
    with pytest.raises(rotation.RotationError):
        rotation.generate_rotation(db.session, window_c, date(2026, 10, 5), actor("manager"), BEFORE)
    with pytest.raises(rotation.RotationError):
        rotation.generate_rotation(db.session, db.session.get(Window, world_ids["win_a"]), Q4, actor("manager"), BEFORE)


def _seat_staff_b_at(window_id, world_ids):
    staff = db.session.get(Staff, world_ids["staff_staff_b"])
    staff.window_id = window_id
    db.session.commit()


def test_on_duty_department_accepts_member_departments_matters(window_c, world_ids):
    """staff_b (公安) sits at the comprehensive window; in B's week they accept 市场监管's matter."""
    rotation.generate_rotation(db.session, window_c, Q4, actor("manager"), BEFORE)
    db.session.commit()
    _seat_staff_b_at(window_c.id, world_ids)
    on_duty = datetime(2026, 10, 13, 9, 0)  # week of 12 October: B on duty
    case = new_case(world_ids, who="staff_b", now=on_duty)
    assert case.status is CaseStatus.accepted and case.department_id == world_ids["dept_a"]
    assert case.window_id == window_c.id and case.accepted_by_id == world_ids["staff_staff_b"]
    assert rotation.acceptable_departments(db.session, actor("staff_b"), on_duty.date()) == {
        world_ids["dept_a"],
        world_ids["dept_b"],
        world_ids["dept_c"],
    }


def test_off_duty_or_elsewhere_refused(window_c, world_ids):
    rotation.generate_rotation(db.session, window_c, Q4, actor("manager"), BEFORE)
    db.session.commit()
    off_duty = datetime(2026, 10, 20, 9, 0)  # week of 19 October: C on duty
    # At their own dedicated window, B's staff never accept A's matters, even in B's week.
    with pytest.raises(CaseError):
        new_case(world_ids, who="staff_b", now=datetime(2026, 10, 13, 9, 0))
    db.session.rollback()
    _seat_staff_b_at(window_c.id, world_ids)
    with pytest.raises(CaseError):
        new_case(world_ids, who="staff_b", now=off_duty)
    db.session.rollback()
    # No roster at all (the quarter before): refused too.
    with pytest.raises(CaseError):
        new_case(world_ids, who="staff_b", now=datetime(2026, 9, 14, 9, 0))
    db.session.rollback()
    # A matter of a department that is not a member of the window: refused in B's own week.
    from app.models.org import Department

    window_c.member_departments = [db.session.get(Department, world_ids[k]) for k in ("dept_b", "dept_c")]
    db.session.commit()
    with pytest.raises(CaseError):
        new_case(world_ids, who="staff_b", now=datetime(2026, 10, 13, 9, 0))


def test_generated_weeks_are_audited_by_window_name(window_c, world_ids):
    """The audit log names each generated week by its window, not "None 2026-10-05"."""
    from app.models.audit import AuditLog

    rotation.generate_rotation(db.session, window_c, Q4, actor("manager"), BEFORE)
    db.session.commit()
    summaries = db.session.scalars(sa.select(AuditLog.summary).where(AuditLog.table_name == "window_rotation")).all()
    assert len(summaries) == 13
    assert all(summary == f"{window_c} {summary[-10:]}" for summary in summaries)
    assert not any(summary.startswith("None") for summary in summaries)

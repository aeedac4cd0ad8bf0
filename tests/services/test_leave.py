"""请假: working days on the calendar, tiers and their approvers, A/B post absence, refusals."""

from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models.org import Staff, StaffPosition, Window
from app.models.personnel import LeaveRequest, LeaveStatus, LeaveTier
from app.services import leave, leave_days
from app.services.case_flow import Actor
from tests.services.test_case_flow import actor

NOW = datetime(2026, 9, 1, 9, 0)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield db.session
        db.session.remove()


def rules():
    return leave.Rules.load(db.session)


def add_staff(world_ids, name, position, *, dept="dept_a", window="win_a"):
    staff = Staff(
        staff_no=f"X{name}",
        name=name,
        department_id=world_ids[dept],
        center_id=world_ids["county"],
        window_id=world_ids[window] if window else None,
        position=position,
        joined_on=date(2020, 1, 1),
    )
    db.session.add(staff)
    db.session.commit()
    return staff


def staff_actor(staff, roles=("WindowStaff",)):
    return Actor(
        user_id=None,
        name=staff.name,
        roles=frozenset(roles),
        staff_id=staff.id,
        department_id=staff.department_id,
        window_id=staff.window_id,
    )


def file(world_ids, starts, ends, who=None, staff_key="staff_staff_a", staff_id=None):
    """Filed by staff_a for themselves, or by chief_a for `staff_id`."""
    request = leave.file(
        db.session,
        actor(who or ("chief_a" if staff_id else "staff_a")),
        NOW,
        rules(),
        staff_id=staff_id or world_ids[staff_key],
        leave_type="personal",
        starts_at=starts,
        ends_at=ends,
        reason="家中有事",
    )
    db.session.commit()
    return request


def refused(code, call, *args, **kwargs):
    with pytest.raises(leave.LeaveError) as info:
        call(*args, **kwargs)
    assert info.value.code == code, str(info.value)
    db.session.rollback()


def done(call, *args, **kwargs):
    result = call(*args, **kwargs)
    db.session.commit()
    return result


def days(starts, ends):
    r = rules()
    return leave_days.working_days(starts, ends, r.calendar, r.hours)


# --- counting ---------------------------------------------------------------


def test_leave_around_national_day_counts_working_days_only(ctx):
    # Wed 30 Sep, then 1–7 Oct holiday, Thu 8 and Fri 9 Oct: three working days.
    assert days(datetime(2026, 9, 30, 8, 30), datetime(2026, 10, 9, 17, 30)) == Decimal(3)
    # Saturday 10 Oct 2026 is a makeup working day and counts; Sunday 11 does not.
    assert days(datetime(2026, 10, 9, 8, 30), datetime(2026, 10, 11, 17, 30)) == Decimal(2)


def test_spring_festival_with_its_makeup_saturday(ctx):
    # Fri 13 Feb, Sat 14 Feb (makeup working day), 15–23 Feb holiday, Tue 24 Feb.
    assert days(datetime(2026, 2, 13, 8, 30), datetime(2026, 2, 24, 17, 30)) == Decimal(3)
    assert days(datetime(2026, 2, 16, 8, 30), datetime(2026, 2, 23, 17, 30)) == 0  # all holiday


def test_half_days(ctx):
    assert days(datetime(2026, 9, 1, 8, 30), datetime(2026, 9, 1, 12, 0)) == Decimal("0.5")  # a morning
    assert days(datetime(2026, 9, 1, 13, 30), datetime(2026, 9, 1, 17, 30)) == Decimal("0.5")  # an afternoon
    assert days(datetime(2026, 9, 1, 13, 30), datetime(2026, 9, 2, 12, 0)) == Decimal(1)  # afternoon + morning
    assert days(datetime(2026, 9, 1, 10, 0), datetime(2026, 9, 3, 17, 30)) == Decimal(3)  # a late start is a half
    assert days(datetime(2026, 9, 5, 8, 30), datetime(2026, 9, 5, 17, 30)) == 0  # a Saturday


def test_a_period_without_working_time_is_refused(ctx, world_ids):
    refused("no_workdays", file, world_ids, datetime(2026, 9, 5, 8, 0), datetime(2026, 9, 6, 18, 0))
    refused("input", file, world_ids, datetime(2026, 9, 2, 8, 0), datetime(2026, 9, 1, 18, 0))


# --- tiers --------------------------------------------------------------------


def test_up_to_one_day_the_window_leader_or_the_chief_rep_approves(ctx, world_ids):
    leader = add_staff(world_ids, "组长", StaffPosition.leader)
    colleague = add_staff(world_ids, "同事", StaffPosition.clerk)
    request = file(world_ids, datetime(2026, 9, 1, 8, 30), datetime(2026, 9, 1, 17, 30))
    assert request.working_days == 1 and request.tier is LeaveTier.chief_or_below
    refused("wrong_approver", leave.approve, db.session, staff_actor(colleague), request, request.version, NOW, rules())
    refused("wrong_approver", leave.approve, db.session, actor("chief_b"), request, request.version, NOW, rules())
    refused("wrong_approver", leave.approve, db.session, actor("manager"), request, request.version, NOW, rules())
    refused("own", leave.approve, db.session, actor("staff_a"), request, request.version, NOW, rules())
    done(leave.approve, db.session, staff_actor(leader), request, request.version, NOW, rules())
    assert request.status is LeaveStatus.approved and request.approved_by == "组长"

    other = file(world_ids, datetime(2026, 9, 2, 8, 30), datetime(2026, 9, 2, 12, 0))
    done(leave.approve, db.session, actor("chief_a"), other, other.version, NOW, rules())
    assert other.status is LeaveStatus.approved


def test_over_one_day_only_the_chief_rep_approves(ctx, world_ids):
    leader = add_staff(world_ids, "组长", StaffPosition.leader)
    request = file(world_ids, datetime(2026, 9, 1, 8, 30), datetime(2026, 9, 2, 12, 0))
    assert request.working_days == Decimal("1.5") and request.tier is LeaveTier.chief
    refused("wrong_approver", leave.approve, db.session, staff_actor(leader), request, request.version, NOW, rules())
    refused("wrong_approver", leave.approve, db.session, actor("chief_b"), request, request.version, NOW, rules())
    refused("stale", leave.approve, db.session, actor("chief_a"), request, request.version + 1, NOW, rules())
    done(leave.approve, db.session, actor("chief_a"), request, request.version, NOW, rules())
    assert request.status is LeaveStatus.approved
    refused("state", leave.approve, db.session, actor("chief_a"), request, request.version, NOW, rules())


def test_three_days_need_the_department_and_the_center(ctx, world_ids):
    request = file(world_ids, datetime(2026, 9, 30, 8, 30), datetime(2026, 10, 9, 17, 30))
    assert request.working_days == 3 and request.tier is LeaveTier.joint
    # The center's half needs a center role; the department's half needs the head's name.
    refused("input", leave.approve, db.session, actor("chief_a"), request, request.version, NOW, rules())
    done(leave.approve, db.session, actor("chief_a"), request, request.version, NOW, rules(), head_name="王局长")
    assert request.status is LeaveStatus.pending and "王局长" in request.department_approved_by
    # A chief rep may not give the center's half as well.
    refused(
        "wrong_approver",
        leave.approve,
        db.session,
        actor("chief_a"),
        request,
        request.version,
        NOW,
        rules(),
        head_name="王局长",
    )
    refused("wrong_approver", leave.approve, db.session, actor("supervisor"), request, request.version, NOW, rules())
    done(leave.approve, db.session, actor("manager"), request, request.version, NOW, rules())
    assert request.status is LeaveStatus.approved and request.center_approved_by and request.decided_at == NOW


def test_the_center_may_approve_first(ctx, world_ids):
    request = file(world_ids, datetime(2026, 9, 7, 8, 30), datetime(2026, 9, 11, 17, 30))
    done(leave.approve, db.session, actor("manager"), request, request.version, NOW, rules())
    assert request.status is LeaveStatus.pending
    refused("state", leave.approve, db.session, actor("manager"), request, request.version, NOW, rules())
    done(leave.approve, db.session, actor("chief_a"), request, request.version, NOW, rules(), head_name="王局长")
    assert request.status is LeaveStatus.approved


def test_thresholds_are_settings(ctx, world_ids):
    from app.models.system import Setting

    db.session.execute(sa.update(Setting).where(Setting.key == "leave_joint_min_days").values(value="2"))
    db.session.commit()
    request = file(world_ids, datetime(2026, 9, 1, 8, 30), datetime(2026, 9, 2, 17, 30))
    assert request.tier is LeaveTier.joint


# --- refusals ---------------------------------------------------------------


def test_overlapping_own_leave_and_filing_for_others(ctx, world_ids):
    file(world_ids, datetime(2026, 9, 1, 8, 30), datetime(2026, 9, 2, 17, 30))
    refused("overlap", file, world_ids, datetime(2026, 9, 2, 8, 30), datetime(2026, 9, 3, 17, 30))
    refused("actor", file, world_ids, datetime(2026, 9, 8, 8, 30), datetime(2026, 9, 8, 17, 30), who="staff_b")
    refused(
        "actor",
        file,
        world_ids,
        datetime(2026, 9, 8, 8, 30),
        datetime(2026, 9, 8, 17, 30),
        who="chief_b",
    )
    # The chief representative files for the department's staff.
    assert file(world_ids, datetime(2026, 9, 8, 8, 30), datetime(2026, 9, 8, 17, 30), who="chief_a").id


def test_a_and_b_post_may_not_be_absent_together(ctx, world_ids):
    b_post = add_staff(world_ids, "乙岗", StaffPosition.b_post)
    a_leave = file(world_ids, datetime(2026, 9, 1, 8, 30), datetime(2026, 9, 2, 17, 30))
    # While A's leave is pending, B may file; both waiting is not both absent.
    b_pending = file(world_ids, datetime(2026, 9, 2, 8, 30), datetime(2026, 9, 2, 12, 0), staff_id=b_post.id)
    done(leave.approve, db.session, actor("chief_a"), a_leave, a_leave.version, NOW, rules())
    # At approval: B's overlapping request can no longer be approved.
    refused("ab_absent", leave.approve, db.session, actor("chief_a"), b_pending, b_pending.version, NOW, rules())
    assert db.session.get(LeaveRequest, b_pending.id).status is LeaveStatus.pending
    # At filing: refused for B as long as A's approved leave overlaps in working time …
    refused(
        "ab_absent", file, world_ids, datetime(2026, 9, 1, 13, 30), datetime(2026, 9, 1, 17, 30), staff_id=b_post.id
    )
    # … but the evening after A's leave ends is no working time, and another window's B post is not paired.
    done(leave.cancel, db.session, staff_actor(b_post), b_pending, b_pending.version, NOW)
    assert file(world_ids, datetime(2026, 9, 2, 17, 30), datetime(2026, 9, 3, 12, 0), staff_id=b_post.id).id
    other_b = add_staff(world_ids, "他窗乙岗", StaffPosition.b_post, dept="dept_a", window="win_c")
    assert file(world_ids, datetime(2026, 9, 1, 8, 30), datetime(2026, 9, 1, 12, 0), staff_id=other_b.id).id


def test_reject_and_cancel(ctx, world_ids):
    request = file(world_ids, datetime(2026, 9, 1, 8, 30), datetime(2026, 9, 1, 17, 30))
    refused("input", leave.reject, db.session, actor("chief_a"), request, request.version, NOW, rules(), note=" ")
    refused(
        "wrong_approver", leave.reject, db.session, actor("chief_b"), request, request.version, NOW, rules(), note="x"
    )
    done(leave.reject, db.session, actor("chief_a"), request, request.version, NOW, rules(), note="窗口人手不足")
    assert request.status is LeaveStatus.rejected and request.decision_note == "窗口人手不足"
    refused("state", leave.cancel, db.session, actor("staff_a"), request, request.version, NOW)

    approved = file(world_ids, datetime(2026, 9, 3, 8, 30), datetime(2026, 9, 3, 17, 30))
    done(leave.approve, db.session, actor("chief_a"), approved, approved.version, NOW, rules())
    refused("actor", leave.cancel, db.session, actor("staff_b"), approved, approved.version, NOW)
    started = datetime(2026, 9, 3, 10, 0)
    refused("state", leave.cancel, db.session, actor("staff_a"), approved, approved.version, started)
    done(leave.cancel, db.session, actor("staff_a"), approved, approved.version, NOW)
    assert approved.status is LeaveStatus.cancelled
    # A cancelled request no longer blocks the period.
    assert file(world_ids, datetime(2026, 9, 3, 8, 30), datetime(2026, 9, 3, 17, 30)).id


def test_coverage_marks_b_standing_in_and_both_absent(ctx, world_ids):
    b_post = add_staff(world_ids, "乙岗", StaffPosition.b_post)
    a_leave = file(world_ids, datetime(2026, 9, 1, 8, 30), datetime(2026, 9, 1, 17, 30))
    done(leave.approve, db.session, actor("chief_a"), a_leave, a_leave.version, NOW, rules())
    a_second = file(world_ids, datetime(2026, 9, 2, 8, 30), datetime(2026, 9, 2, 12, 0))
    a_second.status = LeaveStatus.approved
    # Both absent can only arise from data entered around the rules (e.g. leave approved before
    # the staff member moved post); the page must still show it.
    db.session.add(
        LeaveRequest(
            staff_id=b_post.id,
            department_id=b_post.department_id,
            starts_at=datetime(2026, 9, 2, 8, 30),
            ends_at=datetime(2026, 9, 2, 17, 30),
            working_days=1,
            tier=LeaveTier.chief_or_below,
            reason="x",
            status=LeaveStatus.approved,
            requested_at=NOW,
            requested_by="x",
        )
    )
    table = dict(
        (entry["code"], cells)
        for entry, cells in leave_days.coverage(db.session, Window.id == world_ids["win_a"], date(2026, 9, 1), rules())
    )
    cells = table["A01"]
    assert len(cells) == 8 and cells[0].a_names == ["测试staff_a"] and cells[0].b_names == ["乙岗"]
    assert cells[0].a_covered_by_b and not cells[0].both_absent
    assert cells[1].both_absent
    assert not cells[2].a_absent and not cells[2].both_absent
    assert not cells[4].workday  # Saturday 5 September


def test_leave_approved_after_the_import_turns_the_absence_into_leave(ctx, world_ids):
    from app.models.personnel import AttendanceKind, AttendanceRecord, AttendanceSource

    day = date(2026, 9, 2)  # a Wednesday
    absent = AttendanceRecord(
        staff_id=world_ids["staff_staff_a"], department_id=world_ids["dept_a"], day=day, kind=AttendanceKind.absent_day
    )
    db.session.add(absent)
    db.session.commit()
    request = file(world_ids, datetime(2026, 9, 2, 8, 30), datetime(2026, 9, 2, 17, 30))
    done(leave.approve, db.session, actor("chief_a"), request, request.version, datetime(2026, 9, 3, 9, 0), rules())
    record = db.session.get(AttendanceRecord, absent.id)
    db.session.refresh(record)
    assert record.kind is AttendanceKind.on_leave and record.source is AttendanceSource.device


def test_a_request_is_audited_by_the_staff_members_name(ctx, world_ids):
    """The audit log names the request by its staff member, not "None 2026-09-01"."""
    from app.models.audit import AuditLog

    request = file(world_ids, datetime(2026, 9, 1, 8, 30), datetime(2026, 9, 1, 17, 30))
    summary = db.session.scalar(
        sa.select(AuditLog.summary).where(AuditLog.table_name == "leave_request", AuditLog.row_id == str(request.id))
    )
    staff = db.session.get(Staff, world_ids["staff_staff_a"])
    assert summary == str(request) and summary.startswith(str(staff))

"""人员变动: requested by the chief rep, approved by the center, tenure warning, effect on the date, scope moves."""

from dataclasses import replace
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.jobs import JOBS
from app.models.org import Staff, StaffPosition, StaffStatus, Window
from app.models.personnel import ChangeKind, ChangeStatus, PersonnelChange
from app.services import personnel
from app.services.scope import Scope
from tests.services.test_case_flow import actor

NOW = datetime(2026, 9, 1, 9, 0)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield db.session
        db.session.remove()


def rules():
    return personnel.Rules.load(db.session)


def request(world_ids, kind, effective_on, who="chief_a", staff_key="staff_staff_a", **extra):
    change = personnel.request_change(
        db.session,
        actor(who),
        NOW,
        rules(),
        staff_id=world_ids[staff_key],
        kind=kind,
        effective_on=effective_on,
        reason="工作需要",
        **extra,
    )
    db.session.commit()
    return change


def refused(code, call, *args, **kwargs):
    with pytest.raises(personnel.ChangeError) as info:
        call(*args, **kwargs)
    assert info.value.code == code, str(info.value)
    db.session.rollback()


def visible_staff(department_id):
    scope = Scope(department_id=department_id, staff_id=None)
    return set(db.session.scalars(sa.select(Staff.id).where(scope.clause(Staff))))


def test_tenure_warning_is_computed_and_not_a_block(ctx, world_ids):
    # staff_a joined on 2024-03-01: 24 months fall on 2026-03-01.
    change = request(world_ids, "post_change", date(2026, 2, 27), to_position="b_post")
    assert change.tenure_warning and "23" in change.tenure_warning and "24" in change.tenure_warning
    assert change.status is ChangeStatus.pending
    ok = personnel.months_between(date(2024, 3, 1), date(2026, 3, 1))
    assert ok == 24 and personnel.months_between(date(2024, 3, 31), date(2026, 3, 30)) == 23


def test_comprehensive_window_minimum_is_six_months(ctx, world_ids):
    staff = db.session.get(Staff, world_ids["staff_staff_a"])
    staff.window_id, staff.joined_on = world_ids["win_c"], date(2026, 1, 1)
    db.session.commit()
    early = request(world_ids, "post_change", date(2026, 6, 30), to_window_id=world_ids["win_a"])
    assert early.tenure_warning and "6" in early.tenure_warning
    db.session.delete(early)
    db.session.commit()
    late = request(world_ids, "post_change", date(2026, 7, 1), to_window_id=world_ids["win_a"])
    assert late.tenure_warning is None


def test_only_the_chief_rep_requests_for_own_department(ctx, world_ids):
    refused("actor", request, world_ids, "transfer_out", date(2026, 10, 1), who="staff_a")
    # The center opens changes itself since issue 19.5 (tests/services/test_staff_records.py); a supervisor does not.
    refused("actor", request, world_ids, "transfer_out", date(2026, 10, 1), who="supervisor")
    refused("scope", request, world_ids, "transfer_out", date(2026, 10, 1), who="chief_b")
    refused("input", request, world_ids, "post_change", date(2026, 10, 1))  # nothing changes
    refused("input", request, world_ids, "post_change", date(2026, 10, 1), to_window_id=world_ids["win_b"])
    request(world_ids, "sent_back", date(2026, 10, 1))
    refused("duplicate", request, world_ids, "transfer_out", date(2026, 10, 2))


def test_center_approves_and_the_change_takes_effect_on_its_date(ctx, world_ids):
    change = request(world_ids, "post_change", date(2026, 9, 10), to_position="b_post")
    refused("actor", personnel.approve, db.session, actor("chief_a"), change, change.version, NOW, rules())
    refused("actor", personnel.approve, db.session, actor("supervisor"), change, change.version, NOW, rules())
    refused("stale", personnel.approve, db.session, actor("manager"), change, change.version + 1, NOW, rules())
    personnel.approve(db.session, actor("manager"), change, change.version, NOW, rules())
    db.session.commit()
    assert change.status is ChangeStatus.approved and change.decided_by
    staff = db.session.get(Staff, world_ids["staff_staff_a"])
    assert staff.position is StaffPosition.a_post  # not yet
    assert personnel.apply_due_changes(db.session, datetime(2026, 9, 9, 23, 0)) == 0
    assert JOBS["personnel_changes"].run(db.session, datetime(2026, 9, 10, 0, 10)) == 1
    db.session.commit()
    assert staff.position is StaffPosition.b_post and change.status is ChangeStatus.effective
    assert change.applied_at == datetime(2026, 9, 10, 0, 10)
    assert personnel.apply_due_changes(db.session, datetime(2026, 9, 11, 0, 10)) == 0  # idempotent
    refused("state", personnel.approve, db.session, actor("manager"), change, change.version, NOW, rules())


def test_reject_needs_a_reason(ctx, world_ids):
    change = request(world_ids, "transfer_out", date(2026, 9, 10))
    refused("input", personnel.reject, db.session, actor("manager"), change, change.version, NOW, rules(), note="")
    personnel.reject(db.session, actor("manager"), change, change.version, NOW, rules(), note="窗口缺人")
    db.session.commit()
    assert change.status is ChangeStatus.rejected
    assert personnel.apply_due_changes(db.session, datetime(2026, 12, 1)) == 0
    assert db.session.get(Staff, world_ids["staff_staff_a"]).status is StaffStatus.active


def test_transfer_out_applied_at_once_when_due(ctx, world_ids):
    change = request(world_ids, "transfer_out", date(2026, 9, 1))
    # Window A01 keeps its chief representative: enough when a window needs one on duty (先进后出
    # itself: tests/services/test_staff_records.py).
    personnel.approve(db.session, actor("manager"), change, change.version, NOW, replace(rules(), window_min_staff=1))
    db.session.commit()
    staff = db.session.get(Staff, world_ids["staff_staff_a"])
    assert change.status is ChangeStatus.effective
    assert staff.status is StaffStatus.left and staff.window_id is None


def test_transfer_in_moves_the_staff_member_and_their_visibility(ctx, world_ids):
    """staff_b (公安) transfers into 市场监管 at window A01: chief_a now sees them, chief_b no longer."""
    moving = world_ids["staff_staff_b"]
    assert moving in visible_staff(world_ids["dept_b"]) and moving not in visible_staff(world_ids["dept_a"])
    change = request(
        world_ids,
        "transfer_in",
        date(2026, 9, 15),
        staff_key="staff_staff_b",
        to_window_id=world_ids["win_a"],
        to_position="clerk",
    )
    assert change.kind is ChangeKind.transfer_in and change.to_department_id == world_ids["dept_a"]
    assert change.tenure_warning is None
    # The requesting department sees the request.
    scope_a = Scope(department_id=world_ids["dept_a"])
    assert db.session.scalar(sa.select(PersonnelChange.id).where(scope_a.clause(PersonnelChange))) == change.id
    personnel.approve(db.session, actor("manager"), change, change.version, NOW, rules())
    db.session.commit()
    assert moving in visible_staff(world_ids["dept_b"])  # not before its date
    personnel.apply_due_changes(db.session, datetime(2026, 9, 15, 0, 10))
    db.session.commit()
    staff = db.session.get(Staff, moving)
    assert staff.department_id == world_ids["dept_a"] and staff.window_id == world_ids["win_a"]
    assert staff.position is StaffPosition.clerk
    assert moving in visible_staff(world_ids["dept_a"]) and moving not in visible_staff(world_ids["dept_b"])
    # The staff member's own actor (and so their case scope) follows the Staff record.
    assert actor("staff_b").department_id == world_ids["dept_a"]
    assert db.session.get(Window, staff.window_id).department_id == world_ids["dept_a"]


def test_a_request_is_audited_by_the_staff_members_name(ctx, world_ids):
    """The audit log names the request by its staff member, not "None 调出"."""
    from app.models.audit import AuditLog

    change = request(world_ids, ChangeKind.transfer_out, date(2026, 10, 1))
    summary = db.session.scalar(
        sa.select(AuditLog.summary).where(AuditLog.table_name == "personnel_change", AuditLog.row_id == str(change.id))
    )
    staff = db.session.get(Staff, world_ids["staff_staff_a"])
    assert summary == str(change) and summary.startswith(str(staff)) and not summary.startswith("None")

"""综合窗口轮值 duty (seed 003, issue 16.6) as service calls with a fixed `now`: the on-duty desk
finishes immediate cases on the spot and hands the others over within 0.5 working day through
the register; the owning department receives and holds them; late hand-offs, step-overdue and
overdue violations fall on whoever held the case when the rule was broken."""

import threading
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case, CaseStatus, Notice, NoticeKind, Violation, ViolationKind
from app.models.org import Department, Staff, Window
from app.models.personnel import WindowRotation
from app.models.transfer import Transfer, TransferAction, TransferEvent, TransferKind, TransferStatus
from app.services import duty_scan, settings, step_scan, transfers, warning_scan
from app.services.case_flow import CaseError, Clock, available_actions, perform
from app.services.deadlines import after_office_time
from tests.services.test_case_flow import actor, new_case

B_WEEK = date(2026, 10, 12)  # department B (公安) on duty at C01
A_WEEK = date(2026, 10, 19)  # department A (市场监管) on duty
TUE_B = datetime(2026, 10, 13, 9, 0)  # hand-off due 14:15 (3 h 45 min of office time later)
TUE_A = datetime(2026, 10, 20, 9, 0)


@pytest.fixture
def desk(app, world_ids):
    """C01 serves A and B; B's week then A's; staff_b and staff_a sit at C01 (their department's desk)."""
    with app.app_context():
        window = db.session.get(Window, world_ids["win_c"])
        window.member_departments = [db.session.get(Department, world_ids[k]) for k in ("dept_a", "dept_b")]
        db.session.add_all(
            [
                WindowRotation(window_id=window.id, week_start=B_WEEK, department_id=world_ids["dept_b"]),
                WindowRotation(window_id=window.id, week_start=A_WEEK, department_id=world_ids["dept_a"]),
                WindowRotation(window_id=window.id, week_start=date(2026, 10, 26), department_id=world_ids["dept_b"]),
            ]
        )
        for name in ("staff_b", "staff_a"):
            db.session.get(Staff, world_ids[f"staff_{name}"]).window_id = window.id
        db.session.commit()
        yield world_ids
        db.session.remove()


def act(case_id, action, who, now, **inputs):
    db.session.expire_all()
    return perform(db.session, actor(who), case_id, db.session.get(Case, case_id).version, now, action, **inputs)


def offered(case_id, who, now):
    db.session.expire_all()
    return available_actions(actor(who), db.session.get(Case, case_id), now)


def entry(case_id) -> Transfer | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Transfer).where(Transfer.case_id == case_id))


def violations(kind=None):
    query = sa.select(Violation.kind, Violation.staff_id, Violation.at).order_by(Violation.id)
    if kind is not None:
        query = query.where(Violation.kind == kind)
    return db.session.execute(query).all()


def duty_case(ids, now=TUE_B):
    """A's promised case accepted by B's on-duty clerk at C01."""
    return new_case(ids, who="staff_b", now=now).id


def test_half_a_working_day_counts_office_time_only(ctx_calendar):
    calendar, hours = ctx_calendar
    table = [
        (datetime(2026, 10, 13, 9, 0), datetime(2026, 10, 13, 14, 15)),  # across lunch
        (datetime(2026, 10, 13, 8, 30), datetime(2026, 10, 13, 13, 45)),  # the morning, then 15 minutes
        (datetime(2026, 10, 13, 7, 0), datetime(2026, 10, 13, 13, 45)),  # before opening: from 08:30
        (datetime(2026, 10, 13, 12, 30), datetime(2026, 10, 13, 17, 15)),  # at lunch: from 13:30
        (datetime(2026, 10, 13, 16, 0), datetime(2026, 10, 14, 10, 45)),  # next morning
        (datetime(2026, 10, 13, 19, 0), datetime(2026, 10, 14, 13, 45)),  # after closing
        (datetime(2026, 9, 30, 16, 30), datetime(2026, 10, 8, 11, 15)),  # National Day: 1–7 Oct off
        (datetime(2026, 10, 9, 17, 0), datetime(2026, 10, 10, 11, 45)),  # makeup Saturday 10 Oct works
    ]
    for start, expected in table:
        assert after_office_time(start, 0.5, calendar, hours) == expected, start
    assert after_office_time(datetime(2026, 10, 13, 9, 0), 1, calendar, hours) == datetime(2026, 10, 14, 9, 0)


@pytest.fixture
def ctx_calendar(app):
    with app.app_context():
        clock = Clock.load(db.session)
        yield clock.calendar, clock.hours
        db.session.remove()


def test_the_setting_is_checked():
    assert settings.check("duty_handoff_days", "0.5") == []
    assert settings.check("duty_handoff_days", "2") == []
    assert settings.check("duty_handoff_days", "6")
    assert settings.check("duty_handoff_days", "半天")


def test_the_desk_completes_an_immediate_case_on_the_spot(desk):
    """The bug of issue 16: the desk accepted a member department's immediate case and could not finish it."""
    case = new_case(desk, who="staff_a", matter="matter_b", now=TUE_A)  # B's 即办件 at A's desk
    assert case.department_id == desk["dept_b"] and entry(case.id) is None  # nothing to hand over
    assert offered(case.id, "staff_a", TUE_A) == ["return_case", "complete", "withdraw"]
    act(case.id, "complete", "staff_a", TUE_A, approved=True, fee="20")
    db.session.expire_all()
    assert db.session.get(Case, case.id).status is CaseStatus.completed
    assert violations() == []


def test_off_duty_or_outside_the_window_is_refused_and_recorded(desk):
    case = new_case(desk, who="staff_a", matter="matter_b", now=TUE_A)
    next_week = datetime(2026, 10, 27, 9, 0)  # B's week again: A is no longer the desk
    assert offered(case.id, "staff_a", next_week) == []
    with pytest.raises(CaseError, match="其他部门"):
        act(case.id, "complete", "staff_a", next_week, approved=True, fee="20")
    assert [v.kind for v in violations()] == [ViolationKind.cross_department]
    # Seated at its own window, A is not the desk even in its own week.
    db.session.get(Staff, desk["staff_staff_a"]).window_id = desk["win_a"]
    db.session.commit()
    with pytest.raises(CaseError):
        act(case.id, "complete", "staff_a", TUE_A, approved=True, fee="20")


def test_a_promised_case_is_handed_over_and_received(desk):
    case_id = duty_case(desk)
    registered = entry(case_id)
    assert registered.kind is TransferKind.duty_handoff and registered.status is TransferStatus.registered
    assert registered.from_staff_id == desk["staff_staff_b"] and registered.to_department_id == desk["dept_a"]
    assert registered.handoff_due_at == datetime(2026, 10, 13, 14, 15)
    # The desk hands over (and may still return or withdraw); it does not complete another's promised case.
    assert offered(case_id, "staff_b", TUE_B) == ["return_case", "withdraw", "hand_over"]
    with pytest.raises(CaseError, match="即办件"):
        act(case_id, "complete", "staff_b", TUE_B, approved=True, fee="0")
    assert violations() == []
    # The owning department acts as on any of its cases, and may confirm receipt.
    assert "receive_handoff" in offered(case_id, "staff_a", TUE_B)

    act(case_id, "hand_over", "staff_b", datetime(2026, 10, 13, 11, 0), note="材料齐全")
    sent = entry(case_id)
    assert sent.status is TransferStatus.sent and sent.sent_at == datetime(2026, 10, 13, 11, 0)
    assert offered(case_id, "staff_b", TUE_B) == []  # handed over: no longer the desk's
    with pytest.raises(CaseError, match="其他部门"):
        act(case_id, "withdraw", "staff_b", TUE_B, note="撤回")

    act(case_id, "receive_handoff", "staff_a", datetime(2026, 10, 13, 11, 30))
    received = entry(case_id)
    assert received.status is TransferStatus.received and received.received_by_id == desk["staff_staff_a"]
    assert received.received_at == datetime(2026, 10, 13, 11, 30)
    case = db.session.get(Case, case_id)
    assert case.assignee_id == desk["staff_staff_a"]
    assert [e.action.name for e in case.events] == ["accept", "hand_over", "receive_handoff"]
    assert case.events[-1].data["assignee_id"] == desk["staff_staff_a"]
    timeline = db.session.scalars(
        sa.select(TransferEvent.action).where(TransferEvent.transfer_id == received.id).order_by(TransferEvent.id)
    ).all()
    assert timeline == [TransferAction.register, TransferAction.forward, TransferAction.receive]
    act(case_id, "forward", "staff_a", datetime(2026, 10, 13, 15, 0))
    with pytest.raises(CaseError):  # received once
        act(case_id, "receive_handoff", "staff_a", datetime(2026, 10, 13, 15, 0))
    # Only the desk's attempt on the case after handing it over was recorded.
    assert [(v.kind, v.staff_id) for v in violations()] == [(ViolationKind.cross_department, desk["staff_staff_b"])]


def test_the_village_steps_refuse_a_duty_entry(desk):
    case_id = duty_case(desk)
    registered = entry(case_id)
    with pytest.raises(transfers.TransferError, match="办件页面"):
        transfers.receive(db.session, actor("staff_a"), TUE_B, registered, registered.version)
    with pytest.raises(transfers.TransferError, match="办件页面"):
        transfers.return_transfer(db.session, actor("staff_a"), TUE_B, registered, registered.version, "不要")
    assert entry(case_id).status is TransferStatus.registered


def test_two_receivers_at_once_exactly_one_wins(app, desk):
    with app.app_context():
        case_id = duty_case(desk)
        act(case_id, "hand_over", "staff_b", datetime(2026, 10, 13, 10, 0))
        version = db.session.get(Case, case_id).version
        db.session.remove()
    results, barrier = [], threading.Barrier(2)

    def attempt(name):
        with app.app_context():
            me = actor(name)
            barrier.wait()
            try:
                perform(db.session, me, case_id, version, datetime(2026, 10, 13, 10, 30), "receive_handoff")
                results.append(name)
            except CaseError as exc:
                results.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(who,)) for who in ("staff_a", "chief_a")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 2
    [winner] = [r for r in results if isinstance(r, str)]
    [lost] = [r for r in results if not isinstance(r, str)]
    # Stale (read the same version) or refused (read after the winner): told in Chinese either way.
    assert isinstance(lost, CaseError) and any("\u4e00" <= ch <= "\u9fff" for ch in str(lost))
    with app.app_context():
        received = entry(case_id)
        assert received.status is TransferStatus.received
        assert received.received_by_id == desk[f"staff_{winner}"]
        assert db.session.get(Case, case_id).assignee_id == desk[f"staff_{winner}"]
        events = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(TransferEvent)
            .where(TransferEvent.transfer_id == received.id, TransferEvent.action == TransferAction.receive)
        )
        assert events == 1


def test_a_late_hand_off_is_recorded_once_for_the_desk(desk):
    case_id = duty_case(desk)
    assert duty_scan.scan(db.session, datetime(2026, 10, 13, 14, 0)) == 0  # not due yet
    written = duty_scan.scan(db.session, datetime(2026, 10, 13, 15, 0))
    db.session.commit()
    assert written == 2  # chief_b told, staff_b's violation
    assert violations() == [(ViolationKind.duty_handoff_overdue, desk["staff_staff_b"], datetime(2026, 10, 13, 14, 15))]
    recorded = db.session.scalar(sa.select(Violation))
    assert recorded.department_id == desk["dept_b"] and "移交" in recorded.detail
    notice = db.session.scalar(sa.select(Notice).where(Notice.kind == NoticeKind.duty_handoff_overdue))
    assert notice.user_id == desk["user_chief_b"] and notice.case_id == case_id
    assert duty_scan.scan(db.session, datetime(2026, 10, 13, 16, 0)) == 0  # a second run writes nothing
    act(case_id, "hand_over", "staff_b", datetime(2026, 10, 13, 16, 30))  # nor the late hand-off itself
    assert len(violations()) == 1


def test_a_late_hand_off_before_the_scan_records_itself(desk):
    case_id = duty_case(desk)
    outcome = act(case_id, "hand_over", "staff_b", datetime(2026, 10, 14, 9, 0))
    assert [v.kind for v in outcome.violations] == [ViolationKind.duty_handoff_overdue]
    assert duty_scan.scan(db.session, datetime(2026, 10, 14, 10, 0)) == 0
    assert violations() == [(ViolationKind.duty_handoff_overdue, desk["staff_staff_b"], datetime(2026, 10, 13, 14, 15))]


def test_received_in_time_nothing_is_recorded(desk):
    case_id = duty_case(desk)
    act(case_id, "receive_handoff", "staff_a", datetime(2026, 10, 13, 10, 0))  # handed over in person
    assert entry(case_id).sent_at == datetime(2026, 10, 13, 10, 0)
    assert duty_scan.scan(db.session, datetime(2026, 10, 14, 10, 0)) == 0
    assert violations() == []


# Step 受理 (1 working day) of a case accepted Tuesday 13 October runs out at midnight before Thursday 15.
STEP_DUE = datetime(2026, 10, 15, 0, 0)


def test_step_overdue_falls_on_whoever_held_the_case_then(desk):
    late, early = duty_case(desk), duty_case(desk)
    act(late, "receive_handoff", "staff_a", datetime(2026, 10, 15, 10, 0))  # received after the step ran out
    act(early, "receive_handoff", "staff_a", datetime(2026, 10, 13, 11, 0))  # before
    step_scan.scan_steps(db.session, datetime(2026, 10, 15, 11, 0), None)
    db.session.commit()
    charged = dict(
        db.session.execute(
            sa.select(Violation.case_id, Violation.staff_id).where(Violation.kind == ViolationKind.step_overdue)
        ).all()
    )
    assert charged == {late: desk["staff_staff_b"], early: desk["staff_staff_a"]}
    notified = db.session.scalars(sa.select(Notice.user_id).where(Notice.kind == NoticeKind.step_overdue)).all()
    assert sorted(notified) == sorted([desk["user_staff_b"], desk["user_staff_a"]])


def test_a_forward_past_the_step_charges_the_holder_then_not_the_forwarder(desk):
    case_id = duty_case(desk)
    act(case_id, "receive_handoff", "staff_a", datetime(2026, 10, 15, 10, 0))
    outcome = act(case_id, "forward", "staff_a", datetime(2026, 10, 15, 10, 30))
    assert [(v.kind, v.staff_id) for v in outcome.violations] == [(ViolationKind.step_overdue, desk["staff_staff_b"])]


def test_overdue_falls_on_the_holder_at_the_deadline(desk):
    case_id = duty_case(desk)  # due Tuesday 27 October 17:30
    assert db.session.get(Case, case_id).deadline_at == datetime(2026, 10, 27, 17, 30)
    act(case_id, "receive_handoff", "staff_a", datetime(2026, 10, 28, 9, 0))
    warning_scan.scan(db.session, datetime(2026, 10, 28, 10, 0), None)
    db.session.commit()
    [(staff_id, at)] = db.session.execute(
        sa.select(Violation.staff_id, Violation.at).where(Violation.kind == ViolationKind.overdue)
    ).all()
    assert (staff_id, at) == (desk["staff_staff_b"], datetime(2026, 10, 27, 17, 30))


def test_an_ordinary_case_is_charged_to_its_assignee_as_before(desk):
    """No hand-off: the holder is the clerk who accepted it, reassigned by a forward."""
    case = new_case(desk, who="chief_a", now=TUE_B)
    act(
        case.id, "forward", "chief_a", datetime(2026, 10, 13, 10, 0), assignee_id=desk["staff_staff_a"], next_step=False
    )
    step_scan.scan_steps(db.session, datetime(2026, 10, 15, 11, 0), None)
    db.session.commit()
    assert db.session.scalar(sa.select(Violation.staff_id)) == desk["staff_staff_a"]

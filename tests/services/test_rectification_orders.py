"""整改通知 after a substantiated complaint: opened with its deadline, closed once, overdue told once,
referred to 纪检; the sanctions' effects (通报批评 circulated, 责令换人 a 退回 request)."""

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import RectificationOrder
from app.models.feedback import ComplaintChannel, OrderStatus
from app.models.notice import Notice, NoticeKind
from app.models.org import Staff, StaffStatus
from app.models.personnel import ChangeKind, ChangeStatus, PersonnelChange
from app.services import complaints, personnel, rectification_orders
from app.services.case_flow import Clock
from tests.services.test_case_flow import actor

FILED = datetime(2026, 9, 30, 16, 0)
HANDLED = datetime(2026, 10, 9, 9, 0)  # a Friday; Saturday 10 October is a makeup working day


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


def limits(order_days=5):
    clock = Clock.load(db.session)
    return complaints.Limits(clock.calendar, clock.hours, order_days=order_days)


def count(model, *conditions):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*conditions))


def handled_complaint(world_ids, *, finding="substantiated", sanctions=(), staff=True, order_days=5, **extra):
    complaint = complaints.file(
        db.session,
        complaints.Filing(
            subject="窗口人员态度差",
            content="办理营业执照时被推诿",
            complainant_phone="13800001234",
            department_id=world_ids["dept_a"],
            window_id=world_ids["win_a"],
            staff_id=world_ids["staff_staff_a"] if staff else None,
        ),
        ComplaintChannel.portal,
        world_ids["county"],
        FILED,
        limits(order_days),
    )
    db.session.commit()
    steps = [
        ("supervisor", "receive", datetime(2026, 10, 8, 9, 0), {}),
        ("chief_a", "investigate", datetime(2026, 10, 8, 15, 0), {"finding": finding, "note": "调取录像核实"}),
        ("supervisor", "handle", HANDLED, {"note": "已处理", "sanctions": list(sanctions), **extra}),
    ]
    for who, action, when, inputs in steps:
        complaints.act(db.session, actor(who), complaint, complaint.version, when, limits(order_days), action, **inputs)
        db.session.commit()
    return complaint


def the_order():
    return db.session.scalar(sa.select(RectificationOrder))


def test_a_substantiated_complaint_opens_an_order_to_its_department_due_in_five_working_days(ctx, world_ids):
    complaint = handled_complaint(world_ids, requirement="规范窗口服务用语，组织全员培训")
    order = the_order()
    assert count(RectificationOrder) == 1 and order.complaint_id == complaint.id
    assert order.department_id == world_ids["dept_a"] and order.staff_id == world_ids["staff_staff_a"]
    assert order.status is OrderStatus.open and order.issued_at == HANDLED
    # Day 0 is Friday 9 October; Saturday the 10th (调休) counts: 10, 12, 13, 14, 15 October.
    assert order.due_at == datetime(2026, 10, 15, 17, 30)
    assert order.requirement == "规范窗口服务用语，组织全员培训"
    assert order.number == f"ZG{complaint.number[2:]}"


def test_the_order_deadline_is_the_setting_and_the_requirement_defaults_to_the_complaint(ctx, world_ids):
    complaint = handled_complaint(world_ids, finding="partly", order_days=1)
    order = the_order()
    assert order.due_at == datetime(2026, 10, 10, 17, 30)
    assert complaint.number in order.requirement and "部分属实" in order.requirement


def test_an_unsubstantiated_complaint_opens_no_order(ctx, world_ids):
    handled_complaint(world_ids, finding="unsubstantiated")
    assert count(RectificationOrder) == 0


def test_an_overdue_order_tells_the_center_once_and_a_closed_one_never(ctx, world_ids):
    handled_complaint(world_ids)
    order = the_order()
    assert rectification_orders.flag_overdue(db.session, datetime(2026, 10, 15, 17, 0)) == 0
    assert rectification_orders.flag_overdue(db.session, datetime(2026, 10, 15, 17, 30)) == 2  # supervisor, manager
    assert rectification_orders.flag_overdue(db.session, datetime(2026, 10, 16, 9, 0)) == 0
    db.session.commit()
    sent = db.session.scalars(sa.select(Notice).where(Notice.key == f"order:{order.id}")).all()
    assert {notice.user_id for notice in sent} == {world_ids["user_supervisor"], world_ids["user_manager"]}
    assert all(notice.kind is NoticeKind.order_overdue and order.number in notice.detail for notice in sent)
    assert "2026-10-15 17:30" in sent[0].detail


def test_a_closed_order_is_never_flagged(ctx, world_ids):
    handled_complaint(world_ids)
    order = the_order()
    rectification_orders.close(db.session, actor("chief_a"), order, order.version, HANDLED, note="已整改")
    db.session.commit()
    assert rectification_orders.flag_overdue(db.session, datetime(2026, 11, 1)) == 0


def test_closure_records_who_when_and_what_and_refuses_the_wrong_people(ctx, world_ids):
    handled_complaint(world_ids)
    order = the_order()
    now = datetime(2026, 10, 13, 10, 0)
    refusals = [("chief_b", "已整改"), ("staff_a", "已整改"), ("chief_a", "  "), ("chief_a", "长" * 1001)]
    for who, note in refusals:
        with pytest.raises(rectification_orders.OrderError):
            rectification_orders.close(db.session, actor(who), order, order.version, now, note=note)
        db.session.rollback()
    with pytest.raises(rectification_orders.OrderError):  # a stale or garbled version
        rectification_orders.close(db.session, actor("chief_a"), order, "x", now, note="已整改")
    db.session.rollback()
    rectification_orders.close(db.session, actor("chief_a"), order, order.version, now, note="组织窗口全员培训")
    db.session.commit()
    order = the_order()
    assert order.status is OrderStatus.closed and order.closed_at == now and order.version == 2
    assert order.closure_note == "组织窗口全员培训" and order.closed_by
    with pytest.raises(rectification_orders.OrderError):  # closed already
        rectification_orders.close(db.session, actor("supervisor"), order, order.version, now, note="再次")
    db.session.rollback()


def test_two_people_closing_one_order_at_once_exactly_one_wins(ctx, world_ids):
    handled_complaint(world_ids)
    order = the_order()
    version = order.version  # both read the open order at this version
    with Session(db.engine) as other:
        theirs = other.get(RectificationOrder, order.id)
        rectification_orders.close(
            other, actor("supervisor"), theirs, version, datetime(2026, 10, 13, 10, 0), note="中心核实已整改"
        )
        other.commit()
    with pytest.raises(rectification_orders.OrderError):
        rectification_orders.close(
            db.session, actor("chief_a"), order, version, datetime(2026, 10, 13, 10, 1), note="部门已整改"
        )
    db.session.rollback()
    order = the_order()
    assert order.closure_note == "中心核实已整改" and order.version == version + 1


@pytest.mark.parametrize(
    ("who", "inputs"),
    [
        ("chief_a", {"referred_on": "2026-10-20", "number": "纪移〔2026〕3号"}),  # the center refers
        ("supervisor", {"referred_on": "yesterday", "number": "纪移〔2026〕3号"}),
        ("supervisor", {"referred_on": "2026-10-22", "number": "纪移〔2026〕3号"}),  # in the future
        ("supervisor", {"referred_on": "2026-10-01", "number": "纪移〔2026〕3号"}),  # before the order
        ("supervisor", {"referred_on": "2026-10-20", "number": " "}),
        ("supervisor", {"referred_on": "2026-10-20", "number": "号" * 61}),
    ],
)
def test_bad_referrals_are_refused_and_nothing_is_stored(ctx, world_ids, who, inputs):
    handled_complaint(world_ids)
    order = the_order()
    with pytest.raises(rectification_orders.OrderError):
        rectification_orders.refer(db.session, actor(who), order, order.version, datetime(2026, 10, 21, 9), **inputs)
    db.session.rollback()
    assert the_order().referred_on is None


def test_a_referral_to_the_discipline_inspectors_records_date_and_number_once(ctx, world_ids):
    handled_complaint(world_ids)
    order = the_order()
    now = datetime(2026, 10, 21, 9, 0)
    rectification_orders.refer(
        db.session, actor("supervisor"), order, order.version, now, referred_on="2026-10-20", number="纪移〔2026〕3号"
    )
    db.session.commit()
    order = the_order()
    assert (order.referred_on, order.referral_number) == (date(2026, 10, 20), "纪移〔2026〕3号")
    assert order.referred_by and order.status is OrderStatus.open  # still to be rectified
    with pytest.raises(rectification_orders.OrderError):
        rectification_orders.refer(
            db.session, actor("manager"), order, order.version, now, referred_on="2026-10-21", number="另一号"
        )
    db.session.rollback()


def test_ordered_replacement_opens_a_sent_back_request_for_the_center_to_approve(ctx, world_ids):
    handled_complaint(world_ids, sanctions=["replacement"])
    change = db.session.scalar(sa.select(PersonnelChange))
    assert change.kind is ChangeKind.sent_back and change.status is ChangeStatus.pending
    assert change.staff_id == world_ids["staff_staff_a"] and change.department_id == world_ids["dept_a"]
    assert change.effective_on == HANDLED.date() and "责令换人" in change.reason
    rules = personnel.Rules()
    personnel.approve(db.session, actor("manager"), change, change.version, datetime(2026, 10, 12, 9, 0), rules)
    db.session.commit()
    assert db.session.get(Staff, world_ids["staff_staff_a"]).status is StaffStatus.left


def test_ordered_replacement_without_a_named_staff_member_is_refused_and_nothing_is_stored(ctx, world_ids):
    with pytest.raises(complaints.ComplaintError):
        handled_complaint(world_ids, sanctions=["replacement"], staff=False)
    db.session.rollback()
    assert count(PersonnelChange) == 0 and count(RectificationOrder) == 0


def test_circulated_criticism_reaches_every_chief_representative_and_the_center_once(ctx, world_ids):
    complaint = handled_complaint(world_ids, sanctions=["circulated", "criticism"])
    sent = db.session.scalars(sa.select(Notice).where(Notice.kind == NoticeKind.sanction_circulated)).all()
    users = {notice.user_id for notice in sent}
    assert users == {world_ids[f"user_{name}"] for name in ("supervisor", "manager", "chief_a", "chief_b")}, (
        "the two chiefs and the center"
    )
    assert all(complaint.number in notice.detail and "通报批评" in notice.detail for notice in sent)
    circulated = next(s for s in complaint.sanctions if s.kind.name == "circulated")
    assert complaints.circulate(db.session, circulated, "投诉", complaint.department_id, HANDLED) == 0  # once


def test_the_order_is_delivered_to_the_departments_chief_representative(ctx, world_ids):
    handled_complaint(world_ids)
    order = the_order()
    sent = db.session.scalars(sa.select(Notice).where(Notice.kind == NoticeKind.order_issued)).all()
    assert [notice.user_id for notice in sent] == [world_ids["user_chief_a"]]
    assert order.number in sent[0].detail and "2026-10-15 17:30" in sent[0].detail
    assert sent[0].key == f"order-issued:{order.id}"

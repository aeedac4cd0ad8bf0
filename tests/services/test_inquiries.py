"""首问登记 with a fixed `now`: a referral's deadline counts working days across a weekend; an
overdue inquiry is told once and recorded once against its first responder; responsibility stays
with the first responder after a reply; the phone history finds every written form of a number;
the figures count in one query; bad input is refused in Chinese with nothing written."""

from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AssessmentRecord
from app.models.inquiry import Inquiry, InquiryStatus
from app.models.notice import Notice, NoticeKind
from app.services import assessment, inquiries
from app.services.inquiries import InquiryError
from app.services.scope import Kind, Scope
from tests.services.test_case_flow import actor

FRIDAY = datetime(2026, 11, 13, 10, 0)  # no holiday near it: the deadline runs over a plain weekend
NOVEMBER = date(2026, 11, 1)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


def refer(world_ids, who="staff_a", to="staff_b", phone="138-0000-1234", now=FRIDAY, **extra):
    inquiry = inquiries.record(
        db.session,
        actor(who),
        now,
        channel="phone",
        inquirer_name="王女士",
        phone=phone,
        topic="户口迁移需要什么材料",
        referred_staff_id=world_ids[f"staff_{to}"] if to else None,
        **extra,
    )
    db.session.commit()
    return inquiry


def test_a_referral_is_due_three_working_days_later_across_the_weekend(ctx, world_ids):
    inquiry = refer(world_ids)
    # Friday 13 is day 0; Monday 16, Tuesday 17, Wednesday 18: due at the close of office hours.
    assert inquiry.due_at == datetime(2026, 11, 18, 17, 30)
    assert inquiry.status is InquiryStatus.referred
    assert inquiry.phone == "13800001234"  # stored in its one written form
    assert (inquiry.responder_id, inquiry.department_id) == (world_ids["staff_staff_a"], world_ids["dept_a"])
    # Referred to a colleague: the department is the colleague's, and the colleague is told.
    assert inquiry.referred_department_id == world_ids["dept_b"]
    told = db.session.scalars(sa.select(Notice.user_id).where(Notice.kind == NoticeKind.inquiry_referred)).all()
    assert told == [world_ids["user_staff_b"]]


def test_an_inquiry_answered_on_the_spot_is_closed_at_once(ctx, world_ids):
    inquiry = inquiries.record(
        db.session,
        actor("staff_a"),
        FRIDAY,
        channel="walk_in",
        inquirer_name="李先生",
        phone="",
        topic="营业执照在几号窗口办理",
        matter_id=world_ids["matter_a"],
        answer="请到 A01 窗口",
    )
    assert inquiry.status is InquiryStatus.closed and inquiry.closed_at == FRIDAY and inquiry.due_at is None
    assert inquiry.phone is None


def test_an_overdue_inquiry_is_told_once_and_recorded_once_against_the_first_responder(ctx, world_ids):
    inquiry = refer(world_ids)
    before = datetime(2026, 11, 18, 17, 29)
    assert inquiries.flag_overdue(db.session, before) == 0
    after = datetime(2026, 11, 18, 18, 0)
    assert inquiries.flag_overdue(db.session, after) > 0
    db.session.commit()
    assert inquiries.flag_overdue(db.session, datetime(2026, 11, 19, 9, 0)) == 0  # a rerun changes nothing
    sent = db.session.scalars(sa.select(Notice).where(Notice.kind == NoticeKind.inquiry_overdue)).all()
    # The first responder and their department's chief representative, once each (not the referred side).
    assert sorted(n.user_id for n in sent) == sorted([world_ids["user_staff_a"], world_ids["user_chief_a"]])
    assert all("户口迁移" in n.detail and "2026-11-18 17:30" in n.detail for n in sent)
    records = db.session.scalars(sa.select(AssessmentRecord)).all()
    assert len(records) == 1
    [record] = records
    assert record.rule.code == "first_inquiry" and record.points == Decimal("-1")
    assert (record.staff_id, record.window_id, record.month) == (
        world_ids["staff_staff_a"],
        world_ids["win_a"],
        NOVEMBER,
    )
    assert record.source_key == f"inquiry:{inquiry.id}"
    # The month's collect job finds the record there already; closing late keeps it.
    db.session.refresh(inquiry)
    inquiries.close(
        db.session, actor("staff_a"), inquiry, inquiry.version, datetime(2026, 11, 19, 10, 0), note="已答复"
    )
    assert assessment.collect(db.session, NOVEMBER, datetime(2026, 12, 2, 2, 0)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AssessmentRecord)) == 1


def test_an_inquiry_closed_in_time_is_never_flagged(ctx, world_ids):
    inquiry = refer(world_ids)
    inquiries.close(db.session, actor("staff_a"), inquiry, inquiry.version, datetime(2026, 11, 16, 9, 0), note="已答复")
    db.session.commit()
    assert inquiries.flag_overdue(db.session, datetime(2026, 11, 30, 9, 0)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AssessmentRecord)) == 0


def test_responsibility_stays_with_the_first_responder_after_the_reply(ctx, world_ids):
    inquiry = refer(world_ids)
    # Not the referred one: the first responder's colleague may not reply.
    with pytest.raises(InquiryError, match="转交"):
        inquiries.reply(db.session, actor("chief_a"), inquiry, inquiry.version, FRIDAY, note="答复")
    inquiries.reply(db.session, actor("staff_b"), inquiry, inquiry.version, FRIDAY, note="需户口簿和迁入证明")
    db.session.commit()
    assert inquiry.status is InquiryStatus.referred and inquiry.reply == "需户口簿和迁入证明"
    assert inquiry.responder_id == world_ids["staff_staff_a"]
    # The referred person cannot close it, nor can the department's chief: only the first responder.
    for who in ("staff_b", "chief_b", "chief_a"):
        with pytest.raises(InquiryError, match="首问"):
            inquiries.close(db.session, actor(who), inquiry, inquiry.version, FRIDAY, note="已答复")
    # A stale page is refused.
    with pytest.raises(InquiryError, match="刷新|重新|reload|已被"):
        inquiries.close(db.session, actor("staff_a"), inquiry, inquiry.version - 1, FRIDAY, note="已答复")
    inquiries.close(db.session, actor("staff_a"), inquiry, inquiry.version, FRIDAY, note="已电话告知所需材料")
    db.session.commit()
    assert inquiry.status is InquiryStatus.closed and inquiry.answer == "已电话告知所需材料"
    # Still the first responder's when it falls overdue before closing: see the test above.


def test_the_phone_history_finds_every_written_form_of_the_number(ctx, world_ids):
    first = refer(world_ids, phone="0396-2812345")
    second = refer(world_ids, phone="(0396)2812345", now=datetime(2026, 11, 16, 9, 0))
    refer(world_ids, phone="13900001111")
    found = inquiries.history(db.session, "03962812345")
    assert [i.id for i in found] == [second.id, first.id]
    # In scope only: staff_b was referred both; chief_b's department too; another department's staff not.
    staff_b = Scope(kind=Kind.own, department_id=world_ids["dept_b"], staff_id=world_ids["staff_staff_b"])
    assert len(inquiries.history(db.session, "0396-2812345", staff_b.clause(Inquiry))) == 2
    with pytest.raises(InquiryError, match="电话号码"):
        inquiries.history(db.session, "12345")


def test_the_scope_of_each_kind(ctx, world_ids):
    mine = refer(world_ids, who="staff_a", to="staff_b")
    other = refer(world_ids, who="chief_b", to=None, referred_department_id=world_ids["dept_b"])

    def seen(scope):
        return set(db.session.scalars(sa.select(Inquiry.id).where(scope.clause(Inquiry))))

    staff_a = Scope(kind=Kind.own, department_id=world_ids["dept_a"], staff_id=world_ids["staff_staff_a"])
    staff_b = Scope(kind=Kind.own, department_id=world_ids["dept_b"], staff_id=world_ids["staff_staff_b"])
    chief_a = Scope(kind=Kind.department, department_id=world_ids["dept_a"], staff_id=world_ids["staff_chief_a"])
    chief_b = Scope(kind=Kind.department, department_id=world_ids["dept_b"], staff_id=world_ids["staff_chief_b"])
    town = Scope(kind=Kind.center, center_id=world_ids["town"])
    county = Scope(kind=Kind.center, center_id=world_ids["county"])
    assert seen(staff_a) == {mine.id}  # received
    assert seen(staff_b) == {mine.id}  # referred to them (not the department's other inquiry)
    assert seen(chief_a) == {mine.id}
    assert seen(chief_b) == {mine.id, other.id}  # referred to the department, and its own
    assert seen(town) == set() and seen(county) == {mine.id, other.id}


def test_the_figures_count_received_closed_open_and_overdue(ctx, world_ids):
    refer(world_ids)
    closed_late = refer(world_ids, phone="13900001111")
    inquiries.close(
        db.session, actor("staff_a"), closed_late, closed_late.version, datetime(2026, 11, 19, 9, 0), note="已答复"
    )
    inquiries.record(
        db.session,
        actor("staff_a"),
        FRIDAY,
        channel="walk_in",
        inquirer_name="赵",
        phone=None,
        topic="咨询",
        answer="已答",
    )
    db.session.commit()
    figures = inquiries.figures(db.session, NOVEMBER, date(2026, 12, 1), datetime(2026, 11, 20, 9, 0))
    assert (figures.received, figures.on_the_spot, figures.referred, figures.closed, figures.open, figures.overdue) == (
        3,
        1,
        2,
        2,
        1,
        2,
    )
    assert figures.closure_rate == pytest.approx(2 / 3)
    dept_b = inquiries.figures(
        db.session, NOVEMBER, date(2026, 12, 1), FRIDAY, Inquiry.department_id == world_ids["dept_b"]
    )
    assert dept_b.received == 0 and dept_b.closure_rate is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"phone": "12345"}, "电话号码"),
        ({"inquirer_name": "  "}, "姓名"),
        ({"topic": ""}, "内容|事项"),
        ({"channel": "fax"}, "方式|渠道"),
        ({"answer": "已答", "referred_staff_key": "staff_b"}, "不能同时|二选一|或"),
        ({"referred_staff_key": None}, "答复|转交"),
        ({"referred_staff_key": "staff_a"}, "转交"),
        ({"topic": "长" * 501}, "500"),
    ],
)
def test_bad_input_is_refused_in_chinese_with_nothing_written(ctx, world_ids, fields, message):
    values = {
        "channel": "phone",
        "inquirer_name": "王女士",
        "phone": "13800001234",
        "topic": "咨询",
        "referred_staff_key": "staff_b",
        **fields,
    }
    key = values.pop("referred_staff_key")
    values["referred_staff_id"] = world_ids[f"staff_{key}"] if key else None
    with pytest.raises(InquiryError, match=message):
        inquiries.record(db.session, actor("staff_a"), FRIDAY, **values)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Inquiry)) == 0


def test_a_login_without_a_staff_record_is_refused(ctx, world_ids):
    with pytest.raises(InquiryError, match="工作人员"):
        refer(world_ids, who="supervisor")

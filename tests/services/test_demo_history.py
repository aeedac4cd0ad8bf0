"""The demo county after a year of use (demo/history.py): every page a new user opens has rows,
written through the services and the replayed jobs, and the inbox is what reading leaves."""

from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import Role, User
from sqlalchemy.engine import make_url

from app.models import Case
from app.models.appeal import Appeal, AppealStatus
from app.models.assessment import MonthlyScore, QuarterlyResult
from app.models.feedback import (
    BAD_LEVELS,
    Complaint,
    ComplaintFinding,
    ComplaintStage,
    Evaluation,
    OrderStatus,
    Rectification,
    RectificationOrder,
    RectificationStatus,
    Sanction,
)
from app.models.jobs import JobRun
from app.models.leadership import LeaderDuty, LeaderVisit
from app.models.notice import Notice, NoticeKind
from app.models.org import Center, Staff, Window, WindowKind
from app.models.personnel import (
    AttendanceRecord,
    ChangeStatus,
    LeaveRequest,
    LeaveStatus,
    LeaveTier,
    PersonnelChange,
    WindowRotation,
)
from app.models.report import MonthlyReport
from app.services import calendar, reports, rotation
from app.services.demo.history import UNREAD_DAYS, seed_history
from app.services.demo.leaders import LAX_DEPARTMENTS
from config import ROLE_DUTIES
from tests.conftest import TEST_DB_URL, _config_dict, empty_database

NOW = datetime(2026, 11, 24, 10, 0)
START = NOW - timedelta(days=130)  # a short year: August to October are finished months, Q3 a finished quarter
FINISHED = [date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)]


@pytest.fixture(scope="module")
def lived_in():
    from flask_migrate import upgrade

    from app import create_app
    from app.cli import init_database, seed_demo_data
    from app.extensions import db
    from app.services.case_flow import Clock
    from app.services.demo.cases import generate_cases

    with empty_database(f"{Path(make_url(TEST_DB_URL).database).stem}_history") as url:
        application = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": url})
        with application.app_context():
            upgrade()
            init_database()
            seed_demo_data()
            with db.engine.begin() as connection:
                generate_cases(connection, year_start=START, count=2500, clock=Clock.load(db.session), now=NOW)
            totals = seed_history(db.session, NOW)
            db.session.commit()
            yield db.session, totals
            assert seed_history(db.session, NOW) == {}  # written once: a second seed leaves it as it is
            db.session.remove()
            db.engine.dispose()


def count(session, model, *where):
    return session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_monthly_reports_for_every_finished_month_some_late(lived_in):
    session, _totals = lived_in
    centers = session.scalars(sa.select(Center.id).where(Center.level.in_(reports.REPORTING_LEVELS))).all()
    rows = session.scalars(sa.select(MonthlyReport)).all()
    assert {(r.center_id, r.month) for r in rows} == {(c, m) for c in centers for m in FINISHED}
    work_calendar = calendar.load(session)
    for report in rows:
        assert report.file_name.endswith("月报.xlsx") and report.figures["accepted"] >= 0
        assert report.due_on == reports.due_on(work_calendar, report.month, 5)
        if report.submitted_at is not None:
            assert report.late == (report.submitted_at.date() > report.due_on)
    submitted = [r for r in rows if r.submitted_at]
    assert submitted and any(r.late for r in submitted) and sum(r.late for r in submitted) < len(submitted) / 2
    # A township center or sub-center with a head submits its own report (seed 000), the county its own.
    heads = dict(
        session.execute(
            sa.select(Staff.center_id, Staff.name)
            .join(User, User.id == Staff.user_id)
            .join(User.roles)
            .where(Role.name.in_(ROLE_DUTIES["center_head"]))
        ).all()
    )
    assert heads and any(r.center_id in heads for r in submitted)
    for report in submitted:
        assert report.submitted_by == heads.get(report.center_id, report.submitted_by)
        if report.center_id not in heads:
            assert report.submitted_by not in heads.values()
    # The late ones were flagged to the center before they came in.
    late_notices = count(session, Notice, Notice.kind == "report_late")
    assert late_notices >= 2 * sum(r.late for r in submitted)
    assert count(session, JobRun, JobRun.job == "monthly_report") == len(FINISHED)


def test_scores_and_quarterly_results(lived_in):
    session, _totals = lived_in
    kinds = Counter(
        (kind.name, month) for kind, month in session.execute(sa.select(MonthlyScore.kind, MonthlyScore.month)).all()
    )
    for month in FINISHED:
        assert kinds[("staff", month)] > 50 and kinds[("window", month)] > 20 and kinds[("department", month)] > 10
    quarters = Counter(session.scalars(sa.select(QuarterlyResult.quarter_start)))
    assert quarters[date(2026, 7, 1)] > 50


def test_leave_in_every_state_through_the_tiers(lived_in):
    session, totals = lived_in
    requests = session.scalars(sa.select(LeaveRequest)).all()
    states = Counter(r.status for r in requests)
    assert set(states) == set(LeaveStatus) and states[LeaveStatus.approved] > states[LeaveStatus.rejected]
    waiting = [r for r in requests if r.status is LeaveStatus.pending]
    # Waiting at the department, and (3 days or more) approved there and waiting for the center.
    assert any(r.department_approved_by is None for r in waiting)
    assert any(r.tier is LeaveTier.joint and r.department_approved_by and not r.center_approved_by for r in waiting)
    for request in requests:
        if request.status is LeaveStatus.approved and request.tier is LeaveTier.joint:
            assert request.department_approved_by and request.center_approved_by
        if request.status is LeaveStatus.rejected:
            assert request.decision_note and request.decided_at >= request.requested_at
    assert sum(totals["leave"].values()) == len(requests)
    # Approved leave shows on the attendance of its days.
    assert count(session, AttendanceRecord, AttendanceRecord.kind.in_(["on_leave", "official"])) > 0


def test_complaints_at_every_stage_with_findings_and_sanctions(lived_in):
    session, _totals = lived_in
    complaints = session.scalars(sa.select(Complaint)).all()
    assert {c.stage for c in complaints} == set(ComplaintStage)
    for complaint in complaints:
        passed = list(ComplaintStage).index(complaint.stage)
        assert (complaint.finding is not None) == (passed >= 2)
        assert (complaint.reply is not None) == (passed >= 3)
        if complaint.finding is ComplaintFinding.unsubstantiated:
            assert not complaint.sanctions
    assert count(session, Sanction) > 0


def test_every_bad_review_has_its_rectification(lived_in):
    session, _totals = lived_in
    bad = count(session, Evaluation, Evaluation.level.in_(BAD_LEVELS), Evaluation.is_default.is_(False))
    rows = session.scalars(sa.select(Rectification)).all()
    assert bad > 10 and len(rows) == bad
    states = Counter(r.status for r in rows)
    assert states[RectificationStatus.closed] > len(rows) / 2 and len(states) >= 3
    for row in rows:
        assert row.contact_due_at > row.opened_at and row.rectify_due_at >= row.contact_due_at
        assert (row.verdict is not None) == (row.status is RectificationStatus.closed)
        assert row.version == list(RectificationStatus).index(row.status) + 1


def test_personnel_changes_waiting_approved_and_rejected_none_applied(lived_in):
    session, _totals = lived_in
    changes = session.scalars(sa.select(PersonnelChange)).all()
    assert {c.status for c in changes} == {ChangeStatus.pending, ChangeStatus.approved, ChangeStatus.rejected}
    assert all(c.applied_at is None for c in changes)
    assert all(c.effective_on > NOW.date() for c in changes if c.status is not ChangeStatus.rejected)


def test_appeals_of_the_last_deductions_in_every_state(lived_in):
    session, _totals = lived_in
    rows = session.scalars(sa.select(Appeal)).all()
    assert {a.status for a in rows} == set(AppealStatus)
    for appeal in rows:
        assert appeal.record_id or appeal.status is AppealStatus.cancelled  # a cancelled deduction is deleted
        assert (appeal.chief_comment is not None) == (appeal.status is not AppealStatus.filed)


def test_rosters_cover_the_year_and_the_coming_weeks(lived_in):
    session, _totals = lived_in
    windows = session.scalars(sa.select(Window.id).where(Window.kind == WindowKind.comprehensive)).all()
    rotating = [window_id for window_id in windows if rotation.members(session, window_id)]  # members take turns
    assert rotating
    for window_id in rotating:
        weeks = set(session.scalars(sa.select(WindowRotation.week_start).where(WindowRotation.window_id == window_id)))
        monday = rotation.monday(START.date())
        while monday <= NOW.date() + timedelta(weeks=4):
            assert monday in weeks, (window_id, monday)
            monday += timedelta(weeks=1)


def test_attendance_on_every_working_day_of_the_year(lived_in):
    session, _totals = lived_in
    work_calendar = calendar.load(session)
    days = set(session.scalars(sa.select(AttendanceRecord.day).distinct()))
    day = START.date()
    while day < NOW.date():
        assert (day in days) == work_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_every_notice_says_what_it_is_about_and_old_ones_are_read(lived_in):
    session, _totals = lived_in
    assert count(session, Notice) > 100
    assert count(session, Notice, sa.or_(Notice.detail.is_(None), Notice.detail == "")) == 0
    for kind, detail in session.execute(sa.select(Notice.kind, Notice.detail)):
        # Which case, report, complaint or rectification, and until when.
        assert any(
            word in detail
            for word in (
                "办件",
                "联办件",
                "月报",
                "投诉",
                "差评整改",
                "节假日",
                "申诉",
                "到窗口指导",
                "坐班",
                "检查",
                "联席会议",
                "首问",
            )
        ), (
            kind,
            detail,
        )
        assert "20" in detail, (kind, detail)
    extended = session.scalars(sa.select(Notice.detail).where(Notice.kind == "case_extended")).all()
    assert extended and all("已批准延期" in d and "个工作日" in d and "延期理由：" in d for d in extended)
    cutoff = NOW - timedelta(days=UNREAD_DAYS)
    assert count(session, Notice, Notice.read_at.is_(None), Notice.created_at < cutoff) == 0
    assert count(session, Notice, Notice.read_at.is_not(None), Notice.read_at < Notice.created_at) == 0
    unread = Counter(session.scalars(sa.select(Notice.user_id).where(Notice.read_at.is_(None))))
    assert max(unread.values(), default=0) < 200


def test_the_cases_of_the_year_are_left_as_generated(lived_in):
    session, _totals = lived_in
    assert count(session, Case) == 2500
    assert count(session, Evaluation, Evaluation.is_default.is_(True)) > 0  # the replayed feedback scan


def test_substantiated_complaints_have_rectification_orders_in_realistic_states(lived_in):
    session, _totals = lived_in
    handled = session.scalars(
        sa.select(Complaint).where(
            Complaint.finding.in_([ComplaintFinding.substantiated, ComplaintFinding.partly]),
            Complaint.reply.is_not(None),
        )
    ).all()
    orders = session.scalars(sa.select(RectificationOrder).where(RectificationOrder.complaint_id.is_not(None))).all()
    assert handled and sorted(o.complaint_id for o in orders) == sorted(c.id for c in handled)
    states = Counter(order.status for order in orders)
    assert states[OrderStatus.closed] > len(orders) / 2 and states[OrderStatus.open]  # the newest still open
    assert any(order.referred_on for order in orders)  # one rectified late, after its referral to 纪检
    for order in orders:
        assert order.issued_at < order.due_at and order.department_id == order.complaint.department_id
        closed = order.status is OrderStatus.closed
        assert closed == (order.closed_at is not None) == bool(order.closure_note) == bool(order.closed_by)
        assert not closed or order.issued_at < order.closed_at < NOW
        if order.referred_on is not None:
            assert order.referral_number and order.due_at.date() < order.referred_on <= NOW.date()


def test_leaders_sit_and_visit_and_a_few_departments_fall_below_the_minimum(lived_in):
    session, totals = lived_in
    assert totals["leaders"] > 100
    assert count(session, LeaderVisit, LeaderVisit.visited_at >= NOW) == 0
    assert count(session, LeaderDuty, LeaderDuty.day > NOW.date()) > 0  # the coming weeks' roster
    keys = session.scalars(sa.select(Notice.key).where(Notice.kind == NoticeKind.leaders_below_minimum)).all()
    flagged = {key.rsplit(":", 1)[1] for key in keys}
    assert 1 <= len(flagged) <= LAX_DEPARTMENTS
    # None of them had its principal leader at the windows in the third quarter (seed 003 第五条).
    assert {key.rsplit(":", 1)[1] for key in keys if key.startswith("leaders:2026-Q3:principal:")} == flagged


def test_inspections_with_findings_orders_and_a_joint_meeting_fill_the_pages(lived_in):
    from app.models.assessment import AssessmentRecord
    from app.models.inspection import Inspection, InspectionFinding, JointMeeting, MeetingFollowUp

    session, totals = lived_in
    assert totals["inspections"] > 10 and count(session, Inspection) >= 6
    assert count(session, Inspection, Inspection.inspected_at >= NOW) == 0
    assert count(session, InspectionFinding) >= 8
    # A deduction the monthly scoring counts, and a sanction the collect job turned into one.
    assert count(session, AssessmentRecord, AssessmentRecord.source_key.like("inspection:%")) >= 1
    sanction = session.scalar(sa.select(Sanction).where(Sanction.inspection_finding_id.is_not(None)))
    assert sanction is not None
    assert count(session, AssessmentRecord, AssessmentRecord.source_key == f"sanction:{sanction.id}") == 1
    orders = session.scalars(
        sa.select(RectificationOrder).where(RectificationOrder.inspection_finding_id.is_not(None))
    ).all()
    assert {o.status for o in orders} == {OrderStatus.open, OrderStatus.closed}
    [meeting] = session.scalars(sa.select(JointMeeting)).all()
    assert meeting.centers and len(meeting.follow_ups) == 2
    open_ones = [f for f in meeting.follow_ups if f.closed_at is None]
    assert len(open_ones) == 1 and open_ones[0].due_on < NOW.date()
    # The replayed scan told the center of the overdue follow-up.
    keys = session.scalars(sa.select(Notice.key).where(Notice.kind == NoticeKind.follow_up_overdue)).all()
    assert f"follow-up:{open_ones[0].id}" in keys
    assert count(session, MeetingFollowUp) == 2


def test_data_corrections_applied_rejected_and_waiting(lived_in):
    from app.models import AuditLog
    from app.models.correction import CorrectionRequest, CorrectionStatus

    session, totals = lived_in
    assert totals["corrections"] == {"applied": 1, "rejected": 1, "pending": 1}
    applied = session.scalar(sa.select(CorrectionRequest).where(CorrectionRequest.status == CorrectionStatus.applied))
    assert applied.case.applicant_phone == applied.new_value and applied.decided_at <= NOW
    entry = session.scalar(sa.select(AuditLog).where(AuditLog.table_name == "case"))
    assert entry.changes["correction_request"] == [None, applied.id]


def test_key_projects_under_proxy_with_their_sheets_and_call_backs(lived_in):
    from app.models.proxy import CaseProxy, ProxyEntry
    from app.services import proxy

    session, totals = lived_in
    made = totals["proxies"]
    assert made["proxies"] == count(session, CaseProxy) >= 4
    assert made["callbacks"] == count(session, CaseProxy, CaseProxy.callback_at.is_not(None)) >= 1
    assert count(session, ProxyEntry) >= 2 * made["proxies"]
    assert count(session, CaseProxy, CaseProxy.proxy_fee != 0) == 0
    assert len(session.scalars(proxy.awaiting_callback()).all()) <= 2
    assert made["urgent_matters"] > 0


def test_first_inquiries_answered_referred_closed_and_two_overdue(lived_in):
    from app.models.assessment import AssessmentRecord
    from app.models.inquiry import Inquiry, InquiryStatus

    session, totals = lived_in
    assert totals["inquiries"] == 30 and count(session, Inquiry) == 30
    assert count(session, Inquiry, Inquiry.received_at >= NOW) == 0
    assert count(session, Inquiry, Inquiry.due_at.is_(None), Inquiry.status == InquiryStatus.closed) >= 20
    assert count(session, Inquiry, Inquiry.reply.is_not(None)) >= 5
    # Two left open past their deadline: flagged by the replayed scan, told, and deducted once each.
    overdue = session.scalars(sa.select(Inquiry.id).where(Inquiry.overdue_at.is_not(None))).all()
    assert count(session, Inquiry, Inquiry.status == InquiryStatus.referred, Inquiry.due_at < NOW) == 2
    assert len(overdue) >= 2
    for inquiry_id in overdue:
        assert count(session, AssessmentRecord, AssessmentRecord.source_key == f"inquiry:{inquiry_id}") == 1
        assert count(session, Notice, Notice.key == f"inquiry-overdue:{inquiry_id}") >= 1
    # A caller who called before finds the history by phone.
    phones = Counter(session.scalars(sa.select(Inquiry.phone).where(Inquiry.phone.is_not(None))))
    assert max(phones.values()) >= 2


def test_a_few_cases_were_accepted_with_a_tolerated_material_most_brought_in(lived_in):
    from app.models.case import ToleratedMaterial
    from app.models.matter import MatterMaterial

    session, totals = lived_in
    assert count(session, MatterMaterial, MatterMaterial.tolerable.is_(True)) > 0
    assert 3 <= totals["tolerated"] == count(session, ToleratedMaterial) <= 10
    assert count(session, ToleratedMaterial, ToleratedMaterial.received_at.is_not(None)) >= 2
    assert count(session, ToleratedMaterial, ToleratedMaterial.received_at.is_(None)) >= 1

"""Every notice says what it is about: which case, report, complaint or rectification, whose, why
and the limit it passed (the inbox's 详情 was empty for extensions without a note)."""

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import Case, Rectification
from app.models.feedback import ComplaintChannel, EvaluationChannel
from app.models.notice import Notice, NoticeKind
from app.models.org import Center
from app.services import calendar, complaints, evaluations, notices, rectifications, reports
from tests.services.test_feedback import complaint_limits, completed_case, ctx, limits  # noqa: F401


def details(kind):
    return db.session.scalars(sa.select(Notice.detail).where(Notice.kind == kind).distinct()).all()


def test_rectification_past_its_limit_names_the_case_department_and_limit(ctx, world_ids):  # noqa: F811
    case = completed_case(world_ids)
    evaluations.rate(db.session, case, level=1, channel=EvaluationChannel.phone, now=case.finished_at, limits=limits())
    db.session.commit()
    item = db.session.scalar(sa.select(Rectification))
    assert rectifications.flag_overdue(db.session, datetime(2026, 10, 8, 17, 31)) == 3
    assert details("rectification_overdue") == [
        f"差评整改：办件 {case.number}（{case.department.name}）的差评（评价 1 级），"
        f"应于 {item.contact_due_at:%Y-%m-%d %H:%M} 前联系申请人，已超过时限。"
    ]


def test_complaint_stage_and_whole_limit_name_the_complaint_and_the_limit(ctx, world_ids):  # noqa: F811
    complaint = complaints.file(
        db.session,
        complaints.Filing(
            subject="窗口人员态度差",
            content="办理营业执照时被推诿",
            complainant_phone="13800001234",
            department_id=world_ids["dept_a"],
        ),
        ComplaintChannel.phone,
        world_ids["county"],
        datetime(2026, 9, 30, 16, 0),
        complaint_limits(),
    )
    db.session.commit()
    stage_due = complaint.stage_due_at
    complaints.flag_overdue(db.session, datetime(2026, 10, 8, 18, 0), None)
    about = f"投诉 {complaint.number}（{complaint.department.name}）「窗口人员态度差」"
    assert details("complaint_overdue") == [f"{about}受理环节已超过时限 {stage_due:%Y-%m-%d %H:%M}，请尽快办理。"]
    complaints.flag_overdue(db.session, complaint.due_at, None)
    assert f"{about}已超过办结总时限 {complaint.due_at:%Y-%m-%d %H:%M}，仍未办结归档。" in (
        details("complaint_overdue")
    )


def test_late_report_names_center_month_and_due_date(ctx, world_ids):  # noqa: F811
    county = db.session.get(Center, world_ids["county"])
    report = reports.generate(
        db.session,
        county,
        date(2026, 9, 1),
        datetime(2026, 10, 9, 9, 0),
        "系统",
        calendar=calendar.load(db.session),
        due_workday=5,
    )
    db.session.commit()
    assert reports.flag_late(db.session, datetime.combine(report.due_on + timedelta(days=1), time(9, 0)))
    assert details("report_late") == [f"{county.name} 2026-09 月报应于 {report.due_on:%Y-%m-%d} 前报送，至今未提交。"]


def test_text_reads_a_missing_part_as_empty_and_insert_cuts_to_the_column(ctx, world_ids):  # noqa: F811
    case = db.session.get(Case, completed_case(world_ids).id)
    detail = notices.text("办件 ", Case.number, notices.optional("；理由：", sa.null()), "。" + "长" * 400)
    written = notices.insert(
        db.session.connection(),
        NoticeKind.case_overdue,
        sa.select(
            sa.literal(world_ids["user_supervisor"]).label("user_id"),
            sa.literal("test:1").label("key"),
            Case.id.label("case_id"),
            detail.label("detail"),
        ).where(Case.id == case.id),
        datetime(2026, 10, 9, 9, 0),
    )
    assert written == 1
    stored = db.session.scalar(sa.select(Notice.detail).where(Notice.key == "test:1"))
    assert stored.startswith(f"办件 {case.number}。长") and len(stored) == notices.DETAIL_LENGTH

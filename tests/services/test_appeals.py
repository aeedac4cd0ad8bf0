"""Appeals (申诉, issue 14 §5): filed in time by the staff member, commented by the chief
representative, upheld or cancelled by a supervisor; a cancelled deduction leaves the month's
score (re-scored, the month being scored already) and the quarter's violation count."""

from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AssessmentRecord, AuditLog, MonthlyScore, Notice, QuarterlyResult, Violation, ViolationKind
from app.models.appeal import Appeal, AppealStatus
from app.models.case import ViolationStatus
from app.models.personnel import AttendanceKind, AttendanceRecord
from app.models.system import Setting
from app.services import appeals, scoring_month, scoring_periods
from app.services.appeals import AppealError
from tests.services.test_case_flow import actor

OCTOBER = date(2026, 10, 1)
FRIDAY = datetime(2026, 10, 9, 10, 0)  # the violation; 3 working days on: Sat 10 (makeup), Mon 12, Tue 13 October
FILED = datetime(2026, 10, 12, 9, 0)
SCORED = datetime(2026, 11, 2, 2, 0)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield db.session
        db.session.remove()


def add_violation(world_ids, at=FRIDAY, who="staff_a", kind=ViolationKind.step_overdue):
    violation = Violation(
        kind=kind,
        at=at,
        department_id=world_ids["dept_a"],
        staff_id=world_ids[f"staff_{who}"],
        window_id=world_ids["win_a"],
        detail="环节超时",
    )
    db.session.add(violation)
    db.session.commit()
    return violation


def staff_score(world_ids, who="staff_a"):
    return db.session.scalar(
        sa.select(MonthlyScore.score).where(
            MonthlyScore.month == OCTOBER, MonthlyScore.staff_id == world_ids[f"staff_{who}"]
        )
    )


def walk(appeal, *, cancel, now=datetime(2026, 10, 13, 9, 0)):
    appeals.comment(db.session, actor("chief_a"), appeal, appeal.version, now, text="经核实，系统故障所致")
    db.session.commit()
    appeals.decide(db.session, actor("supervisor"), appeal, appeal.version, now, cancel=cancel, note="督查意见")
    db.session.commit()
    return appeal


def file_violation(violation, now=FILED, who="staff_a"):
    appeal = appeals.file(
        db.session, actor(who), now, violation_id=violation.id, reason="系统故障导致超时", evidence="运维工单 2026-101"
    )
    db.session.commit()
    return appeal


def test_cancelled_appeal_rescores_the_month_and_is_audited_and_notified(ctx, world_ids):
    violation = add_violation(world_ids)
    scoring_month.run_month(db.session, OCTOBER, SCORED)
    db.session.commit()
    assert staff_score(world_ids) == Decimal("99.50")  # violation −0.5

    appeal = file_violation(violation)
    assert appeal.status is AppealStatus.filed and appeal.month == OCTOBER
    walk(appeal, cancel=True)

    assert appeal.status is AppealStatus.cancelled
    assert db.session.get(Violation, violation.id).status is ViolationStatus.cancelled
    assert staff_score(world_ids) == Decimal("100.00")  # the closed month scored again
    scoring_month.run_month(db.session, OCTOBER, SCORED)  # and it stays out
    assert staff_score(world_ids) == Decimal("100.00")

    audit = db.session.execute(
        sa.select(AuditLog.action, AuditLog.changes).where(AuditLog.table_name == "appeal").order_by(AuditLog.id)
    ).all()
    assert [row.action.name for row in audit] == ["insert", "update", "update"]
    assert audit[2].changes["status"] == ["commented", "cancelled"]
    notices = db.session.execute(sa.select(Notice.user_id, Notice.kind)).all()
    assert sorted((user, kind.name) for user, kind in notices) == sorted(
        [
            (world_ids["user_chief_a"], "appeal_filed"),
            (world_ids["user_manager"], "appeal_commented"),
            (world_ids["user_supervisor"], "appeal_commented"),
            (world_ids["user_staff_a"], "appeal_decided"),
        ]
    )


def test_upheld_appeal_leaves_the_score(ctx, world_ids):
    violation = add_violation(world_ids)
    scoring_month.run_month(db.session, OCTOBER, SCORED)
    db.session.commit()
    appeal = walk(file_violation(violation), cancel=False)
    assert appeal.status is AppealStatus.upheld and appeal.chief_comment == "经核实，系统故障所致"
    assert db.session.get(Violation, violation.id).status is ViolationStatus.confirmed
    assert staff_score(world_ids) == Decimal("99.50")


def test_cancelled_automatic_deduction_is_never_written_again(ctx, world_ids):
    db.session.add(
        AttendanceRecord(
            staff_id=world_ids["staff_staff_a"],
            department_id=world_ids["dept_a"],
            day=date(2026, 10, 12),
            kind=AttendanceKind.late,
        )
    )
    db.session.commit()
    scoring_month.run_month(db.session, OCTOBER, SCORED)
    db.session.commit()
    assert staff_score(world_ids) == Decimal("99.00")  # late −1
    record = db.session.scalar(sa.select(AssessmentRecord).where(AssessmentRecord.staff_id.is_not(None)))
    appeal = appeals.file(db.session, actor("staff_a"), FILED, record_id=record.id, reason="打卡机故障")
    db.session.commit()
    walk(appeal, cancel=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AssessmentRecord)) == 0
    assert staff_score(world_ids) == Decimal("100.00")
    scoring_month.run_month(db.session, OCTOBER, SCORED)
    db.session.commit()
    assert staff_score(world_ids) == Decimal("100.00")


def test_appeal_after_the_period_is_refused_in_chinese(ctx, world_ids):
    violation = add_violation(world_ids)
    appeals.file(db.session, actor("staff_a"), datetime(2026, 10, 13, 17, 0), violation_id=violation.id, reason="理由")
    db.session.rollback()
    with pytest.raises(AppealError) as refused:
        appeals.file(
            db.session, actor("staff_a"), datetime(2026, 10, 14, 9, 0), violation_id=violation.id, reason="理由"
        )
    assert refused.value.code == "late"
    assert "申诉期限" in str(refused.value) and "2026-10-13" in str(refused.value)


def test_who_may_do_what(ctx, world_ids):
    violation = add_violation(world_ids)
    with pytest.raises(AppealError) as refused:  # someone else's violation
        appeals.file(db.session, actor("staff_b"), FILED, violation_id=violation.id, reason="理由")
    assert refused.value.code == "actor"
    with pytest.raises(AppealError) as refused:
        appeals.file(db.session, actor("staff_a"), FILED, violation_id=violation.id, reason="  ")
    assert refused.value.code == "input"
    appeal = file_violation(violation)
    with pytest.raises(AppealError) as refused:
        file_violation(violation)
    assert refused.value.code == "duplicate"
    db.session.rollback()
    now = datetime(2026, 10, 13, 9, 0)
    with pytest.raises(AppealError) as refused:  # the supervisor waits for the chief's comment
        appeals.decide(db.session, actor("supervisor"), appeal, appeal.version, now, cancel=True, note="撤销")
    assert refused.value.code == "state"
    for who in ("chief_b", "staff_a"):  # another department's chief, the appellant
        with pytest.raises(AppealError) as refused:
            appeals.comment(db.session, actor(who), appeal, appeal.version, now, text="意见")
        assert refused.value.code == "actor"
    appeals.comment(db.session, actor("chief_a"), appeal, appeal.version, now, text="意见")
    db.session.commit()
    for who in ("staff_a", "chief_a", "leader"):  # staff can't decide, nor the chief, nor a reader
        with pytest.raises(AppealError) as refused:
            appeals.decide(db.session, actor(who), appeal, appeal.version, now, cancel=True, note="撤销")
        assert refused.value.code == "actor"
    with pytest.raises(AppealError) as refused:
        appeals.decide(db.session, actor("supervisor"), appeal, appeal.version - 1, now, cancel=True, note="撤销")
    assert refused.value.code == "stale"
    assert db.session.get(Appeal, appeal.id).status is AppealStatus.commented


def test_chief_reps_own_appeal_goes_straight_to_the_supervisors(ctx, world_ids):
    violation = add_violation(world_ids, who="chief_a")
    appeal = file_violation(violation, who="chief_a")
    assert appeal.status is AppealStatus.commented


def test_the_file_form_offers_own_items_in_time(ctx, world_ids):
    mine = add_violation(world_ids)
    add_violation(world_ids, who="chief_a")
    add_violation(world_ids, at=datetime(2026, 9, 1, 10, 0))  # long past
    choices = appeals.appealable(db.session, actor("staff_a"), FILED)
    assert [key for key, _ in choices] == [f"violation:{mine.id}"]


def test_cancelled_violation_leaves_the_quarters_count(ctx, world_ids):
    db.session.scalar(sa.select(Setting).where(Setting.key == "quarter_violations")).value = "2"
    first = add_violation(world_ids)
    add_violation(world_ids, at=datetime(2026, 10, 9, 11, 0))
    for month in (date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)):
        scoring_month.run_month(db.session, month, datetime(2027, 1, 2, 2, 0))
    scoring_periods.assess_quarter(db.session, OCTOBER, datetime(2027, 1, 2, 2, 0))
    db.session.commit()

    def reasons():
        return (
            db.session.scalar(
                sa.select(QuarterlyResult.reasons).where(QuarterlyResult.staff_id == world_ids["staff_staff_a"])
            )
            or []
        )

    assert any("违反规程操作 2 次" in reason for reason in reasons())
    walk(file_violation(first), cancel=True)
    assert not any("违反规程操作" in reason for reason in reasons())  # the quarter assessed again


def test_a_deduction_written_by_the_monthly_job_is_appealable_from_that_day(ctx, world_ids):
    db.session.add(
        AttendanceRecord(
            staff_id=world_ids["staff_staff_a"],
            department_id=world_ids["dept_a"],
            day=date(2026, 10, 12),
            kind=AttendanceKind.late,
        )
    )
    scoring_month.run_month(db.session, OCTOBER, SCORED)  # written Mon 2 Nov: until Thu 5 Nov
    db.session.commit()
    record = db.session.scalar(sa.select(AssessmentRecord).where(AssessmentRecord.staff_id.is_not(None)))
    assert [key for key, _ in appeals.appealable(db.session, actor("staff_a"), datetime(2026, 11, 5, 9, 0))] == [
        f"record:{record.id}"
    ]
    assert appeals.appealable(db.session, actor("staff_a"), datetime(2026, 11, 6, 9, 0)) == []
    with pytest.raises(AppealError) as refused:
        appeals.file(db.session, actor("staff_a"), datetime(2026, 11, 6, 9, 0), record_id=record.id, reason="理由")
    assert "2026-11-05" in str(refused.value)
    appeal = appeals.file(db.session, actor("staff_a"), datetime(2026, 11, 5, 9, 0), record_id=record.id, reason="理由")
    assert appeal.source_key == record.source_key and appeal.points == Decimal("-1.00")

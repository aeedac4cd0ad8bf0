"""A second supplement request (issue 14 §5): the clerk gives its reason, the violation waits
as "to be confirmed" and counts nowhere until a supervisor confirms it or the lapse job does."""

from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.jobs import violation_lapse_job
from app.models import AssessmentRecord, AuditLog, MonthlyScore, Notice, NoticeKind, Violation
from app.models.case import ViolationStatus
from app.services import appeals, pending_violations, scoring_month
from app.services.appeals import AppealError
from app.services.case_flow import CaseError
from tests.services.test_case_flow import act, actor, new_case

SEPTEMBER = date(2026, 9, 1)
SECOND = datetime(2026, 9, 29, 10, 0)  # Tuesday; 3 whole working days later: 30 Sep, 8 and 9 Oct
SCORED = datetime(2026, 10, 9, 2, 0)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield db.session
        db.session.remove()


def second_request(world_ids, note="申请人提交的营业执照已过期"):
    case = new_case(world_ids)
    act(case, "request_supplement", materials=["说明"])
    act(case, "receive_supplement", now=datetime(2026, 9, 29, 9, 0))
    act(case, "request_supplement", now=SECOND, materials=["新营业执照"], note=note)
    return db.session.scalar(sa.select(Violation))


def staff_a_score(world_ids):
    return db.session.scalar(
        sa.select(MonthlyScore.score).where(
            MonthlyScore.month == SEPTEMBER, MonthlyScore.staff_id == world_ids["staff_staff_a"]
        )
    )


def score_september():
    scoring_month.run_month(db.session, SEPTEMBER, SCORED)
    db.session.commit()


def test_a_second_request_needs_its_reason(ctx, world_ids):
    case = new_case(world_ids)
    act(case, "request_supplement", materials=["说明"])  # the first needs none
    act(case, "receive_supplement", now=datetime(2026, 9, 29, 9, 0))
    with pytest.raises(CaseError) as refused:
        act(case, "request_supplement", now=SECOND, materials=["新营业执照"], note="  ")
    assert "理由" in str(refused.value)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Violation)) == 0


def test_pending_violation_counts_nowhere_until_confirmed(ctx, world_ids):
    violation = second_request(world_ids)
    assert violation.status is ViolationStatus.pending and "申请人提交的营业执照已过期" in violation.detail
    score_september()
    assert staff_a_score(world_ids) == Decimal("100.00")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AssessmentRecord)) == 0
    with pytest.raises(AppealError):  # nothing to appeal yet
        appeals.file(db.session, actor("staff_a"), SECOND, violation_id=violation.id, reason="理由")
    for who in ("staff_a", "chief_a"):
        with pytest.raises(AppealError):
            pending_violations.decide(db.session, actor(who), violation, SECOND, confirm=True)

    pending_violations.decide(db.session, actor("supervisor"), violation, datetime(2026, 9, 30, 9, 0), confirm=True)
    db.session.commit()
    assert violation.status is ViolationStatus.confirmed and violation.decided_by
    assert staff_a_score(world_ids) == Decimal("99.50")  # the scored month scored again
    audit = db.session.scalar(sa.select(AuditLog.changes).where(AuditLog.table_name == "violation"))
    assert audit["status"] == ["pending", "confirmed"]


def test_dismissed_violation_never_counts(ctx, world_ids):
    violation = second_request(world_ids)
    with pytest.raises(AppealError):  # a dismissal says why
        pending_violations.decide(db.session, actor("supervisor"), violation, SECOND, confirm=False)
    pending_violations.decide(db.session, actor("supervisor"), violation, SECOND, confirm=False, note="材料确已过期")
    db.session.commit()
    violation_lapse_job(db.session, datetime(2026, 10, 20, 0, 20))
    score_september()
    assert violation.status is ViolationStatus.dismissed
    assert staff_a_score(world_ids) == Decimal("100.00")


def test_lapse_job_confirms_what_nobody_decided(ctx, world_ids):
    violation = second_request(world_ids)
    score_september()
    violation_lapse_job(db.session, datetime(2026, 10, 9, 0, 20))  # 2 whole working days: still pending
    assert db.session.get(Violation, violation.id).status is ViolationStatus.pending
    told = db.session.execute(sa.select(Notice.user_id, Notice.kind, Notice.case_id)).all()
    assert sorted(told) == sorted(
        (world_ids[f"user_{who}"], NoticeKind.violation_pending, violation.case_id) for who in ("manager", "supervisor")
    )
    assert violation_lapse_job(db.session, datetime(2026, 10, 10, 0, 20)) > 0  # 3 have passed
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Violation, violation.id).status is ViolationStatus.confirmed
    assert staff_a_score(world_ids) == Decimal("99.50")

"""Assessment rules seeded as data; automatic records from the facts the system holds, once each."""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import AssessmentRecord, AssessmentRule, Complaint, Evaluation, Sanction
from app.models.assessment import AssessmentOrigin
from app.models.case import Violation, ViolationKind
from app.models.feedback import ComplaintChannel, ComplaintFinding, EvaluationChannel, SanctionKind
from app.models.personnel import AttendanceKind, AttendanceRecord
from app.services import assessment

OCTOBER = date(2026, 10, 1)
NOW = datetime(2026, 11, 2, 2, 0)


def test_default_rules_are_seeded_once_and_edits_are_kept(app):
    with app.app_context():
        codes = set(db.session.scalars(sa.select(AssessmentRule.code)))
        assert codes == {seed.code for seed in assessment.DEFAULT_RULES}
        late = db.session.scalar(sa.select(AssessmentRule).where(AssessmentRule.code == "late"))
        late.points = Decimal("-2")
        db.session.delete(db.session.scalar(sa.select(AssessmentRule).where(AssessmentRule.code == "praise")))
        db.session.commit()
        assert assessment.ensure_rules(db.session) == 1  # the deleted one comes back, the edited one stays
        db.session.commit()
        assert db.session.scalar(sa.select(AssessmentRule.points).where(AssessmentRule.code == "late")) == Decimal(-2)
        rules = {rule.code: rule for rule in db.session.scalars(sa.select(AssessmentRule))}
    # 003 无故旷工半天以上 1次扣5分: a whole day is one occurrence (issue 14; it was −10).
    assert rules["absent_day"].points == Decimal(-5) and rules["absent_half"].points == Decimal(-5)
    assert rules["leave_post"].points == Decimal("-0.5") and rules["commendation"].points == Decimal(2)
    assert rules["meeting_absence"].trigger.name == "manual" and rules["bad_review"].trigger.name == "bad_review"


def _facts(ids):
    a, b = ids["dept_a"], ids["dept_b"]
    staff_a, staff_b = ids["staff_staff_a"], ids["staff_staff_b"]
    rows = [
        AttendanceRecord(staff_id=staff_a, department_id=a, day=date(2026, 10, 12), kind=AttendanceKind.late),
        AttendanceRecord(staff_id=staff_a, department_id=a, day=date(2026, 10, 13), kind=AttendanceKind.late_and_early),
        AttendanceRecord(staff_id=staff_a, department_id=a, day=date(2026, 10, 14), kind=AttendanceKind.normal),
        AttendanceRecord(staff_id=staff_a, department_id=a, day=date(2026, 10, 15), kind=AttendanceKind.on_leave),
        AttendanceRecord(staff_id=staff_b, department_id=b, day=date(2026, 10, 5), kind=AttendanceKind.absent_half),
        AttendanceRecord(staff_id=staff_b, department_id=b, day=date(2026, 10, 6), kind=AttendanceKind.absent_day),
        AttendanceRecord(staff_id=staff_b, department_id=b, day=date(2026, 9, 30), kind=AttendanceKind.absent_day),
        Violation(
            kind=ViolationKind.overdue,
            at=datetime(2026, 10, 20, 17, 30),
            department_id=a,
            staff_id=staff_a,
            window_id=ids["win_a"],
            detail="办件超时",
        ),
        # No window on the violation: the staff member's window is taken.
        Violation(
            kind=ViolationKind.second_supplement,
            at=datetime(2026, 10, 21, 9, 0),
            department_id=a,
            staff_id=staff_a,
            detail="二次补件",
        ),
        Violation(kind=ViolationKind.fee_mismatch, at=datetime(2026, 10, 21, 9, 0), department_id=a, detail="无主"),
    ]
    for level, default in ((1, False), (2, False), (2, True), (3, False)):
        rows.append(
            Evaluation(
                center_id=ids["county"],
                department_id=a,
                window_id=ids["win_a"],
                staff_id=staff_a,
                level=level,
                is_default=default,
                channel=EvaluationChannel.portal,
                created_at=datetime(2026, 10, 22, 10, 0),
            )
        )
    for number, finding in enumerate((ComplaintFinding.substantiated, ComplaintFinding.unsubstantiated), start=1):
        complaint = Complaint(
            number=f"TS-20261010-000{number}",
            channel=ComplaintChannel.portal,
            filed_at=datetime(2026, 10, 10, 9, 0),
            center_id=ids["county"],
            department_id=b,
            staff_id=staff_b,
            subject="态度差",
            content="窗口人员态度差",
            finding=finding,
        )
        complaint.sanctions.append(
            Sanction(kind=SanctionKind.criticism, staff_id=staff_b, at=datetime(2026, 10, 16, 9, 0), decided_by="督查")
        )
        rows.append(complaint)
    db.session.add_all(rows)
    db.session.commit()


def _records():
    return sorted(
        db.session.execute(
            sa.select(
                AssessmentRule.code,
                AssessmentRecord.staff_id,
                AssessmentRecord.window_id,
                AssessmentRecord.department_id,
                AssessmentRecord.points,
                AssessmentRecord.origin,
            ).join(AssessmentRule)
        ).all()
    )


def test_collect_turns_the_months_facts_into_records_once(app, world_ids):
    ids = world_ids
    staff_a, staff_b, win_a, win_b = ids["staff_staff_a"], ids["staff_staff_b"], ids["win_a"], ids["win_b"]
    a, b = ids["dept_a"], ids["dept_b"]
    auto = AssessmentOrigin.automatic
    with app.app_context():
        _facts(ids)
        written = assessment.collect(db.session, OCTOBER, NOW)
        db.session.commit()
        got = _records()
        assert written == len(got) == 10
        assert assessment.collect(db.session, OCTOBER, NOW) == 0  # a rerun writes nothing
        db.session.commit()
        assert _records() == got
        keys = set(db.session.scalars(sa.select(AssessmentRecord.source_key)))
    assert got == sorted(
        [
            ("late", staff_a, win_a, a, Decimal(-1), auto),
            ("late", staff_a, win_a, a, Decimal(-1), auto),  # late and early: both
            ("early_leave", staff_a, win_a, a, Decimal(-1), auto),
            ("absent_half", staff_b, win_b, b, Decimal(-5), auto),
            ("absent_day", staff_b, win_b, b, Decimal(-5), auto),  # issue 14: one occurrence, −5
            ("case_overdue", staff_a, win_a, a, Decimal(-1), auto),
            ("violation", staff_a, win_a, a, Decimal("-0.5"), auto),  # the fee mismatch has nobody to carry it
            ("bad_review", staff_a, win_a, a, Decimal(-1), auto),
            ("bad_review", staff_a, win_a, a, Decimal(-1), auto),  # the default 2 is never a bad review
            ("complaint_sanction", staff_b, win_b, b, Decimal(-2), auto),  # the unsubstantiated one is not
        ]
    )
    assert {key.split(":")[0] for key in keys} == {"attendance", "violation", "evaluation", "sanction"}


def test_inactive_rules_write_nothing_and_corrected_facts_lose_their_record(app, world_ids):
    ids = world_ids
    with app.app_context():
        _facts(ids)
        db.session.scalar(sa.select(AssessmentRule).where(AssessmentRule.code == "bad_review")).active = False
        db.session.commit()
        assessment.collect(db.session, OCTOBER, NOW)
        db.session.commit()
        assert "bad_review" not in {row[0] for row in _records()}
        # A supervisor corrects the late day to normal: the next run drops its record (not the other day's).
        day = db.session.scalar(sa.select(AttendanceRecord).where(AttendanceRecord.day == date(2026, 10, 12)))
        day.kind = AttendanceKind.normal
        db.session.commit()
        assert assessment.collect(db.session, OCTOBER, NOW) == 1
        db.session.commit()
        codes = [row[0] for row in _records()]
    assert codes.count("late") == 1 and codes.count("early_leave") == 1


def test_collect_leaves_manual_records_alone(app, world_ids):
    ids = world_ids
    with app.app_context():
        rule = db.session.scalar(sa.select(AssessmentRule).where(AssessmentRule.code == "late"))
        db.session.add(
            AssessmentRecord(
                rule_id=rule.id,
                month=OCTOBER,
                occurred_at=datetime(2026, 10, 9, 8, 50),
                staff_id=ids["staff_staff_a"],
                department_id=ids["dept_a"],
                points=rule.points,
                origin=AssessmentOrigin.manual,
                evidence="考勤机故障，人工登记",
                recorded_by="supervisor",
                recorded_at=NOW,
            )
        )
        db.session.commit()
        assert assessment.collect(db.session, OCTOBER, NOW) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AssessmentRecord)) == 1

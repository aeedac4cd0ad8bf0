"""Issue 14 §3–4: department scores by both formulas of 000 第二十一条, joint liability (002 十不准)
for flagged rules only, ranks within kind and center, and who is scored for a month (start and
leaving dates, partial months). Every figure is worked out by hand beside its assertion.

The world (tests/world.py): county center; department A (staff_a, chief_a), B (staff_b, chief_b)
and C (no staff), all at the county; no record unless a test writes it.
"""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import AssessmentRecord, AssessmentRule, MonthlyScore
from app.models.assessment import AssessmentOrigin, ScoreKind
from app.models.org import Department, Staff, StaffPosition, StaffStatus
from app.models.personnel import ChangeKind, ChangeStatus, PersonnelChange
from app.models.system import Setting
from app.services import assessment, scoring_month

OCTOBER, NOVEMBER, DECEMBER = date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)
NOW = datetime(2027, 1, 2, 2, 0)


def record(code, staff, department, month=OCTOBER):
    rule = db.session.scalar(sa.select(AssessmentRule).where(AssessmentRule.code == code))
    db.session.add(
        AssessmentRecord(
            rule_id=rule.id,
            month=month,
            occurred_at=datetime(month.year, month.month, 10, 10, 0),
            staff_id=staff,
            department_id=department,
            points=rule.points,
            origin=AssessmentOrigin.manual,
            evidence="督查现场检查记录",
            recorded_by="supervisor",
            recorded_at=datetime(month.year, month.month, 10, 11, 0),
        )
    )


def set_setting(key, value):
    db.session.scalar(sa.select(Setting).where(Setting.key == key)).value = value


def assessment_default(key):
    return db.session.scalar(sa.select(Setting.value).where(Setting.key == key))


def score(month=OCTOBER):
    """{(kind, subject id): (score, rank, center id, served share)} of the month."""
    scoring_month.score_month(db.session, month, NOW)
    db.session.commit()
    rows = db.session.execute(sa.select(MonthlyScore).where(MonthlyScore.month == month)).scalars()
    return {
        (row.kind, row.staff_id or row.window_id or row.department_id): (
            row.score,
            row.rank,
            row.center_id,
            row.served_share,
        )
        for row in rows
    }


def department_october(ids):
    # Department A (2 scored staff): staff_a untidy −1 and documents −2 (2 deductions, 3 points);
    # chief_a rudeness −1 (1 deduction). Department B (2 scored staff): staff_b leave_post −0.5.
    a, b = ids["dept_a"], ids["dept_b"]
    record("untidy", ids["staff_staff_a"], a)
    record("documents", ids["staff_staff_a"], a)
    record("rudeness", ids["staff_chief_a"], a)
    record("leave_post", ids["staff_staff_b"], b)
    db.session.commit()


def test_department_score_per_head(app, world_ids):
    ids = world_ids
    with app.app_context():
        department_october(ids)
        assert assessment_default("department_score_formula") == "per_head"
        got = score()
    # 个人扣分值/(部门人数×单人件次数), summed over the department's people:
    # A: staff_a 3/(2×2) = 0.75, chief_a 1/(2×1) = 0.5 → 1.25 → 100 − 1.25 = 98.75.
    # B: staff_b 0.5/(2×1) = 0.25, chief_b nothing → 100 − 0.25 = 99.75.  C: nobody → 100.
    department = ScoreKind.department
    assert got[(department, ids["dept_a"])][:2] == (Decimal("98.75"), 3)
    assert got[(department, ids["dept_b"])][:2] == (Decimal("99.75"), 2)
    assert got[(department, ids["dept_c"])][:2] == (Decimal("100"), 1)
    # The people keep their own scores: staff_a 100 − 3 = 97.
    assert got[(ScoreKind.staff, ids["staff_staff_a"])][0] == Decimal("97")


def test_department_score_equal(app, world_ids):
    ids = world_ids
    with app.app_context():
        department_october(ids)
        set_setting("department_score_formula", "equal")
        db.session.commit()
        got = score()
    # 个人扣分值=部门扣分值: A 3 + 1 = 4 → 96; B 0.5 → 99.5; C 100.
    department = ScoreKind.department
    assert got[(department, ids["dept_a"])][:2] == (Decimal("96"), 3)
    assert got[(department, ids["dept_b"])][:2] == (Decimal("99.5"), 2)
    assert got[(department, ids["dept_c"])][:2] == (Decimal("100"), 1)


def test_the_ten_prohibitions_are_seeded_rules_marked_for_joint_liability(app):
    with app.app_context():
        flagged = set(
            db.session.scalars(sa.select(AssessmentRule.code).where(AssessmentRule.joint_liability.is_(True)))
        )
        assert len(flagged) == 10 and "unrelated_activity" in flagged
        assert "untidy" not in flagged and "late" not in flagged
        # An edited rule is never overwritten: unflagged by the center, it stays unflagged.
        rule = db.session.scalar(sa.select(AssessmentRule).where(AssessmentRule.code == "ten_fees"))
        rule.joint_liability = False
        db.session.commit()
        assessment.ensure_rules(db.session)
        db.session.commit()
        assert db.session.get(AssessmentRule, rule.id).joint_liability is False


def test_joint_liability_only_for_flagged_rules(app, world_ids):
    ids = world_ids
    with app.app_context():
        assert assessment_default("chief_rep_share") == "1.0"
        # staff_a breaches a 十不准 (ten_privacy −1); staff_b is untidy (−1, not flagged);
        # chief_b breaches a 十不准 himself (ten_fees −1).
        record("ten_privacy", ids["staff_staff_a"], ids["dept_a"])
        record("untidy", ids["staff_staff_b"], ids["dept_b"])
        record("ten_fees", ids["staff_chief_b"], ids["dept_b"])
        db.session.commit()
        got = score()
        staff = ScoreKind.staff
        # 100元 for 100元: chief_a pays staff_a's −1 in full → 99; staff_a 99.
        assert got[(staff, ids["staff_chief_a"])][0] == Decimal("99")
        assert got[(staff, ids["staff_staff_a"])][0] == Decimal("99")
        # staff_b's untidy desk reaches no one else; chief_b's own breach counts once → 99.
        assert got[(staff, ids["staff_chief_b"])][0] == Decimal("99")
        # The department counts the people's own deductions, not the liability (per head, 2 people):
        # A: staff_a 1/(2×1) = 0.5 → 99.5; B: staff_b 1/(2×1) + chief_b 1/(2×1) = 1 → 99.
        assert got[(ScoreKind.department, ids["dept_a"])][0] == Decimal("99.5")
        assert got[(ScoreKind.department, ids["dept_b"])][0] == Decimal("99")

        set_setting("chief_rep_share", "0.5")
        db.session.commit()
        got = score()
        # Half: chief_a 100 − 0.5 = 99.5; chief_b still only his own −1.
        assert got[(staff, ids["staff_chief_a"])][0] == Decimal("99.5")
        assert got[(staff, ids["staff_chief_b"])][0] == Decimal("99")


def _town_department(ids):
    """Department T at the township center with one clerk, untidy twice (−2)."""
    department = Department(code="T01", name="城关镇民政办", center_id=ids["town"])
    db.session.add(department)
    db.session.flush()
    clerk = add_staff("TT01", "镇办事员", department.id, ids["town"], date(2024, 1, 1))
    record("untidy", clerk, department.id)
    record("untidy", clerk, department.id)
    db.session.commit()
    return department.id, clerk


def test_ranks_within_kind_and_center(app, world_ids):
    ids = world_ids
    with app.app_context():
        town_department, clerk = _town_department(ids)
        record("untidy", ids["staff_staff_a"], ids["dept_a"])
        db.session.commit()
        got = score()
    staff, department = ScoreKind.staff, ScoreKind.department
    # The town's clerk (98) is first among the town's staff, though below every county staff member;
    # the county's staff rank among themselves: chief_a, staff_b, chief_b 100 (1), staff_a 99 (4).
    assert got[(staff, clerk)][:3] == (Decimal("98"), 1, ids["town"])
    assert got[(staff, ids["staff_staff_a"])][:3] == (Decimal("99"), 4, ids["county"])
    assert got[(staff, ids["staff_chief_a"])][1] == 1
    # Departments: the town's one department is first of its center (2/(1×2) = 1 → 99); the county's
    # B and C 100 (1), A 1/(2×1) = 0.5 → 99.5 (3).
    assert got[(department, town_department)][:3] == (Decimal("99"), 1, ids["town"])
    assert got[(department, ids["dept_a"])][:3] == (Decimal("99.5"), 3, ids["county"])
    assert got[(department, ids["dept_b"])][1] == got[(department, ids["dept_c"])][1] == 1
    # Windows rank on their own: the county's three windows, 100 each, all first.
    assert {got[(ScoreKind.window, ids[key])][1] for key in ("win_a", "win_b", "win_c")} == {1}


def add_staff(staff_no, name, department, center, joined_on):
    staff = Staff(
        staff_no=staff_no,
        name=name,
        department_id=department,
        center_id=center,
        position=StaffPosition.clerk,
        joined_on=joined_on,
    )
    db.session.add(staff)
    db.session.flush()
    return staff.id


def _newcomer(ids, joined_on):
    newcomer = add_staff("N001", "新进人员", ids["dept_a"], ids["county"], joined_on)
    db.session.commit()
    return newcomer


def test_a_staff_member_starting_on_1_december_is_not_scored_for_november(app, world_ids):
    with app.app_context():
        newcomer = _newcomer(world_ids, date(2026, 12, 1))
        november, december = score(NOVEMBER), score(DECEMBER)
    assert (ScoreKind.staff, newcomer) not in november
    assert december[(ScoreKind.staff, newcomer)][0] == Decimal("100")


def test_partial_months_not_scored_by_default_or_pro_rata(app, world_ids):
    ids = world_ids
    with app.app_context():
        newcomer = _newcomer(ids, date(2026, 11, 16))
        record("untidy", newcomer, ids["dept_a"], month=NOVEMBER)
        # staff_b leaves the center: a transfer out taking effect on 11 November (last day served: the 10th).
        db.session.add(
            PersonnelChange(
                staff_id=ids["staff_staff_b"],
                kind=ChangeKind.transfer_out,
                department_id=ids["dept_b"],
                effective_on=date(2026, 11, 11),
                reason="调回原单位",
                status=ChangeStatus.effective,
                requested_at=datetime(2026, 10, 20, 9, 0),
                requested_by="chief_b",
            )
        )
        db.session.get(Staff, ids["staff_staff_b"]).status = StaffStatus.left
        db.session.commit()
        assert assessment_default("score_partial_month") == "not_scored"
        november = score(NOVEMBER)
        assert (ScoreKind.staff, newcomer) not in november
        assert (ScoreKind.staff, ids["staff_staff_b"]) not in november
        # staff_b served October in full and is scored for it; December not at all.
        assert score(OCTOBER)[(ScoreKind.staff, ids["staff_staff_b"])][0] == Decimal("100")
        assert (ScoreKind.staff, ids["staff_staff_b"]) not in score(DECEMBER)

        set_setting("score_partial_month", "pro_rata")
        db.session.commit()
        november = score(NOVEMBER)
    # The newcomer served 16–30 November: 15 of 30 days → 0.5 × 100 − 1 (untidy) = 49.
    assert november[(ScoreKind.staff, newcomer)][0] == Decimal("49")
    assert november[(ScoreKind.staff, newcomer)][3] == Decimal("0.5")
    # staff_b served 1–10 November: 10 of 30 days → 33.33.
    assert november[(ScoreKind.staff, ids["staff_staff_b"])][0] == Decimal("33.33")
    assert november[(ScoreKind.staff, ids["staff_staff_b"])][3] == Decimal("0.3333")
    # Whole-month staff keep the full base: staff_a 100.
    assert november[(ScoreKind.staff, ids["staff_staff_a"])][:1] == (Decimal("100"),)

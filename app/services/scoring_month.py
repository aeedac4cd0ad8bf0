"""Monthly scores (月度考核得分), rebuilt from the month's records.

The score of every staff member who served in the month (scoring_served.py: joined and
leaving dates, partial months), every active window and every active department:
100 + additions − deductions, from the month's `AssessmentRecord` rows.

1. Per rule: the month's points summed; a rule's `monthly_cap` limits the total's size.
2. Per category: the capped rule totals summed; the category cap (settings
   `assessment_cap_discipline` 30, `assessment_cap_image` 30, `assessment_cap_business`,
   `assessment_cap_addition`; empty = no cap) limits the total's size.
3. Additions are the positive category totals, deductions the negative ones.
4. Joint liability (连带责任, 002 建绩效考核机制): a breach of a rule marked `joint_liability`
   (the 十不准) also costs the department's chief representative `chief_rep_share` (1.0: 100元
   for 100元) of its points, uncapped, added to his or her deductions; no other deduction reaches
   the chief representative, nor his or her own breach twice.
5. A department's score (分中心管理办法 第二十一条 考核成绩分为部门得分和个人得分) follows from its
   scored staff's own deductions (after caps, joint liability left out), by the setting
   `department_score_formula`: `per_head` "个人扣分值/(部门人数×单人件次数)" — each person's
   deductions divided by their number of deductions that month (单人件次数), summed, divided by
   the number of the department's staff scored that month (部门人数); `equal` "个人扣分值=部门扣分值"
   — the sum of the staff's deductions. Additions stay personal.
6. A month served in part: the base 100 in proportion to the days served (`score_partial_month`
   pro_rata), or no score at all (not_scored, the default).
7. Ranks per kind (staff, window, department) and center, highest score first; ties share a rank.

`score_month` deletes and rebuilds the month's rows in the caller's transaction: the same
records give the same scores. Staff are scored through their records' `staff_id`, windows
through `window_id` (an individual's record carries the window too). The quarter and the
year are built from the staff and window rows in scoring_periods.py.
"""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from app.models.assessment import AssessmentCategory, AssessmentRecord, AssessmentRule, MonthlyScore, ScoreKind
from app.models.org import Department, RecordStatus, Staff, StaffPosition, StaffStatus, Window
from app.services import assessment, scoring_served, settings
from app.services.monthly_report import month_bounds

BASE_SCORE = Decimal(100)


def decimal_setting(session: Session, key: str) -> Decimal | None:
    """A numeric setting; None when it is empty (the cap or rule it sets is off)."""
    value = settings.get(session, key).strip()
    return Decimal(value) if value else None


def _capped(total, cap):
    """`total` limited to ±cap (cap a column or a literal; NULL = no cap)."""
    return sa.case(
        (sa.and_(cap.is_not(None), sa.func.abs(total) > cap), sa.case((total < 0, -cap), else_=cap)),
        else_=total,
    )


def _totals(session: Session, month: date, subject):
    """Subquery (subject_id, additions, deductions) over the month's records, caps applied."""
    record, rule = AssessmentRecord.__table__, AssessmentRule.__table__
    per_rule = (
        sa.select(
            subject.label("subject_id"),
            rule.c.category.label("category"),
            _capped(sa.func.sum(record.c.points), rule.c.monthly_cap).label("total"),
        )
        .join(rule, rule.c.id == record.c.rule_id)
        .where(record.c.month == month, subject.is_not(None))
        .group_by(subject, rule.c.id, rule.c.category, rule.c.monthly_cap)
        .subquery()
    )
    caps = {category: decimal_setting(session, f"assessment_cap_{category.name}") for category in AssessmentCategory}
    whens = [(per_rule.c.category == category.name, sa.literal(cap)) for category, cap in caps.items() if cap]
    category_cap = sa.case(*whens, else_=sa.null()) if whens else sa.null()
    per_category = (
        sa.select(
            per_rule.c.subject_id,
            _capped(sa.func.sum(per_rule.c.total), category_cap).label("total"),
        )
        .group_by(per_rule.c.subject_id, per_rule.c.category)
        .subquery()
    )
    total = per_category.c.total
    return (
        sa.select(
            per_category.c.subject_id,
            sa.func.sum(sa.case((total > 0, total), else_=0)).label("additions"),
            sa.func.sum(sa.case((total < 0, -total), else_=0)).label("deductions"),
        )
        .group_by(per_category.c.subject_id)
        .subquery()
    )


def _chief_liability(month: date, share: Decimal):
    """Subquery (chief_id, liability): share × the department's deductions under joint-liability rules.

    Only a breach of a rule marked `joint_liability` (the 十不准, 002 建绩效考核机制: 扣其100元/次,
    并追究其首席代表连带责任100元/次) reaches the department's chief representative; his or her
    own breaches are counted once, as his or her own."""
    record, rule = AssessmentRecord.__table__, AssessmentRule.__table__
    clerk, chief = aliased(Staff), aliased(Staff)
    department = sa.func.coalesce(record.c.department_id, clerk.department_id)
    return (
        sa.select(
            chief.id.label("chief_id"),
            (sa.func.sum(-record.c.points) * sa.literal(share)).label("liability"),
        )
        .select_from(record)
        .join(rule, sa.and_(rule.c.id == record.c.rule_id, rule.c.joint_liability.is_(True)))
        .outerjoin(clerk, clerk.id == record.c.staff_id)
        .join(
            chief,
            sa.and_(
                chief.department_id == department,
                chief.position == StaffPosition.chief_rep,
                chief.status == StaffStatus.active,
            ),
        )
        .where(
            record.c.month == month,
            record.c.points < 0,
            sa.or_(record.c.staff_id.is_(None), record.c.staff_id != chief.id),
        )
        .group_by(chief.id)
        .subquery()
    )


def _occurrences(month: date):
    """Subquery (staff_id, occurrences): the staff member's deductions (件次) in the month."""
    record = AssessmentRecord.__table__
    return (
        sa.select(record.c.staff_id, sa.func.count().label("occurrences"))
        .where(record.c.month == month, record.c.points < 0, record.c.staff_id.is_not(None))
        .group_by(record.c.staff_id)
        .subquery()
    )


def _write_ranked(session: Session, month: date, now: datetime, rows, kind: ScoreKind, *, staff_id, window_id) -> int:
    """INSERT … SELECT one subject kind's scores, ranked per center (ties share a rank)."""
    table = MonthlyScore.__table__
    columns = [
        "month",
        "kind",
        "center_id",
        "staff_id",
        "window_id",
        "department_id",
        "served_share",
        "additions",
        "deductions",
        "score",
        "rank",
    ]
    ranked = sa.select(
        sa.literal(month, sa.Date),
        sa.literal(kind.name),
        rows.c.center_id,
        staff_id,
        window_id,
        rows.c.department_id,
        rows.c.served_share,
        rows.c.additions,
        rows.c.deductions,
        rows.c.score,
        sa.func.rank().over(partition_by=rows.c.center_id, order_by=rows.c.score.desc()),
        sa.literal(now, sa.DateTime),
    )
    return session.execute(
        sa.insert(table).from_select([*columns, "computed_at"], ranked),
        # psycopg reports -1 for INSERT … SELECT unless asked to keep the count.
        execution_options={"preserve_rowcount": True},
    ).rowcount


def _score_columns(additions, deductions, share=None):
    """Rounded additions, deductions and score; `share` scales the base of a month served in part."""
    base = BASE_SCORE if share is None else sa.literal(BASE_SCORE) * share
    return (
        sa.func.round(additions, 2).label("additions"),
        sa.func.round(deductions, 2).label("deductions"),
        sa.func.round(base + additions - deductions, 2).label("score"),
    )


def _staff_rows(session: Session, month: date):
    """Subquery of the month's scored staff: their scores and their own deductions and occurrences."""
    staff_totals = _totals(session, month, AssessmentRecord.__table__.c.staff_id)
    share = decimal_setting(session, "chief_rep_share") or Decimal(0)
    liability = _chief_liability(month, share)
    occurrences = _occurrences(month)
    served = scoring_served.served(session, month, month_bounds(month)[1].date())
    own = sa.func.coalesce(staff_totals.c.deductions, 0)
    additions = sa.func.coalesce(staff_totals.c.additions, 0)
    deductions = own + sa.func.coalesce(liability.c.liability, 0)
    return (
        sa.select(
            Staff.id.label("staff_id"),
            Staff.department_id.label("department_id"),
            Staff.center_id.label("center_id"),
            served.share.label("served_share"),
            *_score_columns(additions, deductions, served.share),
            own.label("own_deductions"),
            sa.func.coalesce(occurrences.c.occurrences, 0).label("occurrences"),
        )
        .outerjoin(staff_totals, staff_totals.c.subject_id == Staff.id)
        .outerjoin(liability, liability.c.chief_id == Staff.id)
        .outerjoin(occurrences, occurrences.c.staff_id == Staff.id)
        .where(served.condition)
        .subquery()
    )


def _department_rows(session: Session, people):
    """Subquery of the active departments' scores from their scored staff's own deductions (第二十一条).

    A staff member's joint liability is left out: it is another's deduction, counted once already."""
    if settings.get(session, "department_score_formula") == "equal":
        # 个人扣分值=部门扣分值: every deduction of a staff member is the department's too.
        charged = sa.func.sum(people.c.own_deductions)
    else:
        # 个人扣分值/(部门人数×单人件次数): each person's deductions over their number of deductions,
        # summed and divided by the department's scored headcount (the rows of the group).
        per_occurrence = people.c.own_deductions * sa.literal(Decimal(1)) / sa.func.nullif(people.c.occurrences, 0)
        charged = sa.func.sum(sa.func.coalesce(per_occurrence, 0)) / sa.func.count()
    totals = sa.select(people.c.department_id, charged.label("deductions")).group_by(people.c.department_id).subquery()
    return (
        sa.select(
            Department.id.label("department_id"),
            Department.center_id.label("center_id"),
            sa.literal(Decimal(1)).label("served_share"),
            *_score_columns(sa.literal(Decimal(0)), sa.func.coalesce(totals.c.deductions, 0)),
        )
        .outerjoin(totals, totals.c.department_id == Department.id)
        .where(Department.status == RecordStatus.active)
        .subquery()
    )


def score_month(session: Session, month: date, now: datetime) -> int:
    """Rebuild the month's scores from its records; returns the rows written."""
    month = month.replace(day=1)
    table = MonthlyScore.__table__
    session.execute(sa.delete(table).where(table.c.month == month))

    people = _staff_rows(session, month)
    written = _write_ranked(
        session, month, now, people, ScoreKind.staff, staff_id=people.c.staff_id, window_id=sa.null()
    )

    departments = _department_rows(session, people)
    written += _write_ranked(
        session, month, now, departments, ScoreKind.department, staff_id=sa.null(), window_id=sa.null()
    )

    window_totals = _totals(session, month, AssessmentRecord.__table__.c.window_id)
    additions = sa.func.coalesce(window_totals.c.additions, 0)
    deductions = sa.func.coalesce(window_totals.c.deductions, 0)
    window_rows = (
        sa.select(
            Window.id.label("window_id"),
            Window.department_id.label("department_id"),
            Window.center_id.label("center_id"),
            sa.literal(Decimal(1)).label("served_share"),
            *_score_columns(additions, deductions),
        )
        .outerjoin(window_totals, window_totals.c.subject_id == Window.id)
        .where(Window.status == RecordStatus.active)
        .subquery()
    )
    return written + _write_ranked(
        session, month, now, window_rows, ScoreKind.window, staff_id=sa.null(), window_id=window_rows.c.window_id
    )


def run_month(session: Session, month: date, now: datetime) -> int:
    """Collect the month's automatic records, then score it (the job and the page's button)."""
    return assessment.collect(session, month, now) + score_month(session, month, now)

"""Monthly scores (月度考核得分), rebuilt from the month's records.

The score of every active staff member and every active window:
100 + additions − deductions, from the month's `AssessmentRecord` rows.

1. Per rule: the month's points summed; a rule's `monthly_cap` limits the total's size.
2. Per category: the capped rule totals summed; the category cap (settings
   `assessment_cap_discipline` 30, `assessment_cap_image` 30, `assessment_cap_business`,
   `assessment_cap_addition`; empty = no cap) limits the total's size.
3. Additions are the positive category totals, deductions the negative ones.
4. A chief representative also carries `chief_rep_share` (0.5) of every deduction recorded
   at the department's own windows in the month, except his or her own records
   (连带责任; 分中心管理办法 第二十一条): uncapped, added to the deductions.
5. Ranks per center among staff and among windows, highest score first; ties share a rank.

`score_month` deletes and rebuilds the month's rows in the caller's transaction: the same
records give the same scores. Staff are scored through their records' `staff_id`, windows
through `window_id` (an individual's record carries the window too). The quarter and the
year are built from these rows in scoring_periods.py.
"""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from app.models.assessment import AssessmentCategory, AssessmentRecord, AssessmentRule, MonthlyScore
from app.models.org import Department, RecordStatus, Staff, StaffPosition, StaffStatus, Window
from app.services import assessment, settings

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
    """Subquery (chief_id, liability): share × deductions at the department's windows, own records excepted."""
    record = AssessmentRecord.__table__
    chief = aliased(Staff)
    return (
        sa.select(
            chief.id.label("chief_id"),
            (sa.func.sum(-record.c.points) * sa.literal(share)).label("liability"),
        )
        .join(Window, Window.id == record.c.window_id)
        .join(
            chief,
            sa.and_(
                chief.department_id == Window.department_id,
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


def _write_ranked(session: Session, month: date, now: datetime, rows, *, staff_id, window_id) -> int:
    """INSERT … SELECT one subject kind's scores, ranked per center (ties share a rank)."""
    table = MonthlyScore.__table__
    columns = ["month", "staff_id", "window_id", "department_id", "additions", "deductions", "score", "rank"]
    ranked = sa.select(
        sa.literal(month, sa.Date),
        staff_id,
        window_id,
        rows.c.department_id,
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


def _score_columns(additions, deductions):
    return (
        sa.func.round(additions, 2).label("additions"),
        sa.func.round(deductions, 2).label("deductions"),
        sa.func.round(BASE_SCORE + additions - deductions, 2).label("score"),
    )


def score_month(session: Session, month: date, now: datetime) -> int:
    """Rebuild the month's scores from its records; returns the rows written."""
    month = month.replace(day=1)
    table = MonthlyScore.__table__
    session.execute(sa.delete(table).where(table.c.month == month))
    share = decimal_setting(session, "chief_rep_share") or Decimal(0)

    staff_totals = _totals(session, month, AssessmentRecord.__table__.c.staff_id)
    liability = _chief_liability(month, share)
    additions = sa.func.coalesce(staff_totals.c.additions, 0)
    deductions = sa.func.coalesce(staff_totals.c.deductions, 0) + sa.func.coalesce(liability.c.liability, 0)
    staff_rows = (
        sa.select(
            Staff.id.label("staff_id"),
            Staff.department_id.label("department_id"),
            Department.center_id.label("center_id"),
            *_score_columns(additions, deductions),
        )
        .join(Department, Department.id == Staff.department_id)
        .outerjoin(staff_totals, staff_totals.c.subject_id == Staff.id)
        .outerjoin(liability, liability.c.chief_id == Staff.id)
        .where(Staff.status == StaffStatus.active)
        .subquery()
    )
    written = _write_ranked(session, month, now, staff_rows, staff_id=staff_rows.c.staff_id, window_id=sa.null())

    window_totals = _totals(session, month, AssessmentRecord.__table__.c.window_id)
    additions = sa.func.coalesce(window_totals.c.additions, 0)
    deductions = sa.func.coalesce(window_totals.c.deductions, 0)
    window_rows = (
        sa.select(
            Window.id.label("window_id"),
            Window.department_id.label("department_id"),
            Window.center_id.label("center_id"),
            *_score_columns(additions, deductions),
        )
        .outerjoin(window_totals, window_totals.c.subject_id == Window.id)
        .where(Window.status == RecordStatus.active)
        .subquery()
    )
    return written + _write_ranked(
        session, month, now, window_rows, staff_id=sa.null(), window_id=window_rows.c.window_id
    )


def run_month(session: Session, month: date, now: datetime) -> int:
    """Collect the month's automatic records, then score it (the job and the page's button)."""
    return assessment.collect(session, month, now) + score_month(session, month, now)

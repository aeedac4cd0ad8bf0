"""Re-scoring a finished month (重新计分) after the attendance settings or the rules changed.

One call, in the caller's transaction (the `flask scores rescore` command and the button on the
attendance page commit once at the end, or roll everything back):

1. the month's device attendance rows are classified again under today's settings
   (`attendance.reclassify`; a supervisor's manual correction stays as it is);
2. the month's automatic assessment records take their rule's current points (a record copies
   the points when it is written; a re-scoring is asked for precisely to apply an edited rule),
   then `scoring_month.run_month` writes the missing records, drops those whose fact no longer
   qualifies (an absent_half that is now late) and rebuilds the scores;
3. when the month closes a quarter, the quarter is assessed again, as the score page's button does;
4. one audit entry says who re-scored which month and what changed.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models.assessment import AssessmentOrigin, AssessmentRecord, AssessmentRule, MonthlyScore
from app.models.audit import AuditAction
from app.services import attendance, audit, calendar, scoring_month, scoring_periods
from app.services.monthly_report import month_bounds


@dataclass(frozen=True)
class Rescored:
    month: date
    attendance_rows: int
    records_repriced: int
    rows: int


def finished_month(text: str, today: date) -> date | None:
    """The month `text` names (YYYY-MM, or a date in it) if it has ended before `today`, else None."""
    try:
        month = date.fromisoformat((text or "").strip()[:7] + "-01")
    except ValueError:
        return None
    return month if month < today.replace(day=1) else None


def _reprice(session: Session, month: date) -> int:
    """The month's automatic records take their rule's current points (one UPDATE); rows changed."""
    record, rule = AssessmentRecord.__table__, AssessmentRule.__table__
    current = sa.select(rule.c.points).where(rule.c.id == record.c.rule_id).scalar_subquery()
    return session.execute(
        sa.update(record)
        .where(
            record.c.month == month,
            record.c.origin == AssessmentOrigin.automatic.name,
            record.c.points != current,
        )
        .values(points=current, version=record.c.version + 1)
    ).rowcount


def rescore_month(session: Session, month: date, now: datetime) -> Rescored:
    """Reclassify the month's attendance, re-price and re-collect its records, rebuild its scores."""
    month = month.replace(day=1)
    start, end = month_bounds(month)
    rules = attendance.Rules.from_settings(session)
    last = end.date() - timedelta(days=1)
    reclassified = attendance.reclassify(session, start.date(), last, calendar.load(session), rules)
    repriced = _reprice(session, month)
    rows = scoring_month.run_month(session, month, now)
    quarter = scoring_periods.finished_quarter(month)
    if quarter:
        scoring_periods.assess_quarter(session, quarter, now)
    result = Rescored(month, reclassified, repriced, rows)
    audit.log_summary(
        session,
        AuditAction.update,
        MonthlyScore.__tablename__,
        f"rescore:{month:%Y-%m}",
        f"重新计分 {month:%Y-%m}",
        {"month": f"{month:%Y-%m}", "attendance_rows": reclassified, "records_repriced": repriced, "rows": rows},
    )
    return result

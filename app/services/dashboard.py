"""The dashboard's figures for one scope: today, this month, lights, overdue by
department, a 12-month trend, the month's rating figures (rating_rates.py), and the red cases. A handful of
GROUP BY statements on indexed ranges, whatever the number of cases. With an application scope, the
month's online applications, pre-review and 容缺 figures too (online_figures.py, two statements).
Lights are case_light's (the
case page's, the list's and the API's): a suspended case counts with its frozen light."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models.case import OPEN_STATUSES, Case, CaseStatus, Light
from app.models.feedback import Evaluation
from app.models.matter import Matter
from app.models.org import Department
from app.services import online_figures, rating_rates
from app.services.case_light import case_light, light_sql, open_with_light
from app.services.monthly_report import month_bounds, previous_month
from app.services.workdays import WorkCalendar

OPEN = [status.name for status in OPEN_STATUSES]


@dataclass
class Dashboard:
    today: dict
    month: dict
    lights: dict
    overdue_by_department: list[tuple[str, int]]
    trend: list[dict]
    ratings: dict  # rating_rates.COUNTS and RATES for the month
    red_cases: list  # (case, matter name, department name, CaseLight)
    online: online_figures.OnlineLine | None = None  # the month's 网上申报 panel (totals of the scope)


def _month_key(session, column):
    """'YYYY-MM' of a timestamp: the one expression the two databases spell differently."""
    if session.get_bind().dialect.name == "postgresql":
        return sa.func.to_char(column, "YYYY-MM")
    return sa.func.strftime("%Y-%m", column)


def _count_if(condition):
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def build(
    session: Session,
    case_scope,
    evaluation_scope,
    now: datetime,
    calendar: WorkCalendar,
    *,
    red_limit: int = 20,
    application_scope=None,
) -> Dashboard:
    day_start = datetime(now.year, now.month, now.day)
    month_start = day_start.replace(day=1)
    completed = Case.status == CaseStatus.completed
    # Today and this month in one pass over the month's accepted or finished cases.
    row = session.execute(
        sa.select(
            _count_if(Case.accepted_at >= day_start),
            _count_if(sa.and_(completed, Case.finished_at >= day_start)),
            _count_if(Case.accepted_at >= month_start),
            _count_if(sa.and_(completed, Case.finished_at >= month_start)),
            _count_if(sa.and_(completed, Case.finished_at >= month_start, Case.finished_at <= Case.deadline_at)),
        ).where(case_scope, sa.or_(Case.accepted_at >= month_start, Case.finished_at >= month_start))
    ).one()
    today = {"accepted": row[0], "completed": row[1]}
    month = {"accepted": row[2], "completed": row[3], "on_time_rate": row[4] / row[3] if row[3] else None}

    lights = dict.fromkeys([light.name for light in Light], 0)
    # Grouped outside: PostgreSQL would not match the CASE's bound `now` in SELECT and GROUP BY.
    shown = sa.select(light_sql(now).label("light")).where(case_scope, Case.status.in_(OPEN)).subquery()
    for light, count in session.execute(sa.select(shown.c.light, sa.func.count()).group_by(shown.c.light)):
        if light is not None:
            lights[light] = count
    red = open_with_light(Light.red, now)

    overdue_by_department = session.execute(
        sa.select(Department.name, sa.func.count())
        .select_from(Case)
        .join(Department, Department.id == Case.department_id)
        .where(case_scope, red)
        .group_by(Department.name)
        .order_by(sa.func.count().desc(), Department.name)
        .limit(15)
    ).all()

    first = month_start.date()
    for _ in range(11):
        first = previous_month(first)
    first_month = datetime(first.year, first.month, 1)
    accepted_key, finished_key = _month_key(session, Case.accepted_at), _month_key(session, Case.finished_at)
    accepted = dict(
        session.execute(
            sa.select(accepted_key, sa.func.count())
            .where(case_scope, Case.accepted_at >= first_month)
            .group_by(accepted_key)
        ).all()
    )
    finished = dict(
        session.execute(
            sa.select(finished_key, sa.func.count())
            .where(case_scope, completed, Case.finished_at >= first_month)
            .group_by(finished_key)
        ).all()
    )
    months, cursor = [], first_month
    while cursor <= month_start:
        key = f"{cursor:%Y-%m}"
        months.append({"month": key, "accepted": accepted.get(key, 0), "completed": finished.get(key, 0)})
        cursor = (cursor + timedelta(days=32)).replace(day=1)

    counts = (
        session.execute(
            sa.select(*(count.label(name) for name, count in rating_rates.COUNTS.items())).where(
                evaluation_scope, Evaluation.created_at >= month_start
            )
        )
        .one()
        ._asdict()
    )
    ratings = {**counts, **rating_rates.rates(counts)}

    red_cases = [
        (case, matter, department, case_light(case, now, calendar))
        for case, matter, department in session.execute(
            sa.select(Case, Matter.name, Department.name)
            .join(Matter, Matter.id == Case.matter_id)
            .join(Department, Department.id == Case.department_id)
            .where(case_scope, red)
            .order_by(Case.deadline_at)
            .limit(red_limit)
        ).all()
    ]
    online = None
    if application_scope is not None:
        online = online_figures.compute(
            session,
            *month_bounds(month_start),
            now.date(),
            application_scope=application_scope,
            case_scope=case_scope,
            names=False,
        ).total
    return Dashboard(today, month, lights, overdue_by_department, months, ratings, red_cases, online)

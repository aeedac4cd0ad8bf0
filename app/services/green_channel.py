"""Green channel (绿色通道) and urgent cases (急办件): seed 004 第十一条 (绿色窗口), 第二十五条(四)
(急办件，实行“绿色通道”办理), 第十七条 (重点项目开辟绿色通道).

- An urgent case has its own limit, shorter than the promised one (the matter's urgent limit,
  else the setting urgent_limit_days: services.deadlines.case_limit_days), applied when the
  clock starts at acceptance like any other limit.
- Intake routes it to the green window of the receiving center (Window.kind green), where the
  center has one; without one it stays at the accepting window.
- The center leads an urgent joint case (urgent, with co-department tasks): staff holding the
  duty urgent_coordination (config.ROLE_DUTIES) of the case's center or a center above it may
  remind a co-department of its open task (an inbox notice to its chief representatives, once a
  day per task) or give the task to another active staff member of that department. Both are
  case actions (case_flow.actions.ACTIONS, case_flow/coordination.py), each one CaseEvent.
- counts(): urgent cases, urgent cases finished on time, proxy cases, call-backs done, for
  dashboards and reports (one aggregate query each).
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models.case import Case, CaseStatus, TaskStatus
from app.models.matter import CaseKind, Matter
from app.models.org import RecordStatus, Staff, StaffStatus, Window, WindowKind
from app.models.proxy import CaseProxy
from app.services import settings
from app.services.deadlines import case_limit_days


def limit_days(session: Session, matter: Matter, kind: CaseKind) -> int:
    """The working days a new case of `kind` for `matter` has (services.deadlines.case_limit_days)."""
    fallback = int(settings.get(session, "urgent_limit_days")) if kind is CaseKind.urgent else 0
    return case_limit_days(kind, matter.promised_limit_days, matter.urgent_limit_days, fallback)


def green_window_id(session: Session, center_id: int) -> int | None:
    """The center's green-channel window (the first active one by code), or None."""
    return session.scalar(
        sa.select(Window.id)
        .where(Window.center_id == center_id, Window.kind == WindowKind.green, Window.status == RecordStatus.active)
        .order_by(Window.code)
        .limit(1)
    )


def task_staff(session: Session, case) -> dict[int, list[Staff]]:
    """Active staff of each open task's department (the reassign form's choices), by task id."""
    open_tasks = {t.id: t.department_id for t in case.tasks if t.status is TaskStatus.open}
    if not open_tasks:
        return {}
    staff = session.scalars(
        sa.select(Staff)
        .where(Staff.department_id.in_(set(open_tasks.values())), Staff.status == StaffStatus.active)
        .order_by(Staff.staff_no)
    ).all()
    return {task_id: [s for s in staff if s.department_id == dep] for task_id, dep in open_tasks.items()}


# Counts for dashboards and reports.


def counts(session: Session, start: datetime, end: datetime, scope_clause=None) -> dict[str, int]:
    """Over cases accepted in [start, end): urgent cases, urgent cases finished on time
    (completed no later than their deadline), proxy cases, and proxy call-backs done."""
    on_time = sa.and_(
        Case.status == CaseStatus.completed, Case.finished_at.is_not(None), Case.finished_at <= Case.deadline_at
    )
    urgent = Case.kind == CaseKind.urgent
    query = (
        sa.select(
            sa.func.count().filter(urgent),
            sa.func.count().filter(sa.and_(urgent, on_time)),
            sa.func.count(CaseProxy.id),
            sa.func.count(CaseProxy.callback_at),
        )
        .select_from(Case)
        .outerjoin(CaseProxy, CaseProxy.case_id == Case.id)
        .where(Case.accepted_at >= start, Case.accepted_at < end)
    )
    if scope_clause is not None:
        query = query.where(scope_clause)
    row = session.execute(query).one()
    return {"urgent": row[0], "urgent_on_time": row[1], "proxy": row[2], "callbacks": row[3]}

"""缺席默认 (seed 002, 超时或缺席默认制度): the center's default on an overdue case or joint task.

"对手续齐全的……申请，有关部门受理后未在承诺时限内办结，也未书面告知延期理由的审批事项，或对需多部门
联合办理审批项目中拒绝参与和不接受中心或牵头部门协调的部门，均视为部门默认审批事项，由中心……出具
'缺席默认'通知书，由此而产生的一切不利后果均由超时或缺席部门承担。"

Two actions of the table (actions.ACTIONS), with the same rules — the center only
(guards.center), a running case only, past the deadline without a written extension:

- issue_default_approval: the whole case is overdue; it closes as approved by default.
- default_task: a co-department's joint task (CaseTask) is past its own deadline; the task is
  settled as defaulted, recorded against that department (a task_defaulted violation), its
  chief representatives are told in their inbox, and the lead case may complete without it.
  A task has no extension of its own: its deadline is the one that counts.

Each default writes one numbered notice into its event's data: the number (缺默〔year〕N号, one
series per year, bumped with UPDATE … RETURNING as case numbers are), the deadline missed, the
overdue working days at issue and the basis (setting default_approval_basis, as it read then).
The print page (views.case, print_default.html) only shows what the event recorded.
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, object_session

from app.models.case import (
    CaseAction,
    CaseResult,
    CaseStatus,
    CaseTask,
    TaskStatus,
    Violation,
    ViolationKind,
)
from app.models.notice import NoticeKind
from app.models.org import Department, RecordStatus, Staff, StaffPosition, StaffStatus, Window
from app.services import document_numbers, notices, settings
from app.services.case_flow import guards
from app.services.case_flow.guards import CaseError
from app.services.case_flow.history import event

SERIES = "default_approval"
DEFAULT_ACTIONS = (CaseAction.issue_default_approval, CaseAction.default_task)


def notice_number(session: Session, now: datetime) -> str:
    """The next 缺席默认通知书 number of `now`'s year, e.g. 缺默〔2026〕7号; never shared."""
    return f"缺默〔{now.year}〕{document_numbers.next_number(session, SERIES, now.year)}号"


def overdue_workdays(deadline_at: datetime, now: datetime, calendar) -> int:
    """Working days past the deadline at `now`, as the case page counts them (at least 1 once past)."""
    return max(1, calendar.workdays_between(deadline_at.date(), now.date()))


def _notice_data(session, now, deadline_at, clock, **extra) -> dict:
    return {
        "notice_number": notice_number(session, now),
        "deadline": deadline_at.isoformat(),
        "overdue_workdays": overdue_workdays(deadline_at, now, clock.calendar),
        "basis": settings.get(session, "default_approval_basis"),
        **extra,
    }


# Handlers (actions.ACTIONS runs the checks first).


def issue_default_approval(session, actor, case, now, *, clock, note=None):
    """The overdue case closes as approved by default, with its numbered notice."""
    data = _notice_data(session, now, case.deadline_at, clock, department_id=case.department_id)
    from_status = case.status
    case.status, case.result, case.finished_at = CaseStatus.completed, CaseResult.default_approved, now
    return event(case, actor, now, CaseAction.issue_default_approval, from_status, note=note, data=data)


def default_task(session, actor, case, now, *, clock, task_id, note=None):
    """The co-department's overdue task is defaulted: recorded against it, its chief told."""
    task = _task(case, task_id)
    department = session.get(Department, task.department_id)
    data = _notice_data(session, now, task.deadline_at, clock, task_id=task.id, department_id=task.department_id)
    task.status = TaskStatus.defaulted
    task.done_at = now
    session.add(
        Violation(
            kind=ViolationKind.task_defaulted,
            at=now,
            case_id=case.id,
            department_id=task.department_id,
            staff_id=task.assignee_id,
            window_id=_scored_window(session, task),
            detail=(
                f"办件 {case.number} 联办任务（{department.name}）超过时限 {data['overdue_workdays']} 个工作日，"
                f"由中心缺席默认，通知书 {data['notice_number']}"
            )[:500],
        )
    )
    _tell_chief_reps(session, case, task, data["notice_number"], now)
    return event(case, actor, now, CaseAction.default_task, case.status, note=note, data=data)


def _scored_window(session, task) -> int | None:
    """The window the default is scored against: the assessment counts a violation through its
    staff member or window (services/assessment.py), and a task nobody took up has no holder. The
    holder's window, else the chief representative's, else the department's first active window."""
    if task.assignee_id is not None:
        window_id = session.scalar(sa.select(Staff.window_id).where(Staff.id == task.assignee_id))
        if window_id is not None:
            return window_id
    window_id = session.scalar(
        sa.select(Staff.window_id)
        .where(
            Staff.department_id == task.department_id,
            Staff.position == StaffPosition.chief_rep,
            Staff.status == StaffStatus.active,
            Staff.window_id.is_not(None),
        )
        .order_by(Staff.staff_no)
        .limit(1)
    )
    if window_id is not None:
        return window_id
    return session.scalar(
        sa.select(Window.id)
        .where(Window.department_id == task.department_id, Window.status == RecordStatus.active)
        .order_by(Window.code)
        .limit(1)
    )


def _tell_chief_reps(session, case, task, number, now):
    """One inbox notice to each active chief representative of the task's department."""
    detail = f"办件 {case.number}（{case.matter.name}）中贵部门的联办任务已超时，由中心缺席默认，通知书 {number}"
    notices.tell_chief_reps(
        session, NoticeKind.task_defaulted, f"taskdefault:{task.id}", task.department_id, detail, now, case_id=case.id
    )


# Checks.


def _task(case, task_id) -> CaseTask:
    # A whole number the database can hold (a larger one would fail in the driver, not here).
    if isinstance(task_id, bool) or not isinstance(task_id, int) or not 0 < task_id < 2**63:
        raise CaseError(_l("Choose the joint task to default."))
    task = object_session(case).get(CaseTask, task_id)
    if task is None or task.case_id != case.id:
        raise CaseError(_l("No such task on this case."))
    return task


def center_on_overdue_task(actor, case, now, inputs):
    """Who and which: the center, on an open task of this case past its own deadline."""
    guards.center(actor, case, now)
    task = _task(case, inputs.get("task_id"))
    if task.status is not TaskStatus.open:
        raise CaseError(_l("This task is already settled."))
    if now <= task.deadline_at:
        raise CaseError(_l("A default is only possible for a task past its deadline."))


def has_overdue_task(case, now):
    """When: some co-department's task is open past its deadline (the page offers the action)."""
    if not overdue_tasks(case, now):
        raise CaseError(_l("No joint task of this case is past its deadline."))


def overdue_tasks(case, now) -> list[CaseTask]:
    return [task for task in case.tasks if task.status is TaskStatus.open and now > task.deadline_at]


def notices_of(case) -> list:
    """The case's default events that carry a notice, oldest first (the print page's choices)."""
    return [e for e in case.events if e.action in DEFAULT_ACTIONS and (e.data or {}).get("notice_number")]


def offered_to_center(actor, case) -> bool:
    return bool(actor.roles & guards.CENTER_ROLES)

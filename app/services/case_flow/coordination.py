"""急办件: the center leads an urgent joint case (seed 004 第二十五条(四), 第十七条 联办件 由…牵头).

Two actions of the table (actions.ACTIONS), for staff holding the duty urgent_coordination
(config.ROLE_DUTIES) at the case's center or a center above it, on an urgent case with an open
co-department task: remind_task (an inbox notice to the task department's chief representatives,
once a day per task) and reassign_task (to another active staff member of that department).
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import object_session

from app.models.case import CaseAction, CaseTask, TaskStatus
from app.models.matter import CaseKind
from app.models.notice import NoticeKind
from app.models.org import Staff, StaffStatus
from app.services import centers, notices
from app.services.case_flow.guards import CaseError
from app.services.case_flow.history import event
from config import ROLE_DUTIES

COORDINATION_ROLES = ROLE_DUTIES["urgent_coordination"]


# Checks.


def is_urgent_joint(case, now):
    """When: an urgent case with a co-department task still open."""
    if case.kind is not CaseKind.urgent or not any(t.status is TaskStatus.open for t in case.tasks):
        raise CaseError(_l("Only an urgent joint case with an open task is coordinated by the center."))


def offered_to_coordinator(actor, case) -> bool:
    return bool(actor.roles & COORDINATION_ROLES)


def coordinator(actor, case, now, inputs=None):
    """Who: center staff (duty urgent_coordination) of the case's center or a center above it."""
    if not actor.roles & COORDINATION_ROLES:
        raise CaseError(_l("Only the center coordinates an urgent joint case."))
    if actor.center_id is not None and case.center_id != actor.center_id:
        inside = object_session(case).scalar(
            sa.select(sa.literal(1)).where(
                centers.InCenters(sa.literal(case.center_id), centers.subtree(actor.center_id))
            )
        )
        if inside is None:
            raise CaseError(_l("This case is not one of your center's."))
    _open_task(case, (inputs or {}).get("task_id"))


def _open_task(case, task_id) -> CaseTask:
    if isinstance(task_id, bool) or not isinstance(task_id, int) or not 0 < task_id < 2**63:
        raise CaseError(_l("Choose the joint task."))
    task = object_session(case).get(CaseTask, task_id)
    if task is None or task.case_id != case.id:
        raise CaseError(_l("No such task on this case."))
    if task.status is not TaskStatus.open:
        raise CaseError(_l("This task is already settled."))
    return task


# Handlers.


def remind_task(session, actor, case, now, *, clock, task_id, note=None):
    """The center reminds the co-department (its chief representatives' inbox, once a day per task)."""
    task = _open_task(case, task_id)
    detail = (
        f"中心督办急办件 {case.number}（{case.matter.name}）：贵部门的联办任务请于 "
        f"{task.deadline_at:%Y-%m-%d %H:%M} 前办结" + (f"。{note}" if note else "")
    )[:500]
    told = notices.tell_chief_reps(
        session,
        NoticeKind.task_reminded,
        f"taskremind:{task.id}:{now:%Y%m%d}",
        task.department_id,
        detail,
        now,
        case_id=case.id,
    )
    return event(
        case,
        actor,
        now,
        CaseAction.remind_task,
        case.status,
        note=note,
        data={"task_id": task.id, "department_id": task.department_id, "told": told},
    )


def reassign_task(session, actor, case, now, *, clock, task_id, assignee_id=None, note=None):
    """The center gives the task to another active staff member of the task's department."""
    task = _open_task(case, task_id)
    if isinstance(assignee_id, bool) or not isinstance(assignee_id, int):
        raise CaseError(_l("Choose the staff member to take the task."))
    staff = session.get(Staff, assignee_id)
    if staff is None or staff.department_id != task.department_id or staff.status is not StaffStatus.active:
        raise CaseError(_l("The task can only go to active staff of its own department."))
    previous, task.assignee_id = task.assignee_id, staff.id
    return event(
        case,
        actor,
        now,
        CaseAction.reassign_task,
        case.status,
        note=note,
        data={"task_id": task.id, "from_assignee_id": previous, "assignee_id": staff.id},
    )

"""Who hears about a red case, and when (escalation tiers by working days in red).

Tier 0, at red: the assignee. Tier 1, after `escalate_chief_days` working days:
the department's chief representatives. Tier 2, after `escalate_center_days`:
the center (Supervisor and CenterManager users). A red joint task goes to the
co-department's chief representatives. Every extension is reported to the
center too: it moves a deadline the center watches. Each notice is written once
per user and case (notices.insert), so the job may run as often as it likes.
"""

from datetime import datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models.case import RUNNING_STATUSES, Case, CaseAction, CaseEvent, CaseTask
from app.models.notice import NoticeKind
from app.services import notices
from app.services.workdays import WorkCalendar
from config import ROLE_DUTIES

CASE = Case.__table__
TASK = CaseTask.__table__
EVENT = CaseEvent.__table__
STAFF = notices.STAFF
RUNNING = [status.name for status in RUNNING_STATUSES]
RED_STATUSES = [*RUNNING, "suspended"]
CENTER_ROLES = ROLE_DUTIES["center_notices"]


def _rows(user_id, prefix, id_column, detail):
    """The (user_id, key, case_id, detail) columns notices.insert expects."""
    return sa.select(user_id, notices.key(prefix, id_column), CASE.c.id.label("case_id"), detail.label("detail"))


def _red_for(calendar: WorkCalendar, now: datetime, since: datetime | None, days: int):
    """Cases that reached `days` working days in red during (since, now]: those whose
    deadline is before the boundary for `now` but not before the one for `since`."""

    def boundary(instant):
        return min(datetime.combine(calendar.elapsed_since(instant.date(), days), time()), instant)

    # A red case stays red while it is suspended: its tiers go on.
    conditions = [CASE.c.status.in_(RED_STATUSES), CASE.c.light == "red", CASE.c.deadline_at < boundary(now)]
    if since is not None:
        conditions.append(CASE.c.deadline_at >= boundary(since))
    return sa.and_(*conditions)


def notify(
    session: Session,
    now: datetime,
    calendar: WorkCalendar,
    since: datetime | None,
    *,
    chief_days: int,
    center_days: int,
) -> int:
    """Notices for the tiers reached in (since, now]; every red case when `since` is None."""
    connection = session.connection()
    due = notices.minute(CASE.c.deadline_at)
    overdue = notices.text(
        *notices.about_case(CASE), "已超过承诺时限 ", due, "，仍未办结：请尽快办结，或依法办理延期。"
    )
    at_chief = notices.text(
        *notices.about_case(CASE),
        "超过承诺时限 ",
        due,
        " 已满 ",
        str(chief_days),
        " 个工作日仍未办结：请首席代表督办。",
    )
    at_center = notices.text(
        *notices.about_case(CASE), "超过承诺时限 ", due, " 已满 ", str(center_days), " 个工作日仍未办结，已报中心督查。"
    )
    lead, matter = notices.case_names(CASE)
    task = notices.text(
        "联办件 ",
        CASE.c.number,
        "（牵头部门 ",
        lead,
        "，",
        matter,
        "）贵部门的协办任务已超过时限 ",
        notices.minute(TASK.c.deadline_at),
        "，仍未完成。",
    )
    center = notices.users_with_roles(*CENTER_ROLES)
    task_window = [] if since is None else [TASK.c.deadline_at > since, TASK.c.deadline_at <= now]
    tiers = (
        (
            NoticeKind.case_overdue,
            _rows(STAFF.c.user_id, "overdue:", CASE.c.id, overdue)
            .select_from(CASE.join(STAFF, STAFF.c.id == CASE.c.assignee_id))
            .where(_red_for(calendar, now, since, 0), STAFF.c.user_id.is_not(None)),
        ),
        (
            # A case an action turned red (a resume) went overdue now, not at its deadline.
            NoticeKind.case_overdue,
            _rows(STAFF.c.user_id, "overdue:", CASE.c.id, overdue)
            .select_from(EVENT.join(CASE, CASE.c.id == EVENT.c.case_id).join(STAFF, STAFF.c.id == CASE.c.assignee_id))
            .where(
                EVENT.c.action == CaseAction.overdue.name,
                *([EVENT.c.at > since] if since is not None else []),
                EVENT.c.at <= now,
                CASE.c.light == "red",
                CASE.c.status.in_(RED_STATUSES),
                STAFF.c.user_id.is_not(None),
            ),
        ),
        (
            NoticeKind.chief_escalation,
            _rows(STAFF.c.user_id, "chief:", CASE.c.id, at_chief)
            .select_from(CASE.join(STAFF, notices.chief_reps(CASE.c.department_id)))
            .where(_red_for(calendar, now, since, chief_days)),
        ),
        (
            NoticeKind.center_escalation,
            _rows(center.c.user_id, "center:", CASE.c.id, at_center)
            .select_from(CASE.join(center, sa.true()))
            .where(_red_for(calendar, now, since, center_days)),
        ),
        (
            NoticeKind.task_overdue,
            _rows(STAFF.c.user_id, "task:", TASK.c.id, task)
            .select_from(
                TASK.join(CASE, CASE.c.id == TASK.c.case_id).join(STAFF, notices.chief_reps(TASK.c.department_id))
            )
            .where(TASK.c.status == "open", TASK.c.light == "red", *task_window),
        ),
    )
    return sum(notices.insert(connection, kind, candidates, now) for kind, candidates in tiers)


def notify_extensions(session: Session, now: datetime, since: datetime | None) -> int:
    """Extensions approved in (since, now] go to the center; on a first run, those of running cases."""
    center = notices.users_with_roles(*CENTER_ROLES)
    window = [EVENT.c.at <= now] + ([EVENT.c.at > since] if since is not None else [CASE.c.status.in_(RUNNING)])
    # The days and new deadline the extension recorded (the case's deadline may have moved since).
    recorded = sa.func.replace(sa.func.substr(EVENT.c.data["deadline"].as_string(), 1, 16), "T", " ")
    detail = notices.text(
        *notices.about_case(CASE),
        "已批准延期",
        notices.optional(" ", EVENT.c.data["days"].as_string(), " 个工作日"),
        "，承诺时限延至 ",
        sa.func.coalesce(recorded, notices.minute(CASE.c.deadline_at)),
        notices.optional("；延期理由：", sa.func.substr(EVENT.c.note, 1, 150)),
        "。",
    )
    candidates = (
        _rows(center.c.user_id, "extend:", EVENT.c.id, detail)
        .select_from(EVENT.join(CASE, CASE.c.id == EVENT.c.case_id).join(center, sa.true()))
        .where(EVENT.c.action == CaseAction.extend.name, *window)
    )
    return notices.insert(session.connection(), NoticeKind.case_extended, candidates, now)

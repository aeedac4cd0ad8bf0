"""Steps held past their share of the limit, and supplement notices past their limit.

Each case stores when its current step outruns its share (`step_due_at`, set
by case_flow when the step starts). A step held past it records one
`Violation` for whoever held the case then (services/holders.py) and tells them; the forward that follows
does not record it again. A case waiting longer than
`supplement_limit_days` working days for materials is proposed for a passive
return to the department's chief representatives: returning it is their
decision, not the scheduler's.
"""

from datetime import datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models.case import (
    RUNNING_STATUSES,
    Case,
    CaseEvent,
    CaseStatus,
    SuspendReason,
    Violation,
    ViolationKind,
)
from app.models.matter import MatterStep
from app.models.notice import NoticeKind
from app.services import holders, notices
from app.services.deadlines import step_due_at
from app.services.workdays import WorkCalendar

CASE = Case.__table__
STEP = MatterStep.__table__
VIOLATION = Violation.__table__
STAFF = notices.STAFF
RUNNING = [status.name for status in RUNNING_STATUSES]


def _boundary(calendar, today, days):
    return datetime.combine(calendar.elapsed_since(today, days), time())


def scan_steps(session: Session, now: datetime, since: datetime | None) -> int:
    """Steps whose share ran out in (since, now] (all of them when `since` is None):
    an index range on (status, step_due_at), like the warning scan."""
    window = [CASE.c.status.in_(RUNNING), CASE.c.step_due_at <= now]
    if since is not None:
        window.append(CASE.c.step_due_at > since)
    overdue = (
        sa.select(
            CASE.c.id.label("case_id"),
            CASE.c.department_id,
            CASE.c.assignee_id,
            CASE.c.window_id,
            CASE.c.number,
            CASE.c.matter_id,
            CASE.c.step_seq,
            # Whoever held the case when the share ran out (services/holders.py).
            holders.of_table(CASE, CASE.c.step_due_at).label("holder_id"),
            CASE.c.step_due_at,
            STEP.c.name.label("step_name"),
            STEP.c.limit_days,
        )
        .select_from(CASE.join(STEP, sa.and_(STEP.c.matter_id == CASE.c.matter_id, STEP.c.seq == CASE.c.step_seq)))
        .where(
            *window,
            ~sa.exists().where(
                VIOLATION.c.case_id == CASE.c.id,
                VIOLATION.c.kind == ViolationKind.step_overdue.name,
                VIOLATION.c.at >= CASE.c.step_due_at,
            ),
        )
        .subquery()
    )
    connection = session.connection()
    detail = (
        sa.literal("办件 ")
        + overdue.c.number
        + sa.literal(" 环节“")
        + overdue.c.step_name
        + sa.literal("”超过分配的 ")
        + sa.cast(overdue.c.limit_days, sa.String)
        + sa.literal(" 个工作日")
    )
    # step_due_at is the first day past the share (midnight), so it is named as a day.
    told = notices.text(
        *notices.about_case(overdue),
        "环节“",
        overdue.c.step_name,
        "”分配 ",
        overdue.c.limit_days,
        " 个工作日，自 ",
        notices.day(overdue.c.step_due_at),
        " 起已超出，已记违规：请尽快办理并转出。",
    )
    # Notices first: the violation written next is what marks the step as reported.
    sent = notices.insert(
        connection,
        NoticeKind.step_overdue,
        sa.select(
            STAFF.c.user_id,
            notices.key("step:", overdue.c.case_id, overdue.c.step_seq),
            overdue.c.case_id,
            told.label("detail"),
        )
        .select_from(overdue.join(STAFF, STAFF.c.id == overdue.c.holder_id))
        .where(STAFF.c.user_id.is_not(None)),
        now,
    )
    recorded = connection.execute(
        sa.insert(VIOLATION).from_select(
            ["kind", "at", "case_id", "department_id", "staff_id", "window_id", "detail"],
            sa.select(
                sa.literal(ViolationKind.step_overdue.name),
                sa.literal(now),
                overdue.c.case_id,
                overdue.c.department_id,
                overdue.c.holder_id,
                overdue.c.window_id,
                detail,
            ),
        ),
        execution_options={"preserve_rowcount": True},
    ).rowcount
    return sent + recorded


# The statuses waiting for materials, named apart from `expired`'s OR: SQLite then reads the
# (department, status) index instead of every case of the chief representatives' departments.
WAITING = (CaseStatus.suspended.name, CaseStatus.submitted.name)


def scan_supplements(session: Session, now: datetime, calendar: WorkCalendar, *, limit_days: int) -> int:
    boundary = _boundary(calendar, now.date(), limit_days)
    suspended = CASE.c.status == CaseStatus.suspended.name
    waiting_since = sa.case((suspended, CASE.c.suspended_at), else_=CASE.c.submitted_at)
    expired = sa.or_(
        sa.and_(suspended, CASE.c.suspend_reason == SuspendReason.supplement.name),
        # Received with materials missing: waiting for them before acceptance.
        sa.and_(CASE.c.status == CaseStatus.submitted.name, CASE.c.supplement_count > 0),
    )
    return notices.insert(
        session.connection(),
        NoticeKind.supplement_expired,
        sa.select(
            STAFF.c.user_id,
            notices.key("supplement:", CASE.c.id, CASE.c.supplement_count),
            CASE.c.id.label("case_id"),
            notices.text(
                *notices.about_case(CASE),
                "自 ",
                notices.minute(waiting_since),
                " 起等待补正材料，已超过 ",
                str(limit_days),
                " 个工作日：请首席代表决定是否退回（被动退件）。",
            ).label("detail"),
        )
        .select_from(CASE.join(STAFF, notices.chief_reps(CASE.c.department_id)))
        .where(CASE.c.status.in_(WAITING), expired, waiting_since < boundary),
        now,
    )


def backfill_step_due(session: Session, calendar: WorkCalendar) -> int:
    """Running cases from before `step_due_at` existed get it from their last accept/forward
    event. Part of the full rebuild; a one-off after upgrading, a few rows after that."""
    event = CaseEvent.__table__
    started = sa.func.max(event.c.at)
    rows = session.execute(
        sa.select(CASE.c.id, STEP.c.limit_days, started)
        .join(event, sa.and_(event.c.case_id == CASE.c.id, event.c.action.in_(["accept", "forward"])))
        .join(STEP, sa.and_(STEP.c.matter_id == CASE.c.matter_id, STEP.c.seq == CASE.c.step_seq))
        .where(CASE.c.status.in_(RUNNING), CASE.c.step_due_at.is_(None), STEP.c.limit_days > 0)
        .group_by(CASE.c.id, STEP.c.limit_days)
    ).all()
    if not rows:
        return 0
    session.execute(
        sa.update(CASE).where(CASE.c.id == sa.bindparam("case_id")).values(step_due_at=sa.bindparam("due")),
        [{"case_id": case_id, "due": step_due_at(calendar, at, limit)} for case_id, limit, at in rows],
    )
    return len(rows)

"""Late duty hand-offs (seed 003: 其他件须在0.5个工作日内移交责任部门办理), found by the transfer scan.

A comprehensive window's register entry still `registered` past its `handoff_due_at`, on a case
still open, is one violation (duty_handoff_overdue) of whoever held the case at that instant
(services/holders.py: the on-duty person who accepted it), dated at that instant, and one notice
to the chief representatives (duty department_chief) of that person's department. A hand-off
registered late before the scan comes records its own (case_flow/duty.py); the violation is
what marks a case as recorded, so a second run writes nothing.

Set-based: one INSERT … SELECT for the notices and one for the violations, over an index range
on (status, handoff_due_at).
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models.case import OPEN_STATUSES, Case, Violation, ViolationKind
from app.models.notice import NoticeKind
from app.models.org import Staff, StaffStatus
from app.models.transfer import Transfer, TransferKind, TransferStatus
from app.services import holders, notices
from app.services.case_flow.duty import late_detail
from config import ROLE_DUTIES

CASE, ENTRY, VIOLATION = Case.__table__, Transfer.__table__, Violation.__table__
HOLDER, CHIEF = Staff.__table__.alias("holder"), Staff.__table__.alias("chief")
KIND = ViolationKind.duty_handoff_overdue.name


def _late(now: datetime):
    """Subquery: the late entries not recorded yet, with the holder and their department."""
    late = (
        sa.select(
            CASE.c.id.label("case_id"),
            CASE.c.number,
            CASE.c.department_id,
            CASE.c.matter_id,
            CASE.c.window_id,
            ENTRY.c.handoff_due_at,
            holders.of_table(CASE, ENTRY.c.handoff_due_at).label("staff_id"),
        )
        .select_from(ENTRY.join(CASE, CASE.c.id == ENTRY.c.case_id))
        .where(
            ENTRY.c.status == TransferStatus.registered.name,
            ENTRY.c.handoff_due_at < now,
            ENTRY.c.kind == TransferKind.duty_handoff.name,
            CASE.c.status.in_([status.name for status in OPEN_STATUSES]),
            ~sa.exists().where(VIOLATION.c.case_id == CASE.c.id, VIOLATION.c.kind == KIND),
        )
        .subquery()
    )
    return (
        sa.select(late, HOLDER.c.department_id.label("holder_department_id"))
        .select_from(late.outerjoin(HOLDER, HOLDER.c.id == late.c.staff_id))
        .subquery()
    )


def scan(session: Session, now: datetime) -> int:
    """Record every late hand-off once and tell the chiefs; returns rows written. Caller commits."""
    connection = session.connection()
    late = _late(now)
    # The on-duty person's department: its chief answers for the desk (the case's, without a holder).
    department = sa.func.coalesce(late.c.holder_department_id, late.c.department_id)
    due = notices.minute(late.c.handoff_due_at)
    chiefs = notices.users_with_roles(*ROLE_DUTIES["department_chief"])
    # Notices first: the violation written next is what marks the hand-off as recorded.
    sent = notices.insert(
        connection,
        NoticeKind.duty_handoff_overdue,
        sa.select(
            CHIEF.c.user_id,
            notices.key("duty_handoff:", late.c.case_id),
            late.c.case_id,
            notices.text(
                *notices.about_case(late), "由综合窗口受理，应于 ", due, " 前移交责任部门，至今未移交，已记违规。"
            ).label("detail"),
        )
        .select_from(late)
        .join(CHIEF, sa.and_(CHIEF.c.department_id == department, CHIEF.c.status == StaffStatus.active.name))
        .join(chiefs, chiefs.c.user_id == CHIEF.c.user_id),
        now,
    )
    recorded = connection.execute(
        sa.insert(VIOLATION).from_select(
            ["kind", "at", "case_id", "department_id", "staff_id", "window_id", "detail"],
            sa.select(
                sa.literal(KIND),
                late.c.handoff_due_at,
                late.c.case_id,
                department,
                late.c.staff_id,
                late.c.window_id,
                late_detail(late.c.number, due),
            ),
        ),
        execution_options={"preserve_rowcount": True},
    ).rowcount
    return sent + recorded

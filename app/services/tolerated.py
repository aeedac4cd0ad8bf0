"""容缺受理 after acceptance: due dates watched, the 容缺 lists and their count.

The flow side (accepting with tolerated materials missing, recording their arrival) is
case_flow/tolerated.py. Here, run by the warning scan's follow-up (app/jobs.py):

- on its due date, a material still missing tells the case's assignee, once (notice key
  `tolerated:<row>`);
- `tolerated_grace_days` working days after its due date, it goes to the department's chief
  representatives, once (`tolerated_expired:<row>`), to decide on a passive return: the same
  proposal the supplement limit makes (services/step_scan.scan_supplements). Returning the case
  stays their decision (the return action, "passive"), never the scheduler's.

Only open cases are watched; recording the arrival (or the case closing) stops both. Both are
one INSERT … SELECT over the partial index of missing materials by due date.
"""

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models.case import OPEN_STATUSES, Case, ToleratedMaterial
from app.models.notice import NoticeKind
from app.services import notices
from app.services.workdays import WorkCalendar

CASE = Case.__table__
ROW = ToleratedMaterial.__table__
STAFF = notices.STAFF
OPEN = [status.name for status in OPEN_STATUSES]


def _tell(connection, kind: NoticeKind, prefix: str, due_before, recipients, tail: tuple, now: datetime) -> int:
    """One notice per (recipient, missing material of an open case) due before `due_before`
    (exclusive), keyed `prefix<row id>`; `recipients(rows)` is the STAFF join condition."""
    rows = (
        sa.select(ROW.c.id.label("row_id"), ROW.c.name, ROW.c.due_on, CASE)
        .select_from(ROW.join(CASE, CASE.c.id == ROW.c.case_id))
        .where(ROW.c.received_at.is_(None), ROW.c.due_on < due_before, CASE.c.status.in_(OPEN))
        .subquery()
    )
    detail = notices.text(
        *notices.about_case(rows), "容缺受理的材料“", rows.c.name, "”应于 ", notices.day(rows.c.due_on), *tail
    )
    return notices.insert(
        connection,
        kind,
        sa.select(
            STAFF.c.user_id, notices.key(prefix, rows.c.row_id), rows.c.id.label("case_id"), detail.label("detail")
        )
        .select_from(rows.join(STAFF, recipients(rows)))
        .where(STAFF.c.user_id.is_not(None)),
        now,
    )


def scan(session: Session, now: datetime, calendar: WorkCalendar, *, grace_days: int) -> int:
    """Notices for tolerated materials due (to the assignee) and past their grace (to the chief
    representatives); each once however often it runs. Returns the notices written."""
    today = now.date()
    connection = session.connection()
    sent = _tell(
        connection,
        NoticeKind.tolerated_due,
        "tolerated:",
        today + timedelta(days=1),  # due today or before
        lambda rows: STAFF.c.id == rows.c.assignee_id,
        (" 前补交，尚未收到：请联系申请人补交，收到后在办件页登记。",),
        now,
    )
    # Due on a day before the boundary: at least `grace_days` working days have passed since.
    return sent + _tell(
        connection,
        NoticeKind.tolerated_expired,
        "tolerated_expired:",
        calendar.elapsed_since(today, grace_days),
        lambda rows: notices.chief_reps(rows.c.department_id),
        (" 前补交，宽限 ", str(grace_days), " 个工作日后仍未收到：请首席代表决定是否退回（被动退件）。"),
        now,
    )


def accepted_with_missing():
    """Cases accepted with tolerated materials missing (容缺受理), whatever became of them."""
    return Case.id.in_(sa.select(ROW.c.case_id))


def still_missing(today: date | None = None):
    """Open cases with a tolerated material not yet brought; with `today`, only those past its due date."""
    rows = sa.select(ROW.c.case_id).where(ROW.c.received_at.is_(None))
    if today is not None:
        rows = rows.where(ROW.c.due_on < today)
    return sa.and_(Case.status.in_(OPEN_STATUSES), Case.id.in_(rows))


def count(session: Session, today: date, *, start: date | None = None, end: date | None = None, scope=None) -> dict:
    """容缺 figures for dashboards and reports: cases accepted with tolerated materials missing
    (accepted in [start, end) when given), of those the open ones still waiting, and the ones past
    a due date. `scope`: an extra clause on Case (a user's row scope). One GROUP-free SELECT."""
    accepted = [accepted_with_missing()]
    if start is not None:
        accepted.append(Case.accepted_at >= datetime.combine(start, datetime.min.time()))
    if end is not None:
        accepted.append(Case.accepted_at < datetime.combine(end, datetime.min.time()))
    if scope is not None:
        accepted.append(scope)
    row = session.execute(sa.select(*columns(today).values()).select_from(Case).where(*accepted)).one()
    return dict(zip(COUNTS, row, strict=True))


COUNTS = ("accepted", "waiting", "overdue")


def columns(today: date) -> dict:
    """The three 容缺 counts as aggregates over Case rows (a query over other cases too, e.g. a
    GROUP BY department of every case accepted in a month: services/online_figures.py)."""
    tolerated = accepted_with_missing()
    return {
        "accepted": sa.func.count().filter(tolerated),
        "waiting": sa.func.count().filter(tolerated, still_missing()),
        "overdue": sa.func.count().filter(tolerated, still_missing(today)),
    }

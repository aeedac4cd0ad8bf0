"""差评整改: contact the applicant, rectify, record the applicant's verdict.

The department's chief representative (or the center) moves a rectification
open → contacted → rectified → closed; each step needs its note, the current
version and the right state. The scheduler flags contacts and rectifications
past their working-day limits, once each.
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.models.case import Case
from app.models.feedback import Evaluation, Rectification, RectificationStatus, Verdict
from app.models.notice import NoticeKind
from app.models.org import Department
from app.services import notices
from config import ROLE_DUTIES

CENTER_ROLES = ROLE_DUTIES["feedback_handling"]
TABLE = Rectification.__table__


class RectificationError(Exception):
    pass


def _check(actor, rectification: Rectification, version, expected: RectificationStatus):
    if not (actor.roles & CENTER_ROLES) and not (
        actor.roles & ROLE_DUTIES["department_chief"] and actor.department_id == rectification.department_id
    ):
        raise RectificationError(_l("Only the department's chief representative or the center may do this."))
    if str(rectification.version) != str(version):
        raise RectificationError(_l("Someone else changed this record meanwhile; reload the page."))
    if rectification.status is not expected:
        raise RectificationError(_l("This step does not apply to the rectification in its current state."))


def _text(value, limit):
    text = (value or "").strip()
    if not text:
        raise RectificationError(_l("Describe what was done."))
    if len(text) > limit:
        raise RectificationError(_l("The text is too long."))
    return text


def contact(session: Session, actor, rectification: Rectification, version, now: datetime, *, note) -> None:
    _check(actor, rectification, version, RectificationStatus.open)
    rectification.contact_note = _text(note, 500)
    rectification.contacted_at, rectification.status = now, RectificationStatus.contacted


def rectify(session: Session, actor, rectification: Rectification, version, now: datetime, *, measures) -> None:
    _check(actor, rectification, version, RectificationStatus.contacted)
    rectification.measures = _text(measures, 1000)
    rectification.rectified_at, rectification.status = now, RectificationStatus.rectified


def close(session: Session, actor, rectification: Rectification, version, now: datetime, *, verdict) -> None:
    _check(actor, rectification, version, RectificationStatus.rectified)
    try:
        rectification.verdict = Verdict[verdict]
    except KeyError:
        raise RectificationError(_l("Record the applicant's verdict.")) from None
    rectification.closed_at, rectification.status = now, RectificationStatus.closed


ACTIONS = {"contact": contact, "rectify": rectify, "close": close}


def flag_overdue(session: Session, now: datetime) -> int:
    """Notices to the assignee's login and the center for limits passed, once per limit."""
    staff = notices.STAFF
    center = notices.users_with_roles(*ROLE_DUTIES["center_notices"])
    late_contact = sa.and_(TABLE.c.status == RectificationStatus.open.name, TABLE.c.contact_due_at <= now)
    late_fix = sa.and_(
        TABLE.c.status.in_([RectificationStatus.open.name, RectificationStatus.contacted.name]),
        TABLE.c.rectify_due_at <= now,
    )
    sent = 0
    evaluation, case = Evaluation.__table__, Case.__table__
    rated = sa.select(evaluation.c.level).where(evaluation.c.id == TABLE.c.evaluation_id).scalar_subquery()
    number = (
        sa.select(case.c.number)
        .join(evaluation, evaluation.c.case_id == case.c.id)
        .where(evaluation.c.id == TABLE.c.evaluation_id)
        .scalar_subquery()
    )
    department = sa.select(Department.name).where(Department.id == TABLE.c.department_id).scalar_subquery()
    about = (
        "差评整改：",
        notices.optional("办件 ", number),
        notices.optional("（", department, "）"),
        "的差评（评价 ",
        rated,
        " 级），",
    )
    overdue = (
        (
            "rect-contact:",
            late_contact,
            notices.text(*about, "应于 ", notices.minute(TABLE.c.contact_due_at), " 前联系申请人，已超过时限。"),
        ),
        (
            "rect-fix:",
            late_fix,
            notices.text(*about, "应于 ", notices.minute(TABLE.c.rectify_due_at), " 前完成整改，已超过时限。"),
        ),
    )
    for prefix, late, detail in overdue:
        for users, join in (
            (
                staff.c.user_id,
                TABLE.join(staff, sa.and_(staff.c.id == TABLE.c.assignee_id, staff.c.user_id.is_not(None))),
            ),
            (center.c.user_id, TABLE.join(center, sa.true())),
        ):
            candidates = (
                sa.select(
                    users,
                    notices.key(prefix, TABLE.c.id),
                    sa.cast(sa.null(), sa.Integer).label("case_id"),
                    detail.label("detail"),
                )
                .select_from(join)
                .where(late)
            )
            sent += notices.insert(session.connection(), NoticeKind.rectification_overdue, candidates, now)
    return sent


def rates(session: Session, start: datetime, end: datetime) -> dict:
    """Callback rate (contacted ÷ opened) and rectification rate (rectified or closed ÷ opened)."""
    opened, contacted, rectified = session.execute(
        sa.select(
            sa.func.count(),
            sa.func.count(TABLE.c.contacted_at),
            sa.func.count(TABLE.c.rectified_at),
        ).where(TABLE.c.opened_at >= start, TABLE.c.opened_at < end)
    ).one()
    return {
        "opened": opened,
        "callback_rate": contacted / opened if opened else None,
        "rectification_rate": rectified / opened if opened else None,
    }

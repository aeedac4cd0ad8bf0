"""整改通知: a complaint found substantiated orders its department to rectify by a deadline.

004 第三十六条: a window's staff member 被投诉并经查实的, 由中心根据情节进行通报批评, 并责令限期整改;
整改不到位的, 报请纪检监察机关实施问责 (004 第十四条(五): 将有关情况及处理建议提交纪检监察机构).

- Opened by the complaint service when a complaint found substantiated or partly substantiated is
  handled (`open_for_complaint`): one order per complaint, to the complaint's department (or the
  staff member's), due `rectification_order_days` (5) working days later at the close of office
  hours, with the handler's requirement or a default one naming the complaint.
- Opened by the inspections register (`open_for_finding`, app/services/inspections.py) for a
  finding that needs rectifying: one order per finding, to the finding's department, due
  `inspection_order_days` (5) working days later; closed, referred and flagged like any other.
- Delivered to the department: its chief representatives find the order in their inbox.
- Closed (`close`) by the department's chief representative or the center (duty
  `feedback_handling`): who, when and what was done. Two people closing the same order at once:
  the closure is one conditional UPDATE on (id, version, status open), so exactly one wins and the
  other is told to reload.
- Referred to the discipline inspectors (`refer`, the center only): the date of the referral, the
  reference number of the letter and a note; once per order, open or closed.
- `flag_overdue` (job `feedback_scan`): every open order past its deadline is told to the center
  (duty `center_notices`: supervisors and managers) once — one INSERT … SELECT keyed per order.

Every function takes the session, the actor and `now`; the caller commits.
"""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.models.feedback import Complaint, ComplaintFinding, OrderStatus, RectificationOrder
from app.models.inspection import Inspection, InspectionFinding
from app.models.notice import NoticeKind
from app.models.org import Department, Staff
from app.services import notices
from config import ROLE_DUTIES

CENTER_ROLES = ROLE_DUTIES["feedback_handling"]
TABLE = RectificationOrder.__table__
MAX_TEXT, MAX_NUMBER = 1000, 60
# The findings that order a rectification, as the default requirement names them.
ORDERING_FINDINGS = {ComplaintFinding.substantiated: "属实", ComplaintFinding.partly: "部分属实"}


# How a default requirement ends.
CLOSE = "请于期限内整改到位，并报告整改情况。"


class OrderError(Exception):
    pass


def _text(value, limit, message, *, required=True):
    text = (value or "").strip()
    if required and not text:
        raise OrderError(message)
    if len(text) > limit or "\0" in text:
        raise OrderError(_l("The text is too long (at most %(limit)s characters).", limit=limit))
    return text or None


def open_for_complaint(
    session: Session, complaint, actor_name: str, now: datetime, due_at: datetime, requirement=None
) -> RectificationOrder | None:
    """The order a handled complaint opens: None when its finding orders nothing, when it names no
    department, or when it has one already."""
    if complaint.finding not in ORDERING_FINDINGS:
        return None
    department_id = complaint.department_id
    if department_id is None and complaint.staff_id is not None:
        department_id = session.scalar(sa.select(Staff.department_id).where(Staff.id == complaint.staff_id))
    if department_id is None:
        return None
    if session.scalar(sa.select(TABLE.c.id).where(TABLE.c.complaint_id == complaint.id)) is not None:
        return None
    return _issue(
        session,
        now,
        actor_name,
        due_at,
        _text(requirement, MAX_TEXT, "", required=False)
        or f"投诉 {complaint.number}「{complaint.subject}」经调查{ORDERING_FINDINGS[complaint.finding]}，{CLOSE}",
        number=f"ZG{complaint.number.removeprefix('TS')}",
        complaint=complaint,
        center_id=complaint.center_id,
        department_id=department_id,
        staff_id=complaint.staff_id,
        window_id=complaint.window_id,
    )


def _issue(session: Session, now, actor_name, due_at, requirement, **source) -> RectificationOrder:
    """The order written and delivered to the department."""
    order = RectificationOrder(
        requirement=requirement,
        issued_at=now,
        issued_by=actor_name[:100],
        due_at=due_at,
        status=OrderStatus.open,
        **source,
    )
    session.add(order)
    session.flush()
    _tell_department(session, order, now)
    return order


def open_for_finding(
    session: Session, finding, actor_name: str, now: datetime, due_at: datetime, requirement=None
) -> RectificationOrder:
    """The order an inspection finding opens (巡查/暗访, 000 第十九条: 提出整改意见), to the finding's
    department; refused when the finding names none or has an order already."""
    if finding.department_id is None:
        raise OrderError(_l("A rectification order needs the department the finding is about."))
    if session.scalar(sa.select(TABLE.c.id).where(TABLE.c.inspection_finding_id == finding.id)) is not None:
        raise OrderError(_l("This finding already has a rectification order."))
    inspection = finding.inspection
    return _issue(
        session,
        now,
        actor_name,
        due_at,
        _text(requirement, MAX_TEXT, "", required=False)
        or f"{inspection.kind.label} {inspection.number} 发现问题：{finding.description[:300]}，{CLOSE}",
        number=f"ZG{inspection.number.removeprefix('XC')}-{finding.id}",
        inspection_finding=finding,
        center_id=inspection.center_id,
        department_id=finding.department_id,
        staff_id=finding.staff_id,
        window_id=finding.window_id,
    )


def source(order: RectificationOrder) -> str:
    """What ordered it, as the notices name it: 投诉 TS… or 巡查 XC…."""
    if order.complaint is not None:
        return f"投诉 {order.complaint.number}"
    finding = order.inspection_finding
    return f"检查 {finding.inspection.number}" if finding is not None else ""


def _tell_department(session: Session, order: RectificationOrder, now: datetime) -> int:
    """The order delivered: the department's active chief representatives hear of it in their inbox."""
    detail = (
        f"整改通知 {order.number}（{source(order)}）：{order.requirement[:150]}"
        f" 请于 {order.due_at:%Y-%m-%d %H:%M} 前整改到位，并在本通知页面登记整改情况。"
    )
    return notices.tell_chief_reps(
        session, NoticeKind.order_issued, f"order-issued:{order.id}", order.department_id, detail, now
    )


def _may_close(actor, order) -> bool:
    if actor.roles & CENTER_ROLES:
        return True
    return bool(actor.roles & ROLE_DUTIES["department_chief"]) and actor.department_id == order.department_id


def _version(version) -> int:
    try:
        return int(str(version))
    except ValueError:
        raise OrderError(_l("Someone else changed this record meanwhile; reload the page.")) from None


def _update(session: Session, order, version, *conditions, **values) -> None:
    """One conditional UPDATE: the row at this version (and conditions) changes, or nothing does."""
    changed = session.execute(
        sa.update(TABLE)
        .where(TABLE.c.id == order.id, TABLE.c.version == _version(version), *conditions)
        .values(version=TABLE.c.version + 1, **values),
        execution_options={"preserve_rowcount": True},
    ).rowcount
    if changed != 1:
        raise OrderError(_l("Someone else changed this record meanwhile; reload the page."))
    session.expire(order)


def close(session: Session, actor, order: RectificationOrder, version, now: datetime, *, note) -> None:
    """The order closed with what was done: by the department's chief representative or the center."""
    if not _may_close(actor, order):
        raise OrderError(_l("Only the department's chief representative or the center may do this."))
    if order.status is not OrderStatus.open:
        raise OrderError(_l("This rectification order is already closed."))
    note = _text(note, MAX_TEXT, _l("Describe what was done."))
    _update(
        session,
        order,
        version,
        TABLE.c.status == OrderStatus.open.name,
        status=OrderStatus.closed.name,
        closed_at=now,
        closed_by=actor.name[:100],
        closure_note=note,
    )


def _day(value, now: datetime) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value or "").strip())
        except ValueError:
            raise OrderError(_l("Enter the date of the referral (YYYY-MM-DD).")) from None
    if day > now.date():
        raise OrderError(_l("The date of the referral cannot be in the future."))
    return day


def refer(
    session: Session, actor, order: RectificationOrder, version, now: datetime, *, referred_on, number, note=None
):
    """The order's matter referred to the discipline inspectors (纪检监察), by the center, once."""
    if not actor.roles & CENTER_ROLES:
        raise OrderError(_l("Only the center refers a matter to the discipline inspectors."))
    if order.referred_on is not None:
        raise OrderError(_l("This order has already been referred to the discipline inspectors."))
    day = _day(referred_on, now)
    if day < order.issued_at.date():
        raise OrderError(_l("The referral cannot be dated before the order was issued."))
    number = _text(number, MAX_NUMBER, _l("Enter the reference number of the referral."))
    note = _text(note, 500, "", required=False)
    _update(
        session,
        order,
        version,
        TABLE.c.referred_on.is_(None),
        referred_on=day,
        referral_number=number,
        referral_note=note,
        referred_by=actor.name[:100],
    )


ACTIONS = {"close": close, "refer": refer}


def flag_overdue(session: Session, now: datetime) -> int:
    """Open orders past their deadline: each supervisor and manager hears once per order."""
    center = notices.users_with_roles(*ROLE_DUTIES["center_notices"])
    department = sa.select(Department.name).where(Department.id == TABLE.c.department_id).scalar_subquery()
    complaint = sa.select(Complaint.number).where(Complaint.id == TABLE.c.complaint_id).scalar_subquery()
    inspection = (
        sa.select(Inspection.number)
        .join(InspectionFinding, InspectionFinding.inspection_id == Inspection.id)
        .where(InspectionFinding.id == TABLE.c.inspection_finding_id)
        .scalar_subquery()
    )
    detail = notices.text(
        "整改通知 ",
        TABLE.c.number,
        notices.optional("（投诉 ", complaint, "）"),
        notices.optional("（检查 ", inspection, "）"),
        notices.optional("（", department, "）"),
        "应于 ",
        notices.minute(TABLE.c.due_at),
        " 前整改完毕，已超过期限仍未办结。",
    )
    return notices.insert(
        session.connection(),
        NoticeKind.order_overdue,
        sa.select(
            center.c.user_id,
            notices.key("order:", TABLE.c.id),
            sa.cast(sa.null(), sa.Integer).label("case_id"),
            detail.label("detail"),
        )
        .select_from(TABLE.join(center, sa.true()))
        .where(TABLE.c.status == OrderStatus.open.name, TABLE.c.due_at <= now),
        now,
    )

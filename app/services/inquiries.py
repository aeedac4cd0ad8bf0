"""首问登记: the first-inquiry register (issue 18 point 1; seed 004 第二十七条 首问负责制).

- `record`: any staff member who receives an inquiry records it in a few seconds — inquirer,
  contact phone (phone.py's one written form), topic, matter (optional), channel — and either
  the answer given on the spot (the inquiry is closed at once) or a referral to a department
  and/or one of its staff, due `inquiry_reply_days` (3) working days later at the close of office
  hours (受理日不计, as every deadline here). The recorder is the first responder (首问责任人).
- `reply`: the referred staff member (or, referred to a department, its staff) records the reply.
  Responsibility does not move: the inquiry stays the first responder's.
- `close`: the first responder closes the inquiry with the answer given to the inquirer.
- `flag_overdue` (job `feedback_scan`): an inquiry still open past its deadline is flagged once
  (one conditional UPDATE), the first responder and the chief representatives of the first
  responder's department hear of it once (INSERT … SELECT keyed per inquiry), and the first
  responder's assessment record under the `inquiry_overdue` rule (首问负责) is written at once.
- `history`: the inquiries from a phone number, newest first (the next person who calls).
- `figures`: received, answered on the spot, referred, closed, closure rate, open and overdue
  for a period, in one aggregate query (for dashboards and reports).

Every function takes the session, the actor and `now` explicitly; the caller commits. Refusals are
`InquiryError` with a Chinese message, nothing written.
"""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.models.assessment import AssessmentTrigger
from app.models.inquiry import Inquiry, InquiryChannel, InquiryStatus
from app.models.matter import Matter
from app.models.notice import NoticeKind
from app.models.org import Department, RecordStatus, Staff, StaffStatus
from app.services import assessment, notices, settings
from app.services import calendar as calendar_service
from app.services.deadlines import deadline, parse_office_hours
from app.services.phone import InvalidPhone, checked_phone

TABLE = Inquiry.__table__
MAX_NAME, MAX_TOPIC, MAX_ANSWER = 50, 500, 1000


class InquiryError(Exception):
    pass


def _text(value, limit, message, *, required=True):
    text = (value or "").strip()
    if required and not text:
        raise InquiryError(message)
    if len(text) > limit or "\0" in text:
        raise InquiryError(_l("The text is too long (at most %(limit)s characters).", limit=limit))
    return text or None


def reply_due(session: Session, now: datetime) -> datetime:
    """When an inquiry referred at `now` must be answered: `inquiry_reply_days` working days later,
    at the close of office hours (the working calendar, 调休 included)."""
    hours = parse_office_hours(settings.get(session, "office_hours"))
    days = int(settings.get(session, "inquiry_reply_days"))
    return deadline(now, days, calendar_service.load(session), hours).due_at


def _channel(value) -> InquiryChannel:
    try:
        return InquiryChannel[str(value or "")]
    except KeyError:
        raise InquiryError(_l("Choose how the inquiry came in.")) from None


def _active_department(session: Session, department_id: int) -> Department:
    department = session.get(Department, department_id)
    if department is None or department.status is not RecordStatus.active:
        raise InquiryError(_l("Choose one of the departments offered."))
    return department


def _active_staff(session: Session, staff_id: int) -> Staff:
    staff = session.get(Staff, staff_id)
    if staff is None or staff.status is not StaffStatus.active:
        raise InquiryError(_l("Choose an active staff member to refer the inquiry to."))
    return staff


def record(
    session: Session,
    actor,
    now: datetime,
    *,
    channel,
    inquirer_name,
    phone,
    topic,
    matter_id=None,
    answer=None,
    referred_department_id=None,
    referred_staff_id=None,
) -> Inquiry:
    """The inquiry recorded with the actor as its first responder: answered on the spot (closed) or
    referred (open, with its reply deadline); exactly one of the two."""
    if actor.staff_id is None:
        raise InquiryError(_l("Only a staff member with an active staff record can record a first inquiry."))
    staff = session.get(Staff, actor.staff_id)
    channel = _channel(channel)
    name = _text(inquirer_name, MAX_NAME, _l("Enter the inquirer's name."))
    try:
        phone = checked_phone(phone)
    except InvalidPhone as exc:
        raise InquiryError(str(exc)) from None
    topic = _text(topic, MAX_TOPIC, _l("Enter what the inquiry is about."))
    if matter_id is not None and session.get(Matter, matter_id) is None:
        raise InquiryError(_l("Choose one of the matters offered."))
    answer = _text(answer, MAX_ANSWER, "", required=False)
    referred = referred_department_id is not None or referred_staff_id is not None
    if answer and referred:
        raise InquiryError(_l("Either answer the inquiry on the spot or refer it, not both."))
    if not answer and not referred:
        raise InquiryError(
            _l("Enter the answer given on the spot, or refer the inquiry to a department or a colleague.")
        )
    inquiry = Inquiry(
        received_at=now,
        channel=channel,
        inquirer_name=name,
        phone=phone,
        topic=topic,
        matter_id=matter_id,
        responder_id=staff.id,
        center_id=staff.center_id,
        department_id=staff.department_id,
        recorded_by=actor.name[:100],
    )
    if answer:
        inquiry.status, inquiry.answer, inquiry.closed_at, inquiry.closed_by = (
            InquiryStatus.closed,
            answer,
            now,
            actor.name[:100],
        )
    else:
        colleague = _active_staff(session, referred_staff_id) if referred_staff_id is not None else None
        if colleague is not None and colleague.id == staff.id:
            raise InquiryError(_l("Refer the inquiry to someone else, or answer it yourself."))
        department_id = referred_department_id
        if department_id is None:
            department_id = colleague.department_id
        elif colleague is not None and colleague.department_id != department_id:
            raise InquiryError(_l("The staff member referred to is not of the department chosen."))
        if department_id is not None:
            _active_department(session, department_id)
        inquiry.status = InquiryStatus.referred
        inquiry.referred_department_id = department_id
        inquiry.referred_staff_id = colleague.id if colleague else None
        inquiry.due_at = reply_due(session, now)
    session.add(inquiry)
    session.flush()
    if inquiry.status is InquiryStatus.referred:
        _tell_referred(session, inquiry, now)
    return inquiry


def _tell_referred(session: Session, inquiry: Inquiry, now: datetime) -> int:
    """The referred staff member hears of it; referred to a department only, its chief representatives."""
    detail = (
        f"首问登记：{inquiry.responder.name} 转交「{inquiry.topic[:80]}」（{inquiry.inquirer_name}），"
        f"请于 {inquiry.due_at:%Y-%m-%d %H:%M} 前答复。"
    )
    key = f"inquiry-referred:{inquiry.id}"
    if inquiry.referred_staff_id is not None:
        user_id = session.scalar(sa.select(Staff.user_id).where(Staff.id == inquiry.referred_staff_id))
        if user_id is None:
            return 0
        candidates = sa.select(
            sa.literal(user_id).label("user_id"),
            sa.literal(key).label("key"),
            sa.cast(sa.null(), sa.Integer).label("case_id"),
            sa.literal(detail).label("detail"),
        )
        return notices.insert(session.connection(), NoticeKind.inquiry_referred, candidates, now)
    return notices.tell_chief_reps(
        session, NoticeKind.inquiry_referred, key, inquiry.referred_department_id, detail, now
    )


def is_first_responder(actor, inquiry: Inquiry) -> bool:
    return actor.staff_id is not None and actor.staff_id == inquiry.responder_id


def may_reply(actor, inquiry: Inquiry) -> bool:
    """The staff member referred to; referred to a department only, any of its staff."""
    if inquiry.status is not InquiryStatus.referred or actor.staff_id is None:
        return False
    if inquiry.referred_staff_id is not None:
        return actor.staff_id == inquiry.referred_staff_id
    return inquiry.referred_department_id is not None and actor.department_id == inquiry.referred_department_id


def _version(version) -> int:
    try:
        return int(str(version))
    except ValueError:
        raise InquiryError(_l("Someone else changed this record meanwhile; reload the page.")) from None


def _update(session: Session, inquiry, version, **values) -> None:
    """One conditional UPDATE of an open inquiry at this version, or nothing changes."""
    changed = session.execute(
        sa.update(TABLE)
        .where(
            TABLE.c.id == inquiry.id,
            TABLE.c.version == _version(version),
            TABLE.c.status == InquiryStatus.referred.name,
        )
        .values(version=TABLE.c.version + 1, **values),
        execution_options={"preserve_rowcount": True},
    ).rowcount
    if changed != 1:
        raise InquiryError(_l("Someone else changed this record meanwhile; reload the page."))
    session.expire(inquiry)


def reply(session: Session, actor, inquiry: Inquiry, version, now: datetime, *, note) -> None:
    """The referred side's reply; the inquiry stays open and the first responder's."""
    if not may_reply(actor, inquiry):
        raise InquiryError(_l("Only the staff member or department the inquiry was referred to may reply."))
    note = _text(note, MAX_ANSWER, _l("Enter the reply."))
    _update(session, inquiry, version, reply=note, replied_at=now, replied_by=actor.name[:100])


def close(session: Session, actor, inquiry: Inquiry, version, now: datetime, *, note) -> None:
    """Closed by the first responder with the answer given to the inquirer."""
    if not is_first_responder(actor, inquiry):
        raise InquiryError(_l("Only the first responder closes the inquiry: responsibility stays with them."))
    if inquiry.status is not InquiryStatus.referred:
        raise InquiryError(_l("This inquiry is already closed."))
    note = _text(note, MAX_ANSWER, _l("Enter the answer given to the inquirer."))
    _update(
        session,
        inquiry,
        version,
        status=InquiryStatus.closed.name,
        answer=note,
        closed_at=now,
        closed_by=actor.name[:100],
    )


ACTIONS = {"reply": reply, "close": close}


def flag_overdue(session: Session, now: datetime) -> int:
    """Open inquiries past their deadline: flagged once, told once to the first responder and the chief
    representatives of the first responder's department, and recorded against the first responder."""
    flagged = session.execute(
        sa.update(TABLE)
        .where(
            TABLE.c.status == InquiryStatus.referred.name,
            TABLE.c.due_at <= now,
            TABLE.c.overdue_at.is_(None),
        )
        .values(overdue_at=now, version=TABLE.c.version + 1),
        execution_options={"preserve_rowcount": True},
    ).rowcount
    staff = Staff.__table__
    responder = staff.alias("responder")
    detail = notices.text(
        "首问事项「",
        sa.func.substr(TABLE.c.topic, 1, 60),
        "」（",
        TABLE.c.inquirer_name,
        "，首问责任人 ",
        responder.c.name,
        "）应于 ",
        notices.minute(TABLE.c.due_at),
        " 前答复办结，已逾期。",
    )
    key = notices.key("inquiry-overdue:", TABLE.c.id)
    overdue = sa.and_(TABLE.c.overdue_at.is_not(None), TABLE.c.status == InquiryStatus.referred.name)
    case_id = sa.cast(sa.null(), sa.Integer).label("case_id")
    to_responder = (
        sa.select(responder.c.user_id.label("user_id"), key, case_id, detail.label("detail"))
        .select_from(TABLE.join(responder, responder.c.id == TABLE.c.responder_id))
        .where(overdue, responder.c.user_id.is_not(None))
    )
    to_chiefs = (
        sa.select(staff.c.user_id.label("user_id"), key, case_id, detail.label("detail"))
        .select_from(
            TABLE.join(responder, responder.c.id == TABLE.c.responder_id).join(
                staff, notices.chief_reps(TABLE.c.department_id)
            )
        )
        .where(overdue)
    )
    told = notices.insert(session.connection(), NoticeKind.inquiry_overdue, sa.union(to_responder, to_chiefs), now)
    # The records at once, in the month of each deadline just found passed (the monthly run would
    # write them too, but a month already scored would miss them).
    months = {
        due.date().replace(day=1) for due in session.scalars(sa.select(TABLE.c.due_at).where(TABLE.c.overdue_at == now))
    }
    written = sum(
        assessment.collect_trigger(session, AssessmentTrigger.inquiry_overdue, month, now) for month in sorted(months)
    )
    return flagged + told + written


def history(session: Session, phone, scope_clause=sa.true(), limit: int = 50) -> list[Inquiry]:
    """The inquiries from this phone number (any written form), newest first; InquiryError if it is not one."""
    try:
        number = checked_phone(phone, required=True)
    except InvalidPhone as exc:
        raise InquiryError(str(exc)) from None
    return list(
        session.scalars(
            sa.select(Inquiry)
            .where(Inquiry.phone == number, scope_clause)
            .order_by(Inquiry.received_at.desc(), Inquiry.id.desc())
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class Figures:
    received: int
    on_the_spot: int
    referred: int
    closed: int
    open: int
    overdue: int

    @property
    def closure_rate(self) -> float | None:
        """Closed inquiries per received inquiry; None when none was received."""
        return self.closed / self.received if self.received else None


def figures(session: Session, start: date, end: date, now: datetime, where=sa.true()) -> Figures:
    """The inquiries received in [start, end) (dates) and matching `where` (a center, a department, a
    scope clause), counted in one query: closed, still open, and overdue (past the deadline while
    open at `now`, or closed after it)."""
    c = TABLE.c
    referred = c.due_at.is_not(None)
    is_open = c.status == InquiryStatus.referred.name
    late = sa.or_(sa.and_(is_open, c.due_at <= now), sa.and_(referred, c.closed_at > c.due_at))

    def count(condition):
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    row = session.execute(
        sa.select(
            sa.func.count(),
            count(sa.and_(~referred, c.status == InquiryStatus.closed.name)),
            count(referred),
            count(c.status == InquiryStatus.closed.name),
            count(is_open),
            count(late),
        ).where(
            c.received_at >= datetime.combine(start, datetime.min.time()),
            c.received_at < datetime.combine(end, datetime.min.time()),
            where,
        )
    ).one()
    return Figures(*(int(value) for value in row))

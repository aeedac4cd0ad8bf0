"""投诉: filed on the portal or registered by staff, then received → investigating →
handling → replied → called back → archived, each stage within its working-day limit.

Center roles (Supervisor, CenterManager) drive every stage; the chief
representative of the complained-about department may also investigate and
handle its own complaints. The finding and any sanctions are recorded with the
reply; sanctions count against the staff member and window in the assessment.

A complaint found substantiated or partly substantiated opens, when it is handled, a
rectification order (整改通知) to its department, due `rectification_order_days` (5) working
days later (app/services/rectification_orders.py: closure, referral to 纪检, overdue notices).

Sanctions (000 第十六条 lists them by severity: 批评教育、谈话、通报批评、警告、黄牌、责令换人;
004 第三十六条: 查实的通报批评并责令限期整改). Only on a substantiated or partly substantiated
complaint; each is recorded against the complaint's staff member and window, and each kind does:

- every kind: one assessment record `complaint_sanction` (投诉查实受到处理, −2 by default) for the
  staff member and window in its month (services/assessment.py); the substantiated complaint
  itself bars 优秀 in the annual appraisal (services/appraisal.py).
- 批评教育 (criticism), 谈话提醒 (talk), 警告 (warning), 黄牌 (yellow_card): the record and the
  deduction; the seeds give them no further effect.
- 通报批评 (circulated): circulated — every active department's chief representative and the
  center's supervisors and managers receive it in their inbox, once.
- 责令换人 (replacement): opens a personnel change of kind 退回 (sent back to the department) for
  the center to approve (services/personnel.order_replacement); needs the staff member the
  complaint names; refused while that person has another change waiting. It also bars 优秀
  in the annual appraisal.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.models.feedback import (
    Complaint,
    ComplaintChannel,
    ComplaintFinding,
    ComplaintStage,
    Sanction,
    SanctionKind,
)
from app.models.notice import NoticeKind
from app.models.org import Department, RecordStatus, Staff, StaffPosition, StaffStatus, Window
from app.services import calendar as calendar_service
from app.services import notices, personnel, rectification_orders, settings
from app.services.deadlines import OfficeHours, deadline, parse_office_hours
from app.services.phone import InvalidPhone, checked_phone, phone_tail
from app.services.workdays import WorkCalendar
from config import ROLE_DUTIES

CENTER_ROLES = ROLE_DUTIES["feedback_handling"]
ORDER = list(ComplaintStage)
MAX_SUBJECT, MAX_CONTENT, MAX_NAME = 100, 2000, 50
# What is awaited in each open stage, as a stage-overdue notice names it.
STEP_NAMES = {
    ComplaintStage.received: "受理",
    ComplaintStage.investigating: "调查核实",
    ComplaintStage.handling: "处理答复",
    ComplaintStage.replied: "回访",
    ComplaintStage.called_back: "归档",
}


class ComplaintError(Exception):
    pass


@dataclass(frozen=True)
class Limits:
    calendar: WorkCalendar
    hours: OfficeHours
    stage_days: tuple = (1, 3, 3, 2, 1)
    total_days: int = 10
    order_days: int = 5  # the rectification order a substantiated complaint opens

    @classmethod
    def parse(cls, calendar, hours, stage_text: str, total: str, order: str = "5") -> "Limits":
        days = tuple(int(part) for part in stage_text.split(","))
        if len(days) != len(ORDER) - 1 or min(days) < 0:
            raise ValueError(stage_text)
        return cls(calendar, hours, days, int(total), int(order))

    def due(self, start: datetime, days: int) -> datetime:
        return deadline(start, days, self.calendar, self.hours).due_at


def load_limits(session: Session) -> Limits:
    """The center's working calendar, office hours and complaint stage limits, from the settings."""
    return Limits.parse(
        calendar_service.load(session),
        parse_office_hours(settings.get(session, "office_hours")),
        settings.get(session, "complaint_stage_days"),
        settings.get(session, "complaint_total_days"),
        settings.get(session, "rectification_order_days"),
    )


@dataclass
class Filing:
    subject: str
    content: str
    complainant_name: str | None = None
    complainant_phone: str | None = None
    department_id: int | None = None
    window_id: int | None = None
    staff_id: int | None = None
    case_id: int | None = None


def _clean(text, limit, message, *, required=True):
    value = (text or "").strip()
    if required and not value:
        raise ComplaintError(message)
    if len(value) > limit:
        raise ComplaintError(_l("A field is too long: %(limit)s characters at most.", limit=limit))
    if "\0" in value:
        raise ComplaintError(_l("The text contains characters that are not allowed."))
    return value or None


def file(session: Session, filing: Filing, channel: ComplaintChannel, center_id: int, now: datetime, limits: Limits):
    """A new complaint in `received`, with its tracking number; caller commits."""
    subject = _clean(filing.subject, MAX_SUBJECT, _l("Enter the subject of the complaint."))
    content = _clean(filing.content, MAX_CONTENT, _l("Describe what happened."))
    name = _clean(filing.complainant_name, MAX_NAME, "", required=False)
    try:
        phone = checked_phone(filing.complainant_phone, required=True)
    except InvalidPhone as exc:
        raise ComplaintError(str(exc)) from None
    for model, value in ((Department, filing.department_id), (Window, filing.window_id), (Staff, filing.staff_id)):
        if value is not None and session.get(model, value) is None:
            raise ComplaintError(_l("The department, window or staff member chosen does not exist."))
    complaint = Complaint(
        # Unguessable: the number and the phone's last four digits open the public status page.
        number=f"TS{now:%Y%m%d}{secrets.randbelow(10**6):06d}",
        channel=channel,
        filed_at=now,
        center_id=center_id,
        department_id=filing.department_id,
        window_id=filing.window_id,
        staff_id=filing.staff_id,
        case_id=filing.case_id,
        subject=subject,
        content=content,
        complainant_name=name,
        complainant_phone=phone,
        stage=ComplaintStage.received,
        stage_started_at=now,
        stage_due_at=limits.due(now, limits.stage_days[0]),
        due_at=limits.due(now, limits.total_days),
    )
    session.add(complaint)
    session.flush()
    return complaint


def _may_act(actor, complaint, stage):
    if actor.roles & CENTER_ROLES:
        return True
    own = bool(actor.roles & ROLE_DUTIES["department_chief"]) and actor.department_id == complaint.department_id
    return own and stage in (ComplaintStage.investigating, ComplaintStage.handling)


def _advance(complaint, now, limits):
    position = ORDER.index(complaint.stage) + 1
    complaint.stage = ORDER[position]
    complaint.stage_started_at = now
    if complaint.stage is ComplaintStage.archived:
        complaint.stage_due_at, complaint.closed_at = None, now
    else:
        complaint.stage_due_at = limits.due(now, limits.stage_days[position])


def act(session: Session, actor, complaint: Complaint, version, now: datetime, limits: Limits, action: str, **inputs):
    """Move the complaint one stage on; refused actions raise ComplaintError and change nothing."""
    stage = {
        "receive": ComplaintStage.received,
        "investigate": ComplaintStage.investigating,
        "handle": ComplaintStage.handling,
        "callback": ComplaintStage.replied,
        "archive": ComplaintStage.called_back,
    }.get(action)
    if stage is None:
        raise ComplaintError(_l("Unknown action."))
    if complaint.stage is not stage:
        raise ComplaintError(_l("This step does not apply to the complaint in its current stage."))
    if not _may_act(actor, complaint, stage):
        raise ComplaintError(_l("You may not handle this complaint at this stage."))
    if str(complaint.version) != str(version):
        raise ComplaintError(_l("Someone else changed this record meanwhile; reload the page."))
    if action == "receive":
        complaint.handler_id = actor.user_id
    elif action == "investigate":
        try:
            complaint.finding = ComplaintFinding[inputs.get("finding") or ""]
        except KeyError:
            raise ComplaintError(_l("Record the finding of the investigation.")) from None
        complaint.investigation = _clean(inputs.get("note"), MAX_CONTENT, _l("Describe what the investigation found."))
    elif action == "handle":
        complaint.reply = _clean(inputs.get("note"), MAX_CONTENT, _l("Write the reply to the complainant."))
        complaint.replied_at = now
        kinds = list(dict.fromkeys(inputs.get("sanctions") or ()))
        for kind in kinds:
            if kind not in SanctionKind.__members__:
                raise ComplaintError(_l("Unknown sanction."))
            if complaint.finding is ComplaintFinding.unsubstantiated:
                raise ComplaintError(_l("An unsubstantiated complaint carries no sanction."))
            complaint.sanctions.append(
                Sanction(
                    kind=SanctionKind[kind],
                    staff_id=complaint.staff_id,
                    window_id=complaint.window_id,
                    at=now,
                    decided_by=actor.name,
                )
            )
        try:
            rectification_orders.open_for_complaint(
                session,
                complaint,
                actor.name,
                now,
                limits.due(now, limits.order_days),
                inputs.get("requirement"),
            )
        except rectification_orders.OrderError as exc:
            raise ComplaintError(str(exc)) from None
        _sanction_effects(session, complaint, kinds, actor, now)
    elif action == "callback":
        complaint.callback_note = _clean(inputs.get("note"), 500, _l("Record what the complainant said."))
        complaint.complainant_satisfied = inputs.get("satisfied") == "yes"
    _advance(complaint, now, limits)
    session.flush()
    return complaint


def _sanction_effects(session: Session, complaint: Complaint, kinds: list, actor, now: datetime) -> None:
    """What a sanction does beyond its record and deduction (the module docstring lists each kind)."""
    session.flush()
    if SanctionKind.replacement.name in kinds:
        staff = session.get(Staff, complaint.staff_id) if complaint.staff_id else None
        if staff is None:
            raise ComplaintError(_l("An ordered replacement needs the staff member the complaint is about."))
        try:
            personnel.order_replacement(
                session,
                staff,
                now,
                reason=f"投诉 {complaint.number}「{complaint.subject}」经查实，责令换人。",
                ordered_by=actor.name,
            )
        except personnel.ChangeError as exc:
            raise ComplaintError(str(exc)) from None
    for sanction in complaint.sanctions:
        if sanction.kind is SanctionKind.circulated:
            circulate(session, sanction, f"投诉 {complaint.number}", complaint.department_id, now)


def circulate(session: Session, sanction_row: Sanction, source: str, department_id, now: datetime) -> int:
    """通报批评: the sanction told to every active department's chief representative and the center's
    supervisors and managers, once each (one INSERT … SELECT). `source` names what found it (a
    complaint, an inspection) and `department_id` whose it was; inspections call this too."""
    sanction = Sanction.__table__
    staff, department = Staff.__table__, Department.__table__
    center = notices.users_with_roles(*ROLE_DUTIES["center_notices"])
    chiefs = notices.users_with_roles(*ROLE_DUTIES["department_chief"])
    named = sa.select(Staff.name).where(Staff.id == sanction.c.staff_id).scalar_subquery()
    whose = sa.select(Department.name).where(Department.id == department_id).scalar_subquery()
    detail = notices.text(
        "通报批评：",
        source,
        notices.optional("（", whose, "）"),
        "经查实，",
        notices.optional("对 ", named, " "),
        "予以通报批评。",
    ).label("detail")
    key = notices.key("circulated:", sanction.c.id)
    no_case = sa.cast(sa.null(), sa.Integer).label("case_id")
    this = [sanction.c.id == sanction_row.id, sanction.c.kind == SanctionKind.circulated.name]
    chief_users = (
        sa.select(staff.c.user_id)
        .join(department, department.c.id == staff.c.department_id)
        .join(chiefs, chiefs.c.user_id == staff.c.user_id)
        .where(
            staff.c.status == StaffStatus.active.name,
            staff.c.position == StaffPosition.chief_rep.name,
            department.c.status == RecordStatus.active.name,
        )
    )
    recipients = sa.union(sa.select(center.c.user_id), chief_users).subquery()
    return notices.insert(
        session.connection(),
        NoticeKind.sanction_circulated,
        sa.select(recipients.c.user_id, key, no_case, detail)
        .select_from(sanction.join(recipients, sa.true()))
        .where(*this),
        now,
    )


def public_status(session: Session, number: str, phone_last4: str):
    """The complaint a member of the public may see: number and the phone's last four digits
    must both match; None otherwise, without saying which was wrong."""
    number, phone_last4 = (number or "").strip().upper(), (phone_last4 or "").strip()
    if not number or len(number) > 40 or not (phone_last4.isdigit() and len(phone_last4) == 4):
        return None
    complaint = session.scalar(sa.select(Complaint).where(Complaint.number == number))
    if complaint is None or phone_tail(complaint.complainant_phone) != phone_last4:
        return None
    return complaint


def flag_overdue(session: Session, now: datetime, since: datetime | None) -> int:
    """A stage past its limit: its handler and the center hear once per stage."""
    table = Complaint.__table__
    late = [table.c.stage != ComplaintStage.archived.name, table.c.stage_due_at <= now]
    if since is not None:
        late.append(table.c.stage_due_at > since)
    center = notices.users_with_roles(*ROLE_DUTIES["center_notices"])
    key = notices.key("complaint:", table.c.id, table.c.stage)
    department = sa.select(Department.name).where(Department.id == table.c.department_id).scalar_subquery()
    about = ("投诉 ", table.c.number, notices.optional("（", department, "）"), "「", table.c.subject, "」")
    step = sa.case(*((table.c.stage == stage.name, sa.literal(name)) for stage, name in STEP_NAMES.items()))
    detail = notices.text(
        *about, step, "环节已超过时限 ", notices.minute(table.c.stage_due_at), "，请尽快办理。"
    ).label("detail")
    past_due = notices.text(*about, "已超过办结总时限 ", notices.minute(table.c.due_at), "，仍未办结归档。").label(
        "detail"
    )
    no_case = sa.cast(sa.null(), sa.Integer).label("case_id")
    sent = notices.insert(
        session.connection(),
        NoticeKind.complaint_overdue,
        sa.select(table.c.handler_id.label("user_id"), key, no_case, detail).where(
            *late, table.c.handler_id.is_not(None)
        ),
        now,
    )
    sent += notices.insert(
        session.connection(),
        NoticeKind.complaint_overdue,
        sa.select(center.c.user_id, key, no_case, detail).select_from(table.join(center, sa.true())).where(*late),
        now,
    )
    # The whole complaint past its limit (10 working days by default): the center hears once.
    past_total = [table.c.stage != ComplaintStage.archived.name, table.c.due_at <= now]
    if since is not None:
        past_total.append(table.c.due_at > since)
    sent += notices.insert(
        session.connection(),
        NoticeKind.complaint_overdue,
        sa.select(center.c.user_id, notices.key("complaint-total:", table.c.id), no_case, past_due)
        .select_from(table.join(center, sa.true()))
        .where(*past_total),
        now,
    )
    return sent

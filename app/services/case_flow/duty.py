"""综合窗口轮值 duty (seed 003): the on-duty department finishes and hands over what it accepts.

"轮值部门除受理本部门事项外，必须同时受理办理其它成员部门的事项……即办件必须在窗口当场办结，
其他件须在0.5个工作日内移交责任部门办理." (seed 003, 综合窗口管理制度)

- Who: staff of the department on duty at the comprehensive window the case was accepted at
  (services.rotation, the week containing `now`), seated at that window, act on a member
  department's case there until it is handed over: an immediate case they complete on the spot;
  any case they may return or withdraw, and take in the materials it waited for (what a clerk
  at acceptance does). The owning department keeps every action on its own cases.
- The register (交接登记): accepting a non-immediate case for a member department opens its
  entry, a Transfer of kind duty_handoff, due `duty_handoff_days` working days of office time
  later. `hand_over` records who handed it over and when; `receive_handoff` records who in the
  owning department received it and when, and makes them the case's holder (assignee): from
  then on the department acts as on any of its cases. The department may also confirm receipt
  of a case handed over in person but not yet registered as such: the hand-off counts from then.
- Late: a hand-off after its due time is one violation of the person holding the case at that
  time (services.holders), recorded by whichever comes first, the hand-off itself or the scan
  (services/duty_scan.py, job transfer_scan).

Two receivers (or two hand-offs) at once: the register entry moves by one conditional UPDATE
on (id, status, version), and the case's own version is checked by `perform`: exactly one wins.
"""

import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import object_session

from app.models.case import CaseAction, Violation, ViolationKind
from app.models.matter import CaseKind
from app.models.org import Staff
from app.models.transfer import Transfer, TransferAction, TransferEvent, TransferKind, TransferStatus
from app.services import holders, notices, rotation, settings
from app.services.case_flow.guards import TOWNSHIP_ROLES, WINDOW_ROLES, CaseError, StaleCase, own_department
from app.services.case_flow.history import event
from app.services.deadlines import after_office_time, deadline

DUTY = TransferKind.duty_handoff
# A register entry the owning department may still receive: not yet handed over, or handed over.
RECEIVABLE = (TransferStatus.registered, TransferStatus.sent)


def for_owner(session, actor, case, now) -> bool:
    """Is `actor` at the duty desk for `case`: staff of another department, seated at the
    comprehensive window the case was accepted at, whose department is on duty there this week
    while the case's department is one of the window's members?"""
    if (
        not actor.roles & WINDOW_ROLES
        or actor.department_id is None
        or actor.department_id == case.department_id
        or case.window_id is None
        or actor.window_id != case.window_id
    ):
        return False
    with session.no_autoflush:
        return rotation.may_accept_for(session, case.window_id, actor.department_id, case.department_id, now.date())


def register_entry(session, case) -> Transfer | None:
    if case.id is None:
        return None
    with session.no_autoflush:
        return session.scalar(sa.select(Transfer).where(Transfer.case_id == case.id, Transfer.kind == DUTY))


def _at_desk(actor, case, now) -> bool:
    """At the duty desk and the case not handed over yet."""
    session = object_session(case)
    if not for_owner(session, actor, case, now):
        return False
    entry = register_entry(session, case)
    return entry is None or entry.status is TransferStatus.registered


# ---------------------------------------------------------------------------
# Checks for the ACTIONS table: who (actor, case, now, inputs), ready (case, now)
# ---------------------------------------------------------------------------


def own_or_duty(actor, case, now, inputs=None):
    """The owning department, or the duty desk until the case is handed over."""
    try:
        own_department(actor, case, now)
    except CaseError:
        if not _at_desk(actor, case, now):
            raise


def own_or_duty_on_the_spot(actor, case, now, inputs=None):
    """As own_or_duty, but the duty desk finishes immediate cases only (当场办结); others it hands over."""
    try:
        own_department(actor, case, now)
    except CaseError:
        if not _at_desk(actor, case, now):
            raise
        if case.kind is not CaseKind.immediate:
            raise CaseError(
                _l("At the comprehensive window only immediate cases are completed: hand this case over.")
            ) from None


def duty_desk(actor, case, now, inputs=None):
    if not _at_desk(actor, case, now):
        raise CaseError(
            _l("Only the department on duty at the comprehensive window that accepted the case hands it over.")
        )


def awaiting_handoff(case, now):
    entry = register_entry(object_session(case), case)
    if entry is None or entry.status is not TransferStatus.registered:
        raise CaseError(_l("This case has no hand-off waiting to be registered."))


def receivable(case, now):
    entry = register_entry(object_session(case), case)
    if entry is None or entry.status not in RECEIVABLE:
        raise CaseError(_l("There is no hand-off of this case to confirm."))


# ---------------------------------------------------------------------------
# Acceptance opens the register entry
# ---------------------------------------------------------------------------


def is_duty_acceptance(session, actor, case, now) -> bool:
    """A case the duty desk accepts for a member department (a township window's is its own)."""
    if actor.roles & TOWNSHIP_ROLES and actor.center_id is not None and actor.center_id == case.center_id:
        return False
    return case.window_id == actor.window_id and for_owner(session, actor, case, now)


def handoff_due(session, accepted_at: datetime, clock) -> datetime:
    days = float(settings.get(session, "duty_handoff_days"))
    return after_office_time(accepted_at, days, clock.calendar, clock.hours)


def open_entry(session, actor, case, now, clock) -> Transfer | None:
    """At acceptance: a non-immediate case accepted by the duty desk gets its register entry."""
    if case.kind is CaseKind.immediate or not is_duty_acceptance(session, actor, case, now):
        return None
    if register_entry(session, case) is not None:
        return None
    entry = Transfer(
        number=_number(session, now),
        kind=DUTY,
        status=TransferStatus.registered,
        case=case,
        matter_id=case.matter.id,
        applicant_type=case.applicant_type,
        applicant_name=case.applicant_name,
        applicant_id_number=case.applicant_id_number,
        applicant_phone=case.applicant_phone,
        from_center_id=case.center.id,
        from_department_id=actor.department_id,
        from_staff_id=actor.staff_id,
        to_center_id=case.center.id,
        to_department_id=case.department_id,
        registered_at=now,
        handoff_due_at=handoff_due(session, now, clock),
        events=[TransferEvent(action=TransferAction.register, at=now, actor_name=actor.name, note=case.number)],
    )
    session.add(entry)
    return entry


def _number(session, now) -> str:
    """JJ (交接) + date + 6 random digits."""
    while True:
        number = f"JJ{now:%Y%m%d}{secrets.randbelow(10**6):06d}"
        with session.no_autoflush:
            if session.scalar(sa.select(Transfer.id).where(Transfer.number == number)) is None:
                return number


# ---------------------------------------------------------------------------
# Handlers (session, actor, case, now, *, clock, **inputs) → the event on `case`
# ---------------------------------------------------------------------------


def _move(session, entry, allowed, **values) -> None:
    moved = session.execute(
        sa.update(Transfer)
        .where(Transfer.id == entry.id, Transfer.version == entry.version, Transfer.status.in_(allowed))
        .values(version=Transfer.version + 1, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        raise StaleCase(_l("The hand-off was changed by someone else. Reload the case and try again."))


def hand_over(session, actor, case, now, *, clock, note=None):
    """交接: the duty desk hands the case to the owning department; receipt is due like a transfer's."""
    entry = register_entry(session, case)
    late = _late(session, case, entry, now)
    confirm_days = int(settings.get(session, "transfer_confirm_days"))
    _move(
        session,
        entry,
        (TransferStatus.registered,),
        status=TransferStatus.sent,
        sent_at=now,
        from_department_id=actor.department_id,
        from_staff_id=actor.staff_id,
        confirm_due_at=deadline(now, confirm_days, clock.calendar, clock.hours).due_at,
        flagged_at=None,
    )
    department = case.department.name
    session.add(
        TransferEvent(
            transfer_id=entry.id, action=TransferAction.forward, at=now, actor_name=actor.name, note=department
        )
    )
    session.add_all(late)
    return event(
        case,
        actor,
        now,
        CaseAction.hand_over,
        case.status,
        note=note,
        data={"transfer": entry.number, "to_department": department},
    )


def receive_handoff(session, actor, case, now, *, clock, note=None):
    """确认接收: the owning department holds the case from now on."""
    entry = register_entry(session, case)
    sent_version, late = entry.version, _late(session, case, entry, now)
    _move(
        session,
        entry,
        RECEIVABLE,
        status=TransferStatus.received,
        sent_at=sa.func.coalesce(Transfer.sent_at, now),
        received_at=now,
        received_by_id=actor.staff_id,
    )
    session.add(TransferEvent(transfer_id=entry.id, action=TransferAction.receive, at=now, actor_name=actor.name))
    session.add_all(late)
    notices.resolve(session, f"transfer:{entry.id}:{sent_version}", now)
    handed_by = case.assignee_id
    case.assignee_id = actor.staff_id
    return event(
        case,
        actor,
        now,
        CaseAction.receive_handoff,
        case.status,
        note=note,
        data={"assignee_id": actor.staff_id, "from_staff_id": handed_by, "transfer": entry.number},
    )


def _late(session, case, entry, now) -> list[Violation]:
    """A hand-off registered now, after its due time, and not recorded yet (by the scan): the
    violation of whoever held the case at that time. Read before the entry moves."""
    due = entry.handoff_due_at
    if due is None or now <= due or entry.status is not TransferStatus.registered:
        return []
    with session.no_autoflush:
        recorded = session.scalar(
            sa.select(Violation.id).where(
                Violation.case_id == case.id, Violation.kind == ViolationKind.duty_handoff_overdue
            )
        )
        if recorded:
            return []
        staff = session.get(Staff, holders.holder(session, case, due) or 0)
    return [
        Violation(
            kind=ViolationKind.duty_handoff_overdue,
            at=due,
            case_id=case.id,
            department_id=staff.department_id if staff else case.department_id,
            staff_id=staff.id if staff else None,
            window_id=case.window_id,
            detail=late_detail(case.number, due.strftime("%Y-%m-%d %H:%M")),
        )
    ]


def late_detail(number, due):
    """The violation's wording, for values or SQL columns alike."""
    return "综合窗口受理的办件 " + number + " 未在 " + due + " 前移交责任部门"

"""The case lifecycle: intake and every action on a case.

Each action takes (session, actor, case, version, now, **inputs), checks the
actor's role and department, the case's state and version, changes the case
and writes exactly one CaseEvent. Illegal actions raise CaseError with a
Chinese message and change nothing.

`perform()` owns the transaction: it commits a successful action, rolls back a
refused one, and then writes the violations a refusal must leave behind (an
attempt on another department's case is blocked *and* recorded).

Concurrency: the case row carries a version (optimistic lock). The caller's
version must match the stored one, and the UPDATE itself is conditional on it,
so of two people acting at once exactly one wins; the other gets StaleCase.

Clock conventions (see services.deadlines): a suspension's paused working days
are those in (suspended_at, resumed_at]: the day the clock stops still counts,
the day it restarts does not.
"""

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from app.models.case import (
    OPEN_STATUSES,
    RUNNING_STATUSES,
    ApplicantType,
    Case,
    CaseAction,
    CaseCounter,
    CaseEvent,
    CaseResult,
    CaseStatus,
    CaseTask,
    Channel,
    Light,
    SuspendReason,
    TaskStatus,
    Violation,
    ViolationKind,
)
from app.models.matter import CaseKind, Matter, MatterStatus
from app.models.org import Staff
from app.services import calendar as calendar_service
from app.services import settings, warnings
from app.services.deadlines import OfficeHours, deadline, parse_office_hours, step_due_at
from app.services.idnumber import valid_id_number
from app.services.warning_scan import SYSTEM as SYSTEM_NAME
from app.services.warning_scan import overdue_detail
from app.services.workdays import WorkCalendar

WINDOW_ROLES = frozenset({"WindowStaff", "ChiefRep"})
CENTER_ROLES = frozenset({"CenterManager", "Supervisor"})
# 行政许可法 §42: a decision may be extended by 10 working days, joint handling by 15.
MAX_EXTENSION_DAYS = {CaseKind.joint: 15}
DEFAULT_MAX_EXTENSION_DAYS = 10


class CaseError(Exception):
    """An action was refused; the message is for the user."""

    def __init__(self, message, violations=()):
        super().__init__(str(message))
        self.violations = list(violations)


class StaleCase(CaseError):
    pass


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    name: str
    roles: frozenset
    staff_id: int | None = None
    department_id: int | None = None
    window_id: int | None = None


@dataclass(frozen=True)
class Clock:
    """What the deadline rules need besides `now`: calendar, office hours, warning window."""

    calendar: WorkCalendar
    hours: OfficeHours
    warn_days: int = warnings.WARN_DAYS
    warn_ratio: float = warnings.WARN_RATIO

    @classmethod
    def load(cls, session: Session) -> "Clock":
        return cls(
            calendar_service.load(session),
            parse_office_hours(settings.get(session, "office_hours")),
            int(settings.get(session, "warning_days")),
            float(settings.get(session, "warning_ratio")),
        )

    def warn_at(self, deadline_at, limit_days):
        return warnings.warn_at(
            deadline_at, limit_days, self.calendar, warn_days=self.warn_days, warn_ratio=self.warn_ratio
        )


@dataclass
class Outcome:
    case: Case
    event: CaseEvent
    violations: list[Violation] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Guards
# ---------------------------------------------------------------------------


def _violation(kind, case, actor, now, detail) -> Violation:
    return Violation(
        kind=kind,
        at=now,
        case_id=case.id if case else None,
        department_id=actor.department_id if kind is ViolationKind.cross_department else case.department_id,
        staff_id=actor.staff_id,
        window_id=actor.window_id,
        detail=str(detail)[:500],
    )


def _require_window_role(actor: Actor, case: Case, now):
    if not actor.roles & WINDOW_ROLES or actor.department_id is None:
        raise CaseError(_l("Only window staff and chief representatives may handle cases."))
    if actor.department_id != case.department_id:
        raise CaseError(
            _l("This case belongs to another department; the attempt has been recorded."),
            [
                _violation(
                    ViolationKind.cross_department,
                    case,
                    actor,
                    now,
                    f"{actor.name} 试图操作其他部门的办件 {case.number}",
                )
            ],
        )


def _require_status(case: Case, *allowed):
    if case.status not in allowed:
        raise CaseError(_l("This action is not possible while the case is “%(status)s”.", status=case.status.label))


def _require_version(case: Case, version):
    # A form sends the version as text, the API as a number; anything else is no version.
    if isinstance(version, str) and version.isascii() and version.isdigit():
        version = int(version)
    if isinstance(version, bool) or not isinstance(version, int):
        raise CaseError(_l("Send the case's version (a whole number, as last read) with the action."))
    if version != case.version:
        raise StaleCase(_l("The case was changed by someone else. Reload it and try again."))


def _require_text(value, message):
    text = (value or "").strip()
    if not text:
        raise CaseError(message)
    return _within_limit(text)


def _within_limit(text):
    """Notes and reasons fit CaseEvent.note (1000 characters)."""
    if text and len(text) > 1000:
        raise CaseError(_l("The text is too long (at most 1000 characters)."))
    return text


# ---------------------------------------------------------------------------
# Clock helpers
# ---------------------------------------------------------------------------


def _start_step(case: Case, clock: Clock, now: datetime) -> None:
    """The current step starts now: store when it will have outrun its share (step scan)."""
    session = object_session(case)
    # Loading the steps must not flush the half-changed case: that would be a second UPDATE (and version).
    with session.no_autoflush if session else nullcontext():
        step = case.current_step
    case.step_due_at = step_due_at(clock.calendar, now, step.limit_days if step else 0)


def _recompute_deadline(case: Case, clock: Clock, now: datetime):
    result = deadline(
        case.accepted_at,
        case.limit_days,
        clock.calendar,
        clock.hours,
        paused_workdays=case.paused_workdays,
        extension_days=case.extension_days,
    )
    case.deadline_at = result.due_at
    case.warn_at = clock.warn_at(result.due_at, case.limit_days)
    was_red = case.light is Light.red
    case.light = Light.red if now > case.deadline_at else Light.yellow if now >= case.warn_at else Light.green
    case.calendar_unconfirmed = not result.confirmed
    if case.light is Light.red and not was_red and case.status in RUNNING_STATUSES:
        _went_overdue(case, now)


def _went_overdue(case: Case, now: datetime):
    """An action that turns a case red (a resume that adds no working day) records what the
    warning scan records when it does: one overdue event and one violation. The scan only looks
    at cases not red yet, so it would never catch this one.

    The event waits for the action's own (see _record_overdue): written first, it said
    in_progress → in_progress right after a suspended case's last event, a history that
    does not follow on."""
    vars(case)["_overdue_at"] = now
    object_session(case).add(
        Violation(
            kind=ViolationKind.overdue,
            at=case.deadline_at,
            case_id=case.id,
            department_id=case.department_id,
            staff_id=case.assignee_id,
            window_id=case.window_id,
            detail=overdue_detail(case.number),
        )
    )


def _record_overdue(case: Case):
    """The overdue event _went_overdue left pending, after whatever event the action wrote."""
    at = vars(case).pop("_overdue_at", None)
    if at is not None:
        object_session(case).add(
            CaseEvent(
                case=case,
                action=CaseAction.overdue,
                at=at,
                actor_name=SYSTEM_NAME,
                from_status=case.status,
                to_status=case.status,
                to_step=case.step_seq,
            )
        )


def _suspend(case: Case, reason: SuspendReason, now):
    case.status = CaseStatus.suspended
    case.suspend_reason = reason
    case.suspended_at = now


def _resume(case: Case, now, clock: Clock):
    paused = max(0, clock.calendar.workdays_between(case.suspended_at.date(), now.date()))
    case.paused_workdays += paused
    case.status = CaseStatus.in_progress
    case.suspend_reason = None
    case.suspended_at = None
    _recompute_deadline(case, clock, now)
    return paused


def _event(case, actor, now, action, from_status, *, note=None, materials=None, data=None, from_step=None):
    event = CaseEvent(
        case=case,
        action=action,
        at=now,
        actor_id=actor.user_id,
        actor_name=actor.name,
        from_status=from_status,
        to_status=case.status,
        from_step=from_step,
        to_step=case.step_seq,
        note=_within_limit(note),
        materials=materials,
        data=data,
    )
    # In the session before the overdue event it may have caused, so it is written first
    # (a case being taken in is not in a session yet: its events go in with it).
    session = object_session(case)
    if session is not None:
        session.add(event)
    _record_overdue(case)
    return event


def working_days_left(case: Case, now: datetime, calendar: WorkCalendar) -> int | None:
    """Working days from today to the deadline (0 = due today, negative = overdue)."""
    if case.deadline_at is None:
        return None
    if now > case.deadline_at:
        return -max(1, calendar.workdays_between(case.deadline_at.date(), now.date()))
    return calendar.workdays_between(now.date(), case.deadline_at.date())


# ---------------------------------------------------------------------------
# Case numbers
# ---------------------------------------------------------------------------


def next_number(session: Session, center, now: datetime) -> str:
    """Center code + date + sequence within the center's year, e.g. XZ-20261124-00042.

    The counter row is created if missing (ON CONFLICT DO NOTHING) and bumped
    with one UPDATE … RETURNING, so concurrent intakes never share a number.
    """
    dialect = session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    table = CaseCounter.__table__
    session.execute(insert(table).values(center_id=center.id, year=now.year, last=0).on_conflict_do_nothing())
    seq = session.execute(
        sa.update(table)
        .where(table.c.center_id == center.id, table.c.year == now.year)
        .values(last=table.c.last + 1)
        .returning(table.c.last)
    ).scalar_one()
    return f"{center.code}-{now:%Y%m%d}-{seq:05d}"


# ---------------------------------------------------------------------------
# Intake
# ---------------------------------------------------------------------------


@dataclass
class Application:
    matter_id: int
    applicant_name: str
    applicant_id_number: str
    applicant_phone: str | None = None
    applicant_type: ApplicantType = ApplicantType.person
    channel: Channel = Channel.window
    received_material_ids: tuple = ()
    co_department_ids: tuple = ()
    urgent: bool = False


def intake(session: Session, actor: Actor, now: datetime, application: Application, clock: Clock) -> Outcome:
    """Register an application at the window.

    With every required material received the case is accepted and its clock
    starts; otherwise it waits in `submitted` with one notice listing every
    missing material (一次性告知), and is accepted when they arrive.
    """
    matter = session.get(Matter, application.matter_id)
    if matter is None or matter.status is not MatterStatus.active:
        raise CaseError(_l("This matter is not in service."))
    if not actor.roles & WINDOW_ROLES or not _may_accept(session, actor, matter, now):
        raise CaseError(_l("You may only accept matters of your own department."))
    name = _require_text(application.applicant_name, _l("Enter the applicant's name."))
    id_number = (application.applicant_id_number or "").strip().upper()
    if application.applicant_type is ApplicantType.person and not valid_id_number(id_number):
        raise CaseError(_l("The ID card number is not valid (check digit or date wrong)."))
    if application.applicant_type is ApplicantType.organisation and not 15 <= len(id_number) <= 18:
        raise CaseError(_l("Enter the organisation's unified social credit code."))
    phone = (application.applicant_phone or "").strip() or None
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
        raise CaseError(_l("The phone number is not valid."))

    received = set(application.received_material_ids)
    missing = [m.name for m in matter.materials if m.required and m.id not in received]
    staff = session.get(Staff, actor.staff_id) if actor.staff_id else None
    window_center = staff.window.center if staff and staff.window else matter.department.center
    kind = CaseKind.urgent if application.urgent else matter.case_kind
    case = Case(
        number=next_number(session, window_center, now),
        center=window_center,
        matter=matter,
        department_id=matter.department_id,
        window_id=actor.window_id,
        accepted_by_id=actor.staff_id,
        assignee_id=actor.staff_id,
        step_seq=1,
        applicant_type=application.applicant_type,
        applicant_name=name[:100],
        applicant_id_number=id_number,
        applicant_phone=phone,
        channel=application.channel,
        kind=kind,
        submitted_at=now,
        limit_days=matter.promised_limit_days if kind is not CaseKind.immediate else 0,
        status=CaseStatus.submitted,
        paused_workdays=0,
        extension_days=0,
        supplement_count=0,
    )
    session.add(case)
    received_names = [m.name for m in matter.materials if m.id in received]
    if missing:
        case.supplement_count = 1
        event = _event(
            case,
            actor,
            now,
            CaseAction.request_supplement,
            None,
            materials=missing,
            note=str(_l("Materials incomplete: one notice lists everything missing.")),
            data={"received": received_names},
        )
    else:
        event = _accept(case, actor, now, clock, application.co_department_ids, received_names)
    session.add(event)
    session.flush()
    return Outcome(case, event)


def _may_accept(session, actor: Actor, matter: Matter, now: datetime) -> bool:
    """Own department's matters; at a comprehensive window, also its member departments' matters
    while the actor's department is on duty there (services.rotation)."""
    from app.services import rotation

    if actor.department_id is not None and actor.department_id == matter.department_id:
        return True
    return rotation.may_accept_for(session, actor.window_id, actor.department_id, matter.department_id, now.date())


def _accept(case, actor, now, clock, co_department_ids, received_names):
    from_status = case.status
    case.status = CaseStatus.accepted
    case.accepted_at = now
    case.accepted_by_id = actor.staff_id
    _recompute_deadline(case, clock, now)
    _start_step(case, clock, now)
    for department_id in co_department_ids:
        if department_id != case.department_id:
            case.tasks.append(CaseTask(department_id=department_id, deadline_at=case.deadline_at))
    if case.kind is CaseKind.joint and not case.tasks:
        raise CaseError(_l("A joint case needs at least one co-department."))
    return _event(
        case,
        actor,
        now,
        CaseAction.accept,
        from_status,
        materials=received_names,
        data={"deadline": case.deadline_at.isoformat(), "calendar_unconfirmed": case.calendar_unconfirmed},
    )


# ---------------------------------------------------------------------------
# Actions on an existing case
# ---------------------------------------------------------------------------


def accept(session, actor, case, version, now, *, clock, received_material_ids=(), co_department_ids=()):
    _require_window_role(actor, case, now)
    _require_status(case, CaseStatus.submitted)
    _require_version(case, version)
    received = [m.name for m in case.matter.materials if m.id in set(received_material_ids)]
    return _accept(case, actor, now, clock, co_department_ids, received)


def forward(session, actor, case, version, now, *, clock, assignee_id=None, next_step=True, note=None):
    _require_window_role(actor, case, now)
    _require_status(case, *RUNNING_STATUSES)
    _require_version(case, version)
    violations = _step_overdue(session, case, actor, now, clock) if next_step else []
    from_status, from_step = case.status, case.step_seq
    if next_step:
        if case.step_seq >= len(case.matter.steps):
            raise CaseError(_l("This is the last step: complete the case instead."))
        case.step_seq += 1
        _start_step(case, clock, now)
    if assignee_id is not None:
        assignee = session.get(Staff, assignee_id)
        if assignee is None or assignee.department_id != case.department_id:
            raise CaseError(_l("The case can only be assigned to staff of its own department."))
        case.assignee_id = assignee.id
    case.status = CaseStatus.in_progress
    session.add_all(violations)
    return _event(
        case,
        actor,
        now,
        CaseAction.forward,
        from_status,
        from_step=from_step,
        note=note,
        data={"assignee_id": case.assignee_id},
    )


def _step_overdue(session, case, actor, now, clock):
    """A step held past its share of the limit is one violation, unless the step scan
    has recorded it already."""
    step = case.current_step
    if step is None or case.step_due_at is None or now < case.step_due_at:
        return []
    reported = session.scalar(
        sa.select(Violation.id).where(
            Violation.case_id == case.id, Violation.kind == ViolationKind.step_overdue, Violation.at >= case.step_due_at
        )
    )
    if reported:
        return []
    return [
        _violation(
            ViolationKind.step_overdue,
            case,
            actor,
            now,
            f"办件 {case.number} 环节“{step.name}”超过分配的 {step.limit_days} 个工作日",
        )
    ]


def request_supplement(session, actor, case, version, now, *, clock, materials, note=None):
    _require_window_role(actor, case, now)
    _require_status(case, *RUNNING_STATUSES)
    _require_version(case, version)
    materials = [m.strip() for m in materials or [] if m and m.strip()]
    if not materials:
        raise CaseError(_l("List every missing material in one notice."))
    from_status = case.status
    case.supplement_count += 1
    violations = []
    if case.supplement_count > 1:
        violations.append(
            _violation(
                ViolationKind.second_supplement,
                case,
                actor,
                now,
                f"办件 {case.number} 第 {case.supplement_count} 次要求补正材料",
            )
        )
    _suspend(case, SuspendReason.supplement, now)
    session.add_all(violations)
    return _event(case, actor, now, CaseAction.request_supplement, from_status, materials=materials, note=note)


def _pause_action(reason, action, needs_note):
    def run(session, actor, case, version, now, *, clock, note=None):
        _require_window_role(actor, case, now)
        _require_status(case, *RUNNING_STATUSES)
        _require_version(case, version)
        text = _require_text(note, _l("Say what the procedure is and why.")) if needs_note else note
        from_status = case.status
        _suspend(case, reason, now)
        return _event(case, actor, now, action, from_status, note=text)

    return run


def _resume_action(reason, action, wrong_reason=_l("The case is suspended for another reason.")):
    def run(session, actor, case, version, now, *, clock, note=None):
        _require_window_role(actor, case, now)
        _require_status(case, CaseStatus.suspended)
        _require_version(case, version)
        if case.suspend_reason is not reason:
            raise CaseError(wrong_reason)
        from_status = case.status
        paused = _resume(case, now, clock)
        return _event(
            case,
            actor,
            now,
            action,
            from_status,
            note=note,
            data={"paused_workdays": paused, "deadline": case.deadline_at.isoformat()},
        )

    return run


_resume_supplement = _resume_action(
    SuspendReason.supplement, CaseAction.receive_supplement, _l("The case is not waiting for materials.")
)


def receive_supplement(session, actor, case, version, now, *, clock, note=None):
    if case.status is CaseStatus.submitted:
        # Materials completed before acceptance: the application is accepted now.
        _require_window_role(actor, case, now)
        _require_version(case, version)
        return _accept(case, actor, now, clock, (), [])
    return _resume_supplement(session, actor, case, version, now, clock=clock, note=note)


start_special = _pause_action(SuspendReason.special_procedure, CaseAction.start_special, needs_note=True)
end_special = _resume_action(SuspendReason.special_procedure, CaseAction.end_special)
escalate = _pause_action(SuspendReason.escalation, CaseAction.escalate, needs_note=False)
receive_escalation_result = _resume_action(SuspendReason.escalation, CaseAction.receive_escalation_result)


def extend(session, actor, case, version, now, *, clock, days, reason):
    _require_window_role(actor, case, now)
    if "ChiefRep" not in actor.roles:
        raise CaseError(_l("Only the chief representative may approve an extension."))
    _require_status(case, CaseStatus.accepted, CaseStatus.in_progress, CaseStatus.suspended)
    _require_version(case, version)
    text = _require_text(reason, _l("An extension needs a written reason."))
    days = int(days)
    limit = MAX_EXTENSION_DAYS.get(case.kind, DEFAULT_MAX_EXTENSION_DAYS)
    if days < 1 or case.extension_days + days > limit:
        raise CaseError(_l("Extensions may add at most %(limit)s working days in all.", limit=limit))
    case.extension_days += days
    _recompute_deadline(case, clock, now)
    return _event(
        case,
        actor,
        now,
        CaseAction.extend,
        case.status,
        note=text,
        data={"days": days, "deadline": case.deadline_at.isoformat()},
    )


def return_case(session, actor, case, version, now, *, clock, reason, passive=False):
    _require_window_role(actor, case, now)
    _require_status(case, *OPEN_STATUSES)
    _require_version(case, version)
    text = _require_text(reason, _l("A return needs a reason."))
    from_status = case.status
    case.status = CaseStatus.returned
    case.result = CaseResult.returned_passive if passive else CaseResult.returned_active
    case.finished_at = now
    return _event(case, actor, now, CaseAction.return_case, from_status, note=text, data={"passive": bool(passive)})


def allowed_fee(matter: Matter, fee: Decimal) -> bool:
    if matter.fee_max is not None:
        return matter.fee_standard <= fee <= matter.fee_max
    return fee == matter.fee_standard


def complete(session, actor, case, version, now, *, clock, approved=True, fee=None, note=None):
    _require_window_role(actor, case, now)
    _require_status(case, *RUNNING_STATUSES)
    _require_version(case, version)
    fee = Decimal(str(fee if fee not in (None, "") else case.matter.fee_standard)).quantize(Decimal("0.01"))
    if approved and not allowed_fee(case.matter, fee):
        raise CaseError(
            _l("The fee %(fee)s does not match the matter's standard; it was not saved.", fee=fee),
            [
                _violation(
                    ViolationKind.fee_mismatch,
                    case,
                    actor,
                    now,
                    f"办件 {case.number} 拟收费 {fee} 元，标准为 {case.matter.fee_standard} 元",
                )
            ],
        )
    if any(task.status is not TaskStatus.done for task in case.tasks):
        raise CaseError(_l("Every co-department's task must be done before the case can be completed."))
    from_status = case.status
    case.status = CaseStatus.completed
    case.result = CaseResult.approved if approved else CaseResult.denied
    case.fee = fee if approved else Decimal("0")
    case.finished_at = now
    return _event(
        case,
        actor,
        now,
        CaseAction.complete,
        from_status,
        note=note,
        data={"approved": bool(approved), "fee": str(case.fee)},
    )


def withdraw(session, actor, case, version, now, *, clock, note=None):
    _require_window_role(actor, case, now)
    _require_status(case, *OPEN_STATUSES)
    _require_version(case, version)
    from_status = case.status
    case.status = CaseStatus.withdrawn
    case.result = CaseResult.withdrawn
    case.finished_at = now
    return _event(
        case,
        actor,
        now,
        CaseAction.withdraw,
        from_status,
        note=_require_text(note, _l("Record the applicant's request to withdraw.")),
    )


def issue_default_approval(session, actor, case, version, now, *, clock, note=None):
    if not actor.roles & CENTER_ROLES:
        raise CaseError(_l("Only the center may issue a default approval."))
    _require_status(case, *RUNNING_STATUSES)
    _require_version(case, version)
    if case.deadline_at is None or now <= case.deadline_at:
        raise CaseError(_l("A default approval is only possible for an overdue case."))
    if case.extension_days:
        raise CaseError(_l("The case has an approved written extension."))
    from_status = case.status
    case.status = CaseStatus.completed
    case.result = CaseResult.default_approved
    case.finished_at = now
    return _event(case, actor, now, CaseAction.issue_default_approval, from_status, note=note)


def complete_task(session, actor, case, version, now, *, clock, task_id, note=None):
    task = session.get(CaseTask, task_id)
    if task is None or task.case_id != case.id:
        raise CaseError(_l("No such task on this case."))
    if not actor.roles & WINDOW_ROLES or actor.department_id != task.department_id:
        raise CaseError(_l("Only the co-department itself may complete its task."))
    _require_status(case, *OPEN_STATUSES)
    _require_version(case, version)
    if task.status is TaskStatus.done:
        raise CaseError(_l("This task is already done."))
    task.status = TaskStatus.done
    task.done_at = now
    task.assignee_id = actor.staff_id
    return _event(
        case,
        actor,
        now,
        CaseAction.complete_task,
        case.status,
        note=note,
        data={"task_id": task.id, "department_id": task.department_id},
    )


def recompute_unconfirmed(session: Session, clock: Clock, now: datetime) -> int:
    """After a year's calendar is loaded: recompute open cases whose deadline was on weekdays only.

    Few cases are affected (those due in a year not yet published), so the ORM
    is fine here; the version moves on because the deadline really changed.
    """
    cases = session.scalars(
        sa.select(Case).where(
            Case.calendar_unconfirmed.is_(True), Case.status.in_(OPEN_STATUSES), Case.accepted_at.is_not(None)
        )
    ).all()
    for case in cases:
        _recompute_deadline(case, clock, now)
        _record_overdue(case)
        for task in case.tasks:
            if task.status is TaskStatus.open:
                task.deadline_at = case.deadline_at
    session.flush()
    return len(cases)


_WHILE_RUNNING = (
    "forward",
    "request_supplement",
    "start_special",
    "escalate",
    "extend",
    "return_case",
    "complete",
    "withdraw",
)
_BY_STATUS = {
    CaseStatus.submitted: ("receive_supplement", "return_case", "withdraw"),
    CaseStatus.accepted: _WHILE_RUNNING,
    CaseStatus.in_progress: _WHILE_RUNNING,
    CaseStatus.suspended: ("extend", "return_case", "withdraw"),
}
_RESUME = {
    SuspendReason.supplement: "receive_supplement",
    SuspendReason.special_procedure: "end_special",
    SuspendReason.escalation: "receive_escalation_result",
}


def available_actions(actor: Actor, case: Case, now: datetime) -> list[str]:
    """The actions worth offering this actor now (the actions themselves still check everything)."""
    names = []
    if actor.roles & WINDOW_ROLES and actor.department_id == case.department_id:
        names += _BY_STATUS.get(case.status, ())
        if case.status is CaseStatus.suspended:
            names.insert(0, _RESUME[case.suspend_reason])
        if "ChiefRep" not in actor.roles and "extend" in names:
            names.remove("extend")
    if (
        actor.roles & CENTER_ROLES
        and case.status in RUNNING_STATUSES
        and case.deadline_at
        and now > case.deadline_at
        and not case.extension_days
    ):
        names.append("issue_default_approval")
    if (
        case.is_open
        and any(t.status is TaskStatus.open and t.department_id == actor.department_id for t in case.tasks)
        and actor.roles & WINDOW_ROLES
    ):
        names.append("complete_task")
    return names


ACTIONS: dict[str, Callable] = {
    "accept": accept,
    "forward": forward,
    "request_supplement": request_supplement,
    "receive_supplement": receive_supplement,
    "start_special": start_special,
    "end_special": end_special,
    "escalate": escalate,
    "receive_escalation_result": receive_escalation_result,
    "extend": extend,
    "return_case": return_case,
    "complete": complete,
    "withdraw": withdraw,
    "issue_default_approval": issue_default_approval,
    "complete_task": complete_task,
}


def perform(
    session: Session,
    actor: Actor,
    case_id: int,
    version,
    now: datetime,
    action: str,
    clock: Clock | None = None,
    **inputs,
) -> Outcome:
    """Run one action in its own transaction; refused → rolled back (violations still recorded)."""
    handler = ACTIONS.get(action)
    if handler is None:
        raise CaseError(_l("Unknown action."))
    case = session.get(Case, case_id)
    if case is None:
        raise CaseError(_l("The case does not exist."))
    clock = clock or Clock.load(session)
    try:
        event = handler(session, actor, case, version, now, clock=clock, **inputs)
        # Every action rewrites the case row, even one that changes no column (a
        # re-assignment to the same person, a joint task): the UPDATE is what
        # checks and moves the version, so no event is ever written beside a
        # concurrent change.
        flag_modified(case, "status")
        session.add(event)
        violations = [obj for obj in session.new if isinstance(obj, Violation)]
        session.commit()
        return Outcome(case, event, violations)
    except StaleDataError as exc:
        session.rollback()
        raise StaleCase(_l("The case was changed by someone else. Reload it and try again.")) from exc
    except CaseError as exc:
        session.rollback()
        if exc.violations:
            session.add_all(exc.violations)
            session.commit()
        raise
    except Exception:
        session.rollback()
        raise

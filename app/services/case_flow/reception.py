"""Intake (受理): taking an application in at the window, numbering it and accepting it.

`intake` registers an application; `accept_case` starts the clock of a case whose materials
are complete, at intake or later (the accept and receive_supplement actions).
"""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, object_session

from app.models.appointment import DelayedOpening
from app.models.case import (
    ApplicantType,
    Case,
    CaseAction,
    CaseCounter,
    CaseStatus,
    CaseTask,
    Channel,
    Violation,
    ViolationKind,
)
from app.models.matter import CaseKind, Matter, MatterStatus
from app.models.org import Department, RecordStatus
from app.services import green_channel, matter_levels, settings
from app.services.case_flow import duty, tolerated
from app.services.case_flow.clock import Clock, recompute_deadline, start_step
from app.services.case_flow.guards import TOWNSHIP_ROLES, WINDOW_ROLES, Actor, CaseError, require_text
from app.services.case_flow.history import Outcome, event
from app.services.idnumber import CREDIT_CODE_ERROR, valid_credit_code, valid_id_number
from app.services.phone import InvalidPhone, checked_phone


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
    # When the window received the applicant and the materials; None: now (entered at once).
    received_at: datetime | None = None
    # 容缺受理: tolerable materials accepted as missing, and any due date the clerk set for one
    # ({material id: date}; the others get the `tolerated_due_days` default).
    tolerated_material_ids: tuple = ()
    tolerated_due: dict = field(default_factory=dict)
    # 延时服务: the applicant came with a delayed-service booking (the window's ticket's appointment).
    delayed_booking: bool = False


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
    name = require_text(application.applicant_name, _l("Enter the applicant's name."))
    id_number = (application.applicant_id_number or "").strip().upper()
    if application.applicant_type is ApplicantType.person and not valid_id_number(id_number):
        raise CaseError(_l("The ID card number is not valid (check digit or date wrong)."))
    if application.applicant_type is ApplicantType.organisation and not valid_credit_code(id_number):
        raise CaseError(CREDIT_CODE_ERROR)
    try:
        phone = checked_phone(application.applicant_phone)
    except InvalidPhone as exc:
        raise CaseError(str(exc)) from None

    received_at = checked_received_at(application.received_at, now)
    received = set(application.received_material_ids)
    missing = [m.name for m in matter.materials if m.required and m.id not in received]
    chosen = []
    if application.tolerated_material_ids:
        # 容缺受理: only tolerable materials may be missing, and then nothing else required is.
        chosen = tolerated.checked(
            matter, received, application.tolerated_material_ids, application.tolerated_due, now.date()
        )
        missing = []
    window_center = matter_levels.receiving_center(session, actor, matter)
    refused = matter_levels.refusal(matter, window_center.level)
    if refused:
        raise CaseError(refused)
    kind = CaseKind.urgent if application.urgent else matter.case_kind
    case = Case(
        number=next_number(session, window_center, now),
        center=window_center,
        matter=matter,
        department_id=matter.department_id,
        # 急办件 go through the green channel: the center's green window, where it has one.
        window_id=(green_channel.green_window_id(session, window_center.id) if kind is CaseKind.urgent else None)
        or actor.window_id,
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
        received_at=received_at,
        limit_days=green_channel.limit_days(session, matter, kind),
        status=CaseStatus.submitted,
        paused_workdays=0,
        extension_days=0,
        supplement_count=0,
        delayed_service=application.delayed_booking
        or delayed_service(received_at, clock, lambda: openings_of(session, window_center.id, received_at.date())),
    )
    session.add(case)
    received_names = [m.name for m in matter.materials if m.id in received]
    if missing:
        case.supplement_count = 1
        written = event(
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
        written = accept_case(case, actor, now, clock, application.co_department_ids, received_names)
        if chosen:
            # Accepted on the applicant's commitment (承诺书, printed from the case page).
            written.data = {**written.data, "tolerated": tolerated.record(session, case, chosen, now, clock)}
    session.add(written)
    late = late_entry(session, actor, case, now, clock)
    if late is not None:
        session.add(late)
    session.flush()
    return Outcome(case, written, [late] if late is not None else [])


def delayed_service(at: datetime, clock: Clock, openings) -> bool:
    """延时服务 (004 第二十六条; issue 18.2 "every case handled then is marked 延时服务 and counted"):
    received at `at` outside office hours (before the first period, between periods, after the last,
    or on a non-working day) while the center had opened delayed service then, i.e. inside one of
    `openings` — (starts, ends) times of that day, bounds included; `openings` is called only when
    `at` is outside office hours, so an ordinary intake reads nothing more. A case received from a
    delayed-service booking is marked by intake whatever the hour (`Application.delayed_booking`)."""
    moment = at.time()
    inside = clock.calendar.is_workday(at.date()) and any(s <= moment < e for s, e in clock.hours.periods)
    return not inside and any(starts <= moment <= ends for starts, ends in openings())


def openings_of(session: Session, center_id: int, day) -> list[tuple]:
    """(starts, ends) of the center's delayed-service openings on `day` (any group or all of them)."""
    return session.execute(
        sa.select(DelayedOpening.starts, DelayedOpening.ends).where(
            DelayedOpening.center_id == center_id, DelayedOpening.day == day
        )
    ).all()


def checked_received_at(received_at, now: datetime) -> datetime:
    """The reception time the intake form gives (default: now); never in the future."""
    if received_at is None:
        return now
    if not isinstance(received_at, datetime):
        raise CaseError(_l("Enter when the applicant was received as a date and time."))
    received_at = received_at.replace(tzinfo=None, microsecond=0)
    if received_at > now:
        raise CaseError(_l("The reception time cannot be in the future."))
    return received_at


def entry_due(session: Session, received_at: datetime, clock: Clock) -> datetime:
    """The latest entry time of a case received at `received_at`: `late_entry_workdays` working
    days of office time later (services.deadlines.after_office_time)."""
    from app.services.deadlines import after_office_time

    days = float(settings.get(session, "late_entry_workdays"))
    return after_office_time(received_at, days, clock.calendar, clock.hours)


def late_entry(session: Session, actor: Actor, case: Case, now: datetime, clock: Clock) -> Violation | None:
    """000 第十五条(1): 行政相对人申报材料齐备后，未及时向系统内录入业务信息的 is an operating
    violation. A case entered more than `late_entry_workdays` after its reception is one, of the
    person who entered it, recorded with the intake (visible on the case and in the violations list)."""
    if case.received_at is None or now <= entry_due(session, case.received_at, clock):
        return None
    return Violation(
        kind=ViolationKind.late_entry,
        at=now,
        case=case,
        department_id=case.department_id,
        staff_id=actor.staff_id,
        window_id=actor.window_id,
        detail=(
            f"办件 {case.number} 于 {case.received_at:%Y-%m-%d %H:%M} 收件，"
            f"{now:%Y-%m-%d %H:%M} 才录入系统（{actor.name}）"
        )[:500],
    )


def _may_accept(session, actor: Actor, matter: Matter, now: datetime) -> bool:
    """Own department's matters; at a comprehensive window, also its member departments' matters
    while the actor's department is on duty there (services.rotation); at a township window,
    every matter (its level decides)."""
    from app.services import rotation

    if actor.department_id is not None and actor.department_id == matter.department_id:
        return True
    # A township window receives whatever its level may (乡镇受理); intake checks the level.
    if actor.roles & TOWNSHIP_ROLES and actor.center_id is not None:
        return True
    return rotation.may_accept_for(session, actor.window_id, actor.department_id, matter.department_id, now.date())


def co_department_choices(session: Session, matter: Matter) -> list[Department]:
    """The departments a case of `matter` may name as co-departments (联办): every department in
    use but the matter's own, in the directory's order. The window's intake form and the
    pre-review's pass form offer these; `accept_case` refuses anything else."""
    return session.scalars(
        sa.select(Department)
        .where(Department.id != matter.department_id, Department.status == RecordStatus.active)
        .order_by(Department.sort_order, Department.id)
    ).all()


def checked_co_departments(session: Session, lead_department_id: int, co_department_ids) -> tuple:
    """The co-departments named, checked in one query: each a department in use (the lead itself is
    dropped, as it always was). Anything else — an unknown, disabled or malformed id — is refused."""
    wanted = set()
    for department_id in co_department_ids or ():
        if isinstance(department_id, bool) or not isinstance(department_id, int):
            raise CaseError(_l("Choose the co-departments from the list."))
        if department_id != lead_department_id:
            wanted.add(department_id)
    if wanted:
        found = set(
            session.scalars(
                sa.select(Department.id).where(Department.id.in_(wanted), Department.status == RecordStatus.active)
            )
        )
        if found != wanted:
            raise CaseError(_l("Choose the co-departments from the list."))
    return tuple(sorted(wanted))


def accept_case(case, actor, now, clock, co_department_ids, received_names):
    """The application is complete: the case is accepted and its clock starts. Accepted by the
    duty desk of a comprehensive window for a member department, it is entered in the hand-off
    register (case_flow/duty.py)."""
    from_status = case.status
    case.status = CaseStatus.accepted
    case.accepted_at = now
    case.accepted_by_id = actor.staff_id
    recompute_deadline(case, clock, now)
    start_step(case, clock, now)
    for department_id in checked_co_departments(object_session(case), case.department_id, co_department_ids):
        case.tasks.append(CaseTask(department_id=department_id, deadline_at=case.deadline_at))
    if case.kind is CaseKind.joint and not case.tasks:
        raise CaseError(_l("A joint case needs at least one co-department."))
    duty.open_entry(object_session(case), actor, case, now, clock)
    return event(
        case,
        actor,
        now,
        CaseAction.accept,
        from_status,
        materials=received_names,
        # The holder from acceptance on (services/holders.py).
        data={
            "deadline": case.deadline_at.isoformat(),
            "calendar_unconfirmed": case.calendar_unconfirmed,
            "assignee_id": case.assignee_id,
        },
    )

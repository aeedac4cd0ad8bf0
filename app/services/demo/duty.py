"""Demo 综合窗口 duty (seed 003, issue 16.6): member departments' cases accepted by the department
on duty at the county's comprehensive windows, through the real case-flow actions.

One case every few weeks of the year, at a window and in a week of its roster: an immediate
case the on-duty clerk completes on the spot; otherwise a promised case handed over to the owning
department (交接登记) within the half working day, a few of them late (next morning: the on-duty
clerk's violation), received by the department, and decided by it when its time has come. The
rosters come first (the same quarters the lived-in year writes, demo/history.py, which then
finds them written).
"""

import random
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models.case import Case
from app.models.matter import CaseKind, Matter, MatterStatus
from app.models.org import Center, CenterLevel, Window, WindowKind
from app.models.transfer import Transfer, TransferKind
from app.services import case_flow, rotation
from app.services.case_flow import Application, Clock
from app.services.demo import staff_history
from app.services.demo.cases import GIVEN, SURNAMES, _person_id
from app.services.demo.cast import Cast

# Of the promised cases, these (by their order, newest first) are handed over late.
LATE = (1, 4)


def seed_duty(session: Session, now: datetime, *, count: int = 16, every_weeks: int = 3, seed: int = 2026) -> dict:
    """`count` duty cases, one every `every_weeks` weeks back from last week; skipped when any exist."""
    if session.scalar(
        sa.select(sa.func.count()).select_from(Transfer).where(Transfer.kind == TransferKind.duty_handoff)
    ):
        return {"duty_cases": 0}
    windows = _windows(session)
    if not windows:
        return {"duty_cases": 0}
    # The year the lived-in history covers: from the first case (a year back without any).
    first = (session.scalar(sa.select(sa.func.min(Case.accepted_at))) or now - timedelta(days=365)).date()
    rng, clock, cast = random.Random(f"{seed}:duty"), Clock.load(session), Cast.load(session)
    staff_history.seed_rotation(session, cast, first, now)
    session.commit()
    matters = _matters(session)
    totals = {"duty_cases": 0, "immediate": 0, "handed_over": 0, "late": 0}
    promised = 0
    for index in range(count):
        week = rotation.monday(now.date()) - timedelta(weeks=1 + every_weeks * index)
        day = clock.calendar.count_from(week + timedelta(days=rng.randint(1, 3)), 0)[0]
        if day < first:
            break
        window = rng.choice(windows)
        on_duty = rotation.on_duty(session, window.id, day)
        desk = [
            a
            for a in cast.staff
            if a.department_id == on_duty and a.window_id == window.id and a.roles & case_flow.guards.WINDOW_ROLES
        ]
        members = [d for d in rotation.members(session, window.id) if d != on_duty and d in matters]
        if not desk or not members:
            continue
        owner = rng.choice(members)
        immediate = index % 2 == 0 and bool(matters[owner][CaseKind.immediate])
        matter = rng.choice(matters[owner][CaseKind.immediate] if immediate else matters[owner][CaseKind.promised])
        accepted = datetime.combine(day, time(9, rng.randint(0, 59)))
        case = _intake(session, clock, rng, rng.choice(desk), matter, accepted)
        totals["duty_cases"] += 1
        if immediate:
            _act(session, clock, rng.choice(desk), case, accepted + timedelta(minutes=rng.randint(8, 25)), "complete")
            totals["immediate"] += 1
            continue
        late = promised in LATE
        promised += 1
        handed = (
            datetime.combine(clock.calendar.count_from(day, 1)[1], time(10, rng.randint(0, 40)))
            if late
            else accepted + timedelta(minutes=rng.randint(30, 120))
        )
        receiver = cast.chiefs.get(owner) or next(a for a in cast.staff if a.department_id == owner)
        _act(session, clock, rng.choice(desk), case, handed, "hand_over", note="材料已初审，移交责任部门办理")
        _act(session, clock, receiver, case, handed + timedelta(minutes=rng.randint(15, 60)), "receive_handoff")
        totals["handed_over"] += 1
        totals["late"] += late
        decided = datetime.combine(clock.calendar.count_from(day, 3)[1], time(15, rng.randint(0, 50)))
        if decided < now:
            _act(session, clock, receiver, case, decided, "complete", note="准予许可，结果已返回综合窗口发出")
    return totals


def _windows(session) -> list[Window]:
    """The county's comprehensive windows with member departments."""
    return [
        window
        for window in session.scalars(
            sa.select(Window)
            .join(Center, Center.id == Window.center_id)
            .where(Window.kind == WindowKind.comprehensive, Center.level == CenterLevel.county)
            .order_by(Window.id)
        )
        if rotation.members(session, window.id)
    ]


def _matters(session) -> dict:
    """department id -> {immediate: [matters], promised: [matters]}, departments with promised ones."""
    found: dict = {}
    for matter in session.scalars(
        sa.select(Matter)
        .where(Matter.status == MatterStatus.active, Matter.case_kind.in_([CaseKind.immediate, CaseKind.promised]))
        .order_by(Matter.id)
    ):
        found.setdefault(matter.department_id, {CaseKind.immediate: [], CaseKind.promised: []})[
            matter.case_kind
        ].append(matter)
    return {department: kinds for department, kinds in found.items() if kinds[CaseKind.promised]}


def _intake(session, clock, rng, clerk, matter, at) -> Case:
    person = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    outcome = case_flow.intake(
        session,
        clerk,
        at,
        Application(
            matter_id=matter.id,
            applicant_name=person,
            applicant_id_number=_person_id(rng),
            applicant_phone=f"13{rng.randint(10**8, 10**9 - 1)}",
            received_material_ids=tuple(m.id for m in matter.materials),
        ),
        clock,
    )
    session.commit()
    return outcome.case


def _act(session, clock, actor, case, when, action, note=None):
    session.refresh(case)
    inputs = {"approved": True} if action == "complete" else {}
    case_flow.perform(session, actor, case.id, case.version, when, action, clock, note=note, **inputs)

"""Demo 上报 chains: township cases of report-up matters escalated to the county, accepted and
decided there, and delivered back to the applicant (送达), through the real case-flow actions.

Each chain runs over a few working days of the last two months, so the township lists, the
county windows' lists, the case pages and the portal show the hand-off at every stage: the
newest chains are still waiting at the county, accepted there, or back for delivery; one was
returned by the county; the others are delivered and closed.
"""

import random
from datetime import datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import User
from app.models.case import Case
from app.models.matter import CaseKind, Matter, MatterStatus, TownshipHandling
from app.models.org import Center, CenterLevel, Staff, Window, WindowKind
from app.security import actor_for
from app.services import case_flow
from app.services.case_flow import Application, Clock
from app.services.demo.cases import GIVEN, SURNAMES, _person_id

# How far each chain got, newest first; the rest are delivered.
STAGES = ("escalated", "accepted", "decided", "returned", "decided")


def seed_handoffs(session: Session, now: datetime, *, count: int = 30, seed: int = 2026) -> dict:
    """`count` chains ending before `now`; skipped when escalated cases exist already."""
    if session.scalar(sa.select(sa.func.count()).select_from(Case).where(Case.parent_id.is_not(None))):
        return {"chains": 0}
    rng = random.Random(f"{seed}:handoffs")
    clock = Clock.load(session)
    desks = _township_desks(session)
    matters = _report_up_matters(session)
    if not desks or not matters:
        return {"chains": 0}
    day, chains = now.date(), 0
    for index in range(count):
        # Chains start every two working days back from a week ago, newest first.
        back = clock.calendar.elapsed_since(day, 2 if index else 5)
        day = clock.calendar.count_from(back, 0)[0]  # a working day
        matter, county_clerk = rng.choice(matters)
        stage = STAGES[index] if index < len(STAGES) else "delivered"
        _chain(session, clock, rng, day, rng.choice(desks), matter, county_clerk, stage, now)
        chains += 1
    return {"chains": chains}


def _at(clock, day, days, hour, minute=0):
    """`days` working days after `day`, at the hour."""
    return datetime.combine(clock.calendar.count_from(day, days)[1], time(hour, minute))


def _chain(session, clock, rng, day, clerk, matter, county_clerk, stage, now):
    person = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    outcome = case_flow.intake(
        session,
        clerk,
        _at(clock, day, 0, 9, rng.randint(0, 50)),
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
    parent = outcome.case

    def act(actor, case, when, action, **inputs):
        if when < now:
            session.refresh(case)
            case_flow.perform(session, actor, case.id, case.version, when, action, clock, **inputs)

    act(clerk, parent, _at(clock, day, 0, 10, 30), "escalate", note="上报县政务大厅窗口办理")
    if stage == "escalated":
        return
    child = session.scalars(sa.select(Case).where(Case.parent_id == parent.id)).one()
    act(county_clerk, child, _at(clock, day, 1, 9, 40), "accept_escalation")
    if stage == "accepted":
        return
    if stage == "returned":
        act(county_clerk, child, _at(clock, day, 2, 15), "return_case", reason="申请人不符合许可条件，依法不予受理")
    else:
        act(county_clerk, child, _at(clock, day, 3, 15), "complete", approved=True, note="准予许可，证照已制发")
    if stage == "decided":
        return
    act(
        clerk,
        parent,
        _at(clock, day, 4 if stage != "returned" else 3, 10),
        "deliver",
        method=rng.choice(["in_person", "in_person", "by_agent"]),
        receiver=person,
        note="证照当面交申请人签收" if stage != "returned" else "退件通知书已送达",
    )


def _township_desks(session):
    """An Actor for one clerk at each township's comprehensive window."""
    users = session.scalars(
        sa.select(User)
        .join(Staff, Staff.user_id == User.id)
        .join(Window, Window.id == Staff.window_id)
        .join(Center, Center.id == Window.center_id)
        .where(Center.level == CenterLevel.township, Window.kind == WindowKind.comprehensive)
        .order_by(Staff.id)
    ).all()
    desks = {}
    for user in users:
        actor = actor_for(user)
        desks.setdefault(actor.center_id, actor)
    return list(desks.values())


def _report_up_matters(session):
    """(matter, an Actor at a county window of its department) for the report-up matters a township receives."""
    clerks = {}
    for user in session.scalars(
        sa.select(User)
        .join(Staff, Staff.user_id == User.id)
        .join(Center, Center.id == Staff.center_id)
        .where(Center.level == CenterLevel.county, Staff.window_id.is_not(None))
        .order_by(Staff.id)
    ):
        actor = actor_for(user)
        if actor.roles & case_flow.guards.WINDOW_ROLES:
            clerks.setdefault(actor.department_id, actor)
    matters = session.scalars(
        sa.select(Matter)
        .where(
            Matter.status == MatterStatus.active,
            Matter.received_at_township.is_(True),
            Matter.township_handling == TownshipHandling.report_up,
            # A joint case needs its co-departments named at intake: these chains take single-department matters.
            Matter.case_kind != CaseKind.joint,
        )
        .order_by(Matter.id)
    ).all()
    return [(matter, clerks[matter.department_id]) for matter in matters if matter.department_id in clerks]

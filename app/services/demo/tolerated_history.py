"""容缺受理 as a year leaves it: a few cases accepted with their tolerable material missing, most
brought in before the due date, a couple still awaited and one past it (the replayed warning scan
then tells its assignee and, after the grace period, the chief representative)."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.models.case import OPEN_STATUSES, Case, ToleratedMaterial
from app.models.matter import MatterMaterial
from app.services import settings
from app.services.case_flow import Clock
from app.services.case_flow.tolerated import due_on

# (accepted days ago, brought in: days after acceptance or None)
PLANS = ((40, 2), (30, 4), (20, 1), (12, 3), (6, None), (3, None), (25, None))


def seed_tolerated(session, now: datetime, rng) -> int:
    clock = Clock.load(session)
    days = int(settings.get(session, "tolerated_due_days"))
    tolerable = sa.select(MatterMaterial.matter_id, MatterMaterial.id, MatterMaterial.name).where(
        MatterMaterial.tolerable.is_(True)
    )
    materials = {matter_id: (material_id, name) for matter_id, material_id, name in session.execute(tolerable)}
    written = 0
    for ago, brought in PLANS:
        around = now - timedelta(days=ago)
        candidates = session.scalars(
            sa.select(Case)
            .where(
                Case.accepted_at.between(around - timedelta(days=2), around),
                Case.matter_id.in_(list(materials)),
                ~Case.id.in_(sa.select(ToleratedMaterial.case_id)),
                *(() if brought is not None else (Case.status.in_(OPEN_STATUSES),)),
            )
            .order_by(Case.id)
            .limit(20)
        ).all()
        if brought is not None:
            # Brought in while the case still ran: it was not decided without it.
            candidates = [
                c
                for c in candidates
                if c.finished_at is None or c.finished_at > c.accepted_at + timedelta(days=brought)
            ]
        if not candidates:
            continue
        case = rng.choice(candidates)
        material_id, name = materials[case.matter_id]
        received_at = None
        if brought is not None:
            received_at = min(case.accepted_at + timedelta(days=brought), now - timedelta(hours=1))
        session.add(
            ToleratedMaterial(
                case_id=case.id,
                material_id=material_id,
                name=name,
                due_on=due_on(case.accepted_at, days, clock),
                received_at=received_at,
                received_by_id=case.accepted_by_id if received_at else None,
            )
        )
        written += 1
    session.flush()
    return written

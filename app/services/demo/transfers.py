"""The demo county's village requests (接件登记 → 转交, issue 16.4).

Every township case a village agent brought in (channel proxy, demo/network.py) gets the transfer
it came from: registered at one of the township's village points by its agent, forwarded, received
and accepted into that case at the township. The last working days add the open ones a township
works through each morning: sent and awaiting receipt (one past its due time, for the flag scan),
returned with a reason, and registered but not yet forwarded. Written in bulk, deterministically.
"""

import random
from collections import defaultdict
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from app.models.case import Case
from app.models.matter import MatterMaterial
from app.models.org import Center, CenterLevel, Staff
from app.models.transfer import Transfer, TransferEvent
from app.services.demo import bulk
from app.services.demo.cases import GIVEN, SURNAMES, _person_id
from app.services.demo.office import office_time
from app.services.id_sequences import reset_id_sequences

RETURN_REASONS = (
    "缺少户口簿复印件，请补齐后再转交",
    "申请表未签名",
    "该事项须本人到场办理，请告知申请人",
    "材料照片不清晰，请重新扫描",
)


def seed_transfers(connection, *, now: datetime, clock, seed: int = 2026) -> dict:
    """Transfers for the township proxy cases, and a few open ones per township; skipped when
    transfers exist."""
    if connection.execute(sa.select(sa.func.count()).select_from(Transfer)).scalar():
        return {"transfers": 0}
    rng = random.Random(f"{seed}:transfers")
    agents = _agents(connection)
    if not agents:
        return {"transfers": 0}
    materials = defaultdict(list)
    for row in connection.execute(
        sa.select(MatterMaterial.matter_id, MatterMaterial.id).where(MatterMaterial.required.is_(True))
    ):
        materials[row.matter_id].append(row.id)
    numbers, transfers, events = set(), [], []
    next_id = (connection.execute(sa.select(sa.func.max(Transfer.id))).scalar() or 0) + 1

    def number(day):
        while True:
            candidate = f"ZJ{day:%Y%m%d}{rng.randrange(10**6):06d}"
            if candidate not in numbers:
                numbers.add(candidate)
                return candidate

    def add(row, steps):
        nonlocal next_id
        row.update(id=next_id, number=number(row["registered_at"]), kind="village_request", version=len(steps))
        transfers.append(row)
        for action, at, actor, note in steps:
            events.append({"transfer_id": next_id, "action": action, "at": at, "actor_name": actor, "note": note})
        next_id += 1

    proxy_cases = connection.execute(
        sa.select(Case)
        .join(Center, Center.id == Case.center_id)
        .where(Case.channel == "proxy", Center.level == CenterLevel.township)
        .order_by(Case.id)
    ).all()
    names = dict(connection.execute(sa.select(Staff.id, Staff.name)).all())
    for case in proxy_cases:
        if case.center_id not in agents:
            continue
        village_id, agent_id, agent_name = rng.choice(agents[case.center_id])
        # Registered and sent at the village point the working day before, received at the
        # township just before it was accepted, all in office hours.
        registered_at = office_time(rng, _workday_before(clock, case.accepted_at.date()), clock.hours)
        sent_at = registered_at + timedelta(minutes=rng.randint(5, 30))
        opened = max(start for start, _end in clock.hours.periods if start <= case.accepted_at.time())
        received_at = max(
            case.accepted_at - timedelta(minutes=rng.randint(1, 15)),
            datetime.combine(case.accepted_at.date(), opened),
        )
        clerk = case.accepted_by_id
        clerk_name = names.get(clerk, "乡镇窗口")
        add(
            _row(case, village_id, agent_id, registered_at, materials, status="accepted")
            | {
                "case_id": case.id,
                "to_center_id": case.center_id,
                "sent_at": sent_at,
                "confirm_due_at": _due(clock, sent_at),
                "received_at": received_at,
                "received_by_id": clerk,
                "accepted_at": case.accepted_at,
            },
            [
                ("register", registered_at, agent_name, None),
                ("forward", sent_at, agent_name, None),
                ("receive", received_at, clerk_name, None),
                ("accept", case.accepted_at, clerk_name, case.number),
            ],
        )
    # The last working days whose mornings are over by `now`.
    days = _last_workdays(clock, now if now.time() >= time(12) else now - timedelta(days=1), 3)
    township_matters = [m for m in {c.matter_id for c in proxy_cases} if materials.get(m)]
    for township_id, points in sorted(agents.items()):
        if not township_matters:
            break
        for state, day in (("sent", days[-1]), ("overdue", days[0]), ("returned", days[-2]), ("registered", days[-1])):
            village_id, agent_id, agent_name = rng.choice(points)
            registered_at = datetime.combine(day, time(9)) + timedelta(minutes=rng.randint(0, 150))
            applicant = _applicant(rng)
            row = {
                **_blank(),
                **applicant,
                "status": "registered" if state == "registered" else "returned" if state == "returned" else "sent",
                "matter_id": rng.choice(township_matters),
                "from_center_id": village_id,
                "from_staff_id": agent_id,
                "registered_at": registered_at,
            }
            row["material_ids"] = materials[row["matter_id"]]
            steps = [("register", registered_at, agent_name, None)]
            if state != "registered":
                sent_at = registered_at + timedelta(minutes=rng.randint(5, 30))
                row.update(to_center_id=township_id, sent_at=sent_at, confirm_due_at=_due(clock, sent_at))
                steps.append(("forward", sent_at, agent_name, None))
                if state == "returned":
                    reason = rng.choice(RETURN_REASONS)
                    returned_at = sent_at + timedelta(minutes=rng.randint(30, 120))
                    row.update(returned_at=min(returned_at, now), return_reason=reason)
                    steps.append(("return_transfer", row["returned_at"], "乡镇窗口", reason))
            add(row, steps)
    if transfers:
        bulk.insert(connection, Transfer.__table__, [{**_blank(), **row} for row in transfers])
        bulk.insert(connection, TransferEvent.__table__, events)
        reset_id_sequences(connection, [Transfer.__table__, TransferEvent.__table__])
    return {"transfers": len(transfers), "events": len(events)}


def _agents(connection) -> dict:
    """township id -> [(village point id, agent staff id, agent name)]."""
    village = sa.orm.aliased(Center)
    rows = connection.execute(
        sa.select(village.parent_id, village.id, Staff.id.label("staff_id"), Staff.name)
        .join(Staff, Staff.center_id == village.id)
        .where(village.level == CenterLevel.village, Staff.user_id.is_not(None))
        .order_by(village.id, Staff.id)
    )
    agents = defaultdict(list)
    for row in rows:
        agents[row.parent_id].append((row.id, row.staff_id, row.name))
    return agents


def _blank() -> dict:
    columns = (
        "case_id to_center_id to_department_id to_window_id sent_at confirm_due_at flagged_at received_at "
        "received_by_id accepted_at returned_at return_reason note from_department_id"
    ).split()
    return dict.fromkeys(columns)


def _row(case, village_id, agent_id, registered_at, materials, *, status) -> dict:
    return {
        **_blank(),
        "status": status,
        "matter_id": case.matter_id,
        "applicant_type": case.applicant_type.name,
        "applicant_name": case.applicant_name,
        "applicant_id_number": case.applicant_id_number,
        "applicant_phone": case.applicant_phone,
        "material_ids": materials.get(case.matter_id, []),
        "from_center_id": village_id,
        "from_staff_id": agent_id,
        "registered_at": registered_at,
    }


def _applicant(rng) -> dict:
    return {
        "applicant_type": "person",
        "applicant_name": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
        "applicant_id_number": _person_id(rng),
        "applicant_phone": f"1{rng.choice('3456789')}{rng.randint(10**8, 10**9 - 1)}",
    }


def _due(clock, sent_at):
    from app.services.deadlines import deadline

    return deadline(sent_at, 1, clock.calendar, clock.hours).due_at


def _workday_before(clock, day):
    day -= timedelta(days=1)
    while not clock.calendar.is_workday(day):
        day -= timedelta(days=1)
    return day


def _last_workdays(clock, now, count):
    days, day = [], now.date()
    while len(days) < count:
        if clock.calendar.is_workday(day):
            days.append(day)
        day -= timedelta(days=1)
    return sorted(days)

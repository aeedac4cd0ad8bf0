"""The demo county's three-level network at work (seed 001): places of service and their year.

Every township center gets its own department (the township government, 乡镇人民政府), a
comprehensive window (综合受理窗口) with two or three staff and a head; every village point
(the ones in centers.csv and the further ones in data/villages.csv) one or two agents (代办员);
every sub-center a head. Their login roles come from data/network_posts.csv. `generate_cases`
adds a year of township cases of the matters a township finishes on site (现场办结), some
brought in by a village agent (代办); report-up chains are the escalation module's.
"""

import random
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from itertools import accumulate

import sqlalchemy as sa

from app.models.case import Case, CaseCounter, CaseEvent
from app.models.matter import Matter, MatterStatus, MatterStep, TownshipHandling
from app.models.org import Center, CenterLevel, Department, Staff, StaffPosition, Window, WindowKind

# county hooks this module in; its helpers are read at call time (the import is circular).
from app.services.demo import bulk, county, data
from app.services.demo.cases import (
    COMPANIES,
    GIVEN,
    SURNAMES,
    _credit_code,
    _Deadlines,
    _events,
    _light,
    _person_id,
    _save_counters,
)
from app.services.demo.office import latest_before, office_time
from app.services.id_sequences import reset_id_sequences

# post -> (login role, staff position)
POSTS = {row["post"]: (row["role"], StaffPosition[row["position"]]) for row in data.table("network_posts.csv")}
VILLAGES = data.table("villages.csv")
# Share of township cases a village agent brought in for a villager (代办).
PROXY_SHARE = 0.3


def build_network(session, *, seed, password_hash, roles, report) -> None:
    """The village points of villages.csv, and the departments, windows, staff and logins of
    every township, village point and sub-center; the caller has flushed the county."""
    rng = random.Random(f"{seed}:network")
    centers = session.scalars(sa.select(Center).order_by(Center.sort_order, Center.id)).all()
    by_code = {center.code: center for center in centers}
    villages = [center for center in centers if center.level is CenterLevel.village]
    sort_order = max(center.sort_order for center in centers)
    for number, row in enumerate(VILLAGES, len(villages) + 1):
        township = by_code[row["township"]]
        village = Center(
            code=f"{data.COUNTY_CODE}-V{number:02d}",
            name=row["name"],
            level=CenterLevel.village,
            parent=township,
            address=f"{township.name.removesuffix('便民服务中心')}{row['name'].removesuffix('便民服务站')}村委会",
            sort_order=sort_order + number,
        )
        session.add(village)
        villages.append(village)
    agents = {row["name"]: int(row["agents"]) for row in VILLAGES}

    names = set(session.scalars(sa.select(Staff.name))) | {f"{s}{g}" for _u, _r, s, g in county.DEMO_ACCOUNTS}
    phones = set(session.scalars(sa.select(Staff.phone)))
    people = []

    def hire(department, center, window, post):
        role, position = POSTS[post]
        surname, given = county._person_name(rng, names)
        username = f"n{len(people) + 1:03d}"
        people.append(
            Staff(
                staff_no=username.upper(),
                name=surname + given,
                phone=county._mobile(rng, phones),
                department=department,
                center=center,
                window=window,
                position=position,
                user=county._login(username, surname, given, password_hash, roles.get(role)),
                joined_on=county.AS_OF - timedelta(days=rng.randint(60, 10 * 365)),
            )
        )
        session.add(people[-1])

    townships = [center for center in centers if center.level is CenterLevel.township]
    for number, township in enumerate(townships, 1):
        place = township.name.removesuffix("便民服务中心")
        government = Department(
            code=f"{township.code}-ZF",
            name=f"{place}人民政府",
            short_name=place,
            center=township,
            phone=township.phone,
            sort_order=100 + number,
        )
        window = Window(
            code=f"Z{10 + number}",  # unique in the county, as the hall's codes are
            name="综合受理窗口",
            kind=WindowKind.comprehensive,
            center=township,
            department=government,
            note="现场办结、上报办结、全程代办一窗受理",
        )
        session.add_all([government, window])
        hire(government, township, None, "township_head")
        for _ in range(rng.choice((2, 3))):
            hire(government, township, window, "township_staff")
        for village in (v for v in villages if v.parent is township):
            for _ in range(agents.get(village.name, rng.choice((1, 2)))):
                hire(government, village, None, "village_agent")
    session.flush()
    # A sub-center's head comes from the department holding most of its counters.
    counters = Counter(
        session.execute(
            sa.select(Window.center_id, Window.department_id)
            .join(Center, Center.id == Window.center_id)
            .where(Center.level == CenterLevel.sub_center, Window.department_id.is_not(None))
        ).all()
    )
    for center in (c for c in centers if c.level is CenterLevel.sub_center):
        held = [(n, department_id) for (center_id, department_id), n in counters.items() if center_id == center.id]
        if held:
            hire(session.get(Department, max(held)[1]), center, None, "sub_center_head")
    session.flush()
    report("三级网络", len(people), len(people))


def generate_cases(connection, *, year_start: datetime, now: datetime, clock, count: int, seed: int = 2026) -> dict:
    """A year of `count` township cases of on-site matters, taken in at the townships'
    comprehensive windows by their staff, in bulk like the county's (demo/cases.py)."""
    started = time.perf_counter()
    rng = random.Random(f"{seed}:network-cases")
    desks = _desks(connection)
    matters = _on_site_matters(connection)
    if count <= 0 or not desks or not matters:
        return {"cases": 0, "events": 0, "seconds": 0.0}
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(matters))]
    rng.shuffle(weights)
    picks, popularity = range(len(matters)), list(accumulate(weights))  # summed once, not per draw
    days = [year_start.date() + timedelta(days=i) for i in range((now.date() - year_start.date()).days + 1)]
    days = [day for day in days if clock.calendar.is_workday(day)]
    due = _Deadlines(clock)
    first_id = (connection.execute(sa.select(sa.func.max(Case.id))).scalar() or 0) + 1
    sequences = defaultdict(
        int, {(row.center_id, row.year): row.last for row in connection.execute(sa.select(CaseCounter))}
    )
    cases, events = [], []
    for index, day in enumerate(sorted(rng.choices(days, k=count))):
        center_id, code, window_id, clerks = rng.choice(desks)
        clerk = rng.choice(clerks)
        matter = matters[rng.choices(picks, cum_weights=popularity)[0]]
        accepted_at = office_time(rng, day, clock.hours)
        if accepted_at > now:
            accepted_at = latest_before(rng, now, clock)
        limit = 0 if matter["case_kind"] == "immediate" else matter["promised_limit_days"]
        deadline_at, unconfirmed = due(accepted_at, limit)
        if deadline_at > now and rng.random() < 0.6:
            intended = rng.choice(["accepted", "in_progress"])
            finished_at = None
        else:
            intended = rng.choices(["completed", "returned", "withdrawn"], [93, 5, 2])[0]
            span = max(60, int((min(deadline_at, now) - accepted_at).total_seconds()))
            finished_at = accepted_at + timedelta(seconds=rng.randint(min(300, span), span))
        case_id = first_id + index
        history, forwards = _events(
            rng, case_id, accepted_at, finished_at or now, (clerk[1], clerk[2]), matter["steps"], intended, 0, 0, None
        )
        status = history[-1]["to_status"]
        sequences[(center_id, accepted_at.year)] += 1
        person = rng.random() >= 0.1
        warn = clock.warn_at(deadline_at, limit)
        result = {"completed": "approved", "returned": "returned_active", "withdrawn": "withdrawn"}.get(status)
        cases.append(
            {
                "id": case_id,
                "number": f"{code}-{accepted_at:%Y%m%d}-{sequences[(center_id, accepted_at.year)]:05d}",
                "center_id": center_id,
                "matter_id": matter["id"],
                "department_id": matter["department_id"],
                "window_id": window_id,
                "accepted_by_id": clerk[0],
                "assignee_id": clerk[0],
                "step_seq": 1 + forwards,
                "applicant_type": "person" if person else "organisation",
                "applicant_name": (
                    rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
                    if person
                    else rng.choice(COMPANIES).format(rng.choice(GIVEN) + rng.choice(GIVEN))
                ),
                "applicant_id_number": _person_id(rng) if person else _credit_code(rng),
                "applicant_phone": f"1{rng.choice('3456789')}{rng.randint(10**8, 10**9 - 1)}",
                "channel": "proxy" if rng.random() < PROXY_SHARE else "window",
                "kind": matter["case_kind"],
                "status": status,
                "submitted_at": accepted_at,
                "received_at": accepted_at,
                "accepted_at": accepted_at,
                "deadline_at": deadline_at,
                "warn_at": warn,
                "light": None if result else _light(now, warn, deadline_at),
                "step_due_at": None,
                "finished_at": finished_at if result else None,
                "limit_days": limit,
                "paused_workdays": 0,
                "extension_days": 0,
                "supplement_count": 0,
                "calendar_unconfirmed": unconfirmed,
                "result": result,
                "fee": matter["fee_standard"] if result == "approved" else None,
                "version": len(history),
            }
        )
        events.extend(history)
    bulk.insert(connection, Case.__table__, cases)
    bulk.insert(connection, CaseEvent.__table__, events)
    _save_counters(connection, sequences)
    reset_id_sequences(connection, [Case.__table__])
    return {"cases": len(cases), "events": len(events), "seconds": round(time.perf_counter() - started, 1)}


def _desks(connection) -> list[tuple]:
    """(center id, center code, window id, [(staff id, user id, name)]) of each township's
    comprehensive window with its staff."""
    staff = defaultdict(list)
    for row in connection.execute(
        sa.select(Staff.window_id, Staff.id, Staff.user_id, Staff.name).where(Staff.window_id.is_not(None))
    ):
        staff[row.window_id].append((row.id, row.user_id, row.name))
    rows = connection.execute(
        sa.select(Window.id, Center.id.label("center_id"), Center.code)
        .join(Center, Center.id == Window.center_id)
        .where(Center.level == CenterLevel.township, Window.kind == WindowKind.comprehensive)
        .order_by(Center.sort_order, Window.id)
    )
    return [(row.center_id, row.code, row.id, staff[row.id]) for row in rows if staff[row.id]]


def _on_site_matters(connection) -> list[dict]:
    steps = Counter(connection.execute(sa.select(MatterStep.matter_id)).scalars())
    rows = connection.execute(
        sa.select(Matter.id, Matter.department_id, Matter.case_kind, Matter.promised_limit_days, Matter.fee_standard)
        .where(
            Matter.status == MatterStatus.active,
            Matter.received_at_township.is_(True),
            Matter.township_handling == TownshipHandling.on_site,
        )
        .order_by(Matter.id)
    )
    return [dict(row._mapping, case_kind=row.case_kind.name, steps=steps.get(row.id, 1)) for row in rows]

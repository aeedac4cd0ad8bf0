"""The demo county's year of feedback: complaints at every stage, through the complaint service
with explicit instants, and the bad-review rectifications (差评整改) every rating of 1–2 opens.

Complaints: about three a month against a window clerk (and the case they handled), taken
through 受理 → 调查 → 处理 (finding, reply, sanctions where the finding allows) → 回访 → 归档
on working days; the most recent ones stop at each stage in turn, so every stage is on the list.
A substantiated one opens its rectification order (整改通知) when handled; most are closed by the
department's chief representative within the limit, a few late, the newest still open, and an
order still not rectified three working days past its deadline is referred to 纪检 by the supervisor.

Rectifications are as many as the year's bad reviews (two thousand for 100k cases), so they
are written in one bulk insert, with the limits the real service computes (evaluations.
open_rectification's working-day deadlines, cached per day): long-finished ones closed with the
applicant's verdict, the last two weeks' still open, contacted or rectified.
"""

import random
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.models.case import Case
from app.models.feedback import (
    BAD_LEVELS,
    ComplaintChannel,
    Evaluation,
    Rectification,
    RectificationStatus,
    Verdict,
)
from app.models.org import Staff, StaffPosition, StaffStatus
from app.services import complaints, evaluations, rectification_orders
from app.services.deadlines import deadline
from app.services.demo import data
from config import ROLE_DUTIES

TEXTS = data.document("history.json")
PER_MONTH = 3
CHANNELS = [
    (ComplaintChannel.portal, 4),
    (ComplaintChannel.phone, 3),
    (ComplaintChannel.hotline_12345, 2),
    (ComplaintChannel.mailbox, 1),
]
# The steps after filing, in order, with the stage each one leaves.
STEPS = ["receive", "investigate", "handle", "callback", "archive"]
VERDICTS = [(Verdict.satisfied, 75), (Verdict.unsatisfied, 15), (Verdict.unreachable, 10)]
# A row's version after each step, as the service's updates would have left it.
VERSIONS = {
    RectificationStatus.open.name: 1,
    RectificationStatus.contacted.name: 2,
    RectificationStatus.rectified.name: 3,
    RectificationStatus.closed.name: 4,
}


def _workday_instant(calendar, moment: datetime, rng) -> datetime:
    """`moment` moved to office time on a working day (the next one when it is not)."""
    day = moment.date()
    while not calendar.is_workday(day):
        day += timedelta(days=1)
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=9, minutes=rng.randint(0, 420))


def seed_complaints(session, cast, start, now: datetime, rng) -> dict:
    """About three complaints a month; returns how many were left at each stage."""
    limits = complaints.load_limits(session)
    clerks = session.execute(
        sa.select(Staff.id, Staff.department_id, Staff.window_id, Staff.center_id)
        .where(Staff.status == StaffStatus.active, Staff.window_id.is_not(None), Staff.position != StaffPosition.leader)
        .order_by(Staff.id)
    ).all()
    supervisor = cast.accounts.get("supervisor")
    months = (now.year - start.year) * 12 + now.month - start.month + 1
    filings = sorted(
        _workday_instant(
            limits.calendar,
            datetime.combine(start, datetime.min.time()) + timedelta(days=rng.uniform(0, (now.date() - start).days)),
            rng,
        )
        for _ in range(months * PER_MONTH)
    )
    filings = [moment for moment in filings if moment < now - timedelta(hours=1)]
    # The last five stop after 0..4 steps, newest first: every open stage is shown.
    stops = {len(filings) - 1 - n: n for n in range(min(5, len(filings)))}
    counts: dict[str, int] = {}
    orders = []
    for index, filed_at in enumerate(filings):
        clerk = rng.choice(clerks)
        story = rng.choice(TEXTS["complaints"])
        case_id = session.scalar(
            sa.select(Case.id)
            .where(Case.accepted_by_id == clerk.id, Case.accepted_at < filed_at)
            .order_by(Case.accepted_at.desc())
            .limit(1)
        )
        filing = complaints.Filing(
            subject=story["subject"],
            content=story["content"],
            complainant_name=rng.choice(TEXTS["complaint_names"]),
            complainant_phone=f"1{rng.choice('3578')}{rng.randint(10**8, 10**9 - 1)}",
            department_id=clerk.department_id,
            window_id=clerk.window_id,
            staff_id=clerk.id,
            case_id=case_id,
        )
        channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
        complaint = complaints.file(session, filing, channel, clerk.center_id, filed_at, limits)
        at = filed_at
        for step in STEPS[: stops.get(index, len(STEPS))]:
            at = _workday_instant(limits.calendar, at + timedelta(hours=rng.randint(2, 40)), rng)
            if at >= now:
                break
            chief = cast.chiefs.get(clerk.department_id)
            # The department's chief representative investigates and handles its own (a township's head has no
            # such duty: the center does it there).
            own = chief is not None and chief.roles & ROLE_DUTIES["department_chief"]
            actor = chief if step in ("investigate", "handle") and own and rng.random() < 0.6 else supervisor
            complaints.act(
                session,
                cast.acting(session, actor),
                complaint,
                complaint.version,
                at,
                limits,
                step,
                **_inputs(step, story, rng),
            )
        counts[complaint.stage.name] = counts.get(complaint.stage.name, 0) + 1
        if complaint.rectification_order is not None:
            orders.append(complaint.rectification_order)
    # The newest order is still being rectified; the one before it was rectified late, after its referral.
    plans = {len(orders) - 1: "open", len(orders) - 2: "late"}
    # Their own random stream: the draws after this (the bad reviews' rectifications) stay as they were.
    order_rng = random.Random(f"{now:%Y%m%d}:orders")
    for index, order in enumerate(sorted(orders, key=lambda order: order.issued_at)):
        _follow_order(session, cast, order, supervisor, now, order_rng, limits, plans.get(index))
    return counts


def _follow_order(session, cast, order, supervisor, now: datetime, rng, limits, plan=None) -> None:
    """How far a rectification order got by `now`, through the service: closed a few working days
    after it was issued (one in ten late), or still open; referred to 纪检 when still open three
    working days past its deadline. `plan`: "open" leaves it open, "late" closes it well late."""
    late = plan == "late" or rng.random() >= 0.9
    hours = rng.randint(200, 300) if plan == "late" else rng.randint(120, 260) if late else rng.randint(20, 90)
    closing = (
        now if plan == "open" else _workday_instant(limits.calendar, order.issued_at + timedelta(hours=hours), rng)
    )
    referral = _workday_instant(limits.calendar, limits.due(order.due_at, 3), rng)
    if referral < min(closing, now):
        rectification_orders.refer(
            session,
            cast.acting(session, supervisor),
            order,
            order.version,
            referral,
            referred_on=referral.date(),
            number=f"纪移〔{referral.year}〕{order.id}号",
            note="整改通知逾期未整改到位，报请纪检监察机关问责。",
        )
    if closing < now:
        chief = cast.chiefs.get(order.department_id)
        own = chief is not None and chief.roles & ROLE_DUTIES["department_chief"]
        rectification_orders.close(
            session,
            cast.acting(session, chief if own else supervisor),
            order,
            order.version,
            closing,
            note=rng.choice(TEXTS["order_closures"]),
        )


def _inputs(step: str, story: dict, rng) -> dict:
    finding = story["finding"]
    if step == "investigate":
        return {"finding": finding, "note": TEXTS["investigations"][finding]}
    if step == "handle":
        return {"note": TEXTS["replies"][finding], "sanctions": story["sanctions"]}
    if step == "callback":
        return {"note": rng.choice(TEXTS["callbacks"]), "satisfied": "yes" if rng.random() < 0.8 else "no"}
    return {}


def seed_rectifications(session, now: datetime, rng) -> dict:
    """One rectification per voluntary rating of 1–2 that has none; returns counts by state."""
    limits = evaluations.load_limits(session)
    chiefs = dict(
        session.execute(
            sa.select(Staff.department_id, sa.func.min(Staff.id))
            .where(Staff.position == StaffPosition.chief_rep, Staff.status == StaffStatus.active)
            .group_by(Staff.department_id)
        ).all()
    )
    bad = session.execute(
        sa.select(Evaluation.id, Evaluation.department_id, Evaluation.created_at)
        .where(
            Evaluation.level.in_(BAD_LEVELS),
            Evaluation.is_default.is_(False),
            ~sa.exists().where(Rectification.evaluation_id == Evaluation.id),
        )
        .order_by(Evaluation.id)
    ).all()
    cache: dict = {}

    def due(opened: datetime, days: int) -> datetime:
        key = (opened.date(), opened.time() >= limits.hours.closes, days)
        if key not in cache:
            cache[key] = deadline(opened, days, limits.calendar, limits.hours).due_at
        return cache[key]

    rows, counts = [], {}
    for evaluation in bad:
        opened = evaluation.created_at
        row = {
            "evaluation_id": evaluation.id,
            "department_id": evaluation.department_id,
            "assignee_id": chiefs.get(evaluation.department_id),
            "status": RectificationStatus.open.name,
            "opened_at": opened,
            "contact_due_at": due(opened, limits.contact_days),
            "rectify_due_at": due(opened, limits.rectify_days),
            **dict.fromkeys(("contacted_at", "contact_note", "rectified_at", "measures", "closed_at", "verdict")),
        }
        _progress(row, now, rng)
        row["version"] = VERSIONS[row["status"]]
        counts[row["status"]] = counts.get(row["status"], 0) + 1
        rows.append(row)
    if rows:
        session.execute(sa.insert(Rectification.__table__), rows)
    return counts


def _progress(row: dict, now: datetime, rng) -> None:
    """How far a rectification got by `now`: each step a few hours to days after the last; a few
    late; the steps not reached yet are left for the chief representative."""
    at = row["opened_at"] + timedelta(hours=rng.randint(1, 30) if rng.random() < 0.9 else rng.randint(30, 60))
    if at >= now:
        return
    row.update(
        status=RectificationStatus.contacted.name,
        contacted_at=at,
        contact_note=rng.choice(TEXTS["rectification_contacts"]),
    )
    at += timedelta(hours=rng.randint(20, 100) if rng.random() < 0.92 else rng.randint(100, 200))
    if at >= now:
        return
    row.update(
        status=RectificationStatus.rectified.name, rectified_at=at, measures=rng.choice(TEXTS["rectification_measures"])
    )
    at += timedelta(hours=rng.randint(4, 72))
    if at >= now:
        return
    verdict = rng.choices([v for v, _ in VERDICTS], [w for _, w in VERDICTS])[0]
    row.update(status=RectificationStatus.closed.name, closed_at=at, verdict=verdict.name)

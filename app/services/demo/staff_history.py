"""The demo county's year of staff management, through the real services with explicit instants:
leave requests in every state (pending at the department and at the center, approved, rejected,
cancelled), the comprehensive windows' duty rosters for every quarter of the year and the next,
and a few personnel changes.

Leave is filed a few days before it starts by the staff member or the chief representative,
decided by whoever the tier names (the chief representative, the window leader, the center's
leader in charge for three days or more); leave not started yet may still be waiting.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.models.org import StaffPosition, Window, WindowKind
from app.models.personnel import ChangeKind, LeaveTier, LeaveType
from app.services import leave, personnel, rotation
from app.services.demo import data
from config import ROLE_DUTIES

TEXTS = data.document("history.json")
# (leave type, weight); official business (公出) is filed like leave.
TYPES = [("personal", 40), ("sick", 25), ("annual", 20), ("official", 10), ("marriage", 2), ("bereavement", 3)]
# Length in half days, by weight: mostly half or whole days, sometimes a week.
HALVES = [(1, 25), (2, 35), (3, 8), (4, 12), (6, 8), (10, 7), (14, 5)]
PER_STAFF_AND_YEAR = 1.8


def _office(day: date, rng) -> datetime:
    return datetime.combine(day, time(8, 40)) + timedelta(minutes=rng.randint(0, 480))


def _period(rules, start_day: date, halves: int, afternoon: bool) -> tuple[datetime, datetime]:
    """From the morning (or afternoon) of `start_day`, `halves` working half days."""
    morning, after = rules.hours.periods[0], rules.hours.periods[-1]
    day, half = start_day, 1 if afternoon else 0
    starts = datetime.combine(day, after[0] if afternoon else morning[0])
    for _ in range(halves - 1):
        half += 1
        if half == 2:
            day, half = rules.calendar.add_workdays(day, 1), 0
    return starts, datetime.combine(day, after[1] if half else morning[1])


def seed_leave(session, cast, start: date, now: datetime, rng) -> dict:
    """About two requests per staff member over the year and the next four weeks; returns counts by state."""
    rules = leave.Rules.load(session)
    subjects = [actor for actor in cast.staff if cast.positions[actor.staff_id] is not StaffPosition.chief_rep]
    leaders = {
        actor.department_id: actor for actor in cast.staff if cast.positions[actor.staff_id] is StaffPosition.leader
    }
    center = cast.accounts.get("manager")
    last = now.date() + timedelta(days=28)
    workdays = [
        start + timedelta(days=n)
        for n in range((last - start).days)
        if rules.calendar.is_workday(start + timedelta(days=n))
    ]
    counts: dict[str, int] = {}
    for _ in range(int(len(subjects) * PER_STAFF_AND_YEAR)):
        subject = rng.choice(subjects)
        chief = cast.chiefs.get(subject.department_id)
        if chief is None:
            continue
        kind = rng.choices([t for t, _ in TYPES], [w for _, w in TYPES])[0]
        halves = rng.choices([h for h, _ in HALVES], [w for _, w in HALVES])[0]
        starts_at, ends_at = _period(rules, rng.choice(workdays), halves, afternoon=halves == 1 and rng.random() < 0.5)
        filed_at = min(_office(starts_at.date() - timedelta(days=rng.randint(1, 6)), rng), now - timedelta(hours=2))
        filer = subject if rng.random() < 0.75 else chief
        try:
            request = leave.file(
                session,
                cast.acting(session, filer),
                filed_at,
                rules,
                staff_id=subject.staff_id,
                leave_type=LeaveType[kind],
                starts_at=starts_at,
                ends_at=ends_at,
                reason=rng.choice(TEXTS["leave_reasons"][kind]),
            )
        except leave.LeaveError:
            continue  # overlaps the same person's leave, or the window's other post is away then
        try:
            state = _decide(session, cast, request, rules, rng, now, chief, leaders.get(subject.department_id), center)
        except leave.LeaveError:
            # The window's other post got leave for those days meanwhile: the chief representative says no.
            at = min(request.requested_at + timedelta(hours=2), now - timedelta(minutes=30))
            leave.reject(
                session,
                cast.acting(session, chief),
                request,
                request.version,
                at,
                rules,
                note=TEXTS["leave_post_conflict"],
            )
            state = "rejected"
        counts[state] = counts.get(state, 0) + 1
    for state, halves in (("pending", 2), ("pending_center", 6)):
        if not counts.get(state):
            _waiting(session, cast, rules, now, rng, subjects, halves, counts, state)
    return counts


def _waiting(session, cast, rules, now, rng, subjects, halves, counts, state) -> None:
    """Make sure a request waits at the department and a long one at the center (the draw may
    have left none): filed today for leave starting in the second week from now."""
    first = rules.calendar.add_workdays(now.date(), 6)
    for subject in rng.sample(subjects, len(subjects)):
        chief = cast.chiefs.get(subject.department_id)
        if chief is None:
            continue
        starts_at, ends_at = _period(rules, first, halves, afternoon=False)
        try:
            request = leave.file(
                session,
                cast.acting(session, subject),
                now - timedelta(hours=1),
                rules,
                staff_id=subject.staff_id,
                leave_type=LeaveType.annual,
                starts_at=starts_at,
                ends_at=ends_at,
                reason=rng.choice(TEXTS["leave_reasons"]["annual"]),
            )
            if state == "pending_center":
                head = rng.choice(TEXTS["department_heads"])
                acting = cast.acting(session, chief)
                leave.approve(
                    session, acting, request, request.version, now - timedelta(minutes=20), rules, head_name=head
                )
        except leave.LeaveError:
            continue
        counts[state] = counts.get(state, 0) + 1
        return


def _decide(session, cast, request, rules, rng, now, chief, leader, center) -> str:
    """Take the request as far as its dates allow; returns the state it was left in."""
    decided_at = min(request.requested_at + timedelta(hours=rng.randint(1, 20)), now - timedelta(minutes=30))
    started = request.starts_at <= now
    # Leave already started can no longer be waiting: its draw falls among the decided outcomes.
    draw = 0.35 + 0.65 * rng.random() if started else rng.random()
    # Requests for the coming weeks: some still wait, at the department or (3 days or more) at the center.
    if not started and draw < 0.35:
        if request.tier is LeaveTier.joint and rng.random() < 0.5:
            head = rng.choice(TEXTS["department_heads"])
            leave.approve(
                session, cast.acting(session, chief), request, request.version, decided_at, rules, head_name=head
            )
            return "pending_center"
        return "pending"
    if draw < 0.42:
        note = rng.choice(TEXTS["leave_cancellations"])
        filer = next((a for a in cast.staff if a.staff_id == request.staff_id), chief)
        leave.cancel(session, cast.acting(session, filer), request, request.version, decided_at, note=note)
        return "cancelled"
    approver = (
        leader if leader is not None and request.tier is LeaveTier.chief_or_below and rng.random() < 0.5 else chief
    )
    if draw < 0.50:
        note = rng.choice(TEXTS["leave_rejections"])
        leave.reject(session, cast.acting(session, approver), request, request.version, decided_at, rules, note=note)
        return "rejected"
    if request.tier is LeaveTier.joint:
        head = rng.choice(TEXTS["department_heads"])
        leave.approve(session, cast.acting(session, chief), request, request.version, decided_at, rules, head_name=head)
        later = min(decided_at + timedelta(hours=rng.randint(1, 24)), now - timedelta(minutes=10))
        leave.approve(session, cast.acting(session, center), request, request.version, later, rules)
    else:
        leave.approve(session, cast.acting(session, approver), request, request.version, decided_at, rules)
    if not started and rng.random() < 0.15 and request.working_days <= Decimal(2):
        # Plans change: approved leave withdrawn before it starts.
        filer = next((a for a in cast.staff if a.staff_id == request.staff_id), chief)
        note = rng.choice(TEXTS["leave_cancellations"])
        leave.cancel(
            session, cast.acting(session, filer), request, request.version, now - timedelta(minutes=5), note=note
        )
        return "cancelled"
    return "approved"


def seed_rotation(session, cast, start: date, now: datetime) -> int:
    """Every comprehensive window's roster, each quarter generated ten days before it starts,
    from the year's first quarter to the one six weeks ahead; returns the weeks written."""
    manager = cast.accounts.get("manager")
    windows = session.scalars(
        sa.select(Window).where(Window.kind == WindowKind.comprehensive).order_by(Window.id)
    ).all()
    quarter, last = rotation.quarter_of(start), rotation.quarter_of(now.date() + timedelta(weeks=6))
    written = 0
    while quarter <= last:
        generated_at = min(datetime.combine(quarter - timedelta(days=10), time(9, 0)), now)
        for window in windows:
            if rotation.members(session, window.id):
                written += rotation.generate_rotation(
                    session, window, quarter, cast.acting(session, manager), generated_at
                )
        quarter = rotation.next_quarter(quarter)
    return written


def seed_personnel(session, cast, now: datetime, rng) -> dict:
    """A few personnel changes as a year leaves them: one rejected in the past, a change of window
    approved to take effect next month, another change of window and a transfer out still waiting
    for the center.
    None takes effect within the history (the staff of the year stay where the cases put them)."""
    rules = personnel.Rules.load(session)
    manager = cast.accounts.get("manager")
    next_month = (now.date().replace(day=1) + timedelta(days=32)).replace(day=1)
    plans = [  # (kind, requested days ago, decision, effective_on)
        (ChangeKind.post_change, 75, "rejected", now.date() - timedelta(days=60)),
        (ChangeKind.post_change, 6, "approved", next_month),
        (ChangeKind.post_change, 2, None, next_month),
        (ChangeKind.transfer_out, 1, None, next_month + timedelta(days=14)),
    ]
    windows = _other_windows(session)
    movers = [a for a in cast.staff if cast.positions[a.staff_id] is StaffPosition.a_post and a.window_id in windows]
    counts: dict[str, int] = {}
    for (kind, days_ago, decision, effective_on), mover in zip(
        plans, rng.sample(movers, min(len(movers), len(plans))), strict=False
    ):
        chief = cast.chiefs.get(mover.department_id)
        if chief is None or not chief.roles & ROLE_DUTIES["department_chief"]:
            continue
        requested_at = _office(now.date() - timedelta(days=days_ago), rng)
        reason = TEXTS["personnel_reasons"][kind.name]
        try:
            change = personnel.request_change(
                session,
                cast.acting(session, chief),
                min(requested_at, now - timedelta(hours=1)),
                rules,
                staff_id=mover.staff_id,
                kind=kind,
                effective_on=effective_on,
                reason=reason,
                to_window_id=windows[mover.window_id] if kind is ChangeKind.post_change else None,
            )
            decided_at = min(requested_at + timedelta(days=1), now - timedelta(minutes=30))
            if decision == "approved":
                personnel.approve(session, cast.acting(session, manager), change, change.version, decided_at, rules)
            elif decision == "rejected":
                note = TEXTS["personnel_rejections"][0]
                personnel.reject(
                    session, cast.acting(session, manager), change, change.version, decided_at, rules, note=note
                )
        except personnel.ChangeError:
            continue
        counts[change.status.name] = counts.get(change.status.name, 0) + 1
    return counts


def _other_windows(session) -> dict[int, int]:
    """For each dedicated window, another dedicated window of the same department (where a clerk may move)."""
    by_department: dict[int, list[int]] = {}
    for window_id, department_id in session.execute(
        sa.select(Window.id, Window.department_id).where(Window.kind == WindowKind.dedicated).order_by(Window.id)
    ):
        by_department.setdefault(department_id, []).append(window_id)
    return {
        window_id: ids[(position + 1) % len(ids)]
        for ids in by_department.values()
        if len(ids) > 1
        for position, window_id in enumerate(ids)
    }

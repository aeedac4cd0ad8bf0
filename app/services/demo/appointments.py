"""Demo appointments (issue 18.2): the county center's window groups — a few departments' own
windows, the comprehensive windows and the green channel (places kept for special groups) — with
two weeks of bookings behind `now` (mostly kept, some missed, some cancelled), a few days booked
ahead, and one evening of delayed service.

Bookings go through app/services/appointments.py at their own instants, so slots, numbers,
capacities and no-shows hold by construction. Skipped when any window group exists.
"""

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from app.models.appointment import AppointmentChannel, SpecialGroup, WindowGroup, WindowGroupKind
from app.models.org import Center, RecordStatus, Window, WindowKind
from app.services import appointments, audit
from app.services.demo.cases import GIVEN, SURNAMES

DEPARTMENT_GROUPS = 4
PAST_DAYS = 14
# Of the past bookings: share cancelled ahead, share missed; the rest were kept.
CANCELLED, MISSED = 0.08, 0.1


def _groups(session, center) -> list[WindowGroup]:
    windows = session.scalars(
        sa.select(Window)
        .where(Window.center_id == center.id, Window.status == RecordStatus.active)
        .order_by(Window.code)
    ).all()
    groups, letters = [], iter("ABCDEFH")
    by_department = {}
    for window in windows:
        if window.kind is WindowKind.dedicated and window.department is not None:
            by_department.setdefault(window.department, []).append(window)
    for department, own in sorted(by_department.items(), key=lambda pair: pair[0].sort_order)[:DEPARTMENT_GROUPS]:
        groups.append(
            WindowGroup(
                center_id=center.id,
                name=department.short_name or department.name,
                kind=WindowGroupKind.department,
                department_id=department.id,
                prefix=next(letters),
                windows=own,
                sort_order=len(groups),
            )
        )
    for kind, window_kind, prefix, name, reserved in (
        (WindowGroupKind.comprehensive, WindowKind.comprehensive, "Z", "综合受理", 0),
        (WindowGroupKind.green, WindowKind.green, "G", "绿色通道", 1),
    ):
        own = [window for window in windows if window.kind is window_kind]
        if own:
            groups.append(
                WindowGroup(
                    center_id=center.id,
                    name=name,
                    kind=kind,
                    prefix=prefix,
                    windows=own,
                    slot_capacity=4,
                    reserved_seats=reserved,
                    sort_order=len(groups),
                )
            )
    session.add_all(groups)
    session.flush()
    return groups


def _person(rng):
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    return name, f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}", f"{rng.randint(0, 9999):04d}"


def seed_appointments(session, now: datetime, rng) -> int:
    """Window groups and bookings around `now`; returns the bookings written. The caller commits."""
    if session.scalar(sa.select(sa.func.count()).select_from(WindowGroup)):
        return 0
    center = session.scalar(sa.select(Center).where(Center.parent_id.is_(None)).order_by(Center.id))
    if center is None:
        return 0
    audit.set_actor(session, None, "demo")
    groups = _groups(session, center)
    start = datetime.combine(now.date() - timedelta(days=PAST_DAYS), time(7, 0))
    evening = now.date() + timedelta(days=1)
    appointments.open_delayed_service(
        session,
        center_id=center.id,
        day=evening,
        starts=time(17, 30),
        ends=time(19, 0),
        note="企业开办集中办理延时服务",
    )
    made = []
    for group in groups:
        for day in range(PAST_DAYS + group.days_ahead + 1):
            booked_at = start + timedelta(days=day) - timedelta(days=2)
            appointments.ensure_slots(session, group, booked_at)
            for slot, _free in appointments.open_slots(session, group, booked_at + timedelta(days=1, hours=17)):
                if slot.starts_at.date() != (start + timedelta(days=day)).date() or rng.random() > 0.35:
                    continue
                name, phone, id_last4 = _person(rng)
                special = rng.choice(list(SpecialGroup)) if slot.reserved and rng.random() < 0.4 else None
                channel = AppointmentChannel.staff if rng.random() < 0.2 else AppointmentChannel.portal
                try:
                    appointment = appointments.book(
                        session,
                        appointments.Booking(slot.id, name, phone, id_last4, special=special),
                        channel=channel,
                        now=min(booked_at, now),
                    )
                except appointments.AppointmentError:
                    continue
                made.append(appointment)
    for appointment in made:
        if appointment.starts_at >= now:
            continue
        draw = rng.random()
        if draw < CANCELLED:
            appointments.cancel(session, appointment, appointment.starts_at - timedelta(days=1))
        elif draw >= CANCELLED + MISSED:
            appointments.check_in(session, appointment, appointment.starts_at - timedelta(minutes=rng.randint(0, 20)))
    appointments.mark_no_shows(session, now)
    session.flush()
    session.info.pop(audit.SESSION_ACTOR, None)
    return len(made)

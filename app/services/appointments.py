"""Appointments (预约): slots per window group, booking, cancelling, rescheduling, no-shows, check-in.

Seeds 003 (通过预约系统,提前安排办事时间,避免群众排队等待) and 004 第十一条 (绿色通道窗口 预约服务、
延时服务), 第十七条 (重点项目 预约服务), 第二十六条 (预约服务、延时服务).

- Slots: a group's office-hour periods cut into `slot_minutes` pieces on the working days of the
  calendar, `days_ahead` days ahead; outside office hours only inside a dated `DelayedOpening`,
  and those slots (and their bookings) are delayed service (延时服务).
- The last place: a booking is one conditional UPDATE on the slot row
  (`booked = booked + 1 WHERE booked < capacity`, and for a general booking also short of the
  places still kept for the special groups); two citizens booking the last place at once: the
  database lets exactly one UPDATE match, on SQLite and PostgreSQL.
- Cancel and reschedule until `appointment_cutoff_hours` before the slot.
- `mark_no_shows` turns past bookings never checked in into no-shows and blocks online booking
  for a phone with `appointment_no_show_count` of them in `appointment_no_show_days` days, for
  `appointment_block_days` days.
- Audit: a booking and a block are ORM inserts (the audit log's flush hook writes them); every
  status change — cancelled, moved, checked in (kept), no-show — is a conditional UPDATE past
  the ORM, so each writes its own audit entry (services/audit.log_changes) with the actor: the
  `actor` given ((user id or None, name): the portal's citizen, a kiosk) or the session's (the
  logged-in clerk, the job's system user).

Pure: every function takes the session and `now`; nothing reads the clock.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.models.appointment import (
    Appointment,
    AppointmentBlock,
    AppointmentChannel,
    AppointmentSlot,
    AppointmentStatus,
    DelayedOpening,
    SpecialGroup,
    WindowGroup,
    WindowGroupKind,
)
from app.models.matter import Matter, MatterStatus
from app.models.org import RecordStatus
from app.services import audit, document_numbers, settings
from app.services import calendar as calendar_service
from app.services.deadlines import OfficeHours, parse_office_hours
from app.services.phone import InvalidPhone, checked_phone, phone_tail
from app.services.workdays import WorkCalendar

_ID_LAST4 = re.compile(r"^\d{3}[\dX]$")
SERIES = "appointment"
TABLE = Appointment.__tablename__
# Actors without a login, as the audit log names them.
PUBLIC_ACTOR = (None, "公众（网上预约）")
KIOSK_ACTOR = (None, "取号机（预约签到）")


class AppointmentError(ValueError):
    """A booking refused; the message (Chinese) says why. Nothing was changed."""


@dataclass(frozen=True)
class Booking:
    """What a citizen (or a clerk for a caller) asks for."""

    slot_id: int
    name: str
    phone: str
    id_last4: str
    matter_id: int | None = None
    special: SpecialGroup | None = None
    note: str | None = None


# ---------------------------------------------------------------- slots


def slot_times(day: date, hours: OfficeHours, minutes: int, calendar: WorkCalendar, openings=()):
    """(starts, ends, delayed) of one day: office-hour slots on a working day, then delayed-service
    slots inside the day's openings that fall outside office hours. A piece that does not fit whole
    in its period is left out."""
    periods = [(start, end, False) for start, end in hours.periods] if calendar.is_workday(day) else []
    periods += [(opening.starts, opening.ends, True) for opening in openings]
    step = timedelta(minutes=minutes)
    office = [(datetime.combine(day, s), datetime.combine(day, e)) for s, e in hours.periods]
    seen = set()
    for start, end, delayed in periods:
        at, stop = datetime.combine(day, start), datetime.combine(day, end)
        while at + step <= stop:
            inside_office = any(s <= at and at + step <= e for s, e in office) and calendar.is_workday(day)
            if at not in seen and not (delayed and inside_office):
                seen.add(at)
                yield at, at + step, delayed
            at += step


def ensure_slots(session: Session, group: WindowGroup, now: datetime, calendar=None, hours=None) -> int:
    """Create the group's missing slots from today to `days_ahead` days ahead (one INSERT … ON
    CONFLICT DO NOTHING: two requests generating at once create each slot once). Returns the
    number of slot times considered."""
    calendar = calendar or calendar_service.load(session)
    hours = hours or parse_office_hours(settings.get(session, "office_hours"))
    first, last = now.date(), now.date() + timedelta(days=group.days_ahead)
    openings = session.scalars(
        sa.select(DelayedOpening).where(
            DelayedOpening.center_id == group.center_id,
            sa.or_(DelayedOpening.group_id.is_(None), DelayedOpening.group_id == group.id),
            DelayedOpening.day.between(first, last),
        )
    ).all()
    rows = []
    day = first
    while day <= last:
        todays = [opening for opening in openings if opening.day == day]
        for starts, ends, delayed in slot_times(day, hours, group.slot_minutes, calendar, todays):
            rows.append(
                dict(
                    group_id=group.id,
                    starts_at=starts,
                    ends_at=ends,
                    capacity=group.slot_capacity,
                    reserved=group.reserved_seats if group.kind is WindowGroupKind.green else 0,
                    booked=0,
                    booked_special=0,
                    delayed=delayed,
                )
            )
        day += timedelta(days=1)
    if rows:
        dialect = session.get_bind().dialect.name
        insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
        session.execute(insert(AppointmentSlot.__table__).values(rows).on_conflict_do_nothing())
    return len(rows)


def open_slots(session: Session, group: WindowGroup, now: datetime, *, special: bool = False):
    """The group's future slots with a place a booking of this kind could take, in order:
    (slot, free places)."""
    ensure_slots(session, group, now)
    slot = AppointmentSlot
    free = slot.capacity - slot.booked if special else slot.capacity - slot.booked - _unused_reserve()
    rows = session.execute(
        sa.select(slot, free.label("free"))
        .where(
            slot.group_id == group.id,
            slot.starts_at > now,
            slot.starts_at <= datetime.combine(now.date() + timedelta(days=group.days_ahead), time.max),
            free > 0,
        )
        .order_by(slot.starts_at)
    ).all()
    return [(row[0], row[1]) for row in rows]


def _unused_reserve():
    """Reserved places not yet taken by special bookings (SQL expression; never below zero)."""
    slot = AppointmentSlot
    return sa.case((slot.booked_special >= slot.reserved, 0), else_=slot.reserved - slot.booked_special)


def _take_place(session: Session, slot_id: int, special: bool) -> bool:
    """One conditional UPDATE: True when this caller got a place."""
    slot = AppointmentSlot.__table__
    condition = [slot.c.id == slot_id, slot.c.booked < slot.c.capacity]
    values = {"booked": slot.c.booked + 1}
    if special:
        values["booked_special"] = slot.c.booked_special + 1
    else:
        # A general booking leaves the reserved places still untaken: booked + unused reserve < capacity.
        condition.append(slot.c.booked + slot.c.reserved - slot.c.booked_special < slot.c.capacity)
    return session.execute(sa.update(slot).where(*condition).values(values)).rowcount == 1


def _release_place(session: Session, slot_id: int, special: bool) -> None:
    slot = AppointmentSlot.__table__
    values = {"booked": slot.c.booked - 1}
    if special:
        values["booked_special"] = slot.c.booked_special - 1
    session.execute(sa.update(slot).where(slot.c.id == slot_id, slot.c.booked > 0).values(values))


def bookable_groups(session: Session) -> list[WindowGroup]:
    """The groups the portal offers, center by center."""
    return session.scalars(
        sa.select(WindowGroup)
        .where(WindowGroup.status == RecordStatus.active, WindowGroup.bookable.is_(True))
        .order_by(WindowGroup.center_id, WindowGroup.sort_order, WindowGroup.prefix)
    ).all()


def group_matters(session: Session, group: WindowGroup, limit: int = 300):
    """(id, name) of the matters a group serves: its department's, else those of its windows'
    departments and member departments, else every matter in service."""
    departments = {group.department_id} if group.department_id else set()
    for window in group.windows:
        departments |= {window.department_id} | {d.id for d in window.member_departments}
    departments.discard(None)
    query = sa.select(Matter.id, Matter.name).where(Matter.status == MatterStatus.active)
    if departments:
        query = query.where(Matter.department_id.in_(departments))
    return session.execute(query.order_by(Matter.code).limit(limit)).all()


# ---------------------------------------------------------------- booking


def blocked_until(session: Session, phone: str, now: datetime) -> datetime | None:
    """When online booking opens again for this phone (None: not blocked)."""
    return session.scalar(
        sa.select(sa.func.max(AppointmentBlock.until)).where(
            AppointmentBlock.phone == phone, AppointmentBlock.until > now
        )
    )


def _clean(booking: Booking) -> tuple[str, str, str]:
    name = (booking.name or "").strip()
    if not name or len(name) > 50:
        raise AppointmentError(str(_l("Enter the name (at most 50 characters).")))
    try:
        phone = checked_phone(booking.phone, required=True)
    except InvalidPhone as exc:
        raise AppointmentError(str(exc)) from None
    id_last4 = (booking.id_last4 or "").strip().upper()
    if not _ID_LAST4.match(id_last4):
        raise AppointmentError(str(_l("Enter the last four characters of the ID number (digits, or X last).")))
    return name, phone, id_last4


def book(
    session: Session,
    booking: Booking,
    *,
    channel: AppointmentChannel,
    now: datetime,
    user_id: int | None = None,
    group_ids=None,
    actor=None,
) -> Appointment:
    """Book a place. `group_ids`: the groups the caller may book in (a clerk's scope); None: any.
    `actor`: who the audit log names for the booking (the portal's citizen); None: the session's.

    Raises AppointmentError (nothing changed) when the input is bad, the slot is past, too far
    ahead or full, the person is blocked (online only) or already holds a booking that day."""
    name, phone, id_last4 = _clean(booking)
    slot = session.get(AppointmentSlot, booking.slot_id) if isinstance(booking.slot_id, int) else None
    if slot is None or (group_ids is not None and slot.group_id not in group_ids):
        raise AppointmentError(str(_l("The chosen time does not exist.")))
    group = slot.group
    if group.status is not RecordStatus.active or not group.bookable:
        raise AppointmentError(str(_l("This window group takes no appointments.")))
    if slot.starts_at <= now:
        raise AppointmentError(str(_l("The chosen time has passed.")))
    if slot.starts_at.date() > now.date() + timedelta(days=group.days_ahead):
        raise AppointmentError(str(_l("Appointments open %(days)s days ahead.", days=group.days_ahead)))
    if booking.special is not None and not slot.reserved:
        raise AppointmentError(str(_l("Only green-channel groups keep places for special groups.")))
    matter_id = booking.matter_id
    if matter_id is not None and session.get(Matter, matter_id) is None:
        raise AppointmentError(str(_l("The matter chosen does not exist.")))
    if channel is AppointmentChannel.portal:
        until = blocked_until(session, phone, now)
        if until is not None:
            raise AppointmentError(
                str(
                    _l(
                        "Online booking is suspended for this phone number until %(until)s because of repeated "
                        "missed appointments; please call the center or take a ticket at the hall.",
                        until=f"{until:%Y-%m-%d %H:%M}",
                    )
                )
            )
    day_start = datetime.combine(slot.starts_at.date(), time.min)
    same_day = session.scalar(
        sa.select(Appointment.number).where(
            Appointment.phone == phone,
            Appointment.group_id == group.id,
            Appointment.status == AppointmentStatus.booked,
            Appointment.starts_at >= day_start,
            Appointment.starts_at < day_start + timedelta(days=1),
        )
    )
    if same_day is not None:
        raise AppointmentError(
            str(_l("This phone number already holds appointment %(number)s that day.", number=same_day))
        )
    if not _take_place(session, slot.id, booking.special is not None):
        raise AppointmentError(str(_l("This time is fully booked; please choose another.")))
    serial = document_numbers.next_number(session, SERIES, now.year)
    appointment = Appointment(
        number=f"YY{now:%Y}{serial:06d}",
        center_id=group.center_id,
        group_id=group.id,
        slot_id=slot.id,
        starts_at=slot.starts_at,
        matter_id=matter_id,
        name=name,
        phone=phone,
        id_last4=id_last4,
        special=booking.special,
        channel=channel,
        status=AppointmentStatus.booked,
        delayed=slot.delayed,
        booked_at=now,
        booked_by_id=user_id,
        rescheduled=0,
        note=(booking.note or "").strip()[:200] or None,
    )
    if actor is not None:
        audit.set_actor(session, *actor)
    session.add(appointment)
    session.flush()
    return appointment


def find_for_citizen(session: Session, number: str, phone_last4: str) -> Appointment | None:
    """The appointment with this number whose phone ends in these four digits (the portal's proof)."""
    appointment = session.scalar(sa.select(Appointment).where(Appointment.number == (number or "").strip().upper()))
    if appointment is None or not phone_last4 or phone_tail(appointment.phone) != phone_last4.strip():
        return None
    return appointment


def _check_cutoff(session: Session, appointment: Appointment, now: datetime) -> None:
    if appointment.status is not AppointmentStatus.booked:
        raise AppointmentError(str(_l("Only a booked appointment can be changed.")))
    hours = int(settings.get(session, "appointment_cutoff_hours"))
    if appointment.starts_at - timedelta(hours=hours) <= now:
        raise AppointmentError(
            str(_l("Appointments can be cancelled or moved until %(hours)s hours before their time.", hours=hours))
        )


def _audit(session, appointment, now, actor, changes) -> None:
    audit.log_changes(session, TABLE, [(appointment.id, appointment.number, changes)], now, actor)


def cancel(session: Session, appointment: Appointment, now: datetime, actor=None) -> None:
    """Cancel until the cut-off; the place goes back to the slot. Two cancels at once: one acts."""
    _check_cutoff(session, appointment, now)
    done = session.execute(
        sa.update(Appointment.__table__)
        .where(Appointment.__table__.c.id == appointment.id, Appointment.__table__.c.status == "booked")
        .values(status="cancelled", cancelled_at=now, version=Appointment.__table__.c.version + 1)
    ).rowcount
    if done != 1:
        raise AppointmentError(str(_l("Only a booked appointment can be changed.")))
    _release_place(session, appointment.slot_id, appointment.special is not None)
    _audit(session, appointment, now, actor, {"status": ("booked", "cancelled"), "cancelled_at": (None, now)})
    session.expire(appointment)


def reschedule(session: Session, appointment: Appointment, slot_id: int, now: datetime, actor=None) -> Appointment:
    """Move to another slot of the same group until the cut-off: the new place is taken first
    (conditional UPDATE), then the old one released; the number stays."""
    _check_cutoff(session, appointment, now)
    slot = session.get(AppointmentSlot, slot_id) if isinstance(slot_id, int) else None
    if slot is None or slot.group_id != appointment.group_id or slot.id == appointment.slot_id:
        raise AppointmentError(str(_l("The chosen time does not exist.")))
    group = slot.group
    if slot.starts_at <= now or slot.starts_at.date() > now.date() + timedelta(days=group.days_ahead):
        raise AppointmentError(str(_l("The chosen time has passed.")))
    special = appointment.special is not None
    if not _take_place(session, slot.id, special):
        raise AppointmentError(str(_l("This time is fully booked; please choose another.")))
    old_slot, old_start = appointment.slot_id, appointment.starts_at
    table = Appointment.__table__
    moved = session.execute(
        sa.update(table)
        .where(table.c.id == appointment.id, table.c.status == "booked", table.c.slot_id == old_slot)
        .values(
            slot_id=slot.id,
            starts_at=slot.starts_at,
            delayed=slot.delayed,
            rescheduled=table.c.rescheduled + 1,
            version=table.c.version + 1,
        )
    ).rowcount
    if moved != 1:
        raise AppointmentError(str(_l("Only a booked appointment can be changed.")))
    _release_place(session, old_slot, special)
    _audit(session, appointment, now, actor, {"slot_id": (old_slot, slot.id), "starts_at": (old_start, slot.starts_at)})
    session.expire(appointment)
    return appointment


# ---------------------------------------------------------------- check-in and no-shows


def find_booking_for_checkin(
    session: Session, center_id: int, booking_number: str, phone_last4: str, now: datetime
) -> Appointment | None:
    """The appointment a citizen checks in with at the kiosk: booked at this center, its number and
    the last four digits of its phone match, and `now` lies between `appointment_checkin_early_minutes`
    before the slot and the slot's end. None otherwise (the kiosk then issues a plain ticket)."""
    appointment = find_for_citizen(session, booking_number, phone_last4)
    if appointment is None or appointment.center_id != center_id:
        return None
    if appointment.status is not AppointmentStatus.booked:
        return None
    early = timedelta(minutes=int(settings.get(session, "appointment_checkin_early_minutes")))
    if not (appointment.starts_at - early <= now < appointment.slot.ends_at):
        return None
    return appointment


def check_in(session: Session, appointment: Appointment, now: datetime, actor=None) -> bool:
    """Mark the appointment checked in (kept); False when it was no longer booked (checked in twice at once)."""
    table = Appointment.__table__
    done = session.execute(
        sa.update(table)
        .where(table.c.id == appointment.id, table.c.status == "booked")
        .values(status="checked_in", checked_in_at=now, version=table.c.version + 1)
    ).rowcount
    if done == 1:
        _audit(session, appointment, now, actor, {"status": ("booked", "checked_in"), "checked_in_at": (None, now)})
    session.expire(appointment)
    return done == 1


def mark_no_shows(session: Session, now: datetime) -> dict:
    """Bookings whose slot ended before `now` unchecked become no-shows (one UPDATE); a phone with
    `appointment_no_show_count` no-shows in the last `appointment_no_show_days` days and no block
    running is blocked from online booking for `appointment_block_days` days. Idempotent."""
    table = Appointment.__table__
    ended = sa.select(AppointmentSlot.id).where(AppointmentSlot.ends_at <= now)
    marked = session.execute(
        sa.update(table)
        .where(table.c.status == "booked", table.c.starts_at < now, table.c.slot_id.in_(ended))
        .values(status="no_show", version=table.c.version + 1)
        .returning(table.c.id, table.c.number)
    ).all()
    # One audit entry per no-show, in one INSERT, by the session's actor (the job's system user).
    audit.log_changes(session, TABLE, ((i, number, {"status": ("booked", "no_show")}) for i, number in marked), now)
    marked = len(marked)
    count = int(settings.get(session, "appointment_no_show_count"))
    since = now - timedelta(days=int(settings.get(session, "appointment_no_show_days")))
    block_days = int(settings.get(session, "appointment_block_days"))
    running = sa.select(AppointmentBlock.phone).where(AppointmentBlock.until > now)
    offenders = session.execute(
        sa.select(
            Appointment.phone,
            sa.func.max(Appointment.name),
            sa.func.max(Appointment.id_last4),
            sa.func.count(),
        )
        .where(
            Appointment.status == AppointmentStatus.no_show,
            Appointment.starts_at >= since,
            Appointment.phone.not_in(running),
        )
        .group_by(Appointment.phone)
        .having(sa.func.count() >= count)
    ).all()
    for phone, name, id_last4, no_shows in offenders:
        session.add(
            AppointmentBlock(
                phone=phone,
                name=name,
                id_last4=id_last4,
                since=now,
                until=now + timedelta(days=block_days),
                no_shows=no_shows,
            )
        )
    session.flush()
    return {"no_shows": marked, "blocked": len(offenders)}


# ---------------------------------------------------------------- openings and counts


def open_delayed_service(
    session: Session, *, center_id: int, day: date, starts: time, ends: time, group_id=None, note=None
) -> DelayedOpening:
    """Record that the center opens (one group or all its groups) on `day` from `starts` to `ends`."""
    if ends <= starts:
        raise AppointmentError(str(_l("The end must come after the start.")))
    opening = DelayedOpening(center_id=center_id, group_id=group_id, day=day, starts=starts, ends=ends, note=note)
    session.add(opening)
    session.flush()
    return opening


def counts(session: Session, start: datetime, end: datetime, center_ids=None, group_ids=None, where=None) -> dict:
    """Appointments with a time in [start, end), by outcome, in one GROUP BY: booked (still
    waiting), kept (checked in), no_show, cancelled, and delayed (延时服务, not cancelled).
    `where`: any further condition (a row scope's clause)."""
    query = sa.select(Appointment.status, Appointment.delayed, sa.func.count()).where(
        Appointment.starts_at >= start, Appointment.starts_at < end
    )
    if where is not None:
        query = query.where(where)
    if center_ids is not None:
        query = query.where(Appointment.center_id.in_(center_ids))
    if group_ids is not None:
        query = query.where(Appointment.group_id.in_(group_ids))
    result = {"booked": 0, "kept": 0, "no_show": 0, "cancelled": 0, "delayed": 0, "total": 0}
    names = {
        AppointmentStatus.booked: "booked",
        AppointmentStatus.checked_in: "kept",
        AppointmentStatus.no_show: "no_show",
        AppointmentStatus.cancelled: "cancelled",
    }
    for status, delayed, number in session.execute(query.group_by(Appointment.status, Appointment.delayed)):
        result[names[status]] += number
        result["total"] += number
        if delayed and status is not AppointmentStatus.cancelled:
            result["delayed"] += number
    return result

"""Queue tickets and calling (取号叫号, issue 18.3): issue, call next, recall, start, finish, skip,
transfer, the abandonment scan, the hall display and the counts.

Race rules, the same on SQLite and PostgreSQL:
- a ticket's number comes from the group's counter row of the day, bumped by one
  UPDATE … RETURNING (as services/document_numbers.py): two kiosks at once wait on the row and
  get different numbers;
- calling next picks the best waiting ticket and claims it with a conditional
  UPDATE … WHERE status = 'waiting': of two windows racing for one ticket exactly one updates a
  row, the other picks again (up to CALL_ATTEMPTS times).

Nothing here reads the clock: every action takes `now` (Beijing time, naive, as everywhere).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.models.appointment import WindowGroup, window_group_window
from app.models.org import RecordStatus, Window
from app.models.queue import OPEN_STATUSES, PRIORITY, QueueCounter, QueueDevice, QueueTicket, TicketSource, TicketStatus
from app.services.document_numbers import bump

CALL_ATTEMPTS = 8
DISPLAY_CALLS = 8


class QueueError(Exception):
    """A refused queue action; the message is for the user."""


@dataclass(frozen=True)
class Desk:
    """Who calls: the staff member and the window they sit at (an active Staff record's window)."""

    staff_id: int
    window_id: int | None


# ---------------------------------------------------------------------------------------------
# Devices


def device_for(session: Session, token: str, kind) -> QueueDevice | None:
    """The active device of `kind` whose token this is; None for any other token."""
    token = (token or "").strip()
    if not token or len(token) > 64:
        return None
    return session.scalar(
        sa.select(QueueDevice).where(QueueDevice.token == token, QueueDevice.kind == kind, QueueDevice.active.is_(True))
    )


def groups_of_center(session: Session, center_id: int):
    """(id, prefix, name) of the center's active groups, in the hall's order (plain rows: the display polls)."""
    return session.execute(
        sa.select(WindowGroup.id, WindowGroup.prefix, WindowGroup.name)
        .where(WindowGroup.center_id == center_id, WindowGroup.status == RecordStatus.active)
        .order_by(WindowGroup.sort_order, WindowGroup.prefix)
    ).all()


# ---------------------------------------------------------------------------------------------
# Issuing


def _ticket(group, seq: int, number: str, source: TicketSource, issued_at: datetime, **extra) -> QueueTicket:
    """A waiting ticket of `group`, issued at `issued_at` (a transferred one keeps its first issue time)."""
    return QueueTicket(
        center_id=group.center_id,
        group_id=group.id,
        department_id=group.department_id,
        service_day=issued_at.date(),
        seq=seq,
        number=number,
        source=source,
        priority=extra.pop("priority", PRIORITY[source]),
        status=TicketStatus.waiting,
        issued_at=issued_at,
        issued_hour=issued_at.hour,
        recalls=0,
        **extra,
    )


def _group(session: Session, center_id: int, group_id: int) -> WindowGroup | None:
    """The center's active group with this id."""
    return session.scalar(
        sa.select(WindowGroup).where(
            WindowGroup.id == group_id, WindowGroup.center_id == center_id, WindowGroup.status == RecordStatus.active
        )
    )


def issue(
    session: Session,
    center_id: int,
    group_id: int,
    now: datetime,
    source: TicketSource = TicketSource.walk_in,
    appointment_id: int | None = None,
) -> QueueTicket:
    """A new ticket of the group (of this center), numbered letter + the day's sequence (A023)."""
    group = _group(session, center_id, group_id)
    if group is None:
        raise QueueError(_l("This queue does not exist at this center."))
    seq = bump(session, QueueCounter.__table__, group_id=group.id, day=now.date())
    ticket = _ticket(group, seq, f"{group.prefix}{seq:03d}", source, now, appointment_id=appointment_id)
    session.add(ticket)
    session.flush()
    return ticket


def find_booking_for_checkin(session: Session, center_id: int, number: str, phone4: str, now: datetime):
    """The appointment checked in at the kiosk: (appointment id, group id), or None.

    The seam to the booking helper's `appointments.find_booking_for_checkin` (issue 18.2): the
    kiosk gives priority only to what that service recognises; without it no check-in matches.
    """
    try:
        from app.services.appointments import find_booking_for_checkin as lookup
    except ImportError:  # the appointments service is not merged yet
        return None
    booking = lookup(session, center_id, number, phone4, now)
    return booking if booking is not None and booking.center_id == center_id else None


def check_in(session: Session, center_id: int, number: str, phone4: str, now: datetime) -> QueueTicket:
    """An appointment's ticket: priority in its group. One message for every mismatch."""
    number, phone4 = (number or "").strip().upper()[:30], (phone4 or "").strip()[:4]
    booking = find_booking_for_checkin(session, center_id, number, phone4, now) if number and phone4 else None
    if booking is None:
        raise QueueError(_l("No appointment for today matches this number and these digits."))
    from app.services.appointments import KIOSK_ACTOR
    from app.services.appointments import check_in as mark_checked_in

    if not mark_checked_in(session, booking, now, actor=KIOSK_ACTOR):  # another kiosk checked it in a moment ago
        raise QueueError(_l("This appointment has already been checked in."))
    return issue(session, center_id, booking.group_id, now, TicketSource.appointment, appointment_id=booking.id)


# ---------------------------------------------------------------------------------------------
# Calling


def window_groups(session: Session, window_id: int | None) -> list[int]:
    """Ids of the active groups the window serves."""
    if window_id is None:
        return []
    return list(
        session.scalars(
            sa.select(WindowGroup.id)
            .join(window_group_window, window_group_window.c.window_group_id == WindowGroup.id)
            .where(window_group_window.c.window_id == window_id, WindowGroup.status == RecordStatus.active)
            .order_by(WindowGroup.sort_order, WindowGroup.id)
        )
    )


def current(session: Session, window_id: int | None) -> QueueTicket | None:
    """The ticket called to or being served at the window."""
    if window_id is None:
        return None
    return session.scalar(
        sa.select(QueueTicket)
        .where(QueueTicket.window_id == window_id, QueueTicket.status.in_(OPEN_STATUSES))
        .order_by(QueueTicket.last_called_at.desc(), QueueTicket.id.desc())
        .limit(1)
    )


def _window(session: Session, desk: Desk) -> Window:
    window = session.get(Window, desk.window_id) if desk.window_id else None
    if window is None or window.status != RecordStatus.active:
        raise QueueError(_l("You are not assigned to a window: calling needs a window."))
    return window


def _finish(ticket: QueueTicket, now: datetime) -> None:
    start = ticket.served_start or ticket.called_at or now
    ticket.served_start = start
    ticket.served_end = now
    ticket.service_seconds = max(0, int((now - start).total_seconds()))
    ticket.status = TicketStatus.done


def call_next(session: Session, desk: Desk, now: datetime) -> QueueTicket | None:
    """Call the best waiting ticket of the window's groups to the window; None when nobody waits.

    The window's open ticket is finished first (served until now). The claim is a conditional
    UPDATE: a ticket another window claimed meanwhile is passed over and the next one tried.
    """
    window = _window(session, desk)
    groups = window_groups(session, window.id)
    if not groups:
        raise QueueError(_l("Your window serves no queue: ask the center to add it to a window group."))
    open_ticket = current(session, window.id)
    if open_ticket is not None:
        _finish(open_ticket, now)
        session.flush()
    table = QueueTicket.__table__
    for _attempt in range(CALL_ATTEMPTS):
        candidate = session.execute(
            sa.select(table.c.id, table.c.issued_at)
            .where(
                table.c.center_id == window.center_id,
                table.c.group_id.in_(groups),
                table.c.status == TicketStatus.waiting.name,
            )
            .order_by(table.c.priority.desc(), table.c.issued_at, table.c.id)
            .limit(1)
        ).first()
        if candidate is None:
            return None
        claimed = session.execute(
            sa.update(table)
            .where(table.c.id == candidate.id, table.c.status == TicketStatus.waiting.name)
            .values(
                status=TicketStatus.called.name,
                window_id=window.id,
                called_by_id=desk.staff_id,
                called_at=now,
                last_called_at=now,
                wait_seconds=max(0, int((now - candidate.issued_at).total_seconds())),
            )
        ).rowcount
        if claimed == 1:
            ticket = session.get(QueueTicket, candidate.id)
            session.refresh(ticket)
            return ticket
    raise QueueError(_l("Other windows are calling at the same moment: please call again."))


def _open_ticket(session: Session, desk: Desk) -> QueueTicket:
    window = _window(session, desk)
    ticket = current(session, window.id)
    if ticket is None:
        raise QueueError(_l("No ticket is called to your window."))
    return ticket


def recall(session: Session, desk: Desk, now: datetime) -> QueueTicket:
    """Call the window's ticket again (it shows on the display as the latest call)."""
    ticket = _open_ticket(session, desk)
    ticket.last_called_at = now
    ticket.recalls = (ticket.recalls or 0) + 1
    session.flush()
    return ticket


def start(session: Session, desk: Desk, now: datetime) -> QueueTicket:
    """The called person has arrived at the window: service starts."""
    ticket = _open_ticket(session, desk)
    if ticket.status is TicketStatus.called:
        ticket.status = TicketStatus.serving
        ticket.served_start = now
        session.flush()
    return ticket


def finish(session: Session, desk: Desk, now: datetime) -> QueueTicket:
    ticket = _open_ticket(session, desk)
    _finish(ticket, now)
    session.flush()
    return ticket


def skip(session: Session, desk: Desk, now: datetime) -> QueueTicket:
    """过号: the called person did not come; the ticket ends as a no-show."""
    ticket = _open_ticket(session, desk)
    if ticket.status is not TicketStatus.called:
        raise QueueError(_l("Only a ticket that was called and not yet served can be skipped."))
    ticket.status = TicketStatus.skipped
    ticket.served_end = now
    session.flush()
    return ticket


def verify_green(session: Session, desk: Desk, now: datetime, eligible: bool) -> QueueTicket:
    """核验: the window's ticket was declared green by the citizen at the kiosk (待核验). Eligible
    (elderly, disabled, key project…): it stays green. Not eligible: it becomes an ordinary ticket
    and goes back to waiting in its queue, its call undone — walk-ins are called by issue time,
    so it keeps the place it would have had without the claim, behind every priority ticket."""
    ticket = _open_ticket(session, desk)
    if ticket.source is not TicketSource.green_claimed:
        raise QueueError(_l("This ticket has no green-channel claim to verify."))
    if eligible:
        ticket.source = TicketSource.green
    else:
        ticket.source, ticket.priority, ticket.status = (
            TicketSource.walk_in,
            PRIORITY[TicketSource.walk_in],
            TicketStatus.waiting,
        )
        ticket.window_id = ticket.called_by_id = ticket.called_at = ticket.last_called_at = None
        ticket.wait_seconds = ticket.served_start = None
    session.flush()
    return ticket


def transfer(session: Session, desk: Desk, group_id: int, now: datetime) -> QueueTicket:
    """Send the window's ticket to another group of the center: it keeps its number and its place
    by issue time there, ahead of walk-ins; the old ticket ends as transferred."""
    ticket = _open_ticket(session, desk)
    group = _group(session, ticket.center_id, group_id)
    if group is None or group.id == ticket.group_id:
        raise QueueError(_l("Choose another queue of this center."))
    if ticket.served_start is None:
        ticket.served_start = ticket.called_at
    _finish(ticket, now)
    ticket.status = TicketStatus.transferred
    moved = _ticket(
        group,
        ticket.seq,
        ticket.number,
        TicketSource.transfer,
        ticket.issued_at,
        priority=max(ticket.priority, PRIORITY[TicketSource.transfer]),
        appointment_id=ticket.appointment_id,
        transferred_from_id=ticket.id,
    )
    session.add(moved)
    session.flush()
    return moved


def link_case(session: Session, desk: Desk, ticket_id: int, case_id: int) -> QueueTicket | None:
    """Link the case accepted at the window to the ticket being served there (intake from a ticket).

    Only the window's own open ticket is linked; any other ticket id is ignored (None)."""
    window_ticket = current(session, desk.window_id)
    if window_ticket is None or window_ticket.id != ticket_id:
        return None
    window_ticket.case_id = case_id
    if window_ticket.status is TicketStatus.called:
        window_ticket.status = TicketStatus.serving
        window_ticket.served_start = window_ticket.called_at
    session.flush()
    return window_ticket


def served_at_window(session: Session, window_id: int, now: datetime, within_minutes: int = 30):
    """The ticket the window serves or served last (called within the minutes before `now`): the
    rating device beside the window shows its number and its case."""
    return session.scalar(
        sa.select(QueueTicket)
        .where(
            QueueTicket.window_id == window_id,
            QueueTicket.status.in_((*OPEN_STATUSES, TicketStatus.done)),
            QueueTicket.last_called_at >= now - timedelta(minutes=within_minutes),
            QueueTicket.last_called_at <= now,
        )
        .order_by(QueueTicket.last_called_at.desc(), QueueTicket.id.desc())
        .limit(1)
    )


def applicant_of(ticket: QueueTicket | None) -> dict:
    """The intake form's prefill from a ticket's appointment (name, phone); empty for a walk-in."""
    appointment = ticket.appointment if ticket is not None else None
    if appointment is None:
        return {}
    return {"applicant_name": appointment.name, "applicant_phone": appointment.phone}


def delayed_booking(ticket: QueueTicket | None) -> bool:
    """The ticket came from a delayed-service (延时服务) booking: the case accepted from it is marked."""
    appointment = ticket.appointment if ticket is not None else None
    return bool(appointment is not None and appointment.delayed)


def abandon_scan(session: Session, now: datetime) -> int:
    """Tickets still waiting at close are abandoned (离队): every waiting ticket issued up to `now`.

    Run at the end of the day (job `queue_close`); idempotent: a second run touches 0 rows."""
    table = QueueTicket.__table__
    return session.execute(
        sa.update(table)
        .where(table.c.status == TicketStatus.waiting.name, table.c.issued_at <= now)
        .values(status=TicketStatus.abandoned.name, served_end=now)
    ).rowcount


# ---------------------------------------------------------------------------------------------
# What the hall sees (no personal data: ticket numbers and window names only)


def display_state(session: Session, center_id: int, day: date, calls: int = DISPLAY_CALLS) -> dict:
    """The hall display's JSON: the latest calls, each window's current number, waiting per queue."""
    latest = session.execute(
        sa.select(QueueTicket.number, Window.name, QueueTicket.last_called_at, QueueTicket.id)
        .join(Window, Window.id == QueueTicket.window_id)
        .where(
            QueueTicket.center_id == center_id,
            QueueTicket.service_day == day,
            QueueTicket.last_called_at.is_not(None),
        )
        .order_by(QueueTicket.last_called_at.desc(), QueueTicket.id.desc())
        .limit(calls)
    ).all()
    serving = session.execute(
        sa.select(Window.code, Window.name, QueueTicket.number)
        .join(Window, Window.id == QueueTicket.window_id)
        .where(
            QueueTicket.center_id == center_id,
            QueueTicket.service_day == day,
            QueueTicket.status.in_(OPEN_STATUSES),
        )
        .order_by(Window.code)
    ).all()
    return {
        "calls": [
            {"number": number, "window": window, "key": f"{ticket_id}-{at:%H%M%S}"}
            for number, window, at, ticket_id in latest
        ],
        "windows": [{"window": name, "number": number} for _code, name, number in serving],
        "waiting": waiting_now(session, center_id, day),
    }


def slip(session: Session, center_id: int, ticket_id: int, day: date) -> dict | None:
    """The printed slip of a ticket of the center and day: number, queue, how many wait before it."""
    ticket = session.scalar(
        sa.select(QueueTicket).where(
            QueueTicket.id == ticket_id, QueueTicket.center_id == center_id, QueueTicket.service_day == day
        )
    )
    if ticket is None:
        return None
    ahead = 0
    if ticket.status is TicketStatus.waiting:
        earlier = sa.or_(
            QueueTicket.priority > ticket.priority,
            sa.and_(QueueTicket.priority == ticket.priority, QueueTicket.issued_at < ticket.issued_at),
            sa.and_(
                QueueTicket.priority == ticket.priority,
                QueueTicket.issued_at == ticket.issued_at,
                QueueTicket.id < ticket.id,
            ),
        )
        ahead = session.scalar(
            sa.select(sa.func.count()).where(
                QueueTicket.center_id == center_id,
                QueueTicket.group_id == ticket.group_id,
                QueueTicket.status == TicketStatus.waiting,
                earlier,
            )
        )
    return {"number": ticket.number, "queue": ticket.group.name, "ahead": ahead, "issued_at": ticket.issued_at}


def waiting_now(session: Session, center_id: int, day: date) -> list[dict]:
    """Per active group of the center: its letter, name and how many wait (0 included)."""
    groups = groups_of_center(session, center_id)
    # Each group's range of ix_queue_ticket_next (center, group, status): a year of history is never read.
    counts = dict(
        session.execute(
            sa.select(QueueTicket.group_id, sa.func.count())
            .where(
                QueueTicket.center_id == center_id,
                QueueTicket.group_id.in_([group.id for group in groups]),
                QueueTicket.status == TicketStatus.waiting,
                QueueTicket.service_day == day,
            )
            .group_by(QueueTicket.group_id)
        ).all()
    )
    return [
        {"id": group.id, "prefix": group.prefix, "name": group.name, "waiting": counts.get(group.id, 0)}
        for group in groups
    ]


# ---------------------------------------------------------------------------------------------
# Counts for dashboards and reports


def wait_by_group_and_hour(session: Session, center_id: int, first: date, last: date) -> list[tuple]:
    """(group id, hour issued, tickets called, average wait s, longest wait s) over the days."""
    return session.execute(
        sa.select(
            QueueTicket.group_id,
            QueueTicket.issued_hour,
            sa.func.count(QueueTicket.wait_seconds),
            sa.func.avg(QueueTicket.wait_seconds),
            sa.func.max(QueueTicket.wait_seconds),
        )
        .where(
            QueueTicket.center_id == center_id,
            QueueTicket.service_day.between(first, last),
            QueueTicket.wait_seconds.is_not(None),
        )
        .group_by(QueueTicket.group_id, QueueTicket.issued_hour)
        .order_by(QueueTicket.group_id, QueueTicket.issued_hour)
    ).all()


def calls_per_window(session: Session, center_id: int, first: date, last: date) -> list[tuple]:
    """(window id, tickets called, served, skipped, average service s) over the days."""
    status = QueueTicket.status
    return session.execute(
        sa.select(
            QueueTicket.window_id,
            sa.func.count(),
            sa.func.count(sa.case((status == TicketStatus.done, 1))),
            sa.func.count(sa.case((status == TicketStatus.skipped, 1))),
            sa.func.avg(QueueTicket.service_seconds),
        )
        .where(
            QueueTicket.center_id == center_id,
            QueueTicket.service_day.between(first, last),
            QueueTicket.window_id.is_not(None),
        )
        .group_by(QueueTicket.window_id)
        .order_by(QueueTicket.window_id)
    ).all()


def abandoned_count(session: Session, center_id: int, first: date, last: date) -> int:
    return session.scalar(
        sa.select(sa.func.count()).where(
            QueueTicket.center_id == center_id,
            QueueTicket.service_day.between(first, last),
            QueueTicket.status == TicketStatus.abandoned,
        )
    )


def longest_waiting(session: Session, center_id: int, now: datetime) -> int:
    """Seconds the longest-waiting ticket of the center has waited so far (0 when nobody waits)."""
    oldest = session.scalar(
        sa.select(sa.func.min(QueueTicket.issued_at)).where(
            QueueTicket.center_id == center_id,
            QueueTicket.service_day == now.date(),
            QueueTicket.status == TicketStatus.waiting,
        )
    )
    return max(0, int((now - oldest).total_seconds())) if oldest else 0

"""Queue tickets and calling (取号叫号, issue 18.3): tickets of a window group, the kiosks and
hall displays bound to a center, and the per-group daily counter that numbers the tickets."""

from datetime import date, datetime

import sqlalchemy as sa
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Audited, LabeledEnum, enum_field
from .scoping import EVERYTHING_ONLY, ScopedBy


class TicketStatus(LabeledEnum):
    waiting = _l("Waiting")
    called = _l("Called")
    serving = _l("Being served")
    done = _l("Served")
    skipped = _l("Skipped (no-show)")
    transferred = _l("Transferred")
    abandoned = _l("Left without service")


class TicketSource(LabeledEnum):
    walk_in = _l("Walk-in")
    appointment = _l("Appointment check-in")
    green = _l("Green channel")
    # Self-declared at the kiosk: the window clerk checks it when it is called (services/queue.verify_green).
    green_claimed = _l("Green channel (to be verified)")
    transfer = _l("Transferred from another queue")


class DeviceKind(LabeledEnum):
    kiosk = _l("Ticket kiosk")
    display = _l("Hall display")


# Higher first when a window calls the next ticket: green channel, then appointments, then the rest.
# A green claim made at the kiosk is called as green; the clerk then confirms it or makes it ordinary.
PRIORITY = {
    TicketSource.walk_in: 0,
    TicketSource.transfer: 1,
    TicketSource.appointment: 1,
    TicketSource.green: 2,
    TicketSource.green_claimed: 2,
}
OPEN_STATUSES = (TicketStatus.called, TicketStatus.serving)


class QueueTicket(Model):
    """One ticket: issued at a kiosk, called to a window, served, skipped, transferred or abandoned.

    `number` (A023) is the group's letter and its sequence of the day; `wait_seconds` and
    `service_seconds` are written when the ticket is first called and when it is finished, so
    the counts are plain AVG/MAX over an index range on both engines.
    """

    __tablename__ = "queue_ticket"

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("center.id"))
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("window_group.id"))
    # The group's department (None for a comprehensive group): the department scope reads it.
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"), index=True)
    service_day: Mapped[date] = mapped_column(sa.Date)
    seq: Mapped[int] = mapped_column(sa.Integer)
    number: Mapped[str] = mapped_column(sa.String(12))
    source: Mapped[TicketSource] = enum_field(TicketSource, default=TicketSource.walk_in)
    priority: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    status: Mapped[TicketStatus] = enum_field(TicketStatus, default=TicketStatus.waiting)
    issued_at: Mapped[datetime] = mapped_column(sa.DateTime)
    issued_hour: Mapped[int] = mapped_column(sa.SmallInteger)
    called_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    last_called_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    recalls: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    window_id: Mapped[int | None] = mapped_column(sa.ForeignKey("window.id"))
    called_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    served_start: Mapped[datetime | None] = mapped_column(sa.DateTime)
    served_end: Mapped[datetime | None] = mapped_column(sa.DateTime)
    wait_seconds: Mapped[int | None] = mapped_column(sa.Integer)
    service_seconds: Mapped[int | None] = mapped_column(sa.Integer)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case.id"), index=True)
    # The appointment checked in with this ticket (it gave the priority).
    appointment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("appointment.id"), index=True)
    transferred_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("queue_ticket.id"))

    center = relationship("Center")
    group = relationship("WindowGroup")
    department = relationship("Department")
    window = relationship("Window")
    called_by = relationship("Staff")
    case = relationship("Case")
    appointment = relationship("Appointment")

    __table_args__ = (
        # Calling next: the group's waiting tickets, best priority and oldest first.
        sa.Index("ix_queue_ticket_next", "center_id", "group_id", "status", "priority", "issued_at"),
        # The hall display and the counts: a center's day, the latest calls first.
        sa.Index("ix_queue_ticket_day", "center_id", "service_day", "last_called_at"),
        # A window's current ticket.
        sa.Index("ix_queue_ticket_window", "window_id", "status"),
    )

    def __str__(self) -> str:
        return self.number

    # A department sees its own groups' tickets and, at its own center, those of every group one
    # of its windows serves or that its department co-uses (a comprehensive or green-channel
    # group: department_id None): the tickets its staff may call there (services/queue.py).
    __scope__ = ScopedBy(
        center=("center_id",),
        department=("department_id",),
        department_at_center=("group.windows.department_id", "group.windows.member_departments.id"),
    )


class QueueCounter(Model):
    """Last sequence handed out per window group and day (UPDATE … RETURNING: no two kiosks share one)."""

    __tablename__ = "queue_counter"

    group_id: Mapped[int] = mapped_column(sa.ForeignKey("window_group.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    last: Mapped[int] = mapped_column(sa.Integer, default=0)

    __scope__ = EVERYTHING_ONLY


class QueueDevice(Audited, Model):
    """A ticket kiosk or hall display, bound to a center by the token its URL carries (set by Admin)."""

    __tablename__ = "queue_device"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[DeviceKind] = enum_field(DeviceKind, default=DeviceKind.kiosk)
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("center.id"), index=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)

    center = relationship("Center")

    def __str__(self) -> str:
        return self.name

    __scope__ = EVERYTHING_ONLY

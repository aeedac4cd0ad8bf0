"""Window groups, appointment slots and appointments (预约, issue 18.2; seeds 003, 004 第十一条/第十七条/第二十六条).

A window group (`WindowGroup`) is what a citizen books and what a queue ticket is drawn for: one
department's windows, the comprehensive windows, or the green-channel windows of one center. Its
slots (`AppointmentSlot`) come from the office hours, the working-day calendar and the group's own
slot length and capacity; outside office hours only where the center opened delayed service for a
day (`DelayedOpening`). A slot row carries its `booked` count: a booking is one conditional UPDATE
(`booked = booked + 1 WHERE booked < capacity`), so two citizens taking the last place at once
cannot both win on SQLite or PostgreSQL (app/services/appointments.py).
"""

from datetime import date, datetime, time

import sqlalchemy as sa
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Audited, LabeledEnum, VersionedMixin, enum_field
from .matter import Matter
from .org import Center, Department, RecordStatus, Window
from .scoping import ScopedBy


class WindowGroupKind(LabeledEnum):
    department = _l("Department windows")
    comprehensive = _l("Comprehensive windows")
    green = _l("Green channel")


class AppointmentStatus(LabeledEnum):
    booked = _l("Booked")
    checked_in = _l("Checked in")
    cancelled = _l("Cancelled")
    no_show = _l("No-show")


class AppointmentChannel(LabeledEnum):
    portal = _l("Online portal")
    staff = _l("By staff (phone)")


class SpecialGroup(LabeledEnum):
    """Who may take a green-window group's reserved places (004 第十一条, 第十七条)."""

    elderly = _l("Elderly")
    disabled = _l("Persons with disabilities")
    key_project = _l("Key project")


window_group_window = sa.Table(
    "window_group_window",
    Model.metadata,
    sa.Column("window_group_id", sa.ForeignKey("window_group.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("window_id", sa.ForeignKey("window.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_window_group_window_window_id", "window_id"),
)


class WindowGroup(Audited, VersionedMixin, Model):
    """窗口组: the windows one queue and one appointment calendar serve, per center.

    `prefix` is the ticket letter (A023…), unique per center. The slot settings live on the group
    (a county tunes each group apart); `reserved_seats` places of every slot are kept for the
    special groups (green-channel groups only).
    """

    __tablename__ = "window_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("center.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[WindowGroupKind] = enum_field(WindowGroupKind, default=WindowGroupKind.department)
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"), index=True)
    prefix: Mapped[str] = mapped_column(sa.String(4))
    slot_minutes: Mapped[int] = mapped_column(sa.Integer, default=30)
    slot_capacity: Mapped[int] = mapped_column(sa.Integer, default=4)
    days_ahead: Mapped[int] = mapped_column(sa.Integer, default=7)
    reserved_seats: Mapped[int] = mapped_column(sa.Integer, default=0)
    bookable: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    status: Mapped[RecordStatus] = enum_field(RecordStatus, default=RecordStatus.active)
    sort_order: Mapped[int] = mapped_column(sa.Integer, default=0)

    center: Mapped[Center] = relationship()
    department: Mapped[Department | None] = relationship()
    windows: Mapped[list[Window]] = relationship(secondary=window_group_window)

    __table_args__ = (
        sa.UniqueConstraint("center_id", "prefix", name="uq_window_group_center_prefix"),
        sa.CheckConstraint(
            "slot_minutes > 0 AND slot_capacity > 0 AND days_ahead >= 0 "
            "AND reserved_seats >= 0 AND reserved_seats <= slot_capacity",
            name="ck_window_group_slots",
        ),
    )

    def __str__(self) -> str:
        return f"{self.prefix} {self.name}"

    __scope__ = ScopedBy(center=("center_id",), department=("department_id",))


class DelayedOpening(Audited, VersionedMixin, Model):
    """延时服务: the center opens a group (or all its groups) outside office hours on one day."""

    __tablename__ = "delayed_opening"

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("center.id"), index=True)
    # None: every group of the center.
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("window_group.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(sa.Date, index=True)
    starts: Mapped[time] = mapped_column(sa.Time)
    ends: Mapped[time] = mapped_column(sa.Time)
    note: Mapped[str | None] = mapped_column(sa.String(200))

    center: Mapped[Center] = relationship()
    group: Mapped[WindowGroup | None] = relationship()

    __table_args__ = (sa.CheckConstraint("ends > starts", name="ck_delayed_opening_period"),)

    def __str__(self) -> str:
        return f"{self.day} {self.starts:%H:%M}-{self.ends:%H:%M}"

    __scope__ = ScopedBy(center=("center_id",), department=("group.department_id",))


class AppointmentSlot(Model):
    """One bookable period of a group. `booked` counts live bookings, `booked_special` those of
    them made with a special-group category; both move only by conditional UPDATEs."""

    __tablename__ = "appointment_slot"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("window_group.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(sa.DateTime)
    ends_at: Mapped[datetime] = mapped_column(sa.DateTime)
    capacity: Mapped[int] = mapped_column(sa.Integer)
    reserved: Mapped[int] = mapped_column(sa.Integer, default=0)
    booked: Mapped[int] = mapped_column(sa.Integer, default=0)
    booked_special: Mapped[int] = mapped_column(sa.Integer, default=0)
    delayed: Mapped[bool] = mapped_column(sa.Boolean, default=False)

    group: Mapped[WindowGroup] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("group_id", "starts_at", name="uq_appointment_slot_group_start"),
        sa.CheckConstraint(
            "booked >= 0 AND booked <= capacity AND booked_special >= 0 AND booked_special <= booked",
            name="ck_appointment_slot_booked",
        ),
    )

    __scope__ = ScopedBy(center=("group.center_id",), department=("group.department_id",))


class Appointment(Audited, VersionedMixin, Model):
    """预约: a booked place in a slot. `number` is what the citizen quotes at the kiosk."""

    __tablename__ = "appointment"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("center.id"))
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("window_group.id"))
    slot_id: Mapped[int] = mapped_column(sa.ForeignKey("appointment_slot.id"), index=True)
    # Copied from the slot: lists filter and sort on it without a join.
    starts_at: Mapped[datetime] = mapped_column(sa.DateTime)
    matter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("matter.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    phone: Mapped[str] = mapped_column(sa.String(20), index=True)
    id_last4: Mapped[str] = mapped_column(sa.String(4))
    special: Mapped[SpecialGroup | None] = enum_field(SpecialGroup, nullable=True)
    channel: Mapped[AppointmentChannel] = enum_field(AppointmentChannel, default=AppointmentChannel.portal)
    status: Mapped[AppointmentStatus] = enum_field(AppointmentStatus, default=AppointmentStatus.booked)
    delayed: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    booked_at: Mapped[datetime] = mapped_column(sa.DateTime)
    booked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ab_user.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    rescheduled: Mapped[int] = mapped_column(sa.Integer, default=0)
    note: Mapped[str | None] = mapped_column(sa.String(200))

    center: Mapped[Center] = relationship()
    group: Mapped[WindowGroup] = relationship()
    slot: Mapped[AppointmentSlot] = relationship()
    matter: Mapped[Matter | None] = relationship()

    __table_args__ = (
        sa.Index("ix_appointment_center_starts", "center_id", "starts_at"),
        sa.Index("ix_appointment_group_starts", "group_id", "starts_at"),
        sa.Index("ix_appointment_status_starts", "status", "starts_at"),
    )

    def __str__(self) -> str:
        return self.number

    __scope__ = ScopedBy(center=("center_id",), department=("group.department_id",))


class AppointmentBlock(Audited, Model):
    """Repeated no-shows: online booking refused for this phone or this name + ID last four until `until`."""

    __tablename__ = "appointment_block"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(sa.String(20), index=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    id_last4: Mapped[str] = mapped_column(sa.String(4))
    since: Mapped[datetime] = mapped_column(sa.DateTime)
    until: Mapped[datetime] = mapped_column(sa.DateTime, index=True)
    no_shows: Mapped[int] = mapped_column(sa.Integer)

    __table_args__ = (sa.Index("ix_appointment_block_person", "name", "id_last4"),)

    __scope__ = ScopedBy()

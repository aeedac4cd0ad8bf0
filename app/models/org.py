"""Organisation: centers (a tree of four levels), departments, windows, staff."""

from datetime import date

import sqlalchemy as sa
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Audited, LabeledEnum, VersionedMixin, enum_field
from .scoping import PUBLIC, ScopedBy


class CenterLevel(LabeledEnum):
    county = _l("County center")
    sub_center = _l("Sub-center")
    township = _l("Township center")
    village = _l("Village point")


class WindowKind(LabeledEnum):
    dedicated = _l("Dedicated window")
    comprehensive = _l("Comprehensive window")
    green = _l("Green channel")
    delivery = _l("Delivery window")


class StaffPosition(LabeledEnum):
    chief_rep = _l("Chief representative")
    leader = _l("Window leader")
    a_post = _l("A post")
    b_post = _l("B post")
    clerk = _l("Clerk")


class StaffStatus(LabeledEnum):
    active = _l("On duty")
    inactive = _l("Suspended")
    left = _l("Left the center")


class RecordStatus(LabeledEnum):
    active = _l("In use")
    inactive = _l("Disabled")


class Center(Audited, VersionedMixin, Model):
    __tablename__ = "center"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    level: Mapped[CenterLevel] = enum_field(CenterLevel, index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("center.id"), index=True)
    address: Mapped[str | None] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    sort_order: Mapped[int] = mapped_column(sa.Integer, default=0)

    parent: Mapped["Center | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Center"]] = relationship(back_populates="parent")

    def __str__(self) -> str:
        return self.name

    # The network of centers is public information: every role may read it.
    __scope__ = PUBLIC


window_member_department = sa.Table(
    "window_member_department",
    Model.metadata,
    sa.Column("window_id", sa.ForeignKey("window.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("department_id", sa.ForeignKey("department.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_window_member_department_department_id", "department_id"),
)


class Department(Audited, VersionedMixin, Model):
    __tablename__ = "department"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    short_name: Mapped[str | None] = mapped_column(sa.String(40))
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("center.id"), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    status: Mapped[RecordStatus] = enum_field(RecordStatus, default=RecordStatus.active)
    sort_order: Mapped[int] = mapped_column(sa.Integer, default=0)

    center: Mapped[Center] = relationship()

    def __str__(self) -> str:
        return self.name

    __scope__ = ScopedBy(center=("center_id",), department=("id",))


class Window(Audited, VersionedMixin, Model):
    __tablename__ = "window"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[WindowKind] = enum_field(WindowKind, default=WindowKind.dedicated)
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("center.id"), index=True)
    # The responsible department; a comprehensive window also lists member departments.
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"), index=True)
    status: Mapped[RecordStatus] = enum_field(RecordStatus, default=RecordStatus.active)
    note: Mapped[str | None] = mapped_column(sa.String(500))

    center: Mapped[Center] = relationship()
    department: Mapped[Department | None] = relationship()
    member_departments: Mapped[list[Department]] = relationship(secondary=window_member_department)

    __table_args__ = (sa.UniqueConstraint("center_id", "code", name="uq_window_center_code"),)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    # Member departments co-use a comprehensive window; only its own department changes it.
    __scope__ = ScopedBy(
        center=("center_id",), department=("department_id", "member_departments.id"), changed_by=("department_id",)
    )


class Staff(Audited, VersionedMixin, Model):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_no: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(50), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("department.id"), index=True)
    # Where the member works: the department's center or one below it (a county department's
    # staff stationed at a township center). Said explicitly, not guessed from the window.
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("center.id"), index=True)
    window_id: Mapped[int | None] = mapped_column(sa.ForeignKey("window.id"), index=True)
    position: Mapped[StaffPosition] = enum_field(StaffPosition, default=StaffPosition.a_post)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ab_user.id"), unique=True)
    joined_on: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[StaffStatus] = enum_field(StaffStatus, default=StaffStatus.active, index=True)

    department: Mapped[Department] = relationship()
    center: Mapped[Center] = relationship()
    window: Mapped[Window | None] = relationship()
    user = relationship("User")

    def __str__(self) -> str:
        return f"{self.name}（{self.staff_no}）"

    __scope__ = ScopedBy(center=("center_id",), department=("department_id",), owner="id")

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


class Gender(LabeledEnum):
    male = _l("Male (男)")
    female = _l("Female (女)")


class Staffing(LabeledEnum):
    """编制 — 003 第三条（一）: 公务员身份 or 事业单位在职在编; 004 第三十一条: 首席代表有正式编制."""

    civil_service = _l("Civil service establishment (行政编制)")
    civil_service_managed = _l("Managed as civil service (参公)")
    public_institution = _l("Public institution establishment (事业编制)")
    contract = _l("Contract (合同制)")
    dispatched = _l("Dispatched labour (劳务派遣)")


class StaffRank(LabeledEnum):
    """职级, lowest first: `StaffRank.order` compares them (003 第三条: 首席代表应为中层以上干部)."""

    none = _l("No rank (无)")
    clerk = _l("Clerk (办事员)")
    member = _l("Section member (科员)")
    section = _l("Section level, middle cadre (股级)")
    deputy_division = _l("Deputy division level (副科级)")
    division = _l("Division level (正科级)")
    deputy_bureau = _l("Deputy bureau level or above (副处级及以上)")

    @property
    def order(self) -> int:
        return list(type(self)).index(self)


class Education(LabeledEnum):
    secondary = _l("Secondary school or below (高中/中专及以下)")
    college = _l("College (大专)")
    bachelor = _l("Bachelor (本科)")
    master = _l("Master (硕士研究生)")
    doctor = _l("Doctor (博士研究生)")


class TitleLevel(LabeledEnum):
    """专业技术职称, lowest first (003 第三条（四）: 中级以上职称 relaxes the age limit)."""

    none = _l("No title (无)")
    junior = _l("Junior title (初级)")
    intermediate = _l("Intermediate title (中级)")
    associate_senior = _l("Associate senior title (副高级)")
    senior = _l("Senior title (正高级)")

    @property
    def order(self) -> int:
        return list(type(self)).index(self)


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
    # The résumé (000 第五条: 中心统一制作的格式履历表), checked by app/services/eligibility.py.
    gender: Mapped[Gender | None] = enum_field(Gender, nullable=True)
    birth_date: Mapped[date | None] = mapped_column(sa.Date)
    staffing: Mapped[Staffing | None] = enum_field(Staffing, nullable=True)
    cadre_rank: Mapped[StaffRank | None] = enum_field(StaffRank, nullable=True)
    title_level: Mapped[TitleLevel | None] = enum_field(TitleLevel, nullable=True)
    education: Mapped[Education | None] = enum_field(Education, nullable=True)
    home_post: Mapped[str | None] = mapped_column(sa.String(100))  # post held in the own department

    department: Mapped[Department] = relationship()
    center: Mapped[Center] = relationship()
    window: Mapped[Window | None] = relationship()
    user = relationship("User")

    def __str__(self) -> str:
        return f"{self.name}（{self.staff_no}）"

    __scope__ = ScopedBy(center=("center_id",), department=("department_id",), owner="id")

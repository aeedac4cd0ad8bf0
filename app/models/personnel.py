"""Double management of stationed staff: leave, attendance, comprehensive-window duty, personnel changes."""

from datetime import date, datetime, time
from decimal import Decimal

import sqlalchemy as sa
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Audited, LabeledEnum, VersionedMixin, enum_field
from .org import Department, Staff, StaffPosition, StaffRank, Window
from .scoping import ScopedBy


class LeaveType(LabeledEnum):
    personal = _l("Personal leave (事假)")
    sick = _l("Sick leave (病假)")
    annual = _l("Annual leave (年休假)")
    marriage = _l("Marriage leave (婚假)")
    maternity = _l("Maternity or paternity leave (产假/陪产假)")
    bereavement = _l("Bereavement leave (丧假)")
    official = _l("Official business (公出)")


class LeaveStatus(LabeledEnum):
    pending = _l("Awaiting approval")
    approved = _l("Granted")  # not "Approved": that word is the case decision 准予许可
    rejected = _l("Rejected")
    cancelled = _l("Cancelled")


class LeaveTier(LabeledEnum):
    """Who approves, by length (分中心管理办法 第六条)."""

    chief_or_below = _l("Up to 1 day: chief representative or the level below")
    chief = _l("Over 1 and under 3 days: chief representative")
    joint = _l("3 days or more: department head and the center's leader in charge")


class LeaveRequest(Audited, VersionedMixin, Model):
    __tablename__ = "leave_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    # Copied from the staff member when filed: scope and approval follow the department of the time.
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("department.id"))
    leave_type: Mapped[LeaveType] = enum_field(LeaveType, default=LeaveType.personal)
    starts_at: Mapped[datetime] = mapped_column(sa.DateTime)
    ends_at: Mapped[datetime] = mapped_column(sa.DateTime)
    working_days: Mapped[Decimal] = mapped_column(sa.Numeric(5, 1))
    tier: Mapped[LeaveTier] = enum_field(LeaveTier)
    reason: Mapped[str] = mapped_column(sa.String(500))
    status: Mapped[LeaveStatus] = enum_field(LeaveStatus, default=LeaveStatus.pending, index=True)
    requested_at: Mapped[datetime] = mapped_column(sa.DateTime)
    requested_by: Mapped[str] = mapped_column(sa.String(100))
    # The joint tier needs both; the other tiers fill `approved_by` only.
    department_approved_by: Mapped[str | None] = mapped_column(sa.String(100))
    center_approved_by: Mapped[str | None] = mapped_column(sa.String(100))
    approved_by: Mapped[str | None] = mapped_column(sa.String(100))
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    decision_note: Mapped[str | None] = mapped_column(sa.String(500))

    staff: Mapped[Staff] = relationship()
    department: Mapped[Department] = relationship()

    __table_args__ = (
        # The department's requests by date, and the overlap check of one staff member.
        sa.Index("ix_leave_request_department_starts", "department_id", "starts_at"),
        sa.Index("ix_leave_request_staff_period", "staff_id", "starts_at", "ends_at"),
        sa.CheckConstraint("ends_at > starts_at", name="ck_leave_request_period"),
    )

    def __str__(self) -> str:
        return f"{self.staff} {self.starts_at:%Y-%m-%d}"

    # The window leader approves short leave, so sees the department's requests.
    __scope__ = ScopedBy(
        center=("staff.center_id",), department=("department_id",), owner="staff_id", leader_sees_department=True
    )


class AttendanceKind(LabeledEnum):
    normal = _l("Normal")
    late = _l("Late")
    early_leave = _l("Left early")
    late_and_early = _l("Late and left early")
    absent_half = _l("Absent half a day")
    absent_day = _l("Absent the whole day")
    on_leave = _l("On leave")
    official = _l("On official business")


class AttendanceSource(LabeledEnum):
    device = _l("Fingerprint device")
    manual = _l("Manual correction")


class AttendanceRecord(Audited, VersionedMixin, Model):
    """One staff member's working day: the device's first and last punch and what they mean."""

    __tablename__ = "attendance_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("department.id"))
    day: Mapped[date] = mapped_column(sa.Date)
    clock_in: Mapped[time | None] = mapped_column(sa.Time)
    clock_out: Mapped[time | None] = mapped_column(sa.Time)
    kind: Mapped[AttendanceKind] = enum_field(AttendanceKind, index=True)
    minutes_late: Mapped[int] = mapped_column(sa.Integer, default=0)
    minutes_early: Mapped[int] = mapped_column(sa.Integer, default=0)
    source: Mapped[AttendanceSource] = enum_field(AttendanceSource, default=AttendanceSource.device)
    correction_reason: Mapped[str | None] = mapped_column(sa.String(500))
    corrected_by: Mapped[str | None] = mapped_column(sa.String(100))

    staff: Mapped[Staff] = relationship()
    department: Mapped[Department] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("staff_id", "day", name="uq_attendance_staff_day"),
        sa.Index("ix_attendance_department_day", "department_id", "day"),
    )

    def __str__(self) -> str:
        return f"{self.staff} {self.day:%Y-%m-%d}"

    __scope__ = ScopedBy(center=("staff.center_id",), department=("department_id",), owner="staff_id")


class WindowRotation(Audited, VersionedMixin, Model):
    """A comprehensive window's on-duty member department for one week (Monday to Sunday)."""

    __tablename__ = "window_rotation"

    id: Mapped[int] = mapped_column(primary_key=True)
    window_id: Mapped[int] = mapped_column(sa.ForeignKey("window.id", ondelete="CASCADE"))
    week_start: Mapped[date] = mapped_column(sa.Date)
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("department.id"), index=True)
    note: Mapped[str | None] = mapped_column(sa.String(200))

    window: Mapped[Window] = relationship()
    department: Mapped[Department] = relationship()

    __table_args__ = (sa.UniqueConstraint("window_id", "week_start", name="uq_window_rotation_week"),)

    def __str__(self) -> str:
        return f"{self.window} {self.week_start:%Y-%m-%d}"

    # Member departments see the whole duty roster of their comprehensive windows.
    __scope__ = ScopedBy(
        center=("window.center_id",), department=("window.department_id", "window.member_departments.id")
    )


class ChangeKind(LabeledEnum):
    transfer_in = _l("Transfer in (调入)")
    transfer_out = _l("Transfer out (调出)")
    post_change = _l("Change of post (换岗)")
    sent_back = _l("Sent back to the department (退回)")
    promotion = _l("Promotion (晋升)")


class ChangeOrigin(LabeledEnum):
    """Who opened the change (000 第五条: 中心有权对分中心人员进行岗位调配)."""

    department = _l("Requested by the chief representative")
    center = _l("Initiated by the center")
    sanction = _l("Ordered replacement (责令换人)")


class ChangeStatus(LabeledEnum):
    pending = _l("Awaiting the center's approval")
    approved = _l("Approved, takes effect on its date")
    rejected = _l("Rejected")
    effective = _l("In effect")


class PersonnelChange(Audited, VersionedMixin, Model):
    """A change requested by the chief representative and approved by the center (分中心管理办法 第五条)."""

    __tablename__ = "personnel_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    kind: Mapped[ChangeKind] = enum_field(ChangeKind)
    # The requesting department: the chief representative who filed it sees it.
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("department.id"), index=True)
    to_department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"))
    to_window_id: Mapped[int | None] = mapped_column(sa.ForeignKey("window.id"))
    to_position: Mapped[StaffPosition | None] = enum_field(StaffPosition, nullable=True)
    effective_on: Mapped[date] = mapped_column(sa.Date, index=True)
    reason: Mapped[str] = mapped_column(sa.String(500))
    # Shown to the approver: the staff member has served less than the minimum tenure.
    tenure_warning: Mapped[str | None] = mapped_column(sa.String(200))
    # 晋升: the rank the staff member is promoted to.
    to_rank: Mapped[StaffRank | None] = enum_field(StaffRank, nullable=True)
    origin: Mapped[ChangeOrigin] = enum_field(ChangeOrigin, default=ChangeOrigin.department)
    # Shown to the approver (app/services/eligibility.py): age, 编制, rank, training on appointment.
    eligibility_warning: Mapped[str | None] = mapped_column(sa.String(500))
    # 先进后出 (003 第六条): a leaving change without a successor at the window (see services/personnel.py).
    successor_warning: Mapped[str | None] = mapped_column(sa.String(300))
    requested_by_user_id: Mapped[int | None] = mapped_column(sa.Integer)
    status: Mapped[ChangeStatus] = enum_field(ChangeStatus, default=ChangeStatus.pending, index=True)
    requested_at: Mapped[datetime] = mapped_column(sa.DateTime)
    requested_by: Mapped[str] = mapped_column(sa.String(100))
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    decided_by: Mapped[str | None] = mapped_column(sa.String(100))
    decision_note: Mapped[str | None] = mapped_column(sa.String(500))
    applied_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    staff: Mapped[Staff] = relationship()
    department: Mapped[Department] = relationship(foreign_keys=[department_id])
    to_department: Mapped[Department | None] = relationship(foreign_keys=[to_department_id])
    to_window: Mapped[Window | None] = relationship()

    def __str__(self) -> str:
        return f"{self.staff} {self.kind}"

    # A transfer into the department (or its center) concerns the receiving side too.
    __scope__ = ScopedBy(
        center=("staff.center_id", "to_department.center_id"), department=("department_id", "to_department_id")
    )

"""Department leaders at the windows (issue 19.6): the 领导坐班/代班 roster and the visit log.

Seeds: 001 (健全办事制度: 各进驻部门要建立健全领导坐班制), 002 (代班座岗制: 进驻中心各窗口单位
班子成员 … 至少一天到中心带班座岗), 003 第五条 (主要领导每季度到窗口指导工作不少于1次，分管领导
每月到窗口指导工作不少于1次). The minimum frequencies are settings (app/services/settings.py); the
monthly check is app/services/leader_check.py.
"""

from datetime import date, datetime

import sqlalchemy as sa
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Audited, LabeledEnum, VersionedMixin, enum_field
from .org import Department, Staff, Window
from .scoping import ScopedBy


class LeaderRank(LabeledEnum):
    """Which of the department's leaders (003 第五条 sets a frequency for the first two)."""

    principal = _l("Principal leader (主要领导)")
    in_charge = _l("Leader in charge (分管领导)")
    member = _l("Other leadership member (班子成员)")


class DutyKind(LabeledEnum):
    sitting = _l("Sitting at the window (坐班)")
    standing_in = _l("Standing in (代班)")


class HalfDay(LabeledEnum):
    whole = _l("Whole day")
    morning = _l("Morning")
    afternoon = _l("Afternoon")


class LeaderDuty(Audited, VersionedMixin, Model):
    """One leader's half-day or day at one of the department's windows (领导坐班/代班)."""

    __tablename__ = "leader_duty"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("department.id"))
    window_id: Mapped[int] = mapped_column(sa.ForeignKey("window.id"), index=True)
    # A leader with a staff record at the center, or (most leaders sit in the department's own
    # offices) a named leader: `leader_name` always holds the name shown.
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    leader_name: Mapped[str] = mapped_column(sa.String(50))
    leader_rank: Mapped[LeaderRank] = enum_field(LeaderRank)
    day: Mapped[date] = mapped_column(sa.Date)
    half_day: Mapped[HalfDay] = enum_field(HalfDay, default=HalfDay.whole)
    kind: Mapped[DutyKind] = enum_field(DutyKind, default=DutyKind.sitting)
    note: Mapped[str | None] = mapped_column(sa.String(500))
    recorded_at: Mapped[datetime] = mapped_column(sa.DateTime)
    recorded_by: Mapped[str] = mapped_column(sa.String(100))

    department: Mapped[Department] = relationship()
    window: Mapped[Window] = relationship()
    staff: Mapped[Staff | None] = relationship()

    __table_args__ = (
        # The monthly check and the department's list: a department's rows by day.
        sa.Index("ix_leader_duty_department_day", "department_id", "day"),
        sa.UniqueConstraint("window_id", "day", "half_day", "leader_name", name="uq_leader_duty_slot"),
    )

    def __str__(self) -> str:
        return f"{self.leader_name} {self.day:%Y-%m-%d}"

    # The township head sees the duties at the windows of the center and those below it.
    __scope__ = ScopedBy(center=("window.center_id",), department=("department_id",))


class LeaderVisit(Audited, VersionedMixin, Model):
    """A department leader's visit to the windows: when, where, what was solved or advised."""

    __tablename__ = "leader_visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("department.id"))
    window_id: Mapped[int] = mapped_column(sa.ForeignKey("window.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    leader_name: Mapped[str] = mapped_column(sa.String(50))
    leader_rank: Mapped[LeaderRank] = enum_field(LeaderRank)
    visited_at: Mapped[datetime] = mapped_column(sa.DateTime)
    summary: Mapped[str] = mapped_column(sa.String(1000))
    recorded_at: Mapped[datetime] = mapped_column(sa.DateTime)
    recorded_by: Mapped[str] = mapped_column(sa.String(100))

    department: Mapped[Department] = relationship()
    window: Mapped[Window] = relationship()
    staff: Mapped[Staff | None] = relationship()

    __table_args__ = (sa.Index("ix_leader_visit_department_at", "department_id", "visited_at"),)

    def __str__(self) -> str:
        return f"{self.leader_name} {self.visited_at:%Y-%m-%d}"

    __scope__ = ScopedBy(center=("window.center_id",), department=("department_id",))

"""A staff member's résumé records (issue 19.5; 000 第五条 履历表, 004 第三十条 岗前培训):
training received and posts held before the center. Both are personal records: the chief
representative sees the department's, a window staff member their own.
"""

from datetime import date

import sqlalchemy as sa
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Audited, LabeledEnum, VersionedMixin, enum_field
from .org import Staff
from .scoping import ScopedBy


class TrainingKind(LabeledEnum):
    """004 第三十条: 进驻窗口人员须经过本部门业务培训和中心组织的岗前培训."""

    pre_service = _l("Pre-service training by the center (岗前培训)")
    department = _l("Department business training (部门业务培训)")
    in_service = _l("In-service training (在岗培训)")
    etiquette = _l("Service etiquette (礼仪规范)")
    other = _l("Other training (其他)")


class TrainingRecord(Audited, VersionedMixin, Model):
    __tablename__ = "training_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(sa.Date)
    kind: Mapped[TrainingKind] = enum_field(TrainingKind)
    title: Mapped[str] = mapped_column(sa.String(200))
    hours: Mapped[int | None] = mapped_column(sa.Integer)
    provider: Mapped[str | None] = mapped_column(sa.String(100))
    passed: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    note: Mapped[str | None] = mapped_column(sa.String(500))

    staff: Mapped[Staff] = relationship()

    __table_args__ = (sa.CheckConstraint("hours IS NULL OR hours >= 0", name="ck_training_record_hours"),)

    def __str__(self) -> str:
        return f"{self.staff} {self.title}"

    __scope__ = ScopedBy(center=("staff.center_id",), department=("staff.department_id",), owner="staff_id")


class PreviousPost(Audited, VersionedMixin, Model):
    """A post held before (or beside) the window: the résumé's 工作简历 lines."""

    __tablename__ = "previous_post"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    started_on: Mapped[date] = mapped_column(sa.Date)
    ended_on: Mapped[date | None] = mapped_column(sa.Date)
    organisation: Mapped[str] = mapped_column(sa.String(100))
    post: Mapped[str] = mapped_column(sa.String(100))
    note: Mapped[str | None] = mapped_column(sa.String(500))

    staff: Mapped[Staff] = relationship()

    __table_args__ = (sa.CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ck_previous_post_period"),)

    def __str__(self) -> str:
        return f"{self.staff} {self.organisation} {self.post}"

    __scope__ = ScopedBy(center=("staff.center_id",), department=("staff.department_id",), owner="staff_id")

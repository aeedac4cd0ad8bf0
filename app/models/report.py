"""Monthly reports (月报): one workbook per reporting center and month, and its submission."""

from datetime import date, datetime

import sqlalchemy as sa
from flask_appbuilder import Model
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from .base import VersionedMixin
from .org import Center
from .scoping import ScopedBy


class MonthlyReport(VersionedMixin, Model):
    __tablename__ = "monthly_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("center.id"))
    month: Mapped[date] = mapped_column(sa.Date)  # first day of the month reported
    due_on: Mapped[date] = mapped_column(sa.Date)  # the N-th working day of the next month
    generated_at: Mapped[datetime] = mapped_column(sa.DateTime)
    generated_by: Mapped[str] = mapped_column(sa.String(100))
    # Headline figures of the whole center, for the list and the dashboard.
    figures: Mapped[dict] = mapped_column(sa.JSON)
    file_name: Mapped[str] = mapped_column(sa.String(200))
    # Deferred: lists never load the workbook.
    file: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary))
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    submitted_by: Mapped[str | None] = mapped_column(sa.String(100))
    late: Mapped[bool] = mapped_column(sa.Boolean, default=False)

    center: Mapped[Center] = relationship()

    __table_args__ = (sa.UniqueConstraint("center_id", "month", name="uq_monthly_report_center_month"),)

    def __str__(self) -> str:
        return f"{self.center.name} {self.month:%Y-%m}"

    # Center-level documents: a center's own and those below it; no department sees them.
    __scope__ = ScopedBy(center=("center_id",))

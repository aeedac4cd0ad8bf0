"""Data correction requests (数据更正申请, seed 000 第十四条): a case fact corrected only after approval."""

from datetime import datetime

import sqlalchemy as sa
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Audited, LabeledEnum, VersionedMixin, enum_field
from .case import Case
from .org import Department, Staff
from .scoping import ScopedBy


class CorrectionField(LabeledEnum):
    """The case facts a correction may change: what the applicant told the window, and the fee
    recorded at the decision. Never the status, the clock, the deadline or the version: the
    workflow computes those."""

    applicant_name = _l("Applicant name")
    applicant_id_number = _l("ID number")
    applicant_phone = _l("Applicant phone")
    fee = _l("Fee (yuan)")


class CorrectionStatus(LabeledEnum):
    pending = _l("Awaiting approval")
    applied = _l("Approved and applied")
    rejected = _l("Rejected")


class CorrectionRequest(Audited, VersionedMixin, Model):
    """A requested change of one case fact, with its reason; applied by the system on approval."""

    __tablename__ = "correction_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id", ondelete="CASCADE"), index=True)
    # Copied from the case when filed: scope and approval follow the case's department and center.
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("department.id"))
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("center.id"))
    field: Mapped[CorrectionField] = enum_field(CorrectionField)
    # The value when the request was filed (as stored) and the value asked for (as the validators write it).
    old_value: Mapped[str | None] = mapped_column(sa.String(100))
    new_value: Mapped[str] = mapped_column(sa.String(100))
    reason: Mapped[str] = mapped_column(sa.String(500))
    status: Mapped[CorrectionStatus] = enum_field(CorrectionStatus, default=CorrectionStatus.pending, index=True)
    requested_at: Mapped[datetime] = mapped_column(sa.DateTime)
    requested_by: Mapped[str] = mapped_column(sa.String(100))
    requested_by_user_id: Mapped[int | None] = mapped_column(sa.Integer)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    decided_by: Mapped[str | None] = mapped_column(sa.String(100))
    decision_note: Mapped[str | None] = mapped_column(sa.String(500))

    case: Mapped[Case] = relationship()
    department: Mapped[Department] = relationship()
    staff: Mapped[Staff | None] = relationship()

    __table_args__ = (sa.Index("ix_correction_request_department_requested", "department_id", "requested_at"),)

    def __str__(self) -> str:
        return f"{self.case} {self.field.label}"

    # A department sees its cases' requests, a township (center scope) its centers', the center all.
    __scope__ = ScopedBy(center=("center_id",), department=("department_id",))

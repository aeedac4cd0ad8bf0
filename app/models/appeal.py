"""Appeals (申诉) against an automatically detected violation or an automatic deduction.

The staff member files within `appeal_days` working days with a reason and text evidence;
the department's chief representative comments; a supervisor upholds the deduction or
cancels it (services/appeals.py). A cancelled violation is marked cancelled; a cancelled
automatic record is deleted and its (rule, source) never written again by the collection.
"""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .assessment import AssessmentRecord, AssessmentRule
from .base import Audited, LabeledEnum, VersionedMixin, enum_field
from .case import Violation
from .org import Department, Staff
from .scoping import ScopedBy


class AppealStatus(LabeledEnum):
    filed = _l("Awaiting the chief representative's comment")
    commented = _l("Awaiting the supervisor's decision")
    upheld = _l("Deduction upheld")
    cancelled = _l("Deduction cancelled")


class Appeal(Audited, VersionedMixin, Model):
    __tablename__ = "appeal"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"), index=True)
    # What is appealed: a violation, or an automatic record (its rule and source kept, the record
    # itself is deleted when the appeal cancels it).
    violation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("violation.id"), unique=True)
    record_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assessment_record.id", ondelete="SET NULL"))
    rule_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assessment_rule.id"))
    source_key: Mapped[str | None] = mapped_column(sa.String(80))
    month: Mapped[date] = mapped_column(sa.Date)  # the month the deduction counts in
    subject: Mapped[str] = mapped_column(sa.String(500))
    points: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    status: Mapped[AppealStatus] = enum_field(AppealStatus, default=AppealStatus.filed)
    reason: Mapped[str] = mapped_column(sa.Text)
    evidence: Mapped[str | None] = mapped_column(sa.Text)
    filed_at: Mapped[datetime] = mapped_column(sa.DateTime)
    filed_by: Mapped[str] = mapped_column(sa.String(100))
    chief_comment: Mapped[str | None] = mapped_column(sa.Text)
    commented_by: Mapped[str | None] = mapped_column(sa.String(100))
    commented_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    decision_note: Mapped[str | None] = mapped_column(sa.Text)
    decided_by: Mapped[str | None] = mapped_column(sa.String(100))
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    staff: Mapped[Staff] = relationship()
    department: Mapped[Department | None] = relationship()
    violation: Mapped[Violation | None] = relationship()
    record: Mapped[AssessmentRecord | None] = relationship()
    rule: Mapped[AssessmentRule | None] = relationship()

    __table_args__ = (
        # One appeal per automatic record (a violation's is unique on violation_id).
        sa.UniqueConstraint("rule_id", "source_key", name="uq_appeal_rule_source"),
        sa.CheckConstraint("violation_id IS NOT NULL OR source_key IS NOT NULL", name="ck_appeal_subject"),
    )

    def __str__(self) -> str:
        return self.subject[:100]

    # Staff see their own appeals, the chief representative the department's, supervisors all.
    __scope__ = ScopedBy(center=("staff.center_id",), department=("department_id",), owner="staff_id")

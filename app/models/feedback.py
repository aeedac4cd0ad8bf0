"""What the public says: evaluations (好差评) and complaints (投诉).

The rows the monthly report and bulletins count. The portal, the window
device page, rectification and the complaint workflow build on them.
"""

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from .base import LabeledEnum, VersionedMixin, enum_field
from .case import Case
from .org import Center, Department, Staff, Window
from .scoping import EVERYTHING_ONLY, ScopedBy

if TYPE_CHECKING:
    from .inspection import InspectionFinding

# 1–2 are bad reviews (差评); 3–5 count as satisfied (好评). The rates built on them, and which
# ratings they count, are defined once in app/services/rating_rates.py.
LEVEL_LABELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
BAD_LEVELS = (1, 2)
SATISFIED_LEVELS = (3, 4, 5)


class EvaluationChannel(LabeledEnum):
    window_device = _l("Window rating device")
    portal = _l("Public portal")
    phone = _l("Phone or SMS")
    default = _l("Default rating (not rated in time)")


class Evaluation(Model):
    __tablename__ = "evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case.id", ondelete="SET NULL"), index=True)
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("center.id"))
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"))
    window_id: Mapped[int | None] = mapped_column(sa.ForeignKey("window.id"))
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    level: Mapped[int] = mapped_column(sa.SmallInteger)
    channel: Mapped[EvaluationChannel] = enum_field(EvaluationChannel)
    is_default: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    tags: Mapped[list | None] = mapped_column(sa.JSON)
    comment: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)

    case: Mapped[Case | None] = relationship()
    center: Mapped[Center] = relationship()
    department: Mapped[Department | None] = relationship()
    window: Mapped[Window | None] = relationship()
    staff: Mapped[Staff | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("level BETWEEN 1 AND 5", name="ck_evaluation_level"),
        # The service also applies the stricter "one per case" setting; this catches races.
        sa.UniqueConstraint("case_id", "channel", name="uq_evaluation_case_channel"),
        sa.Index("ix_evaluation_created", "created_at"),
        sa.Index("ix_evaluation_department_created", "department_id", "created_at"),
    )

    def __str__(self) -> str:
        return LEVEL_LABELS.get(self.level, str(self.level))

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS

    __scope__ = ScopedBy(center=("center_id",), department=("department_id",), owner="staff_id")


class ComplaintStage(LabeledEnum):
    received = _l("Received")
    investigating = _l("Investigating")
    handling = _l("Handling")
    replied = _l("Replied")
    called_back = _l("Called back")
    archived = _l("Archived")


class ComplaintChannel(LabeledEnum):
    portal = _l("Public portal")
    phone = _l("Phone line")
    mailbox = _l("Mailbox")
    hotline_12345 = _l("12345 hotline transfer")


class ComplaintFinding(LabeledEnum):
    substantiated = _l("Substantiated")
    partly = _l("Partly substantiated")
    unsubstantiated = _l("Not substantiated")


class Complaint(VersionedMixin, Model):
    __tablename__ = "complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    channel: Mapped[ComplaintChannel] = enum_field(ComplaintChannel)
    filed_at: Mapped[datetime] = mapped_column(sa.DateTime)
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("center.id"))
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"))
    window_id: Mapped[int | None] = mapped_column(sa.ForeignKey("window.id"))
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(sa.String(200))
    content: Mapped[str] = mapped_column(sa.Text)
    complainant_name: Mapped[str | None] = mapped_column(sa.String(50))
    complainant_phone: Mapped[str | None] = mapped_column(sa.String(20))
    stage: Mapped[ComplaintStage] = enum_field(ComplaintStage, default=ComplaintStage.received)
    finding: Mapped[ComplaintFinding | None] = enum_field(ComplaintFinding, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    handler_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ab_user.id", name="fk_complaint_handler_id"))
    stage_started_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    stage_due_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    due_at: Mapped[datetime | None] = mapped_column(sa.DateTime)  # the whole complaint
    investigation: Mapped[str | None] = mapped_column(sa.Text)
    reply: Mapped[str | None] = mapped_column(sa.Text)
    replied_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    callback_note: Mapped[str | None] = mapped_column(sa.String(500))
    complainant_satisfied: Mapped[bool | None] = mapped_column(sa.Boolean)

    center: Mapped[Center] = relationship()
    department: Mapped[Department | None] = relationship()
    window: Mapped[Window | None] = relationship()
    staff: Mapped[Staff | None] = relationship()
    case: Mapped[Case | None] = relationship()

    sanctions: Mapped[list["Sanction"]] = relationship(back_populates="complaint", order_by="Sanction.id")
    rectification_order: Mapped["RectificationOrder | None"] = relationship(back_populates="complaint", uselist=False)

    __table_args__ = (
        sa.Index("ix_complaint_filed", "filed_at"),
        sa.Index("ix_complaint_department_filed", "department_id", "filed_at"),
        sa.Index("ix_complaint_stage_due", "stage", "stage_due_at"),
    )

    def __str__(self) -> str:
        return self.number

    __scope__ = ScopedBy(center=("center_id",), department=("department_id",))


class SanctionKind(LabeledEnum):
    criticism = _l("Criticism and education (批评教育)")
    talk = _l("Admonitory talk (谈话提醒)")
    circulated = _l("Circulated criticism (通报批评)")
    warning = _l("Warning (警告)")
    yellow_card = _l("Yellow card (黄牌)")
    replacement = _l("Ordered replacement (责令换人)")


class Sanction(Model):
    """A sanction decided on a complaint or an inspection finding (巡查/暗访, 000 第十六条), against a
    staff member and/or window (for the assessment)."""

    __tablename__ = "sanction"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int | None] = mapped_column(sa.ForeignKey("complaint.id", ondelete="CASCADE"), index=True)
    inspection_finding_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("inspection_finding.id", ondelete="CASCADE", name="fk_sanction_inspection_finding")
    )
    kind: Mapped[SanctionKind] = enum_field(SanctionKind)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    window_id: Mapped[int | None] = mapped_column(sa.ForeignKey("window.id"), index=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime)
    decided_by: Mapped[str] = mapped_column(sa.String(100))
    note: Mapped[str | None] = mapped_column(sa.String(500))

    complaint: Mapped[Complaint | None] = relationship(back_populates="sanctions")
    inspection_finding: Mapped["InspectionFinding | None"] = relationship(backref=backref("sanction", uselist=False))
    staff: Mapped[Staff | None] = relationship()
    window: Mapped[Window | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("complaint_id IS NOT NULL OR inspection_finding_id IS NOT NULL", name="ck_sanction_source"),
        sa.UniqueConstraint("inspection_finding_id", name="uq_sanction_inspection_finding"),
    )

    # Read through its complaint or finding, never listed by itself.
    __scope__ = EVERYTHING_ONLY

    def __str__(self) -> str:
        return str(self.kind.label)


class RectificationStatus(LabeledEnum):
    open = _l("Awaiting contact")
    contacted = _l("Applicant contacted")
    rectified = _l("Rectified, awaiting verdict")
    closed = _l("Closed")


class Verdict(LabeledEnum):
    satisfied = _l("Satisfied")
    unsatisfied = _l("Still dissatisfied")
    unreachable = _l("Could not be reached")


class Rectification(VersionedMixin, Model):
    """Follow-up of one bad evaluation (差评整改), owned by the department's chief representative."""

    __tablename__ = "rectification"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(sa.ForeignKey("evaluation.id", ondelete="CASCADE"), unique=True)
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    status: Mapped[RectificationStatus] = enum_field(RectificationStatus, default=RectificationStatus.open)
    opened_at: Mapped[datetime] = mapped_column(sa.DateTime)
    contact_due_at: Mapped[datetime] = mapped_column(sa.DateTime)
    rectify_due_at: Mapped[datetime] = mapped_column(sa.DateTime)
    contacted_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    contact_note: Mapped[str | None] = mapped_column(sa.String(500))
    rectified_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    measures: Mapped[str | None] = mapped_column(sa.String(1000))
    verdict: Mapped[Verdict | None] = enum_field(Verdict, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    evaluation: Mapped[Evaluation] = relationship()
    department: Mapped[Department | None] = relationship()
    assignee: Mapped[Staff | None] = relationship()

    __table_args__ = (sa.Index("ix_rectification_status_due", "status", "contact_due_at"),)

    def __str__(self) -> str:
        return f"{self.evaluation}"

    __scope__ = ScopedBy(center=("evaluation.center_id",), department=("department_id",))


class OrderStatus(LabeledEnum):
    open = _l("Being rectified")
    closed = _l("Rectification closed")


class RectificationOrder(VersionedMixin, Model):
    """整改通知: an order to a department to rectify by a deadline, opened by a substantiated complaint
    (004 第三十六条: 通报批评，并责令限期整改; 整改不到位的，报请纪检监察机关). Its closure records who
    closed it, when and what was done; a referral to the discipline inspectors (纪检) its date and number."""

    __tablename__ = "rectification_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    complaint_id: Mapped[int | None] = mapped_column(sa.ForeignKey("complaint.id", ondelete="CASCADE"), unique=True)
    # Or the inspection finding that ordered it (巡查/暗访, 000 第十九条: 提出整改意见).
    inspection_finding_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("inspection_finding.id", ondelete="CASCADE", name="fk_rectification_order_finding")
    )
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("center.id"))
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("department.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    window_id: Mapped[int | None] = mapped_column(sa.ForeignKey("window.id"))
    requirement: Mapped[str] = mapped_column(sa.String(1000))
    issued_at: Mapped[datetime] = mapped_column(sa.DateTime)
    issued_by: Mapped[str] = mapped_column(sa.String(100))
    due_at: Mapped[datetime] = mapped_column(sa.DateTime)
    status: Mapped[OrderStatus] = enum_field(OrderStatus, default=OrderStatus.open)
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    closed_by: Mapped[str | None] = mapped_column(sa.String(100))
    closure_note: Mapped[str | None] = mapped_column(sa.String(1000))
    referred_on: Mapped[date | None] = mapped_column(sa.Date)
    referral_number: Mapped[str | None] = mapped_column(sa.String(60))
    referral_note: Mapped[str | None] = mapped_column(sa.String(500))
    referred_by: Mapped[str | None] = mapped_column(sa.String(100))

    complaint: Mapped[Complaint | None] = relationship(back_populates="rectification_order")
    inspection_finding: Mapped["InspectionFinding | None"] = relationship(
        backref=backref("rectification_order", uselist=False)
    )
    center: Mapped[Center] = relationship()
    department: Mapped[Department] = relationship()
    staff: Mapped[Staff | None] = relationship()
    window: Mapped[Window | None] = relationship()

    __table_args__ = (
        # The overdue scan: open orders by deadline.
        sa.Index("ix_rectification_order_status_due", "status", "due_at"),
        sa.UniqueConstraint("inspection_finding_id", name="uq_rectification_order_finding"),
    )

    def __str__(self) -> str:
        return self.number

    __scope__ = ScopedBy(center=("center_id",), department=("department_id",))

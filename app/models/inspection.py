"""The inspections register (巡查/暗访, issue 19.3) and the sub-centers' joint meetings (联席会议).

Seed 000, 分中心管理办法: 第十六条 中心管理机构不定期对分中心的人员出勤、日常纪律、业务办理、政务公开、
机构管理等进行检查，遇有违反 … 可视情节分别给予批评、谈话教育、通报批评、警告、黄牌、责令换人等处理;
第十八条 建立分中心联席会议制度; 第十九条 发现问题及时与分中心沟通并提出整改意见或建议;
第二十条 中心每年对分中心工作进行一次全面考评 (app/services/center_assessment.py).

An inspection records when, where (the center inspected, a place), who and a summary; each of its
findings names the department, window or staff member concerned, may carry photos (StoredFile) and
may become an assessment record, a sanction and/or a rectification order (RectificationOrder, the
one 整改通知 mechanism, linked back by `inspection_finding_id`).
"""

from datetime import date, datetime

import sqlalchemy as sa
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .assessment import AssessmentRecord
from .base import Audited, LabeledEnum, VersionedMixin, enum_field
from .org import Center, Department, Staff, Window
from .scoping import ScopedBy


class InspectionKind(LabeledEnum):
    patrol = _l("Patrol (巡查)")
    unannounced = _l("Unannounced visit (暗访)")
    sub_center = _l("Sub-center inspection (分中心检查)")


class FindingOutcome(LabeledEnum):
    none = _l("No deduction or sanction")
    assessment = _l("Assessment record")
    sanction = _l("Sanction")


class Inspection(Audited, VersionedMixin, Model):
    """One inspection: when, which center and where in it, who inspected, what was seen."""

    __tablename__ = "inspection"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    kind: Mapped[InspectionKind] = enum_field(InspectionKind)
    inspected_at: Mapped[datetime] = mapped_column(sa.DateTime)
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("center.id"))
    place: Mapped[str | None] = mapped_column(sa.String(200))
    inspectors: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(2000))
    recorded_at: Mapped[datetime] = mapped_column(sa.DateTime)
    recorded_by: Mapped[str] = mapped_column(sa.String(100))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ab_user.id", name="fk_inspection_recorded_by"))

    center: Mapped[Center] = relationship()
    findings: Mapped[list["InspectionFinding"]] = relationship(
        back_populates="inspection", order_by="InspectionFinding.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.Index("ix_inspection_inspected_at", "inspected_at"),
        # A center's inspections by date (its head's list, the annual assessment).
        sa.Index("ix_inspection_center_inspected_at", "center_id", "inspected_at"),
    )

    def __str__(self) -> str:
        return self.number

    # A township or sub-center head sees its center's inspections; a department those with a
    # finding against it (the page then shows only those findings).
    __scope__ = ScopedBy(center=("center_id",), department=("findings.department_id",))


class InspectionFinding(Audited, VersionedMixin, Model):
    """One problem an inspection found, against a department, window or staff member."""

    __tablename__ = "inspection_finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(sa.ForeignKey("inspection.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"), index=True)
    window_id: Mapped[int | None] = mapped_column(sa.ForeignKey("window.id"))
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    description: Mapped[str] = mapped_column(sa.String(1000))
    outcome: Mapped[FindingOutcome] = enum_field(FindingOutcome, default=FindingOutcome.none)
    # The deduction it produced (an appeal may cancel the record: the link is then emptied).
    assessment_record_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("assessment_record.id", ondelete="SET NULL", name="fk_inspection_finding_record")
    )
    recorded_at: Mapped[datetime] = mapped_column(sa.DateTime)
    recorded_by: Mapped[str] = mapped_column(sa.String(100))

    inspection: Mapped[Inspection] = relationship(back_populates="findings")
    department: Mapped[Department | None] = relationship()
    window: Mapped[Window | None] = relationship()
    staff: Mapped[Staff | None] = relationship()
    assessment_record: Mapped[AssessmentRecord | None] = relationship()

    def __str__(self) -> str:
        return f"{self.inspection} #{self.id}"

    __scope__ = ScopedBy(center=("inspection.center_id",), department=("department_id",))


joint_meeting_center = sa.Table(
    "joint_meeting_center",
    Model.metadata,
    sa.Column("meeting_id", sa.ForeignKey("joint_meeting.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("center_id", sa.ForeignKey("center.id"), primary_key=True, index=True),
)


class JointMeeting(Audited, VersionedMixin, Model):
    """联席会议 (000 第十八条): the center and the sub-centers' heads; minutes, decisions, follow-ups."""

    __tablename__ = "joint_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[date] = mapped_column(sa.Date, index=True)
    topic: Mapped[str] = mapped_column(sa.String(200))
    attendees: Mapped[str] = mapped_column(sa.String(1000))
    minutes: Mapped[str] = mapped_column(sa.Text)
    decisions: Mapped[str | None] = mapped_column(sa.Text)
    recorded_at: Mapped[datetime] = mapped_column(sa.DateTime)
    recorded_by: Mapped[str] = mapped_column(sa.String(100))

    centers: Mapped[list[Center]] = relationship(secondary=joint_meeting_center, order_by=Center.sort_order)
    follow_ups: Mapped[list["MeetingFollowUp"]] = relationship(
        back_populates="meeting", order_by="MeetingFollowUp.id", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.topic}"

    # A sub-center or township head sees the meetings concerning its center.
    __scope__ = ScopedBy(center=("centers.id",))


class MeetingFollowUp(VersionedMixin, Model):
    """A decision's follow-up: what, who owns it, by when; closed with what was done. Past due and
    open, the center hears of it (feedback_scan), as of an overdue rectification order."""

    __tablename__ = "meeting_follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("joint_meeting.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(sa.String(500))
    owner: Mapped[str] = mapped_column(sa.String(100))
    owner_center_id: Mapped[int | None] = mapped_column(sa.ForeignKey("center.id"))
    due_on: Mapped[date] = mapped_column(sa.Date)
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    closed_by: Mapped[str | None] = mapped_column(sa.String(100))
    closure_note: Mapped[str | None] = mapped_column(sa.String(1000))

    meeting: Mapped[JointMeeting] = relationship(back_populates="follow_ups")
    owner_center: Mapped[Center | None] = relationship()

    # The overdue scan: open follow-ups by due date.
    __table_args__ = (sa.Index("ix_meeting_follow_up_open_due", "closed_at", "due_on"),)

    def __str__(self) -> str:
        return self.action[:40]

    __scope__ = ScopedBy(center=("meeting.centers.id", "owner_center_id"))

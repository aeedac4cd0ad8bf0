"""Monthly 100-point scoring: rules as data, the records they produce, scores and quarterly honours."""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Audited, LabeledEnum, VersionedMixin, enum_field
from .org import Center, Department, Staff, Window
from .scoping import PUBLIC, ScopedBy

# A staff member's or a window's record: the staff member alone sees their own.
PERSONAL_RECORD = ScopedBy(
    center=("staff.center_id", "window.center_id"), department=("department_id",), owner="staff_id"
)


class AssessmentCategory(LabeledEnum):
    discipline = _l("Work discipline")
    image = _l("Window image")
    business = _l("Business handling")
    addition = _l("Additions")


class AssessmentTrigger(LabeledEnum):
    """Where a rule's records come from: a supervisor, or a fact the system already holds."""

    manual = _l("Recorded by a supervisor")
    late = _l("Attendance: late")
    early_leave = _l("Attendance: left early")
    absent_half = _l("Attendance: absent half a day")
    absent_day = _l("Attendance: absent the whole day")
    case_overdue = _l("Overdue case")
    violation = _l("Detected violation")
    bad_review = _l("Bad review")
    complaint_sanction = _l("Sanction on a substantiated complaint")
    inspection_sanction = _l("Sanction on an inspection finding")
    inquiry_overdue = _l("First inquiry not closed by its reply deadline")
    long_wait = _l("Queue ticket waited longer than the wait limit")


class AssessmentRule(Audited, VersionedMixin, Model):
    """One line of the 考核细则; points are negative for deductions, positive for additions."""

    __tablename__ = "assessment_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    category: Mapped[AssessmentCategory] = enum_field(AssessmentCategory)
    trigger: Mapped[AssessmentTrigger] = enum_field(AssessmentTrigger, default=AssessmentTrigger.manual)
    points: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))
    # The most this rule may add or deduct in one month (absolute value); empty = no cap.
    monthly_cap: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    # A breach of the 十不准 (002 建绩效考核机制): the chief representative answers for it too (连带责任).
    joint_liability: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    sort_order: Mapped[int] = mapped_column(sa.Integer, default=0)
    note: Mapped[str | None] = mapped_column(sa.String(500))

    def __str__(self) -> str:
        return self.name

    # The rules are published to everyone they apply to.
    __scope__ = PUBLIC


class AssessmentOrigin(LabeledEnum):
    automatic = _l("Automatic")
    manual = _l("Manual")


class AssessmentRecord(Audited, VersionedMixin, Model):
    """One addition or deduction for a staff member and/or a window in one month."""

    __tablename__ = "assessment_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(sa.ForeignKey("assessment_rule.id"))
    month: Mapped[date] = mapped_column(sa.Date)  # first day of the month
    occurred_at: Mapped[datetime] = mapped_column(sa.DateTime)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    window_id: Mapped[int | None] = mapped_column(sa.ForeignKey("window.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"))
    points: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))  # copied from the rule when recorded
    origin: Mapped[AssessmentOrigin] = enum_field(AssessmentOrigin, default=AssessmentOrigin.manual)
    # What an automatic record stands for ("violation:42"): written once however often the job runs.
    source_key: Mapped[str | None] = mapped_column(sa.String(80))
    evidence: Mapped[str | None] = mapped_column(sa.String(500))
    recorded_by: Mapped[str] = mapped_column(sa.String(100))
    recorded_at: Mapped[datetime] = mapped_column(sa.DateTime)

    rule: Mapped[AssessmentRule] = relationship()
    staff: Mapped[Staff | None] = relationship()
    window: Mapped[Window | None] = relationship()
    department: Mapped[Department | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("rule_id", "source_key", name="uq_assessment_record_rule_source"),
        sa.Index("ix_assessment_record_month_department", "month", "department_id"),
        sa.CheckConstraint("staff_id IS NOT NULL OR window_id IS NOT NULL", name="ck_assessment_record_subject"),
    )

    def __str__(self) -> str:
        return f"{self.rule} {self.month:%Y-%m}"

    __scope__ = PERSONAL_RECORD


class ScoreKind(LabeledEnum):
    """Whose monthly score a row is (分中心管理办法 第二十一条: 部门得分和个人得分, and the windows')."""

    staff = _l("Staff member")
    window = _l("Window")
    department = _l("Department")


class MonthlyScore(Model):
    """100 + additions − deductions for one staff member, window or department; rebuilt from the records."""

    __tablename__ = "monthly_score"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(sa.Date)
    kind: Mapped[ScoreKind] = enum_field(ScoreKind, default=ScoreKind.staff)
    # The center the row is ranked in: the staff member's, the window's or the department's.
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("center.id"))
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    window_id: Mapped[int | None] = mapped_column(sa.ForeignKey("window.id"))
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"))
    # The share of the month a staff member served (joined or left within it); 1 for a whole month.
    served_share: Mapped[Decimal] = mapped_column(sa.Numeric(5, 4), default=1)
    additions: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2), default=0)
    deductions: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2), default=0)
    score: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))
    rank: Mapped[int | None] = mapped_column(sa.Integer)
    computed_at: Mapped[datetime] = mapped_column(sa.DateTime)

    center: Mapped[Center] = relationship()
    staff: Mapped[Staff | None] = relationship()
    window: Mapped[Window | None] = relationship()
    department: Mapped[Department | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("month", "staff_id", name="uq_monthly_score_month_staff"),
        sa.UniqueConstraint("month", "window_id", name="uq_monthly_score_month_window"),
        sa.CheckConstraint(
            "(kind = 'staff' AND staff_id IS NOT NULL AND window_id IS NULL)"
            " OR (kind = 'window' AND window_id IS NOT NULL AND staff_id IS NULL)"
            " OR (kind = 'department' AND department_id IS NOT NULL AND staff_id IS NULL AND window_id IS NULL)",
            name="ck_monthly_score_subject",
        ),
        sa.Index("ix_monthly_score_month_kind_center", "month", "kind", "center_id"),
    )

    def __str__(self) -> str:
        return f"{self.staff or self.window or self.department} {self.month:%Y-%m}"

    # A department's row is in no staff member's own scope; the center and the department see it.
    __scope__ = ScopedBy(center=("center_id",), department=("department_id",), owner="staff_id")


class Honour(LabeledEnum):
    red_flag = _l("Red-flag window")
    service_star = _l("Service star")


class QuarterlyResult(Model):
    """A quarter's mean score, rank among the eligible, the disqualifying reasons and the honour."""

    __tablename__ = "quarterly_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    quarter_start: Mapped[date] = mapped_column(sa.Date)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    window_id: Mapped[int | None] = mapped_column(sa.ForeignKey("window.id"))
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"))
    mean_score: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))
    eligible: Mapped[bool] = mapped_column(sa.Boolean)
    # Chinese sentences naming each rule that disqualified, with the figure that did it.
    reasons: Mapped[list | None] = mapped_column(sa.JSON)
    rank: Mapped[int | None] = mapped_column(sa.Integer)
    honour: Mapped[Honour | None] = enum_field(Honour, nullable=True)
    computed_at: Mapped[datetime] = mapped_column(sa.DateTime)

    staff: Mapped[Staff | None] = relationship()
    window: Mapped[Window | None] = relationship()
    department: Mapped[Department | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("quarter_start", "staff_id", name="uq_quarterly_result_staff"),
        sa.UniqueConstraint("quarter_start", "window_id", name="uq_quarterly_result_window"),
        sa.CheckConstraint("(staff_id IS NULL) <> (window_id IS NULL)", name="ck_quarterly_result_subject"),
    )

    def __str__(self) -> str:
        return f"{self.staff or self.window} {self.quarter_start:%Y-%m}"

    __scope__ = PERSONAL_RECORD

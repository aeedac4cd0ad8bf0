"""The in-app inbox: what the scheduler tells a user (overdue cases, escalations, calendar)."""

from datetime import datetime

import sqlalchemy as sa
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import LabeledEnum, enum_field
from .case import Case
from .scoping import EVERYTHING_ONLY


class NoticeKind(LabeledEnum):
    case_overdue = _l("Your case is overdue")
    chief_escalation = _l("Overdue case escalated to the chief representative")
    center_escalation = _l("Overdue case escalated to the center")
    step_overdue = _l("Step held past its share of the limit")
    supplement_expired = _l("Supplement limit passed: passive return proposed")
    task_overdue = _l("Joint task overdue")
    task_defaulted = _l("Your department's joint task was defaulted by the center")
    case_extended = _l("Case extended")
    calendar_missing = _l("Next year's holiday schedule is not loaded")
    report_late = _l("Monthly report not submitted in time")
    rectification_overdue = _l("Bad-review rectification past its limit")
    complaint_overdue = _l("Complaint stage past its limit")
    appeal_filed = _l("An appeal awaits your comment")
    appeal_commented = _l("An appeal awaits your decision")
    appeal_decided = _l("Your appeal has been decided")
    violation_pending = _l("A second supplement request awaits confirmation")
    transfer_overdue = _l("Forwarded request not confirmed in time")
    transfer_returned = _l("Your forwarded request was returned")
    duty_handoff_overdue = _l("Comprehensive-window hand-off overdue")
    order_issued = _l("Rectification order issued to your department")
    order_overdue = _l("Rectification order past its deadline")
    sanction_circulated = _l("Circulated criticism (通报批评)")
    leaders_below_minimum = _l("Department leaders below the minimum at the windows")
    # 000 第十一条: 流转后向接件人作相应的受件提醒.
    case_forwarded = _l("A case was forwarded to you")
    correction_filed = _l("A data correction request awaits your approval")
    correction_decided = _l("Your data correction request has been decided")
    follow_up_overdue = _l("Joint-meeting follow-up past its due date")
    personnel_change_opened = _l("The center opened a personnel change in your department")
    # 急办件: the center, leading an urgent joint case, reminds a co-department of its task.
    task_reminded = _l("The center reminds your department of an urgent joint task")
    inquiry_referred = _l("An inquiry was referred to you")
    inquiry_overdue = _l("First inquiry past its reply deadline")
    # 容缺受理 (services/tolerated.py): a material accepted as missing is due, then past its grace.
    tolerated_due = _l("A tolerated missing material is due")
    tolerated_expired = _l("Tolerated material not brought: passive return proposed")
    prereview_overdue = _l("Online application not pre-reviewed in time")


class Notice(Model):
    """One message to one user. `key` makes every scheduler insert idempotent:
    a (user, key) pair is written once however often the job runs."""

    __tablename__ = "notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("ab_user.id", ondelete="CASCADE"))
    kind: Mapped[NoticeKind] = enum_field(NoticeKind)
    key: Mapped[str] = mapped_column(sa.String(80))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case.id", ondelete="CASCADE"), index=True)
    detail: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    read_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    case: Mapped[Case | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("user_id", "key", name="uq_notice_user_key"),
        # The inbox: a user's unread notices, newest first.
        sa.Index("ix_notice_user_read", "user_id", "read_at", "created_at"),
    )

    def __str__(self) -> str:
        return str(self.kind.label)

    # Everyone's inbox is their own, whatever their role: the view filters by user
    # (views/notice.OwnNoticeFilter), no scope kind applies.
    __scope__ = EVERYTHING_ONLY

"""Cases (办件), their append-only events, joint tasks and detected violations."""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import LabeledEnum, VersionedMixin, enum_field, only_on
from .matter import CaseKind, Matter, MatterStep
from .org import Center, Department, Staff, Window
from .scoping import EVERYTHING_ONLY, ScopedBy


class CaseStatus(LabeledEnum):
    submitted = _l("Awaiting acceptance")
    accepted = _l("Accepted")
    in_progress = _l("In progress")
    suspended = _l("Suspended")
    completed = _l("Completed")
    returned = _l("Returned")
    withdrawn = _l("Withdrawn")


OPEN_STATUSES = (CaseStatus.submitted, CaseStatus.accepted, CaseStatus.in_progress, CaseStatus.suspended)
_OPEN_CONDITION = sa.text("status IN ({})".format(", ".join(f"'{status.name}'" for status in OPEN_STATUSES)))
# Statuses in which the clock runs.
RUNNING_STATUSES = (CaseStatus.accepted, CaseStatus.in_progress)


class Light(LabeledEnum):
    green = _l("On time")
    yellow = _l("Due soon")
    red = _l("Overdue")


class Channel(LabeledEnum):
    window = _l("At the window")
    online = _l("Online")
    proxy = _l("By proxy (代办)")
    township = _l("Escalated from a township")


class ApplicantType(LabeledEnum):
    person = _l("Person")
    organisation = _l("Organisation")


class SuspendReason(LabeledEnum):
    supplement = _l("Awaiting materials (补件)")
    escalation = _l("Escalated to the higher level")
    special_procedure = _l("Special procedure (hearing, testing, expert review)")


class CaseResult(LabeledEnum):
    approved = _l("Approved")
    denied = _l("Denied")
    default_approved = _l("Approved by default (缺席默认)")
    returned_active = _l("Returned: applicant not qualified")
    returned_passive = _l("Returned: applicant abandoned or materials not received")
    withdrawn = _l("Withdrawn by the applicant")


class CaseAction(LabeledEnum):
    accept = _l("Accept")
    forward = _l("Forward")
    request_supplement = _l("Request supplement")
    receive_supplement = _l("Receive supplement")
    start_special = _l("Start special procedure")
    end_special = _l("End special procedure")
    escalate = _l("Escalate")
    receive_escalation_result = _l("Receive escalation result")
    extend = _l("Extend")
    return_case = _l("Return")
    complete = _l("Complete")
    withdraw = _l("Withdraw")
    issue_default_approval = _l("Issue default approval")
    # Seed 002 (超时或缺席默认): the center defaults a co-department's overdue joint task.
    default_task = _l("Default an overdue joint task")
    complete_task = _l("Complete joint task")
    overdue = _l("Went overdue")
    # 上报: the county child's first event, and the county window taking it in.
    escalation_received = _l("Received from a township (上报)")
    accept_escalation = _l("Accept the escalated case")
    # 送达: the result handed to the applicant; the case closes with it.
    deliver = _l("Deliver the result (送达)")
    # 综合窗口 duty (seed 003): the on-duty department hands a member department's case over
    # (交接登记), the owning department confirms receipt and holds the case from then on.
    hand_over = _l("Hand over to the owning department (交接)")
    receive_handoff = _l("Confirm receipt of the hand-off")
    # 急办件 (seed 004): the center leads an urgent joint case: it reminds a co-department of its
    # task, or gives the task to another of that department's staff (services/green_channel.py).
    remind_task = _l("Remind a co-department of its task")
    reassign_task = _l("Reassign a joint task")
    # 数据更正: an approved correction request applied to a case fact (services/corrections.py).
    correct = _l("Data corrected")
    # 容缺受理: a material the case was accepted without has arrived (services/tolerated.py).
    receive_tolerated = _l("Receive tolerated materials (容缺补交)")


class DeliveryMethod(LabeledEnum):
    in_person = _l("In person (当面送达)")
    by_agent = _l("Through the village agent")
    by_mail = _l("By post")
    electronic = _l("Electronically")


class Case(VersionedMixin, Model):
    """One application. Not in the audit log: its CaseEvent history is the audit."""

    __tablename__ = "case"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("center.id"))
    matter_id: Mapped[int] = mapped_column(sa.ForeignKey("matter.id"))
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("department.id"))
    window_id: Mapped[int | None] = mapped_column(sa.ForeignKey("window.id"), index=True)
    accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    step_seq: Mapped[int] = mapped_column(sa.Integer, default=1)

    applicant_type: Mapped[ApplicantType] = enum_field(ApplicantType, default=ApplicantType.person)
    applicant_name: Mapped[str] = mapped_column(sa.String(100))
    applicant_id_number: Mapped[str] = mapped_column(sa.String(30), index=True)
    applicant_phone: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    channel: Mapped[Channel] = enum_field(Channel, default=Channel.window)
    kind: Mapped[CaseKind] = enum_field(CaseKind)
    status: Mapped[CaseStatus] = enum_field(CaseStatus)

    # When the case was entered into the system (intake); received_at: when the window received
    # the applicant and the materials (the intake form says, defaulting to the entry time).
    submitted_at: Mapped[datetime] = mapped_column(sa.DateTime)
    received_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # Stored, and changed only by an action, so overdue scans are index range queries.
    deadline_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # When the light turns yellow; stored with the deadline so the warning scan is a range query.
    warn_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    light: Mapped[Light | None] = enum_field(Light, nullable=True)
    # When the current step has been held past its share of the limit (None: no share).
    step_due_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    limit_days: Mapped[int] = mapped_column(sa.Integer, default=0)
    paused_workdays: Mapped[int] = mapped_column(sa.Integer, default=0)
    extension_days: Mapped[int] = mapped_column(sa.Integer, default=0)
    suspended_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    suspend_reason: Mapped[SuspendReason | None] = enum_field(SuspendReason, nullable=True)
    supplement_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    calendar_unconfirmed: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # 视为受理 (行政许可法 §32): an online application not answered with a correction notice within
    # 5 working days of receipt, accepted by the system on its receipt date (services/prereview.py).
    deemed_accepted: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    # 延时服务 (004 第二十六条): received outside office hours while the center had opened delayed
    # service, or from a delayed-service booking (case_flow/reception.py `delayed_service`).
    delayed_service: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    result: Mapped[CaseResult | None] = enum_field(CaseResult, nullable=True)
    fee: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    # 上报: a township case's county child points to it; the township case waits while the child runs.
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case.id"))
    # A child's working days from its escalation to the county's decision (completed or returned),
    # stored with the decision so the network sheet averages a column, not a calendar per row.
    handoff_workdays: Mapped[int | None] = mapped_column(sa.Integer)
    # 送达: when, how and to whom the result was handed over (services/handoff.py).
    delivered_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    delivery_method: Mapped[DeliveryMethod | None] = enum_field(DeliveryMethod, nullable=True)
    delivery_receiver: Mapped[str | None] = mapped_column(sa.String(100))

    center: Mapped[Center] = relationship()
    matter: Mapped[Matter] = relationship()
    department: Mapped[Department] = relationship()
    window: Mapped[Window | None] = relationship()
    accepted_by: Mapped[Staff | None] = relationship(foreign_keys=[accepted_by_id])
    assignee: Mapped[Staff | None] = relationship(foreign_keys=[assignee_id])
    events: Mapped[list["CaseEvent"]] = relationship(back_populates="case", order_by="CaseEvent.id")
    tasks: Mapped[list["CaseTask"]] = relationship(back_populates="case", order_by="CaseTask.id")
    # 容缺受理: the materials it was accepted without, each with its due date.
    tolerated: Mapped[list["ToleratedMaterial"]] = relationship(
        back_populates="case", order_by="ToleratedMaterial.id", cascade="all, delete-orphan"
    )
    parent: Mapped["Case | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Case"]] = relationship(back_populates="parent", order_by="Case.id")
    # The village requests accepted into this case (代办): their agents follow it (scope below).
    transfers: Mapped[list["Transfer"]] = relationship("Transfer", viewonly=True)  # noqa: F821

    __table_args__ = (
        # The everyday lists: a department's open cases by deadline, and date ranges.
        sa.Index("ix_case_department_status_deadline", "department_id", "status", "deadline_at"),
        # The same for a `center` scope (a township center and its village points).
        sa.Index("ix_case_center_status_deadline", "center_id", "status", "deadline_at"),
        sa.Index("ix_case_status_deadline", "status", "deadline_at"),
        sa.Index("ix_case_status_warn", "status", "warn_at"),
        sa.Index("ix_case_status_step_due", "status", "step_due_at"),
        sa.Index("ix_case_accepted_at", "accepted_at"),
        sa.Index("ix_case_department_accepted", "department_id", "accepted_at"),
        # A township's list (center scope) in its default order, newest first.
        sa.Index("ix_case_center_accepted", "center_id", "accepted_at"),
        # The network sheet (services/network_report.py): a month's report-up hand-offs (children)
        # and deliveries, each from a small partial index holding what the sheet reads.
        sa.Index(
            "ix_case_escalated_month",
            "submitted_at",
            "parent_id",
            "status",
            "accepted_at",
            "finished_at",
            "handoff_workdays",
            postgresql_where=sa.text("parent_id IS NOT NULL"),
            sqlite_where=sa.text("parent_id IS NOT NULL"),
        ),
        sa.Index(
            "ix_case_delivered_month",
            "delivered_at",
            "center_id",
            "accepted_at",
            postgresql_where=sa.text("delivered_at IS NOT NULL"),
            sqlite_where=sa.text("delivered_at IS NOT NULL"),
        ),
        sa.Index("ix_case_matter_accepted", "matter_id", "accepted_at"),
        # 延时服务: the list's filter and the month's count read only the few marked cases.
        sa.Index(
            "ix_case_delayed_accepted",
            "accepted_at",
            "center_id",
            "department_id",
            postgresql_where=sa.text("delayed_service"),
            sqlite_where=sa.text("delayed_service = 1"),
        ),
        sa.Index("ix_case_applicant_name", "applicant_name"),
        # The "open" list and its count: open cases are a few per cent, all at the table's end.
        sa.Index(
            "ix_case_open_accepted",
            "accepted_at",
            postgresql_where=_OPEN_CONDITION,
            sqlite_where=_OPEN_CONDITION,
        ),
        # Name search is FAB's ILIKE 'prefix%': only a trigram index serves it (PostgreSQL).
        only_on(
            "postgresql",
            sa.Index(
                "ix_case_applicant_name_trgm",
                "applicant_name",
                postgresql_using="gin",
                postgresql_ops={"applicant_name": "gin_trgm_ops"},
            ),
        ),
        # The monthly report: cases finished, or due, in a month. The finished ones also hold the
        # center, status and deadline: completed and on time per center from the index alone.
        sa.Index("ix_case_finished_at", "finished_at", "center_id", "status", "deadline_at"),
        # A case's children; with their status and finish, the network sheet's county result of
        # each delivered case is one index lookup.
        sa.Index("ix_case_parent_id", "parent_id", "finished_at", "status"),
        sa.Index("ix_case_deadline_at", "deadline_at"),
    )

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def current_step(self) -> MatterStep | None:
        return next((s for s in self.matter.steps if s.seq == self.step_seq), None)

    # Lists: the department's own cases, one index range (an OR here would make every
    # department list scan the table at 1M cases); one case also opens to a co-department
    # with a task in it (联办件), and to the department whose staff accepted it (a comprehensive
    # window's duty desk, for a member department: seed 003).
    __scope__ = ScopedBy(
        center=("center_id",),
        department=("department_id",),
        also_opens=ScopedBy(
            center=("tasks.department.center_id", "transfers.from_center_id"),
            department=("tasks.department_id", "accepted_by.department_id"),
        ),
    )


class CaseEvent(Model):
    """Append-only history: one row per action, written in the action's transaction."""

    __tablename__ = "case_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id", ondelete="CASCADE"), index=True)
    action: Mapped[CaseAction] = enum_field(CaseAction)
    at: Mapped[datetime] = mapped_column(sa.DateTime)
    actor_id: Mapped[int | None] = mapped_column(sa.Integer)
    actor_name: Mapped[str] = mapped_column(sa.String(100))
    from_status: Mapped[CaseStatus | None] = enum_field(CaseStatus, nullable=True)
    to_status: Mapped[CaseStatus] = enum_field(CaseStatus)
    from_step: Mapped[int | None] = mapped_column(sa.Integer)
    to_step: Mapped[int | None] = mapped_column(sa.Integer)
    note: Mapped[str | None] = mapped_column(sa.String(1000))
    materials: Mapped[list | None] = mapped_column(sa.JSON)
    data: Mapped[dict | None] = mapped_column(sa.JSON)

    case: Mapped[Case] = relationship(back_populates="events")

    # The supervision scan reads one kind of action in a time window (extensions since the last run).
    __table_args__ = (sa.Index("ix_case_event_action_at", "action", "at"),)
    # Read through its case (the history on the case page), never listed by itself.
    __scope__ = EVERYTHING_ONLY

    def __str__(self) -> str:
        return f"{self.action.label} {self.at:%Y-%m-%d %H:%M}"


class TaskStatus(LabeledEnum):
    open = _l("Open")
    done = _l("Done")
    # Overdue and defaulted by the center (缺席默认): the lead case may complete without it.
    defaulted = _l("Defaulted by the center")


# The tasks that no longer hold the lead case back.
SETTLED_TASK_STATUSES = (TaskStatus.done, TaskStatus.defaulted)


class CaseTask(VersionedMixin, Model):
    """A co-department's share of a joint case (联办件), with its own deadline."""

    __tablename__ = "case_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("department.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    deadline_at: Mapped[datetime] = mapped_column(sa.DateTime)
    status: Mapped[TaskStatus] = enum_field(TaskStatus, default=TaskStatus.open)
    light: Mapped[Light | None] = enum_field(Light, nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    note: Mapped[str | None] = mapped_column(sa.String(500))

    case: Mapped[Case] = relationship(back_populates="tasks")
    department: Mapped[Department] = relationship()
    assignee: Mapped[Staff | None] = relationship()

    # The warning scan and its notices: open tasks by deadline.
    __table_args__ = (sa.Index("ix_case_task_status_deadline", "status", "deadline_at"),)

    # The co-department's share: its joint cases (the "joint" quick list).
    __scope__ = ScopedBy(center=("department.center_id",), department=("department_id",))

    def __str__(self) -> str:
        return f"{self.case_id}/{self.department_id}"


class ToleratedMaterial(Model):
    """容缺受理: a secondary material (MatterMaterial.tolerable) the case was accepted without, on
    the applicant's written commitment (承诺书), due by `due_on` (services/tolerated.py). The
    warning scan tells the assignee on the due date and the chief representatives after the grace
    period, once each, until `received_at` is recorded."""

    __tablename__ = "tolerated_material"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id", ondelete="CASCADE"), index=True)
    material_id: Mapped[int | None] = mapped_column(sa.ForeignKey("matter_material.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(sa.String(200))
    due_on: Mapped[date] = mapped_column(sa.Date)
    received_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    received_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))

    case: Mapped[Case] = relationship(back_populates="tolerated")
    received_by: Mapped[Staff | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("case_id", "material_id", name="uq_tolerated_material_case_material"),
        # The scan: the missing ones by due date (a small partial index: received ones drop out).
        sa.Index(
            "ix_tolerated_material_missing_due",
            "due_on",
            "case_id",
            postgresql_where=sa.text("received_at IS NULL"),
            sqlite_where=sa.text("received_at IS NULL"),
        ),
    )
    # Read through its case (the case page, the 容缺 list), never listed by itself.
    __scope__ = EVERYTHING_ONLY

    def __str__(self) -> str:
        return self.name


class ViolationKind(LabeledEnum):
    step_overdue = _l("Step held past its share of the limit")
    second_supplement = _l("Second supplement request")
    fee_mismatch = _l("Fee different from the standard")
    cross_department = _l("Action on another department's case")
    overdue = _l("Case overdue")
    # Seed 003: a case the comprehensive window accepted for a member department is handed over
    # within `duty_handoff_days` working days; later is the on-duty person's violation.
    duty_handoff_overdue = _l("Comprehensive-window hand-off overdue")
    # 000 第十五条(3) 对权限外环节进行操作: a step acted on by staff not holding its handler position.
    beyond_authority = _l("Action on a step outside one's authority")
    # 000 第十五条(1) 未及时向系统内录入: entered later than `late_entry_workdays` after reception.
    late_entry = _l("Case entered late into the system")
    # Seed 002: a co-department that sat on its joint task past its deadline, defaulted by the center.
    task_defaulted = _l("Joint task defaulted by the center")
    # Issue 17.3: an online application's pre-review (预审) not done within `prereview_limit_days`.
    prereview_overdue = _l("Online application not pre-reviewed in time")


class ViolationStatus(LabeledEnum):
    """Only confirmed violations count: in the scores and towards the quarter's disqualification."""

    confirmed = _l("Confirmed")
    # A second supplement request, with its reason, until a supervisor decides (or it lapses).
    pending = _l("To be confirmed")
    dismissed = _l("Dismissed (justified)")
    cancelled = _l("Cancelled on appeal")


class Violation(Model):
    """A detected operating violation (业务违规操作), for the assessment."""

    __tablename__ = "violation"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ViolationKind] = enum_field(ViolationKind, index=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime, index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case.id", ondelete="SET NULL"), index=True)
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    window_id: Mapped[int | None] = mapped_column(sa.ForeignKey("window.id"))
    detail: Mapped[str] = mapped_column(sa.String(500))
    status: Mapped[ViolationStatus] = enum_field(
        ViolationStatus, default=ViolationStatus.confirmed, server_default=ViolationStatus.confirmed.name
    )
    decided_by: Mapped[str | None] = mapped_column(sa.String(100))
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    case: Mapped[Case | None] = relationship()
    department: Mapped[Department | None] = relationship()
    staff: Mapped[Staff | None] = relationship()

    def __str__(self) -> str:
        return f"{self.kind.label} {self.at:%Y-%m-%d}"

    __scope__ = ScopedBy(
        center=("case.center_id", "staff.center_id", "department.center_id"),
        department=("department_id",),
        owner="staff_id",
    )


class CaseCounter(Model):
    """Last sequence number used per center and year (case numbers are center + date + sequence)."""

    __tablename__ = "case_counter"

    center_id: Mapped[int] = mapped_column(sa.ForeignKey("center.id"), primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    last: Mapped[int] = mapped_column(sa.Integer, default=0)

    __scope__ = EVERYTHING_ONLY


class DocumentCounter(Model):
    """Last number used per document series and year (缺席默认通知书 default_approval, inspection)."""

    __tablename__ = "document_counter"

    series: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    last: Mapped[int] = mapped_column(sa.Integer, default=0)

    __scope__ = EVERYTHING_ONLY

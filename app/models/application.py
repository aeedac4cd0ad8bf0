"""Online applications (网上申报 / 预审, issue 17): a citizen or an enterprise applies on the
portal for a matter marked online, with the matter's materials uploaded as files (StoredFile,
`application_id`, `matter_material_id`, `round`), before it becomes a case.

States: submitted (awaiting pre-review) → correction_requested (一次性告知: the notice and the
materials asked) → resubmitted (awaiting pre-review again) → passed (the case is accepted,
channel online; `case_id`) | refused (not within the matter; reason) | withdrawn (by the
applicant). submitted, correction_requested and resubmitted are open: one applicant (by ID
number or credit code) has at most one open application per matter — a partial unique index,
so two submissions racing each other cannot both win.
"""

from datetime import datetime

import sqlalchemy as sa
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import LabeledEnum, VersionedMixin, enum_field
from .case import ApplicantType, Case
from .matter import Matter
from .org import Center, Department, Staff
from .scoping import EVERYTHING_ONLY, ScopedBy


class ApplicationStatus(LabeledEnum):
    submitted = _l("Submitted, awaiting pre-review")
    correction_requested = _l("Awaiting corrected materials")
    resubmitted = _l("Corrected, awaiting pre-review")
    passed = _l("Passed pre-review, accepted")
    refused = _l("Refused")
    withdrawn = _l("Withdrawn by the applicant")


# The applicant may still withdraw; the same applicant may not apply again for the matter.
OPEN_APPLICATION_STATUSES = (
    ApplicationStatus.submitted,
    ApplicationStatus.correction_requested,
    ApplicationStatus.resubmitted,
)
# Awaiting the department's pre-review (its queue).
AWAITING_REVIEW_STATUSES = (ApplicationStatus.submitted, ApplicationStatus.resubmitted)
CLOSED_APPLICATION_STATUSES = (ApplicationStatus.passed, ApplicationStatus.refused, ApplicationStatus.withdrawn)

_OPEN_CONDITION = sa.text(
    "status IN ({})".format(", ".join(f"'{status.name}'" for status in OPEN_APPLICATION_STATUSES))
)
# Written in AWAITING_REVIEW_STATUSES' order: SQLite reads a partial index only when the query
# repeats its condition, and the queue's waiting and overdue tabs write exactly this (status_in).
_AWAITING_CONDITION = sa.text(
    "status IN ({})".format(", ".join(f"'{status.name}'" for status in AWAITING_REVIEW_STATUSES))
)


class ApplicationAction(LabeledEnum):
    submit = _l("Submitted online")
    request_correction = _l("Correction notice sent (一次性告知)")
    resubmit = _l("Corrected materials uploaded")
    pass_review = _l("Passed pre-review")
    refuse = _l("Refused")
    withdraw = _l("Withdrawn")
    # 行政许可法 §32 reached for a joint matter (联办): the scan cannot name its co-departments, so
    # it records the acceptance on receipt here; a reviewer passes it naming them (prereview.py).
    # A plain VARCHAR value like every enum here: no DDL.
    deemed_accepted = _l("Counts as accepted on receipt (§32); awaiting its co-departments")


class Application(VersionedMixin, Model):
    """An online application (网上申报). Not in the audit log: its ApplicationEvent history is
    the audit."""

    __tablename__ = "application"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Tracking number on the receipt (WS + date + random digits), with the last four of the ID
    # number (or credit code) or phone the applicant's key to follow it.
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    status: Mapped[ApplicationStatus] = enum_field(ApplicationStatus)
    matter_id: Mapped[int] = mapped_column(sa.ForeignKey("matter.id"), index=True)
    # The matter's department and its center, copied at submission: the scope's keys.
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("center.id"))
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("department.id"))

    applicant_type: Mapped[ApplicantType] = enum_field(ApplicantType)
    # The person's name, or the enterprise's.
    applicant_name: Mapped[str] = mapped_column(sa.String(100))
    # Resident ID number (person) or unified social credit code (organisation), upper case,
    # checked (app/services/idnumber.py); stored whole like a case's.
    applicant_id_number: Mapped[str] = mapped_column(sa.String(30), index=True)
    applicant_phone: Mapped[str] = mapped_column(sa.String(20))
    # An enterprise's contact person (经办人).
    contact_name: Mapped[str | None] = mapped_column(sa.String(100))
    # The applicant ticked the declaration (materials true and complete); never False once stored.
    declaration_accepted: Mapped[bool] = mapped_column(sa.Boolean, default=False)

    submitted_at: Mapped[datetime] = mapped_column(sa.DateTime)
    # The pre-review is due by then (the pre-review's limit, from submission or resubmission).
    review_due_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # Correction round the files of the next upload belong to: 0 at submission, 1 after the
    # correction request (一次性告知: once).
    round: Mapped[int] = mapped_column(sa.Integer, default=0)
    correction_requested_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # 一次性告知: every missing or defective material and why (the text the applicant reads).
    correction_notice: Mapped[str | None] = mapped_column(sa.Text)
    # Ids of the matter's materials the correction asks for: only those accept uploads.
    correction_material_ids: Mapped[list | None] = mapped_column(sa.JSON)
    resubmitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # The pre-review scan flagged it past `review_due_at` (once per due time: a resubmission's new
    # limit is flagged again), services/prereview.py.
    review_flagged_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id", ondelete="SET NULL"))
    refusal_reason: Mapped[str | None] = mapped_column(sa.String(1000))
    # The case it became when it passed.
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case.id", ondelete="SET NULL"), index=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # When it left the open statuses (passed, refused, withdrawn): retention counts from it.
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    matter: Mapped[Matter] = relationship()
    center: Mapped[Center] = relationship()
    department: Mapped[Department] = relationship()
    reviewer: Mapped[Staff | None] = relationship()
    case: Mapped[Case | None] = relationship()
    events: Mapped[list["ApplicationEvent"]] = relationship(
        back_populates="application", order_by="ApplicationEvent.id", passive_deletes=True
    )
    files = relationship("StoredFile", back_populates="application", order_by="StoredFile.id", passive_deletes=True)

    __table_args__ = (
        # One open application per applicant and matter: a second submission, even racing the
        # first, fails on this index.
        sa.Index(
            "uq_application_open",
            "matter_id",
            "applicant_id_number",
            unique=True,
            postgresql_where=_OPEN_CONDITION,
            sqlite_where=_OPEN_CONDITION,
        ),
        # The department's queue and the center's list, by status and time.
        sa.Index("ix_application_department_status", "department_id", "status", "submitted_at"),
        sa.Index("ix_application_center_status", "center_id", "status", "submitted_at"),
        sa.Index("ix_application_submitted_at", "submitted_at"),
        # The pre-review limit scan: open ones past their due time, a range query.
        sa.Index("ix_application_status_review_due", "status", "review_due_at"),
        # The pre-review queue (services/prereview.py): a department's or a center's applications
        # awaiting review, most urgent first; 行政许可法 §32's scan: first-round ones by receipt.
        sa.Index("ix_application_department_status_due", "department_id", "status", "review_due_at"),
        sa.Index("ix_application_center_status_due", "center_id", "status", "review_due_at"),
        sa.Index("ix_application_status_submitted", "status", "submitted_at"),
        # The retention scan: closed ones older than the retention days.
        sa.Index("ix_application_closed_at", "closed_at"),
        # The queue's waiting and overdue tabs, most urgent first (bench.applications at 100k: SQL
        # p95 86.7 → 6.8 ms); a department's closed and all tabs, newest first (273 → 4.6 ms).
        sa.Index(
            "ix_application_awaiting_due",
            "review_due_at",
            postgresql_where=_AWAITING_CONDITION,
            sqlite_where=_AWAITING_CONDITION,
        ),
        sa.Index("ix_application_department_submitted", "department_id", "submitted_at"),
    )

    __scope__ = ScopedBy(center=("center_id",), department=("department_id",))

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_APPLICATION_STATUSES


class ApplicationEvent(Model):
    """Append-only history of an application (the timeline on its pages)."""

    __tablename__ = "application_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id", ondelete="CASCADE"), index=True)
    action: Mapped[ApplicationAction] = enum_field(ApplicationAction)
    at: Mapped[datetime] = mapped_column(sa.DateTime)
    # "申请人" for the applicant's own actions, the staff member's name otherwise.
    actor_name: Mapped[str] = mapped_column(sa.String(100))
    note: Mapped[str | None] = mapped_column(sa.String(1000))

    application: Mapped[Application] = relationship(back_populates="events")

    # Read through its application's page only.
    __scope__ = EVERYTHING_ONLY

    def __str__(self) -> str:
        return f"{self.action.label} {self.at:%Y-%m-%d %H:%M}"

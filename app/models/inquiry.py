"""The first-inquiry register (首问登记, issue 18 point 1).

Seed 004 第二十七条: 中心应建立首问负责制、一次性告知制、限时办理制、AB角工作制等各项服务制度; seed 003
(考核细则 (一) 工作纪律) deducts for breaking the 首问负责制度.

Whoever first receives an inquiry (at the counter, on the phone, through a portal message) records
it and stays responsible for it until it is closed: answered on the spot (closed at once), or
referred to a department or a staff member with a reply deadline; the referred person may record
the reply, the first responder closes the inquiry with the answer. An open inquiry past its
deadline is flagged once (`overdue_at`), told to the first responder and the chief representatives
of the first responder's department, and becomes an assessment record of the first responder.
"""

from datetime import datetime

import sqlalchemy as sa
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Audited, LabeledEnum, VersionedMixin, enum_field
from .matter import Matter
from .org import Center, Department, Staff
from .scoping import ScopedBy


class InquiryChannel(LabeledEnum):
    walk_in = _l("At the counter")
    phone = _l("By phone")
    portal = _l("Portal message")


class InquiryStatus(LabeledEnum):
    referred = _l("Referred, awaiting the answer")
    closed = _l("Closed")


class Inquiry(Audited, VersionedMixin, Model):
    """One inquiry, its first responder (首问责任人) and, when not answered on the spot, its referral."""

    __tablename__ = "inquiry"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(sa.DateTime)
    channel: Mapped[InquiryChannel] = enum_field(InquiryChannel)
    inquirer_name: Mapped[str] = mapped_column(sa.String(50))
    # In phone.py's one written form: the next call from the same number finds the history.
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    topic: Mapped[str] = mapped_column(sa.String(500))
    matter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("matter.id"))
    # The first responder, and the center and department they were at when they received it.
    responder_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("center.id"))
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"))
    status: Mapped[InquiryStatus] = enum_field(InquiryStatus)
    # The referral: to a department and/or one of its staff, answered by `due_at`.
    referred_department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"), index=True)
    referred_staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    due_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # The referred side's reply; the first responder still closes the inquiry.
    reply: Mapped[str | None] = mapped_column(sa.String(1000))
    replied_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    replied_by: Mapped[str | None] = mapped_column(sa.String(100))
    # The answer given to the inquirer, on the spot or at closing.
    answer: Mapped[str | None] = mapped_column(sa.String(1000))
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    closed_by: Mapped[str | None] = mapped_column(sa.String(100))
    # Set once by the overdue scan (feedback_scan): the notices and the assessment record key on it.
    overdue_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    recorded_by: Mapped[str] = mapped_column(sa.String(100))

    matter: Mapped[Matter | None] = relationship()
    responder: Mapped[Staff] = relationship(foreign_keys=[responder_id])
    center: Mapped[Center] = relationship()
    department: Mapped[Department | None] = relationship(foreign_keys=[department_id])
    referred_department: Mapped[Department | None] = relationship(foreign_keys=[referred_department_id])
    referred_staff: Mapped[Staff | None] = relationship(foreign_keys=[referred_staff_id])

    __table_args__ = (
        # The history of a caller's number, newest first.
        sa.Index("ix_inquiry_phone_received", "phone", "received_at"),
        # The overdue scan: open inquiries by deadline.
        sa.Index("ix_inquiry_status_due", "status", "due_at"),
        # A center's and a department's register by date (lists, counts).
        sa.Index("ix_inquiry_center_received", "center_id", "received_at"),
        sa.Index("ix_inquiry_department_received", "department_id", "received_at"),
        sa.Index("ix_inquiry_received", "received_at"),
    )

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d %H:%M} {self.topic[:30]}"

    # Staff see what they received or were referred; a chief representative the department's
    # (received or referred to it); a township head the center's; the center everything.
    __scope__ = ScopedBy(
        center=("center_id",),
        department=("department_id", "referred_department_id"),
        owner=("responder_id", "referred_staff_id"),
    )

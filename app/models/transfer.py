"""Transfers (接件登记 / 转交): a request or case handed from one center or department to
another, with receipt; and the files stored with them (StoredFile).

One model serves both hand-offs of the three-level network:
- village_request: a village point's agent (代办员) registers a villager's request and forwards
  it to the township center or straight to a county department's window; the receiving side
  confirms receipt, then accepts it into a case (channel proxy) or returns it with a reason.
- duty_handoff: the comprehensive window's on-duty department hands a case it accepted over
  to the owning department (交接登记: who, when, received by). Its entry is registered when the
  case is accepted, due `handoff_due_at`; the hand-off sends it, the owning department receives it
  (services/case_flow/duty.py).
"""

from datetime import datetime

import sqlalchemy as sa
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from .base import LabeledEnum, VersionedMixin, enum_field
from .case import ApplicantType, Case
from .matter import Matter
from .org import Center, Department, Staff, Window
from .scoping import EVERYTHING_ONLY, ScopedBy


class TransferKind(LabeledEnum):
    village_request = _l("Village request")
    duty_handoff = _l("Duty hand-off")


class TransferStatus(LabeledEnum):
    registered = _l("Registered")
    sent = _l("Awaiting receipt")
    received = _l("Received")
    accepted = _l("Accepted into a case")
    returned = _l("Returned")


# Statuses in which the receiving side still owes something (lists, the flag scan).
PENDING_STATUSES = (TransferStatus.sent, TransferStatus.received)


class TransferAction(LabeledEnum):
    register = _l("Register")
    forward = _l("Forward")
    receive = _l("Confirm receipt")
    accept = _l("Accept into a case")
    return_transfer = _l("Return")
    flag = _l("Receipt overdue")
    attach = _l("Attach scan")


class Transfer(VersionedMixin, Model):
    """Not in the audit log: its TransferEvent history is the audit."""

    __tablename__ = "transfer"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Tracking number on the receipt the villager keeps (ZJ + date + random digits).
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    kind: Mapped[TransferKind] = enum_field(TransferKind)
    status: Mapped[TransferStatus] = enum_field(TransferStatus)
    # The case it became (village request) or is about (duty hand-off).
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case.id", ondelete="SET NULL"), index=True)
    matter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("matter.id"), index=True)

    applicant_type: Mapped[ApplicantType | None] = enum_field(ApplicantType, nullable=True)
    applicant_name: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    # ID card number or unified social credit code.
    applicant_id_number: Mapped[str | None] = mapped_column(sa.String(30), index=True)
    applicant_phone: Mapped[str | None] = mapped_column(sa.String(20))
    # Ids of the matter's materials received (ticked from its list).
    material_ids: Mapped[list | None] = mapped_column(sa.JSON)
    note: Mapped[str | None] = mapped_column(sa.String(1000))

    from_center_id: Mapped[int] = mapped_column(sa.ForeignKey("center.id"))
    from_department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"), index=True)
    from_staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    to_center_id: Mapped[int | None] = mapped_column(sa.ForeignKey("center.id"))
    to_department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"), index=True)
    to_window_id: Mapped[int | None] = mapped_column(sa.ForeignKey("window.id"))

    registered_at: Mapped[datetime] = mapped_column(sa.DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # Receipt must be confirmed by then (setting), or the flag scan marks it.
    confirm_due_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # A duty hand-off: when the on-duty department must have handed the case over (seed 003: 0.5
    # working day after acceptance, setting duty_handoff_days).
    handoff_due_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    flagged_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    received_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    received_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    accepted_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    returned_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    return_reason: Mapped[str | None] = mapped_column(sa.String(1000))

    case: Mapped[Case | None] = relationship()
    matter: Mapped[Matter | None] = relationship()
    from_center: Mapped[Center] = relationship(foreign_keys=[from_center_id])
    from_department: Mapped[Department | None] = relationship(foreign_keys=[from_department_id])
    from_staff: Mapped[Staff | None] = relationship(foreign_keys=[from_staff_id])
    to_center: Mapped[Center | None] = relationship(foreign_keys=[to_center_id])
    to_department: Mapped[Department | None] = relationship(foreign_keys=[to_department_id])
    to_window: Mapped[Window | None] = relationship()
    received_by: Mapped[Staff | None] = relationship(foreign_keys=[received_by_id])
    events: Mapped[list["TransferEvent"]] = relationship(back_populates="transfer", order_by="TransferEvent.id")
    files: Mapped[list["StoredFile"]] = relationship(back_populates="transfer", order_by="StoredFile.id")

    __table_args__ = (
        # A center's lists (sent from a village point, or sent to the township) by status.
        sa.Index("ix_transfer_from_center_status", "from_center_id", "status", "registered_at"),
        sa.Index("ix_transfer_to_center_status", "to_center_id", "status", "registered_at"),
        # The flag scan: sent and not confirmed by the due time, a range query.
        sa.Index("ix_transfer_status_confirm_due", "status", "confirm_due_at"),
        sa.Index("ix_transfer_registered_at", "registered_at"),
        # The duty hand-off scan: entries still registered past their hand-off time, a range query.
        sa.Index("ix_transfer_status_handoff_due", "status", "handoff_due_at"),
    )

    # Both ends see it: the sending point (and the centers above it) and the receiving center
    # or department. A village agent, anchored at the point, sees the point's requests only.
    __scope__ = ScopedBy(
        center=("from_center_id", "to_center_id"),
        department=("to_department_id", "from_department_id"),
    )

    def __str__(self) -> str:
        return self.number

    @property
    def destination(self) -> str:
        parts = [str(x) for x in (self.to_center, self.to_department, self.to_window) if x is not None]
        return " / ".join(parts)


class TransferEvent(Model):
    """Append-only history of a transfer: one row per step (the timeline on its page)."""

    __tablename__ = "transfer_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(sa.ForeignKey("transfer.id", ondelete="CASCADE"), index=True)
    action: Mapped[TransferAction] = enum_field(TransferAction)
    at: Mapped[datetime] = mapped_column(sa.DateTime)
    actor_name: Mapped[str] = mapped_column(sa.String(100))
    note: Mapped[str | None] = mapped_column(sa.String(1000))

    transfer: Mapped[Transfer] = relationship(back_populates="events")

    # Read through its transfer's page only.
    __scope__ = EVERYTHING_ONLY

    def __str__(self) -> str:
        return f"{self.action.label} {self.at:%Y-%m-%d %H:%M}"


class StoredFile(Model):
    """An uploaded file (申请材料文件): content-checked, checksummed, stored outside static under
    a random name (app/services/stored_files.py). It belongs to one owner row: today a transfer;
    another owner adds its own nullable key and scope path."""

    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random file name under the instance directory's files/; never the uploader's name.
    storage_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    original_name: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(60))
    size: Mapped[int] = mapped_column(sa.Integer)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_at: Mapped[datetime] = mapped_column(sa.DateTime)
    uploaded_by: Mapped[str] = mapped_column(sa.String(100))
    transfer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("transfer.id", ondelete="CASCADE"), index=True)

    # Or a photo of an inspection finding (巡查/暗访, app/models/inspection.py).
    inspection_finding_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("inspection_finding.id", ondelete="CASCADE", name="fk_stored_file_finding"), index=True
    )

    # Or a material of an online application (网上申报, app/models/application.py): which of the
    # matter's materials it is, and the round it came with (0 at submission, 1 the correction).
    application_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("application.id", ondelete="CASCADE", name="fk_stored_file_application"), index=True
    )
    matter_material_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("matter_material.id", ondelete="SET NULL", name="fk_stored_file_matter_material")
    )
    round: Mapped[int | None] = mapped_column(sa.Integer)

    transfer: Mapped[Transfer | None] = relationship(back_populates="files")
    application = relationship("Application", back_populates="files")
    matter_material = relationship("MatterMaterial")
    inspection_finding = relationship("InspectionFinding", backref=backref("photos", order_by="StoredFile.id"))

    # Whoever sees the owner sees its files.
    __scope__ = ScopedBy(
        center=(
            "transfer.from_center_id",
            "transfer.to_center_id",
            "inspection_finding.inspection.center_id",
            "application.center_id",
        ),
        department=(
            "transfer.to_department_id",
            "transfer.from_department_id",
            "inspection_finding.department_id",
            "application.department_id",
        ),
    )

    def __str__(self) -> str:
        return self.original_name

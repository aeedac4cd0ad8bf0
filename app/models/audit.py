"""Append-only audit log of domain changes (the Django admin LogEntry idea)."""

from datetime import datetime

import sqlalchemy as sa
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from .base import LabeledEnum, enum_field
from .scoping import EVERYTHING_ONLY


class AuditAction(LabeledEnum):
    insert = _l("Created")
    update = _l("Updated")
    delete = _l("Deleted")


class AuditLog(Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime, index=True)
    # No FK: the log outlives users, and the name is kept as it was.
    actor_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    actor_name: Mapped[str] = mapped_column(sa.String(100))
    action: Mapped[AuditAction] = enum_field(AuditAction)
    table_name: Mapped[str] = mapped_column(sa.String(64))
    row_id: Mapped[str] = mapped_column(sa.String(64))
    summary: Mapped[str] = mapped_column(sa.String(200))
    # {"field": [before, after], ...}; on insert before is null, on delete after is null.
    changes: Mapped[dict] = mapped_column(sa.JSON)

    __table_args__ = (sa.Index("ix_audit_log_table_row", "table_name", "row_id"),)
    __scope__ = EVERYTHING_ONLY

    def __str__(self) -> str:
        return f"{self.table_name}#{self.row_id}"

"""全程代办 (seed 004 第十七条: 对重点项目开辟绿色通道，实行预约服务、全程代办): a key project's case
handled for the applicant by an assigned agent, free of charge, with its 承办表 and a call-back."""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import LabeledEnum, VersionedMixin, enum_field
from .case import Case
from .org import Staff
from .scoping import ScopedBy


class CallbackVerdict(LabeledEnum):
    satisfied = _l("Satisfied (满意)")
    basically_satisfied = _l("Basically satisfied (基本满意)")
    dissatisfied = _l("Dissatisfied (不满意)")


class CaseProxy(VersionedMixin, Model):
    """One case under full-process proxy: its agent, the free-of-charge declaration, the call-back."""

    __tablename__ = "case_proxy"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id", ondelete="CASCADE"), unique=True)
    agent_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    key_project: Mapped[str] = mapped_column(sa.String(200))
    # The proxy service is free (seed 004): the fee is 0 and the declaration ticked, or nothing is saved.
    proxy_fee: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), default=Decimal("0"))
    free_declared: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    assigned_at: Mapped[datetime] = mapped_column(sa.DateTime)
    assigned_by: Mapped[str] = mapped_column(sa.String(100))
    callback_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    callback_verdict: Mapped[CallbackVerdict | None] = enum_field(CallbackVerdict, nullable=True)
    callback_note: Mapped[str | None] = mapped_column(sa.String(500))
    callback_by: Mapped[str | None] = mapped_column(sa.String(100))

    case: Mapped[Case] = relationship()
    agent: Mapped[Staff] = relationship()
    entries: Mapped[list["ProxyEntry"]] = relationship(
        back_populates="proxy", cascade="all, delete-orphan", order_by="ProxyEntry.at"
    )

    __table_args__ = (
        sa.CheckConstraint("proxy_fee = 0", name="ck_case_proxy_free"),
        # The call-back list: proxies not yet called back.
        sa.Index("ix_case_proxy_callback", "callback_at", "assigned_at"),
    )
    __scope__ = ScopedBy(center=("case.center_id",), department=("case.department_id",), owner="agent_id")

    def __str__(self) -> str:
        return f"{self.key_project}"


class ProxyEntry(Model):
    """One row of the 承办表: what was handled for the applicant, when, by whom."""

    __tablename__ = "proxy_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    proxy_id: Mapped[int] = mapped_column(sa.ForeignKey("case_proxy.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime)
    handled: Mapped[str] = mapped_column(sa.String(500))
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    staff_name: Mapped[str] = mapped_column(sa.String(100))
    recorded_at: Mapped[datetime] = mapped_column(sa.DateTime)

    proxy: Mapped[CaseProxy] = relationship(back_populates="entries")

    __scope__ = ScopedBy(center=("proxy.case.center_id",), department=("proxy.case.department_id",))

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.handled}"

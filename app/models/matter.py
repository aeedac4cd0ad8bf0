"""The service matter catalogue (政务服务事项) with materials and steps."""

from decimal import Decimal

import sqlalchemy as sa
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Audited, LabeledEnum, VersionedMixin, enum_field
from .org import CenterLevel, Department, StaffPosition
from .scoping import ScopedBy


class MatterCategory(LabeledEnum):
    licensing = _l("Administrative licensing")
    confirmation = _l("Administrative confirmation")
    payment = _l("Administrative payment")
    levy = _l("Administrative levy")
    adjudication = _l("Administrative adjudication")
    award = _l("Administrative award")
    other_power = _l("Other administrative power")
    public_service = _l("Public service")


class CaseKind(LabeledEnum):
    immediate = _l("Immediate case")
    promised = _l("Promised case")
    joint = _l("Joint case")
    escalated = _l("Escalated case")
    urgent = _l("Urgent case")


class MatterStatus(LabeledEnum):
    active = _l("In service")
    suspended = _l("Suspended")
    abolished = _l("Abolished")


class TownshipHandling(LabeledEnum):
    """How a township center handles a matter it receives (seed 001, 运行方式)."""

    on_site = _l("Finished on site")  # 现场办结
    report_up = _l("Reported up for decision")  # 上报办结
    full_service = _l("Full service with delivery")  # 全程业务


class MaterialForm(LabeledEnum):
    original = _l("Original")
    copy = _l("Copy")
    original_and_copy = _l("Original and copy")
    electronic = _l("Electronic")


class Matter(Audited, VersionedMixin, Model):
    __tablename__ = "matter"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    category: Mapped[MatterCategory] = enum_field(MatterCategory, index=True)
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("department.id"), index=True)
    handling_level: Mapped[CenterLevel] = enum_field(CenterLevel, default=CenterLevel.county)
    case_kind: Mapped[CaseKind] = enum_field(CaseKind, default=CaseKind.promised)
    # Where the network may receive it (受理): intake at a center of another level is refused
    # (app/services/matter_levels.py). Seeded from handling_level by the same rule.
    received_at_county: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    received_at_sub_center: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    received_at_township: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    received_at_village: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    township_handling: Mapped[TownshipHandling] = enum_field(
        TownshipHandling, default=TownshipHandling.report_up, server_default=TownshipHandling.report_up.name
    )
    legal_basis: Mapped[str | None] = mapped_column(sa.Text)
    conditions: Mapped[str | None] = mapped_column(sa.Text)
    # Working days. The promised limit may not exceed the legal limit (checked in
    # services.catalogue and by a CHECK constraint).
    legal_limit_days: Mapped[int] = mapped_column(sa.Integer)
    promised_limit_days: Mapped[int] = mapped_column(sa.Integer)
    # 急办件 (seed 004: 实行“绿色通道”办理): an urgent case's limit, shorter than the promised one
    # (services.catalogue); empty: the setting urgent_limit_days (services.deadlines.urgent_limit_days).
    urgent_limit_days: Mapped[int | None] = mapped_column(sa.Integer)
    fee_standard: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), default=Decimal("0"))
    # Set when the fee may vary: any amount from fee_standard up to fee_max.
    fee_max: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    fee_basis: Mapped[str | None] = mapped_column(sa.String(500))
    online_available: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # Handled in the center's hall (进驻), not only in the department's own office.
    stationed: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    # The window may decide on site (授权到位), not just collect and forward.
    window_authorized: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    place: Mapped[str | None] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    status: Mapped[MatterStatus] = enum_field(MatterStatus, default=MatterStatus.active, index=True)

    department: Mapped[Department] = relationship()
    materials: Mapped[list["MatterMaterial"]] = relationship(
        back_populates="matter", cascade="all, delete-orphan", order_by="MatterMaterial.sort_order"
    )
    steps: Mapped[list["MatterStep"]] = relationship(
        back_populates="matter", cascade="all, delete-orphan", order_by="MatterStep.seq"
    )

    __table_args__ = (
        sa.CheckConstraint("legal_limit_days >= 0 AND promised_limit_days >= 0", name="ck_matter_limits_positive"),
        sa.CheckConstraint("promised_limit_days <= legal_limit_days", name="ck_matter_promised_within_legal"),
    )

    def __str__(self) -> str:
        return self.name

    @property
    def received_levels(self) -> str:
        """The levels of centers that receive it, for the portal guide: 县级政务服务中心、乡镇便民服务中心."""
        received = (
            (CenterLevel.county, self.received_at_county),
            (CenterLevel.sub_center, self.received_at_sub_center),
            (CenterLevel.township, self.received_at_township),
            (CenterLevel.village, self.received_at_village),
        )
        return "、".join(str(level.value) for level, yes in received if yes)

    # A township reads the catalogue of the centers above it: it receives their matters.
    __scope__ = ScopedBy(
        center=("department.center_id",), center_above=("department.center_id",), department=("department_id",)
    )


class MatterMaterial(Audited, Model):
    __tablename__ = "matter_material"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(sa.ForeignKey("matter.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    form: Mapped[MaterialForm] = enum_field(MaterialForm, default=MaterialForm.original_and_copy)
    original_count: Mapped[int] = mapped_column(sa.Integer, default=1)
    copy_count: Mapped[int] = mapped_column(sa.Integer, default=1)
    required: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    # 容缺受理: a secondary material the case may be accepted without, on the applicant's
    # commitment to bring it by a due date (services/tolerated.py).
    tolerable: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    note: Mapped[str | None] = mapped_column(sa.String(500))
    sort_order: Mapped[int] = mapped_column(sa.Integer, default=0)

    matter: Mapped[Matter] = relationship(back_populates="materials")

    def __str__(self) -> str:
        return self.name

    __scope__ = ScopedBy(
        center=("matter.department.center_id",),
        center_above=("matter.department.center_id",),
        department=("matter.department_id",),
    )


class MatterStep(Audited, Model):
    __tablename__ = "matter_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(sa.ForeignKey("matter.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(sa.Integer)
    name: Mapped[str] = mapped_column(sa.String(100))
    # The step's share of the promised limit, in working days.
    limit_days: Mapped[int] = mapped_column(sa.Integer, default=0)
    # Who handles the step (000 第十五条(3): acting on a step outside one's authority is 越权): a
    # staff position (Staff.position); only staff holding it, or the department's chief
    # representative, act on the case at this step (case_flow/guards.step_authority). None: any
    # of the department's staff.
    handler_position: Mapped[StaffPosition | None] = mapped_column(
        sa.Enum(StaffPosition, native_enum=False, length=50, validate_strings=True),
        info={"marshmallow_by_value": False},
    )
    note: Mapped[str | None] = mapped_column(sa.String(500))

    matter: Mapped[Matter] = relationship(back_populates="steps")

    __table_args__ = (sa.UniqueConstraint("matter_id", "seq", name="uq_matter_step_seq"),)

    def __str__(self) -> str:
        return f"{self.seq}. {self.name}"

    __scope__ = ScopedBy(
        center=("matter.department.center_id",),
        center_above=("matter.department.center_id",),
        department=("matter.department_id",),
    )

"""The working-day calendar's exceptions: holidays and makeup working days (调休)."""

from datetime import date

import sqlalchemy as sa
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from .base import Audited, LabeledEnum, VersionedMixin, enum_field
from .scoping import PUBLIC


class DayKind(LabeledEnum):
    holiday = _l("Holiday")
    workday = _l("Makeup working day")


class WorkCalendarDay(Audited, VersionedMixin, Model):
    """A day that breaks the weekday rule. A year with rows is a confirmed year."""

    __tablename__ = "work_calendar_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, unique=True)
    kind: Mapped[DayKind] = enum_field(DayKind)
    name: Mapped[str] = mapped_column(sa.String(50), default="")

    def __str__(self) -> str:
        return f"{self.day.isoformat()} {self.name}"

    # The calendar is the same for every department.
    __scope__ = PUBLIC

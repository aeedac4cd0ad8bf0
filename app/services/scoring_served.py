"""Who is scored for a month: the staff who served in it, and the share of it they served.

A staff member serves from `Staff.joined_on` (empty: always has) until the day a transfer out
or a return to the department took effect (the last effective one; only while the staff member
has left the center — a returning staff member serves again). A month served in full is scored;
a month served in part follows the setting `score_partial_month`: `not_scored` (the default)
leaves it out, `pro_rata` scores it with the base 100 points in proportion to the calendar
days served. Suspended staff are not scored, nor those who left on a date the system does not hold.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models.org import Staff, StaffStatus
from app.models.personnel import ChangeStatus, PersonnelChange
from app.services import settings
from app.services.personnel import LEAVING

SHARE = Decimal("0.0001")


@dataclass(frozen=True)
class Served:
    """The SQL condition on `Staff` of the month's scored staff, and the served share of each."""

    condition: object
    share: object


def _left_on():
    """The date a staff member who left the center stopped serving (NULL while serving)."""
    return (
        sa.select(sa.func.max(PersonnelChange.effective_on))
        .where(
            PersonnelChange.staff_id == Staff.id,
            PersonnelChange.kind.in_(LEAVING),
            PersonnelChange.status == ChangeStatus.effective,
        )
        .correlate(Staff)
        .scalar_subquery()
    )


def served(session: Session, month: date, next_month: date) -> Served:
    """The staff scored for the month starting `month`, and their share of it (1 for the whole month)."""
    left_on = sa.case((Staff.status == StaffStatus.left, _left_on()), else_=sa.null())
    working = sa.or_(
        Staff.status == StaffStatus.active, sa.and_(Staff.status == StaffStatus.left, left_on.is_not(None))
    )
    any_day = sa.and_(
        working,
        sa.or_(Staff.joined_on.is_(None), Staff.joined_on < next_month),
        sa.or_(left_on.is_(None), left_on > month),
    )
    whole = sa.and_(
        sa.or_(Staff.joined_on.is_(None), Staff.joined_on <= month),
        sa.or_(left_on.is_(None), left_on >= next_month),
    )
    if settings.get(session, "score_partial_month") != "pro_rata":
        return Served(sa.and_(any_day, whole), sa.literal(Decimal(1)))
    days = (next_month - month).days
    shares = {}
    for staff_id, joined_on, until in session.execute(
        sa.select(Staff.id, Staff.joined_on, left_on).where(any_day, ~whole)
    ):
        first = max(joined_on or month, month)
        last = min(until or next_month, next_month)
        shares[staff_id] = (Decimal((last - first).days) / days).quantize(SHARE, ROUND_HALF_UP)
    share = sa.case(shares, value=Staff.id, else_=sa.literal(Decimal(1))) if shares else sa.literal(Decimal(1))
    return Served(any_day, share)

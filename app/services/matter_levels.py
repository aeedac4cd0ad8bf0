"""Matters per level of the network (seed 001): where a matter may be received and how a
township center handles it.

A matter says at which levels of centers it may be received (受理: county hall, sub-center,
township center, village point) and, for a township, whether it is finished there (现场办结),
accepted there and decided by the county window (上报办结), or handled throughout on the
applicant's behalf with the result delivered in person (全程业务). The catalogue's handling
level seeds both (the migration 0024 runs the same rule in SQL); the matter form and the
importer edit them.
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.models.matter import Matter, MatterCategory, MatterStatus, TownshipHandling
from app.models.org import CenterLevel, Staff
from config import ROLE_DUTIES

# A township window takes in every matter its level receives, whatever the department (乡镇受理).
TOWNSHIP_ROLES = ROLE_DUTIES["township_window"]

# The matter column that says whether a center of each level may receive it.
RECEIVED_AT = {
    CenterLevel.county: "received_at_county",
    CenterLevel.sub_center: "received_at_sub_center",
    CenterLevel.township: "received_at_township",
    CenterLevel.village: "received_at_village",
}


def levels_for(handling_level: CenterLevel, category: MatterCategory) -> dict:
    """The levels and township handling a matter of `handling_level` starts with: a sub-center's
    matter is received at the sub-center, every other at the county hall, and all of them at
    every township and village point (便民服务, 办事不出乡); a township finishes its own level's
    matters on site, reports the others up, and carries a licence (证照、批文) through for the
    applicant (全程业务)."""
    if handling_level in (CenterLevel.township, CenterLevel.village):
        handling = TownshipHandling.on_site
    elif category is MatterCategory.licensing:
        handling = TownshipHandling.full_service
    else:
        handling = TownshipHandling.report_up
    return {
        "received_at_county": handling_level is not CenterLevel.sub_center,
        "received_at_sub_center": handling_level is CenterLevel.sub_center,
        "received_at_township": True,
        "received_at_village": True,
        "township_handling": handling,
    }


def level_errors(received: dict) -> list[str]:
    """Errors of a matter's levels (`received`: RECEIVED_AT's columns → bool): some level must receive it."""
    if any(received.get(column) for column in RECEIVED_AT.values()):
        return []
    return [str(_l("Tick at least one level that receives the matter: county, sub-center, township or village."))]


def receivable(matter, level: CenterLevel) -> bool:
    return bool(getattr(matter, RECEIVED_AT[level]))


def refusal(matter, level: CenterLevel):
    """The message refusing `matter` at a center of `level`, or None if it may be received there."""
    if receivable(matter, level):
        return None
    return _l(
        "“%(matter)s” is not received at a %(level)s; it is received at: %(levels)s.",
        matter=matter.name,
        level=level.value,
        levels=matter.received_levels or _l("nowhere"),
    )


def receiving_center(session, actor, matter=None):
    """The center where `actor` takes an application in: their window's, else their own (a
    stationed clerk without a counter), else the center of the matter's department."""
    staff = session.get(Staff, actor.staff_id) if actor.staff_id else None
    if staff is not None and staff.window is not None:
        return staff.window.center
    if staff is not None:
        return staff.center
    return matter.department.center if matter is not None else None


def intake_clause(session, actor, day):
    """SQL condition on Matter: what the actor's desk may take in on `day`: matters in service
    that its center's level receives, of the departments it accepts for (its own; a comprehensive
    window's members while on duty) or, at a township window, of every department."""
    from app.services import rotation

    center = receiving_center(session, actor)
    if center is None or actor.department_id is None:
        return sa.false()
    if actor.roles & TOWNSHIP_ROLES:
        departments = sa.true()
    else:
        departments = Matter.department_id.in_(rotation.acceptable_departments(session, actor, day))
    received = getattr(Matter, RECEIVED_AT[center.level]).is_(True)
    return sa.and_(Matter.status == MatterStatus.active, received, departments)

"""One light per case: the warning light and working days left that the case page, the case
list, the dashboard and the REST API all show, from one rule.

The rule reads the case at its clock's reference instant:
- running (accepted, in progress): `now`;
- suspended (补件, 上报, 特别程序): the instant the clock stopped (`suspended_at`). The light and
  the days left are frozen until the clock restarts (行政许可法 §45; clock.resume adds the paused
  working days back, after which the same number of days is left);
- finished (completed, returned, withdrawn): the instant it closed (`finished_at`), or the instant
  its clock stopped if it closed while suspended: its final state, on time (green) or overdue
  (red), never yellow;
- no deadline (an application awaiting its materials before acceptance): no light.

At the reference instant t: red if t is past the deadline; yellow if t is inside the warning
window (from the stored `warn_at`, which the warning scan reads too); green otherwise.

`case_light` applies the rule to one case, with the days left (which need the working calendar);
`light_sql` is the same rule as one SQL expression, for counting and filtering many cases at once
(dashboard, quick lists, export). tests/services/test_case_light.py checks them case by case.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

import sqlalchemy as sa

from app.models.case import OPEN_STATUSES, RUNNING_STATUSES, Case, CaseStatus, Light
from app.services.workdays import WorkCalendar


class Phase(Enum):
    running = "running"
    suspended = "suspended"
    finished = "finished"


@dataclass(frozen=True)
class CaseLight:
    light: Light | None
    # Working days from the reference instant to the deadline: 0 = due that day, negative = overdue.
    days_left: int | None
    phase: Phase | None
    at: datetime | None  # the reference instant

    def as_dict(self) -> dict:
        """The API's fields."""
        return {
            "light": self.light.name if self.light else None,
            "days_left": self.days_left,
            "clock": self.phase.value if self.phase else None,
        }


NO_LIGHT = CaseLight(None, None, None, None)


def light_at(at: datetime, deadline_at: datetime, warn_at: datetime | None, *, finished: bool = False) -> Light:
    if at > deadline_at:
        return Light.red
    if not finished and warn_at is not None and at >= warn_at:
        return Light.yellow
    return Light.green


def days_left_at(at: datetime, deadline_at: datetime, calendar: WorkCalendar) -> int:
    """Working days from `at` to the deadline (0 = due that day, negative = overdue, at least 1 once past)."""
    if at > deadline_at:
        return -max(1, calendar.workdays_between(deadline_at.date(), at.date()))
    return calendar.workdays_between(at.date(), deadline_at.date())


def _reference(case: Case, now: datetime) -> tuple[Phase | None, datetime | None]:
    if case.deadline_at is None:
        return None, None
    if case.status in RUNNING_STATUSES:
        return Phase.running, now
    if case.status is CaseStatus.suspended:
        return Phase.suspended, case.suspended_at or now
    if case.status in OPEN_STATUSES:  # submitted again with a deadline: nothing runs
        return None, None
    stopped = [t for t in (case.finished_at, case.suspended_at) if t is not None]
    return Phase.finished, min(stopped) if stopped else now


def case_light(case: Case, now: datetime, calendar: WorkCalendar) -> CaseLight:
    """The case's light and days left as of `now` (frozen while suspended, final once finished)."""
    phase, at = _reference(case, now)
    if phase is None:
        return NO_LIGHT
    light = light_at(at, case.deadline_at, case.warn_at, finished=phase is Phase.finished)
    return CaseLight(light, days_left_at(at, case.deadline_at, calendar), phase, at)


_OTHER_OPEN = [s for s in OPEN_STATUSES if s not in RUNNING_STATUSES and s is not CaseStatus.suspended]


def _reference_sql(now: datetime):
    now = sa.literal(now, sa.DateTime)
    stopped_first = sa.case(
        (sa.and_(Case.suspended_at.is_not(None), Case.suspended_at < Case.finished_at), Case.suspended_at),
        else_=sa.func.coalesce(Case.finished_at, Case.suspended_at, now),
    )
    return sa.case(
        (Case.status.in_(RUNNING_STATUSES), now),
        (Case.status == CaseStatus.suspended, sa.func.coalesce(Case.suspended_at, now)),
        else_=stopped_first,
    )


def light_sql(now: datetime):
    """case_light's light as one SQL expression ('green' / 'yellow' / 'red' / NULL)."""
    at = _reference_sql(now)
    finished = Case.status.not_in(OPEN_STATUSES)
    return sa.case(
        (sa.or_(Case.deadline_at.is_(None), Case.status.in_(_OTHER_OPEN)), sa.null()),
        (at > Case.deadline_at, sa.literal(Light.red.name)),
        (sa.and_(sa.not_(finished), Case.warn_at.is_not(None), at >= Case.warn_at), sa.literal(Light.yellow.name)),
        else_=sa.literal(Light.green.name),
    )


def open_with_light(light: Light, now: datetime):
    """Open cases showing `light`, as a WHERE clause the (status, deadline_at) and (status, warn_at)
    indexes serve for running cases (compared with `now`); suspended ones compare their frozen instant."""
    running = Case.status.in_(RUNNING_STATUSES)
    suspended = Case.status == CaseStatus.suspended
    frozen = sa.func.coalesce(Case.suspended_at, sa.literal(now, sa.DateTime))
    if light is Light.red:
        return sa.or_(sa.and_(running, Case.deadline_at < now), sa.and_(suspended, frozen > Case.deadline_at))
    if light is Light.yellow:
        return sa.or_(
            sa.and_(running, Case.warn_at <= now, Case.deadline_at >= now),
            sa.and_(suspended, frozen >= Case.warn_at, frozen <= Case.deadline_at),
        )
    return sa.or_(
        sa.and_(running, Case.deadline_at >= now, sa.or_(Case.warn_at.is_(None), Case.warn_at > now)),
        sa.and_(suspended, frozen <= Case.deadline_at, sa.or_(Case.warn_at.is_(None), frozen < Case.warn_at)),
    )

"""The case clock: deadlines in working days, suspension and resumption, going overdue.

Conventions (see services.deadlines): a suspension's paused working days are those in
(suspended_at, resumed_at]: the day the clock stops still counts, the day it restarts does not.

A case that goes red while an action runs records its overdue event only after the action's
own event (history.event calls record_overdue), so the history follows on.
"""

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, object_session

from app.models.case import (
    OPEN_STATUSES,
    RUNNING_STATUSES,
    Case,
    CaseAction,
    CaseEvent,
    CaseStatus,
    Light,
    SuspendReason,
    TaskStatus,
    Violation,
    ViolationKind,
)
from app.services import calendar as calendar_service
from app.services import holders, settings, warnings
from app.services.case_flow.guards import violation
from app.services.deadlines import OfficeHours, deadline, parse_office_hours, step_due_at
from app.services.warning_scan import SYSTEM as SYSTEM_NAME
from app.services.warning_scan import overdue_detail
from app.services.workdays import WorkCalendar


@dataclass(frozen=True)
class Clock:
    """What the deadline rules need besides `now`: calendar, office hours, warning window."""

    calendar: WorkCalendar
    hours: OfficeHours
    warn_days: int = warnings.WARN_DAYS
    warn_ratio: float = warnings.WARN_RATIO

    @classmethod
    def load(cls, session: Session) -> "Clock":
        return cls(
            calendar_service.load(session),
            parse_office_hours(settings.get(session, "office_hours")),
            int(settings.get(session, "warning_days")),
            float(settings.get(session, "warning_ratio")),
        )

    def warn_at(self, deadline_at, limit_days):
        return warnings.warn_at(
            deadline_at, limit_days, self.calendar, warn_days=self.warn_days, warn_ratio=self.warn_ratio
        )


def start_step(case: Case, clock: Clock, now: datetime) -> None:
    """The current step starts now: store when it will have outrun its share (step scan)."""
    session = object_session(case)
    # Loading the steps must not flush the half-changed case: that would be a second UPDATE (and version).
    with session.no_autoflush if session else nullcontext():
        step = case.current_step
    case.step_due_at = step_due_at(clock.calendar, now, step.limit_days if step else 0)


def step_overdue(session, case, actor, now):
    """A step held past its share of the limit is one violation, unless the step scan
    has recorded it already."""
    step = case.current_step
    if step is None or case.step_due_at is None or now < case.step_due_at:
        return []
    reported = session.scalar(
        sa.select(Violation.id).where(
            Violation.case_id == case.id, Violation.kind == ViolationKind.step_overdue, Violation.at >= case.step_due_at
        )
    )
    if reported:
        return []
    late = violation(
        ViolationKind.step_overdue,
        case,
        actor,
        now,
        f"办件 {case.number} 环节“{step.name}”超过分配的 {step.limit_days} 个工作日",
    )
    # Whoever held the case when its share ran out, not necessarily the one moving it on now.
    late.staff_id = holders.holder(session, case, case.step_due_at) or actor.staff_id
    return [late]


def recompute_deadline(case: Case, clock: Clock, now: datetime):
    result = deadline(
        case.accepted_at,
        case.limit_days,
        clock.calendar,
        clock.hours,
        paused_workdays=case.paused_workdays,
        extension_days=case.extension_days,
    )
    case.deadline_at = result.due_at
    case.warn_at = clock.warn_at(result.due_at, case.limit_days)
    was_red = case.light is Light.red
    case.light = Light.red if now > case.deadline_at else Light.yellow if now >= case.warn_at else Light.green
    case.calendar_unconfirmed = not result.confirmed
    if case.light is Light.red and not was_red and case.status in RUNNING_STATUSES:
        _went_overdue(case, now)


def _went_overdue(case: Case, now: datetime):
    """An action that turns a case red (a resume that adds no working day) records what the
    warning scan records when it does: one overdue event and one violation. The scan only looks
    at cases not red yet, so it would never catch this one.

    The event waits for the action's own (see record_overdue): written first, it said
    in_progress → in_progress right after a suspended case's last event, a history that
    does not follow on."""
    vars(case)["_overdue_at"] = now
    object_session(case).add(
        Violation(
            kind=ViolationKind.overdue,
            at=case.deadline_at,
            case_id=case.id,
            department_id=case.department_id,
            staff_id=holders.holder(object_session(case), case, case.deadline_at),
            window_id=case.window_id,
            detail=overdue_detail(case.number),
        )
    )


def record_overdue(case: Case):
    """The overdue event _went_overdue left pending, after whatever event the action wrote."""
    at = vars(case).pop("_overdue_at", None)
    if at is not None:
        object_session(case).add(
            CaseEvent(
                case=case,
                action=CaseAction.overdue,
                at=at,
                actor_name=SYSTEM_NAME,
                from_status=case.status,
                to_status=case.status,
                to_step=case.step_seq,
            )
        )


def suspend(case: Case, reason: SuspendReason, now):
    case.status = CaseStatus.suspended
    case.suspend_reason = reason
    case.suspended_at = now


def resume(case: Case, now, clock: Clock):
    paused = max(0, clock.calendar.workdays_between(case.suspended_at.date(), now.date()))
    case.paused_workdays += paused
    case.status = CaseStatus.in_progress
    case.suspend_reason = None
    case.suspended_at = None
    recompute_deadline(case, clock, now)
    return paused


def recompute_unconfirmed(session: Session, clock: Clock, now: datetime) -> int:
    """After a year's calendar is loaded: recompute open cases whose deadline was on weekdays only.

    Few cases are affected (those due in a year not yet published), so the ORM
    is fine here; the version moves on because the deadline really changed.
    """
    cases = session.scalars(
        sa.select(Case).where(
            Case.calendar_unconfirmed.is_(True), Case.status.in_(OPEN_STATUSES), Case.accepted_at.is_not(None)
        )
    ).all()
    for case in cases:
        recompute_deadline(case, clock, now)
        record_overdue(case)
        for task in case.tasks:
            if task.status is TaskStatus.open:
                task.deadline_at = case.deadline_at
    session.flush()
    return len(cases)

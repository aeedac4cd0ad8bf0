"""A case's history: the one CaseEvent each intake or action writes, and what it returns."""

from dataclasses import dataclass, field

from sqlalchemy.orm import object_session

from app.models.case import Case, CaseEvent, Violation
from app.services.case_flow.clock import record_overdue
from app.services.case_flow.guards import within_limit


@dataclass
class Outcome:
    case: Case
    event: CaseEvent
    violations: list[Violation] = field(default_factory=list)


def event(case, actor, now, action, from_status, *, note=None, materials=None, data=None, from_step=None):
    written = CaseEvent(
        case=case,
        action=action,
        at=now,
        actor_id=actor.user_id,
        actor_name=actor.name,
        from_status=from_status,
        to_status=case.status,
        from_step=from_step,
        to_step=case.step_seq,
        note=within_limit(note),
        materials=materials,
        data=data,
    )
    # In the session before the overdue event it may have caused, so it is written first
    # (a case being taken in is not in a session yet: its events go in with it).
    session = object_session(case)
    if session is not None:
        session.add(written)
    record_overdue(case)
    return written

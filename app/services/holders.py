"""Who held a case at an instant: the person a step-overdue, overdue or hand-off violation falls on.

Issue 16: "violations fall on whoever held the case when the rule was broken", not on whoever
holds it when the scan runs (a comprehensive window's case handed over after its step ran out is
the on-duty person's; handed over before, the receiver's). The case events that give the case a
holder carry it in data["assignee_id"]: acceptance, forward, the county taking an escalated case
in, the owning department receiving a duty hand-off. The holder at T is the last such event's at
or before T. Without one (a history from before events carried it) it is the acceptor when a
later event changed the holder, else the case's assignee.

One correlated subquery per case, on the case_event index by case: the scans use it only for
the few rows whose deadline they cross.
"""

import sqlalchemy as sa

from app.models.case import Case, CaseEvent

EVENT = CaseEvent.__table__.alias("holding")
_ASSIGNED = EVENT.c.data["assignee_id"].as_integer()


def holder_at(case_id, accepted_by_id, assignee_id, instant):
    """SQL: the staff id holding the case (columns of a case table) at `instant` (a column or value)."""
    last = (
        sa.select(_ASSIGNED)
        .where(EVENT.c.case_id == case_id, EVENT.c.at <= instant, _ASSIGNED.is_not(None))
        .order_by(EVENT.c.at.desc(), EVENT.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    reassigned = sa.exists().where(EVENT.c.case_id == case_id, _ASSIGNED.is_not(None))
    return sa.func.coalesce(last, sa.case((reassigned, accepted_by_id), else_=assignee_id))


def of_table(table, instant):
    """holder_at for a case table (Case.__table__ or an alias of it)."""
    return holder_at(table.c.id, table.c.accepted_by_id, table.c.assignee_id, instant)


def holder(session, case: Case, instant) -> int | None:
    """The holder of a stored case at `instant`, as the database has its history (an action's
    own changes, not flushed yet, are not part of it)."""
    if case.id is None:
        return case.assignee_id
    with session.no_autoflush:
        return session.scalar(sa.select(of_table(Case.__table__, instant)).where(Case.__table__.c.id == case.id))

"""上报 and 送达 (seed 001): a township case hands its decision up to the county and delivers it back.

A township center takes in matters of three kinds (seed 001, 运行方式): on-site matters it
finishes itself; report-up matters (上报办结业务) it accepts and reports up to the county
hall's window; full-service matters (全程业务) it handles on the applicant's behalf to the end.
For the last two the result goes back to the applicant in person (送达) and the case closes
with that delivery, not with a plain `complete`.

The hand-off is a pair of cases:
- `escalate` on a township case creates a child case at the matter's department's center
  (the county), in that department's list, awaiting acceptance (channel township), with the
  materials the township received; the township case waits, suspended as 上报.
- The county accepts the child (`accept_escalation`: its own clock from that moment, under
  the normal rules; the child's version makes two receivers at once end with exactly one).
- When the child closes (completed, denied, returned, default-approved), `follow` resumes
  the township case in the same transaction, with a CaseEvent on both.
- `deliver` closes the township case with the child's result (or, for a full-service matter
  handled in-house, the township's own decision), recording date, method and receiver.

Withdrawing or returning the township case while its child runs withdraws the child too: the
application is gone, so the county has nothing to decide. A child never closes by itself once
its parent is gone: the parent row is updated (version-checked) with every child result.
"""

from datetime import date, datetime, time
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import flag_modified

from app.models.case import (
    OPEN_STATUSES,
    Case,
    CaseAction,
    CaseResult,
    CaseStatus,
    Channel,
    DeliveryMethod,
    SuspendReason,
)
from app.models.matter import TownshipHandling
from app.models.org import CenterLevel
from app.services.case_flow.clock import resume, suspend
from app.services.case_flow.guards import (
    CaseError,
    checked_fee,
    own_department,
    require_decision,
    require_denial_reason,
)
from app.services.case_flow.history import event
from app.services.case_flow.reception import accept_case, next_number
from config import ROLE_DUTIES

# Centers whose cases hand decisions up and deliver results (the network below the county hall).
NETWORK_LEVELS = (CenterLevel.township, CenterLevel.village)

ON_SITE, REPORT_UP, FULL_SERVICE = TownshipHandling.on_site, TownshipHandling.report_up, TownshipHandling.full_service
DELIVERY_ROLES = ROLE_DUTIES["network_delivery"]


def in_network(case: Case) -> bool:
    return case.center.level in NETWORK_LEVELS


def delivers(case: Case) -> bool:
    """A network case of a report-up or full-service matter closes by delivery (送达)."""
    return in_network(case) and case.matter.township_handling in (REPORT_UP, FULL_SERVICE)


def open_child(case: Case) -> Case | None:
    return next((child for child in case.children if child.status in OPEN_STATUSES), None)


def _result_child(case: Case) -> Case | None:
    """The child whose result the township case holds: its last closed one."""
    closed = [child for child in case.children if child.status not in OPEN_STATUSES]
    return closed[-1] if closed else None


# ---------------------------------------------------------------------------
# Checks for the ACTIONS table: who (actor, case, now, inputs), ready (case, now)
# ---------------------------------------------------------------------------


def delivering_staff(actor, case, now, inputs=None):
    """The center's own staff hand the result over (the department's county staff do not)."""
    own_department(actor, case, now)
    if not actor.roles & DELIVERY_ROLES or actor.center_id != case.center_id:
        raise CaseError(_l("Only the staff of the center that received the case deliver its result."))


def parent_waiting(case, now):
    """A child case acts only while its township case waits for it."""
    parent = case.parent
    if parent is not None and not (
        parent.status is CaseStatus.suspended and parent.suspend_reason is SuspendReason.escalation
    ):
        raise CaseError(_l("The township case this one was escalated from is no longer waiting for it."))


def is_escalated(case, now):
    if case.parent_id is None:
        raise CaseError(_l("This case was not escalated from a township."))
    parent_waiting(case, now)


def not_escalated_intake(case, now):
    if case.status is CaseStatus.submitted and case.parent_id is not None:
        raise CaseError(_l("An escalated case is taken in with “Accept the escalated case”."))


def not_a_child(case, now):
    if case.parent_id is not None:
        raise CaseError(_l("An escalated case is withdrawn at the township, where the applicant applied."))


def closes_by_delivery(case, now):
    if not delivers(case):
        raise CaseError(_l("This case's result is not delivered by the center: complete it instead."))


def closes_without_delivery(case, now):
    if delivers(case):
        raise CaseError(_l("The result of this matter is delivered to the applicant: use “Deliver the result”."))


def no_open_child(case, now):
    if open_child(case) is not None:
        raise CaseError(_l("The county case is still running; its result comes back by itself."))


# ---------------------------------------------------------------------------
# Handlers (session, actor, case, now, *, clock, **inputs) → the event on `case`
# ---------------------------------------------------------------------------


def _materials(case: Case) -> list[str]:
    """What the township holds: the materials received at acceptance and every one supplemented."""
    names = []
    for written in case.events:
        if written.action in (CaseAction.accept, CaseAction.request_supplement):
            names += [name for name in written.materials or [] if name not in names]
    return names


def escalate(session, actor, case, now, *, clock, note=None):
    """上报. A network case hands the decision to the county in a child case; any other case
    (a county case reporting to the city, outside this system) waits for a result recorded by hand."""
    from_status = case.status
    if not in_network(case):
        suspend(case, SuspendReason.escalation, now)
        return event(case, actor, now, CaseAction.escalate, from_status, note=note)
    if case.matter.township_handling == ON_SITE:
        raise CaseError(_l("An on-site matter is finished at this center and is not escalated."))
    county = case.matter.department.center
    materials = _materials(case)
    child = Case(
        number=next_number(session, county, now),
        center=county,
        matter=case.matter,
        department_id=case.department_id,
        parent=case,
        step_seq=1,
        applicant_type=case.applicant_type,
        applicant_name=case.applicant_name,
        applicant_id_number=case.applicant_id_number,
        applicant_phone=case.applicant_phone,
        channel=Channel.township,
        kind=case.kind,
        submitted_at=now,
        limit_days=case.limit_days,
        status=CaseStatus.submitted,
        paused_workdays=0,
        extension_days=0,
        supplement_count=0,
    )
    session.add(child)
    suspend(case, SuspendReason.escalation, now)
    event(
        child,
        actor,
        now,
        CaseAction.escalation_received,
        None,
        note=note,
        materials=materials,
        data={"parent": case.number, "from_center": case.center.name},
    )
    return event(
        case,
        actor,
        now,
        CaseAction.escalate,
        from_status,
        note=note,
        materials=materials,
        data={"child": child.number},
    )


def accept_escalation(session, actor, case, now, *, clock):
    """The county window takes the escalated case in: its clock starts now."""
    received = next((e.materials for e in case.events if e.action is CaseAction.escalation_received), None)
    case.window_id, case.assignee_id = actor.window_id, actor.staff_id
    return accept_case(case, actor, now, clock, (), received or [])


def _resolve(value) -> DeliveryMethod:
    method = value if isinstance(value, DeliveryMethod) else DeliveryMethod.__members__.get(str(value or ""))
    if method is None:
        raise CaseError(_l("Choose how the result was delivered."))
    return method


def _delivered_at(value, now, since) -> datetime:
    """The delivery time: now, or a day given (its time of day taken as now's, or noon for a past day)."""
    if value in (None, ""):
        return now
    if isinstance(value, datetime):
        at = value
    else:
        try:
            day = value if isinstance(value, date) else date.fromisoformat(str(value).strip())
        except ValueError:
            raise CaseError(_l("Enter the delivery date as YYYY-MM-DD.")) from None
        at = now if day == now.date() else datetime.combine(day, time(12))
    if at > now:
        raise CaseError(_l("The delivery date cannot be in the future."))
    if since is not None and at.date() < since.date():
        raise CaseError(_l("The delivery date cannot be before the result was available."))
    return at


def deliver(
    session, actor, case, now, *, clock, method, receiver, delivered_on=None, note=None, approved=None, fee=None
):
    """送达: hand the result to the applicant and close the case with it."""
    method = _resolve(method)
    if len(receiver) > 100:
        raise CaseError(_l("The receiver's name is too long (at most 100 characters)."))
    child = _result_child(case)
    if child is None and case.matter.township_handling == REPORT_UP:
        raise CaseError(_l("A report-up matter is decided by the county: escalate it first."))
    since = max((e.at for e in case.events if e.action is CaseAction.receive_escalation_result), default=None)
    at = _delivered_at(delivered_on, now, since or case.accepted_at)
    from_status = case.status
    if child is not None:
        status = CaseStatus.completed if child.status is CaseStatus.completed else CaseStatus.returned
        result = child.result
        case.fee = Decimal("0")  # collected where the decision was made, and counted there
    else:
        approved = require_decision(approved)
        if not approved:
            note = require_denial_reason(note)
        fee = checked_fee(case, actor, now, fee, approved)
        status, result = CaseStatus.completed, CaseResult.approved if approved else CaseResult.denied
        case.fee = fee if approved else Decimal("0")
    case.status, case.result, case.finished_at = status, result, at
    case.delivered_at, case.delivery_method, case.delivery_receiver = at, method, receiver
    return event(
        case,
        actor,
        now,
        CaseAction.deliver,
        from_status,
        note=note,
        data={
            "delivered_at": at.isoformat(),
            "method": method.name,
            "receiver": receiver,
            "result": result.name,
            "child": child.number if child else None,
        },
    )


# ---------------------------------------------------------------------------
# After every action: results flow up, withdrawals flow down (perform calls this)
# ---------------------------------------------------------------------------


def follow(session, actor, case: Case, now: datetime, clock) -> None:
    """Carry the action's consequence across the pair, in the same transaction."""
    if case.status in OPEN_STATUSES:
        return
    # Loading the other case must not flush this one's change: that would be a second UPDATE (and version).
    with session.no_autoflush:
        if case.parent_id is not None:
            _result_to_parent(session, actor, case, now, clock)
        child = open_child(case)
        if child is not None:
            _withdraw_child(session, actor, case, child, now)


def _result_to_parent(session, actor, child: Case, now, clock):
    parent = child.parent
    parent_waiting(child, now)
    if child.status in (CaseStatus.completed, CaseStatus.returned):
        # The network sheet's working days of the hand-off (受理日不计: the sending day is day 0).
        child.handoff_workdays = clock.calendar.workdays_between(child.submitted_at.date(), child.finished_at.date())
    from_status = parent.status
    paused = resume(parent, now, clock)
    flag_modified(parent, "status")  # the version check: a parent withdrawn meanwhile refuses this
    note = child.events[-1].note if child.events else None
    event(
        parent,
        actor,
        now,
        CaseAction.receive_escalation_result,
        from_status,
        note=note,
        data={
            "child": child.number,
            "result": child.result.name,
            "paused_workdays": paused,
            "deadline": parent.deadline_at.isoformat(),
        },
    )


def _withdraw_child(session, actor, parent: Case, child: Case, now):
    from_status = child.status
    child.status, child.result, child.finished_at = CaseStatus.withdrawn, CaseResult.withdrawn, now
    flag_modified(child, "status")
    event(
        child,
        actor,
        now,
        CaseAction.withdraw,
        from_status,
        note=str(
            _l(
                "The township case %(number)s was closed (%(status)s).",
                number=parent.number,
                status=parent.status.label,
            )
        ),
        data={"parent": parent.number},
    )

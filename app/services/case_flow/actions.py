"""The actions on a case once it exists, declared once in ACTIONS, and `perform`, which runs one.

Each row of ACTIONS says who may take the action (a check from guards), from which statuses,
what else the case must be (ready), which text it cannot go without, and the handler that
makes the transition and writes exactly one CaseEvent. `perform` runs the checks in that
order, then the handler; `available_actions` offers the actions whose checks pass, so a
button is never offered that its action would refuse for the actor, status or case.

`perform()` owns the transaction: it commits a successful action, rolls back a refused one,
and then writes the violations a refusal must leave behind (an attempt on another
department's case is blocked *and* recorded). Illegal actions raise CaseError with a Chinese
message and change nothing.

Concurrency: the case row carries a version (optimistic lock). The caller's version must
match the stored one, and the UPDATE itself is conditional on it, so of two people acting at
once exactly one wins; the other gets StaleCase.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from inspect import signature

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from app.models.case import (
    OPEN_STATUSES,
    RUNNING_STATUSES,
    SETTLED_TASK_STATUSES,
    Case,
    CaseAction,
    CaseResult,
    CaseStatus,
    CaseTask,
    SuspendReason,
    TaskStatus,
    Violation,
    ViolationKind,
    ViolationStatus,
)
from app.models.matter import CaseKind
from app.models.notice import Notice, NoticeKind
from app.models.org import Staff
from app.services.case_flow import coordination, defaults, duty, guards, handoff, tolerated
from app.services.case_flow.clock import Clock, recompute_deadline, resume, start_step, step_overdue, suspend
from app.services.case_flow.guards import Actor, CaseError, StaleCase, violation
from app.services.case_flow.history import Outcome, event
from app.services.case_flow.reception import accept_case

# 行政许可法 §42: a decision may be extended by 10 working days, joint handling by 15.
MAX_EXTENSION_DAYS = {CaseKind.joint: 15}
DEFAULT_MAX_EXTENSION_DAYS = 10


# ---------------------------------------------------------------------------
# Handlers: (session, actor, case, now, *, clock, **inputs) → the event written.
# They run after the action's checks (see ACTIONS) and make the transition.
# ---------------------------------------------------------------------------


def accept(session, actor, case, now, *, clock, received_material_ids=(), co_department_ids=()):
    received = [m.name for m in case.matter.materials if m.id in set(received_material_ids)]
    return accept_case(case, actor, now, clock, co_department_ids, received)


def forward(session, actor, case, now, *, clock, assignee_id=None, next_step=True, note=None):
    violations = step_overdue(session, case, actor, now) if next_step else []
    from_status, from_step = case.status, case.step_seq
    if next_step:
        if case.step_seq >= len(case.matter.steps):
            raise CaseError(_l("This is the last step: complete the case instead."))
        case.step_seq += 1
        start_step(case, clock, now)
    assignee = None
    if assignee_id is not None:
        assignee = session.get(Staff, assignee_id)
        if assignee is None or assignee.department_id != case.department_id:
            raise CaseError(_l("The case can only be assigned to staff of its own department."))
        step = guards.current_step(case)
        if step is not None and not guards.holds_position(session, assignee.id, step.handler_position):
            raise CaseError(
                _l(
                    "The step “%(step)s” is handled by the %(position)s: assign the case to staff holding it.",
                    step=step.name,
                    position=step.handler_position.label,
                )
            )
        case.assignee_id = assignee.id
    case.status = CaseStatus.in_progress
    session.add_all(violations)
    if assignee is not None and assignee.user_id is not None and assignee.id != actor.staff_id:
        session.add(_forward_notice(case, actor, assignee, now))
    return event(
        case,
        actor,
        now,
        CaseAction.forward,
        from_status,
        from_step=from_step,
        note=note,
        data={"assignee_id": case.assignee_id},
    )


def _forward_notice(case, actor, assignee, now) -> Notice:
    """受件提醒 (000 第十一条: 流转后向接件人作相应的受件提醒): the receiver's inbox names the case,
    its step and who forwarded it. Keyed by the case's version before this action, so each
    forward notifies once."""
    step = guards.current_step(case)
    at_step = f"，当前环节：{step.name}" if step is not None else ""
    return Notice(
        user_id=assignee.user_id,
        kind=NoticeKind.case_forwarded,
        key=f"forward:{case.id}:{case.version}",
        case_id=case.id,
        detail=f"办件 {case.number}（{case.matter.name}）由{actor.name}转给您办理{at_step}"[:300],
        created_at=now,
    )


def request_supplement(session, actor, case, now, *, clock, materials, note=None):
    materials = [m.strip() for m in materials or [] if m and m.strip()]
    if not materials:
        raise CaseError(_l("List every missing material in one notice."))
    again = case.supplement_count >= 1
    if again:
        # 000 forbids only unjustified (无故) repeated requests: the clerk says why, and the
        # violation waits for a supervisor's confirmation (services/pending_violations.py).
        note = guards.require_text(note, _l("A further supplement request needs its reason in the note."))
    from_status = case.status
    case.supplement_count += 1
    violations = []
    if again:
        pending = violation(
            ViolationKind.second_supplement,
            case,
            actor,
            now,
            f"办件 {case.number} 第 {case.supplement_count} 次要求补正材料；理由：{note}",
        )
        pending.status = ViolationStatus.pending
        violations.append(pending)
    suspend(case, SuspendReason.supplement, now)
    session.add_all(violations)
    return event(case, actor, now, CaseAction.request_supplement, from_status, materials=materials, note=note)


def _pauses(reason, action):
    def run(session, actor, case, now, *, clock, note=None):
        from_status = case.status
        suspend(case, reason, now)
        return event(case, actor, now, action, from_status, note=note)

    return run


def _resumes(action):
    def run(session, actor, case, now, *, clock, note=None):
        from_status = case.status
        paused = resume(case, now, clock)
        return event(
            case,
            actor,
            now,
            action,
            from_status,
            note=note,
            data={"paused_workdays": paused, "deadline": case.deadline_at.isoformat()},
        )

    return run


_resume_supplement = _resumes(CaseAction.receive_supplement)


def receive_supplement(session, actor, case, now, *, clock, note=None, co_department_ids=()):
    """The missing materials arrived. A case held at intake is accepted now; a joint one (联办) names
    its co-departments as intake does (`co_department_ids`, checked by accept_case: departments in
    use, at least one), otherwise it is refused and nothing changes. A suspended case resumes (its
    co-departments were named at acceptance: any given are not read)."""
    if case.status is CaseStatus.submitted:
        # Materials completed before acceptance: the application is accepted now.
        return accept_case(case, actor, now, clock, co_department_ids, [])
    return _resume_supplement(session, actor, case, now, clock=clock, note=note)


def extend(session, actor, case, now, *, clock, days, reason):
    days = int(days)
    limit = MAX_EXTENSION_DAYS.get(case.kind, DEFAULT_MAX_EXTENSION_DAYS)
    if days < 1 or case.extension_days + days > limit:
        raise CaseError(_l("Extensions may add at most %(limit)s working days in all.", limit=limit))
    case.extension_days += days
    recompute_deadline(case, clock, now)
    return event(
        case,
        actor,
        now,
        CaseAction.extend,
        case.status,
        note=reason,
        data={"days": days, "deadline": case.deadline_at.isoformat()},
    )


def _end(case, status, result, now):
    """The case closes with its result; returns the status it closed from."""
    from_status = case.status
    case.status, case.result, case.finished_at = status, result, now
    return from_status


def _closes(status, result, action):
    def run(session, actor, case, now, *, clock, note=None):
        from_status = _end(case, status, result, now)
        return event(case, actor, now, action, from_status, note=note)

    return run


def return_case(session, actor, case, now, *, clock, reason, passive=False, applicant_opinion=None):
    """退件: the reason, and the applicant's opinion on it (000 第十二条: 退件时，应在系统相应位注明
    退件理由及当事人意见), kept in the event's data; a passive return (abandoned) may have none."""
    if applicant_opinion is not None and not isinstance(applicant_opinion, str):
        raise CaseError(_l("The applicant's opinion is text."))
    opinion = guards.within_limit((applicant_opinion or "").strip())
    result = CaseResult.returned_passive if passive else CaseResult.returned_active
    from_status = _end(case, CaseStatus.returned, result, now)
    data = {"passive": bool(passive)}
    if opinion:
        data["applicant_opinion"] = opinion
    return event(case, actor, now, CaseAction.return_case, from_status, note=reason, data=data)


def complete(session, actor, case, now, *, clock, approved=None, fee=None, note=None):
    approved = guards.require_decision(approved)
    if not approved:
        note = guards.require_denial_reason(note)
    fee = guards.checked_fee(case, actor, now, fee, approved)
    # 容缺受理: approved only once the tolerated materials are in (case_flow/tolerated.py).
    tolerated.may_decide(case, approved)
    # A task the center defaulted (缺席默认, case_flow/defaults.py) no longer holds the case back.
    if any(task.status not in SETTLED_TASK_STATUSES for task in case.tasks):
        raise CaseError(_l("Every co-department's task must be done before the case can be completed."))
    from_status = _end(case, CaseStatus.completed, CaseResult.approved if approved else CaseResult.denied, now)
    case.fee = fee if approved else Decimal("0")
    return event(
        case,
        actor,
        now,
        CaseAction.complete,
        from_status,
        note=note,
        data={"approved": bool(approved), "fee": str(case.fee)},
    )


def complete_task(session, actor, case, now, *, clock, task_id, note=None):
    task = session.get(CaseTask, task_id)
    if task.status is not TaskStatus.open:
        raise CaseError(_l("This task is already done."))
    task.status = TaskStatus.done
    task.done_at = now
    task.assignee_id = actor.staff_id
    return event(
        case,
        actor,
        now,
        CaseAction.complete_task,
        case.status,
        note=note,
        data={"task_id": task.id, "department_id": task.department_id},
    )


# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One action on a case. perform checks who → statuses → version → ready → required_text, then
    runs handler; available_actions offers it where who (or offer_to), statuses and ready pass."""

    name: str
    statuses: tuple
    who: Callable  # guards: (actor, case, now, inputs) → None or CaseError
    handler: Callable
    ready: Callable | None = None  # guards: (case, now) → None or CaseError
    required_text: tuple | None = None  # (input name, message when it is blank); the handler gets it stripped
    offer_to: Callable | None = None  # (actor, case) → bool, where `who` needs an input the offer cannot know
    button: bool = True  # False: taken through a page of its own, never offered on the case page

    def run(self, session, actor, case, version, now, clock, inputs):
        # Inputs the handler does not take, or lacks, are refused before any check (the API answers 400).
        signature(self.handler).bind(session, actor, case, now, clock=clock, **inputs)
        self.who(actor, case, now, inputs)
        guards.require_status(case, self.statuses)
        guards.require_version(case, version)
        if self.ready:
            self.ready(case, now)
        if self.required_text:
            name, message = self.required_text
            inputs = {**inputs, name: guards.require_text(inputs.get(name), message)}
        return self.handler(session, actor, case, now, clock=clock, **inputs)

    def offered(self, actor, case, now) -> bool:
        if not self.button or case.status not in self.statuses:
            return False
        if self.offer_to and not self.offer_to(actor, case):
            return False
        try:
            if not self.offer_to:
                self.who(actor, case, now, {})
            if self.ready:
                self.ready(case, now)
        except CaseError:
            return False
        return True


def _all(*checks):
    """One `ready` made of several checks, run in order."""

    def check(case, now):
        for each in checks:
            each(case, now)

    return check


_SUSPENDED = (CaseStatus.suspended,)
_EXTENDABLE = (*RUNNING_STATUSES, CaseStatus.suspended)
_OWN = guards.own_department
# Seed 003: the comprehensive window's duty desk also acts on what it accepted for a member
# department, until it hands the case over (case_flow/duty.py).
_DESK = duty.own_or_duty
# 000 第十五条(3): the actions taken at a step (move it on, pause it, decide or return the case)
# are the step's handler's (MatterStep.handler_position) or the chief representative's.
_STEP = guards.step_authority

# In the order the case page offers them: a suspended case's way out first.
ACTIONS = (
    Action(
        "receive_supplement",
        (CaseStatus.submitted, CaseStatus.suspended),
        _DESK,
        receive_supplement,
        ready=_all(
            guards.suspended_for(SuspendReason.supplement, _l("The case is not waiting for materials.")),
            handoff.not_escalated_intake,
        ),
    ),
    Action(
        "end_special",
        _SUSPENDED,
        _OWN,
        _resumes(CaseAction.end_special),
        ready=guards.suspended_for(SuspendReason.special_procedure),
    ),
    Action(
        "receive_escalation_result",
        _SUSPENDED,
        _OWN,
        _resumes(CaseAction.receive_escalation_result),
        ready=_all(guards.suspended_for(SuspendReason.escalation), handoff.no_open_child),
    ),
    Action("accept_escalation", (CaseStatus.submitted,), _OWN, handoff.accept_escalation, ready=handoff.is_escalated),
    Action("forward", RUNNING_STATUSES, _STEP(_OWN), forward),
    Action("request_supplement", RUNNING_STATUSES, _STEP(_OWN), request_supplement),
    Action(
        "start_special",
        RUNNING_STATUSES,
        _STEP(_OWN),
        _pauses(SuspendReason.special_procedure, CaseAction.start_special),
        required_text=("note", _l("Say what the procedure is and why.")),
    ),
    Action("escalate", RUNNING_STATUSES, _STEP(_OWN), handoff.escalate),
    Action(
        "extend",
        _EXTENDABLE,
        guards.chief_of_department,
        extend,
        required_text=("reason", _l("An extension needs a written reason.")),
    ),
    Action(
        "return_case",
        OPEN_STATUSES,
        _STEP(_DESK),
        return_case,
        ready=handoff.parent_waiting,
        required_text=("reason", _l("A return needs a reason.")),
    ),
    Action(
        "complete",
        RUNNING_STATUSES,
        _STEP(duty.own_or_duty_on_the_spot),
        complete,
        ready=_all(handoff.closes_without_delivery, handoff.parent_waiting),
    ),
    Action(
        "deliver",
        RUNNING_STATUSES,
        handoff.delivering_staff,
        handoff.deliver,
        ready=handoff.closes_by_delivery,
        required_text=("receiver", _l("Enter who received the result.")),
    ),
    Action(
        "withdraw",
        OPEN_STATUSES,
        _DESK,
        _closes(CaseStatus.withdrawn, CaseResult.withdrawn, CaseAction.withdraw),
        ready=handoff.not_a_child,
        required_text=("note", _l("Record the applicant's request to withdraw.")),
    ),
    Action(
        "issue_default_approval",
        RUNNING_STATUSES,
        guards.center,
        defaults.issue_default_approval,
        ready=_all(guards.overdue_without_extension, handoff.parent_waiting),
    ),
    # The same rules for a co-department's overdue joint task (the form names the task).
    Action(
        "default_task",
        RUNNING_STATUSES,
        defaults.center_on_overdue_task,
        defaults.default_task,
        ready=defaults.has_overdue_task,
        offer_to=defaults.offered_to_center,
    ),
    # 急办件: the center leads an urgent joint case (services/coordination.py).
    Action(
        "remind_task",
        OPEN_STATUSES,
        coordination.coordinator,
        coordination.remind_task,
        ready=coordination.is_urgent_joint,
        offer_to=coordination.offered_to_coordinator,
    ),
    Action(
        "reassign_task",
        OPEN_STATUSES,
        coordination.coordinator,
        coordination.reassign_task,
        ready=coordination.is_urgent_joint,
        offer_to=coordination.offered_to_coordinator,
    ),
    Action("hand_over", RUNNING_STATUSES + _SUSPENDED, duty.duty_desk, duty.hand_over, ready=duty.awaiting_handoff),
    Action("receive_handoff", OPEN_STATUSES, _OWN, duty.receive_handoff, ready=duty.receivable),
    # 容缺受理: the clerk records the arrival of materials the case was accepted without.
    Action("receive_tolerated", OPEN_STATUSES, _DESK, tolerated.receive, ready=tolerated.has_missing),
    Action("complete_task", OPEN_STATUSES, guards.task_department, complete_task, offer_to=guards.has_open_task),
    Action("accept", (CaseStatus.submitted,), _OWN, accept, button=False),
)
_BY_NAME = {action.name: action for action in ACTIONS}


def available_actions(actor: Actor, case: Case, now: datetime) -> list[str]:
    """The actions worth offering this actor now (perform still checks everything, the version too)."""
    return [action.name for action in ACTIONS if action.offered(actor, case, now)]


def perform(
    session: Session,
    actor: Actor,
    case_id: int,
    version,
    now: datetime,
    action: str,
    clock: Clock | None = None,
    **inputs,
) -> Outcome:
    """Run one action in its own transaction; refused → rolled back (violations still recorded)."""
    declared = _BY_NAME.get(action)
    if declared is None:
        raise CaseError(_l("Unknown action."))
    case = session.get(Case, case_id)
    if case is None:
        raise CaseError(_l("The case does not exist."))
    clock = clock or Clock.load(session)
    try:
        event_written = declared.run(session, actor, case, version, now, clock, inputs)
        # 上报: a child's result goes up to its township case, a closed township case's child is withdrawn.
        handoff.follow(session, actor, case, now, clock)
        # Every action rewrites the case row, even one that changes no column (a
        # re-assignment to the same person, a joint task): the UPDATE is what
        # checks and moves the version, so no event is ever written beside a
        # concurrent change.
        flag_modified(case, "status")
        session.add(event_written)
        violations = [obj for obj in session.new if isinstance(obj, Violation)]
        session.commit()
        return Outcome(case, event_written, violations)
    except StaleDataError as exc:
        session.rollback()
        raise StaleCase(_l("The case was changed by someone else. Reload it and try again.")) from exc
    except CaseError as exc:
        session.rollback()
        if exc.violations:
            session.add_all(exc.violations)
            session.commit()
        raise
    except Exception:
        session.rollback()
        raise

"""Who may do what to a case, and when: the checks an action passes before it changes anything.

A check raises CaseError with a message for the user (and, where the rules want it, the
violation the refusal leaves behind); none changes the case. actions.ACTIONS names the checks
of each action: `perform` runs them, `available_actions` offers an action whose checks pass.

The roles are duties of config.ROLE_DUTIES: window work, the department's chief, case supervision.
"""

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import object_session

from app.models.case import CaseStatus, CaseTask, TaskStatus, Violation, ViolationKind
from app.models.org import Staff, StaffPosition
from config import ROLE_DUTIES

WINDOW_ROLES = ROLE_DUTIES["window"]
CENTER_ROLES = ROLE_DUTIES["case_supervision"]
# 行政许可法 §42: an extension is approved in writing by the department's chief representative.
EXTENSION_ROLES = ROLE_DUTIES["department_chief"]
# A township center's comprehensive window handles its center's cases whatever the department.
TOWNSHIP_ROLES = ROLE_DUTIES["township_window"]


class CaseError(Exception):
    """An action was refused; the message is for the user."""

    def __init__(self, message, violations=()):
        super().__init__(str(message))
        self.violations = list(violations)


class StaleCase(CaseError):
    pass


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    name: str
    roles: frozenset
    staff_id: int | None = None
    department_id: int | None = None
    window_id: int | None = None
    # The center the staff member works at (Staff.center_id): a township window acts on its cases.
    center_id: int | None = None


def violation(kind, case, actor, now, detail) -> Violation:
    return Violation(
        kind=kind,
        at=now,
        case_id=case.id if case else None,
        department_id=actor.department_id if kind is ViolationKind.cross_department else case.department_id,
        staff_id=actor.staff_id,
        window_id=actor.window_id,
        detail=str(detail)[:500],
    )


# Who: (actor, case, now, inputs) → None, or CaseError.


def own_department(actor, case, now, inputs=None):
    """Window staff of the case's own department; another department's attempt is recorded."""
    if not actor.roles & WINDOW_ROLES or actor.department_id is None:
        raise CaseError(_l("Only window staff and chief representatives may handle cases."))
    if actor.roles & TOWNSHIP_ROLES and actor.center_id is not None and actor.center_id == case.center_id:
        return
    if actor.department_id != case.department_id:
        raise CaseError(
            _l("This case belongs to another department; the attempt has been recorded."),
            [
                violation(
                    ViolationKind.cross_department,
                    case,
                    actor,
                    now,
                    f"{actor.name} 试图操作其他部门的办件 {case.number}",
                )
            ],
        )


def current_step(case):
    """The matter step the case is at (None: a matter without steps, or past its last)."""
    return next((step for step in case.matter.steps if step.seq == case.step_seq), None)


def holds_position(session, staff_id, position, roles=frozenset()) -> bool:
    """Does this staff member hold `position`, or is he the department's chief representative
    (by position, or by the department chief's role), who may act on every step?"""
    if position is None:
        return True
    if roles & EXTENSION_ROLES:
        return True
    staff = session.get(Staff, staff_id) if staff_id is not None else None
    return staff is not None and staff.position in (position, StaffPosition.chief_rep)


def step_authority(who):
    """`who`, and then, for the case's own department, the step's handler position
    (MatterStep.handler_position): 000 第十五条(3) counts acting on a step outside one's authority
    (对权限外环节进行操作, 越权) as an operating violation, so the attempt is refused and recorded.
    The duty desk of a comprehensive window and a township window act under their own rules
    (case_flow/duty.py, guards.own_department), not the department's step positions."""

    def check(actor, case, now, inputs=None):
        who(actor, case, now, inputs)
        if actor.department_id != case.department_id:
            return
        step = current_step(case)
        if step is None or step.handler_position is None:
            return
        if holds_position(object_session(case), actor.staff_id, step.handler_position, actor.roles):
            return
        raise CaseError(
            _l(
                "The step “%(step)s” is handled by the %(position)s; you may not act on it. "
                "The attempt has been recorded.",
                step=step.name,
                position=step.handler_position.label,
            ),
            [
                violation(
                    ViolationKind.beyond_authority,
                    case,
                    actor,
                    now,
                    f"{actor.name} 越权操作办件 {case.number} 的“{step.name}”环节"
                    f"（该环节由{step.handler_position.label}办理）",
                )
            ],
        )

    check.__doc__ = f"{who.__doc__ or who.__name__} — and the step's handler position."
    return check


def chief_of_department(actor, case, now, inputs=None):
    own_department(actor, case, now)
    if not actor.roles & EXTENSION_ROLES:
        raise CaseError(_l("Only the chief representative may approve an extension."))


def center(actor, case, now, inputs=None):
    if not actor.roles & CENTER_ROLES:
        raise CaseError(_l("Only the center may issue a default approval."))


def task_department(actor, case, now, inputs):
    """Window staff of the co-department whose task (inputs["task_id"]) on this case it is."""
    task = object_session(case).get(CaseTask, inputs["task_id"])
    if task is None or task.case_id != case.id:
        raise CaseError(_l("No such task on this case."))
    if not actor.roles & WINDOW_ROLES or actor.department_id != task.department_id:
        raise CaseError(_l("Only the co-department itself may complete its task."))


def has_open_task(actor, case) -> bool:
    """Offer a co-department its task: the check itself needs the task the form names."""
    return bool(
        any(t.status is TaskStatus.open and t.department_id == actor.department_id for t in case.tasks)
        and actor.roles & WINDOW_ROLES
    )


# When, beyond the status: (case, now) → None, or CaseError.


def suspended_for(reason, message=_l("The case is suspended for another reason.")):
    """A resume ends the suspension it is for, and no other."""

    def check(case, now):
        if case.status is CaseStatus.suspended and case.suspend_reason is not reason:
            raise CaseError(message)

    return check


def overdue_without_extension(case, now):
    if case.deadline_at is None or now <= case.deadline_at:
        raise CaseError(_l("A default approval is only possible for an overdue case."))
    if case.extension_days:
        raise CaseError(_l("The case has an approved written extension."))


def allowed_fee(matter, fee: Decimal) -> bool:
    if matter.fee_max is not None:
        return matter.fee_standard <= fee <= matter.fee_max
    return fee == matter.fee_standard


def require_decision(approved) -> bool:
    """A decision is said, never assumed: approve (True) or deny (False), nothing else."""
    if not isinstance(approved, bool):
        raise CaseError(_l("Choose the decision first: approve or deny."))
    return approved


def checked_fee(case, actor, now, fee, approved) -> Decimal:
    """The fee of a decision (the matter's standard when none is given); a different one is
    refused and recorded."""
    fee = Decimal(str(fee if fee not in (None, "") else case.matter.fee_standard)).quantize(Decimal("0.01"))
    if approved and not allowed_fee(case.matter, fee):
        raise CaseError(
            _l("The fee %(fee)s does not match the matter's standard; it was not saved.", fee=fee),
            [
                violation(
                    ViolationKind.fee_mismatch,
                    case,
                    actor,
                    now,
                    f"办件 {case.number} 拟收费 {fee} 元，标准为 {case.matter.fee_standard} 元",
                )
            ],
        )
    return fee


# Every action: the status it starts from, the version the actor read, text that fits.


def require_status(case, allowed):
    if case.status not in allowed:
        raise CaseError(_l("This action is not possible while the case is “%(status)s”.", status=case.status.label))


def require_version(case, version):
    # A form sends the version as text, the API as a number; anything else is no version.
    if isinstance(version, str) and version.isascii() and version.isdigit():
        version = int(version)
    if isinstance(version, bool) or not isinstance(version, int):
        raise CaseError(_l("Send the case's version (a whole number, as last read) with the action."))
    if version != case.version:
        raise StaleCase(_l("The case was changed by someone else. Reload it and try again."))


def require_text(value, message):
    text = (value or "").strip()
    if not text:
        raise CaseError(message)
    return within_limit(text)


def require_denial_reason(note):
    """A denial (不予许可) is decided in writing, with its reason (行政许可法 §38): the reason
    is printed on the 不予许可决定书."""
    if note is not None and not isinstance(note, str):
        raise CaseError(_l("A denial needs a written reason: it is printed on the decision."))
    return require_text(note, _l("A denial needs a written reason: it is printed on the decision."))


def within_limit(text):
    """Notes and reasons fit CaseEvent.note (1000 characters)."""
    if text and len(text) > 1000:
        raise CaseError(_l("The text is too long (at most 1000 characters)."))
    return text

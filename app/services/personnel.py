"""人员变动 (分中心管理办法 第五条): transfers in and out, changes of post, staff sent back.

The chief representative requests a change for the own department; the center
(roles in the `personnel_approver_roles` setting, CenterManager by default)
approves or rejects it. A staff member who has served less than the minimum
tenure (`personnel_min_tenure_months`, 24; on a comprehensive window
`personnel_min_tenure_months_comprehensive`, 6) gets a warning stored on the
request and shown to the approver — a warning, not a block.

An approved change takes effect on its date: `apply_due_changes` (a daily job)
moves the staff member's department, window and position, or for a transfer out
or a return to the department marks them as having left the center and clears
the window. A 责令换人 sanction on a complaint opens a `sent_back` request itself
(`order_replacement`), waiting for the same approval. Approving a change whose
date has come applies it at once. Scope is computed from the Staff record, so what the staff member sees (and who sees
them) moves with the change.

Issue 19.5 adds:
- 晋升 (000 第五条: 调入、调出、晋升、换岗等，需报请中心批准): a `promotion` change to a higher
  rank (and optionally a new position); applying it sets the staff member's rank and position.
- the center's own reassignment (000 第五条: 中心有权对分中心人员进行岗位调配): a center approver
  opens any kind of change itself (`origin` center); it waits for a center approver like the
  rest, the requester never decides their own request, and the department's chief
  representatives hear of it in their inbox.
- eligibility warnings on appointment (transfer in, a change of post to chief representative,
  promotion), stored on the change: app/services/eligibility.py.
- 先进后出 (003 第六条: 窗口人员进行更换或调整时…采取“先进后出”的方式，确保窗口工作的衔接): a transfer
  out or a return to the department of a staff member holding a window is approved only when a
  successor has arrived at that window — another staff member on duty there whose arrival (an
  effective transfer in or change of post into it) falls after the leaver's own and on or
  before the leaving date — or when the window keeps at least `personnel_window_min_staff`
  (2: the A and B posts of 004 第二十七条 AB角工作制) other staff on duty. Otherwise the approval
  is refused (`personnel_successor_check` block, the seed's 应) or only warned of (warn). The
  seed's special cases that call for 中途调换 (严重违规违纪…) are the 责令换人 sanction: a change it
  opens carries the warning but is never blocked.
"""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload

from app.models.notice import NoticeKind
from app.models.org import Department, RecordStatus, Staff, StaffPosition, StaffRank, StaffStatus, Window, WindowKind
from app.models.org import window_member_department as members
from app.models.personnel import ChangeKind, ChangeOrigin, ChangeStatus, PersonnelChange
from app.services import centers, eligibility, notices, settings
from config import ROLE_DUTIES

MAX_TEXT = 500
LEAVING = (ChangeKind.transfer_out, ChangeKind.sent_back)
OPEN = (ChangeStatus.pending, ChangeStatus.approved)


class ChangeError(Exception):
    def __init__(self, message, code="refused"):
        super().__init__(str(message))
        self.code = code


@dataclass(frozen=True)
class Rules:
    approver_roles: frozenset = ROLE_DUTIES["center_approval"]
    min_months: int = 24
    min_months_comprehensive: int = 6
    successor_blocks: bool = True
    window_min_staff: int = 2
    appointment: eligibility.Rules = eligibility.Rules()

    @classmethod
    def load(cls, session: Session) -> "Rules":
        roles = settings.get(session, "personnel_approver_roles")
        return cls(
            frozenset(part.strip() for part in roles.split(",") if part.strip()),
            int(settings.get(session, "personnel_min_tenure_months")),
            int(settings.get(session, "personnel_min_tenure_months_comprehensive")),
            settings.get(session, "personnel_successor_check") != "warn",
            int(settings.get(session, "personnel_window_min_staff")),
            eligibility.Rules.load(session),
        )


def months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end`."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (1 if end.day < start.day else 0)


def tenure_warning(session: Session, staff: Staff, effective_on: date, rules: Rules) -> str | None:
    comprehensive = staff.window_id is not None and (
        session.scalar(sa.select(Window.kind).where(Window.id == staff.window_id)) is WindowKind.comprehensive
    )
    minimum = rules.min_months_comprehensive if comprehensive else rules.min_months
    if staff.joined_on is None:
        return str(_l("No date of joining is recorded: the minimum tenure could not be checked."))[:200]
    served = months_between(staff.joined_on, effective_on)
    if served >= minimum:
        return None
    return str(
        _l(
            "Served %(served)s months by the effective date, less than the minimum of %(minimum)s months%(where)s.",
            served=max(served, 0),
            minimum=minimum,
            where=_l(" on a comprehensive window") if comprehensive else "",
        )
    )[:200]


def _text(value, message):
    text = (value or "").strip()
    if not text:
        raise ChangeError(message, "input")
    if len(text) > MAX_TEXT or "\0" in text:
        raise ChangeError(_l("The text is too long (at most %(limit)s characters).", limit=MAX_TEXT), "input")
    return text


def _window_serves(session, window_id: int, department_id: int) -> bool:
    """A window of the department, or a comprehensive window it is a member of."""
    window = session.get(Window, window_id)
    if window is None or window.status is not RecordStatus.active:
        return False
    if window.department_id == department_id:
        return True
    return (
        session.scalar(
            sa.select(members.c.window_id).where(
                members.c.window_id == window_id, members.c.department_id == department_id
            )
        )
        is not None
    )


def request_change(
    session: Session,
    actor,
    now: datetime,
    rules: Rules,
    *,
    staff_id: int,
    kind,
    effective_on: date,
    reason: str,
    to_window_id: int | None = None,
    to_position=None,
    to_rank=None,
    to_department_id: int | None = None,
) -> PersonnelChange:
    """A pending change requested by the chief representative of the department concerned, or
    opened by the center itself (a center approver: 000 第五条 岗位调配).

    Transfer in: a staff member (of another department, or a record the center created) comes
    into the chief rep's department (the center names it: `to_department_id`), at `to_window_id`
    with `to_position`. Transfer out and sent back: a staff member of the department leaves the
    center. Change of post: a new window and/or position inside the department. Promotion: a
    higher rank (`to_rank`), and a new position if it comes with one.
    """
    center = bool(actor.roles & rules.approver_roles)
    chief = bool(actor.roles & ROLE_DUTIES["department_chief"]) and actor.department_id is not None
    if not (center or chief):
        raise ChangeError(_l("Personnel changes are requested by the department's chief representative."), "actor")
    if isinstance(kind, str):
        kind = ChangeKind.__members__.get(kind)
    if not isinstance(kind, ChangeKind):
        raise ChangeError(_l("Choose the kind of change."), "input")
    if isinstance(to_position, str):
        to_position = StaffPosition.__members__.get(to_position) if to_position else None
    if isinstance(to_rank, str):
        to_rank = StaffRank.__members__.get(to_rank) if to_rank else None
    if not isinstance(effective_on, date):
        raise ChangeError(_l("Enter the date the change takes effect."), "input")
    reason = _text(reason, _l("Give the reason for the change."))
    staff = session.get(Staff, staff_id) if staff_id else None
    if staff is None:
        raise ChangeError(_l("Choose the staff member concerned."), "input")
    if chief and not center:
        department_id = actor.department_id
    elif kind is ChangeKind.transfer_in:
        department_id = to_department_id
        if department_id is None or session.get(Department, department_id) is None:
            raise ChangeError(_l("Choose the department the staff member transfers into."), "input")
    else:
        department_id = staff.department_id
    if kind is ChangeKind.transfer_in:
        if staff.department_id == department_id and staff.status is StaffStatus.active:
            raise ChangeError(_l("This staff member already works in your department."), "input")
        if to_position is None:
            raise ChangeError(_l("Choose the position the staff member takes."), "input")
    else:
        if staff.department_id != department_id or staff.status is StaffStatus.left:
            raise ChangeError(_l("You may only request changes for staff of your own department."), "scope")
    if kind is ChangeKind.post_change and to_window_id is None and to_position is None:
        raise ChangeError(_l("Choose the new window or the new position."), "input")
    if kind is ChangeKind.post_change and to_window_id == staff.window_id and to_position in (None, staff.position):
        raise ChangeError(_l("The new post is the same as the current one."), "input")
    if kind is ChangeKind.promotion:
        if to_rank is None:
            raise ChangeError(_l("Choose the rank the staff member is promoted to."), "input")
        if staff.cadre_rank is not None and to_rank.order <= staff.cadre_rank.order:
            raise ChangeError(
                _l("A promotion is to a rank above the current one (%(rank)s).", rank=staff.cadre_rank), "input"
            )
        to_window_id = None
    else:
        to_rank = None
    if kind in LEAVING:
        to_window_id, to_position = None, None
    if to_window_id is not None and not _window_serves(session, to_window_id, department_id):
        raise ChangeError(_l("Choose a window in use of your own department."), "input")
    pending = session.scalar(
        sa.select(PersonnelChange.id).where(PersonnelChange.staff_id == staff.id, PersonnelChange.status.in_(OPEN))
    )
    if pending is not None:
        raise ChangeError(_l("This staff member already has a change waiting to take effect."), "duplicate")
    change = PersonnelChange(
        staff=staff,  # the object, not its id: the audit entry names the row by it ("None 调出" before)
        kind=kind,
        department_id=department_id,
        to_department_id=department_id if kind in (ChangeKind.transfer_in, ChangeKind.post_change) else None,
        to_window_id=to_window_id,
        to_position=to_position,
        to_rank=to_rank,
        effective_on=effective_on,
        reason=reason,
        tenure_warning=None if kind is ChangeKind.transfer_in else tenure_warning(session, staff, effective_on, rules),
        origin=ChangeOrigin.department if chief and not center else ChangeOrigin.center,
        status=ChangeStatus.pending,
        requested_at=now,
        requested_by=actor.name[:100],
        requested_by_user_id=actor.user_id,
    )
    change.eligibility_warning = appointment_warning(session, change, rules)
    change.successor_warning = successor_warning(session, change, rules)
    session.add(change)
    session.flush()
    if change.origin is ChangeOrigin.center:
        _tell_department(session, change, now)
    return change


def appointment_warning(session: Session, change: PersonnelChange, rules: Rules) -> str | None:
    """The eligibility warnings of a change that appoints (transfer in, chief rep, promotion)."""
    appoints = change.kind in (ChangeKind.transfer_in, ChangeKind.promotion) or (
        change.kind is ChangeKind.post_change and change.to_position is StaffPosition.chief_rep
    )
    if not appoints:
        return None
    profile = eligibility.profile_of(session, change.staff, position=change.to_position, rank=change.to_rank)
    return eligibility.joined(eligibility.warnings(profile, rules.appointment, change.effective_on))


def _arrivals(window_id: int, effective_on: date):
    """Effective arrivals into the window (transfer in, change of post) on or before the date."""
    return sa.select(PersonnelChange.staff_id, PersonnelChange.effective_on).where(
        PersonnelChange.to_window_id == window_id,
        PersonnelChange.kind.in_((ChangeKind.transfer_in, ChangeKind.post_change)),
        PersonnelChange.status == ChangeStatus.effective,
        PersonnelChange.effective_on <= effective_on,
    )


def successor_warning(session: Session, change: PersonnelChange, rules: Rules) -> str | None:
    """先进后出 (003 第六条): why the leaving staff member's window would be left uncovered (None: it is not).

    Covered when a successor has arrived (another staff member on duty at the window, arrived
    there after the leaver and on or before the leaving date) or the window keeps at least
    `window_min_staff` others on duty.
    """
    staff = change.staff
    if change.kind not in LEAVING or staff.window_id is None:
        return None
    window_id = staff.window_id
    arrivals = _arrivals(window_id, change.effective_on).subquery()
    own_arrival = session.scalar(sa.select(sa.func.max(arrivals.c.effective_on)).where(arrivals.c.staff_id == staff.id))
    since = own_arrival or staff.joined_on or date.min
    on_duty = sa.and_(Staff.window_id == window_id, Staff.status == StaffStatus.active, Staff.id != staff.id)
    successor = session.scalar(
        sa.select(Staff.name)
        .join(arrivals, arrivals.c.staff_id == Staff.id)
        .where(on_duty, arrivals.c.effective_on >= since)
        .order_by(arrivals.c.effective_on.desc())
        .limit(1)
    )
    if successor is not None:
        return None
    remaining = session.scalar(sa.select(sa.func.count()).select_from(Staff).where(on_duty))
    if remaining >= rules.window_min_staff:
        return None
    window = session.get(Window, window_id)
    return str(
        _l(
            "No successor has arrived at window %(window)s (先进后出), and %(remaining)s other staff would remain "
            "on duty there, fewer than %(minimum)s.",
            window=window,
            remaining=remaining,
            minimum=rules.window_min_staff,
        )
    )[:300]


def _tell_department(session: Session, change: PersonnelChange, now: datetime) -> int:
    """A change the center opened: the department's active chief representatives hear of it."""
    detail = (
        f"中心发起人员变动（{change.kind.label}）：{change.staff.name}，{change.effective_on:%Y-%m-%d} 起；"
        f"{change.reason[:150]}"
    )
    return notices.tell_chief_reps(
        session, NoticeKind.personnel_change_opened, f"personnel-change:{change.id}", change.department_id, detail, now
    )


def order_replacement(
    session: Session, staff: Staff, now: datetime, *, reason: str, ordered_by: str
) -> PersonnelChange:
    """责令换人 (000 第十六条): the center's sanction on a substantiated complaint sends the staff member
    back to the department — a pending `sent_back` change for the center to approve like any other,
    effective the day it is ordered (the approver may reject it with a reason). Refused when the staff
    member has left or already has a change waiting: that one is decided first."""
    if staff.status is StaffStatus.left:
        raise ChangeError(_l("This staff member has already left the center."), "input")
    pending = session.scalar(
        sa.select(PersonnelChange.id).where(PersonnelChange.staff_id == staff.id, PersonnelChange.status.in_(OPEN))
    )
    if pending is not None:
        raise ChangeError(_l("This staff member already has a change waiting to take effect."), "duplicate")
    change = PersonnelChange(
        staff=staff,
        kind=ChangeKind.sent_back,
        department_id=staff.department_id,
        effective_on=now.date(),
        reason=reason[:MAX_TEXT],
        origin=ChangeOrigin.sanction,
        status=ChangeStatus.pending,
        requested_at=now,
        requested_by=ordered_by[:100],
    )
    change.successor_warning = successor_warning(session, change, Rules.load(session))
    session.add(change)
    session.flush()
    return change


def _decide(actor, change: PersonnelChange, version, rules: Rules):
    if not actor.roles & rules.approver_roles:
        raise ChangeError(_l("Personnel changes are approved by the center."), "actor")
    if change.status is not ChangeStatus.pending:
        raise ChangeError(_l("This change has already been decided."), "state")
    if str(change.version) != str(version):
        raise ChangeError(_l("Someone else changed this record meanwhile; reload the page."), "stale")
    if change.requested_by_user_id is not None and change.requested_by_user_id == actor.user_id:
        raise ChangeError(_l("You cannot decide a change you requested yourself."), "actor")


def approve(session: Session, actor, change: PersonnelChange, version, now: datetime, rules: Rules, *, note=None):
    """The center approves; a change whose date has come takes effect at once. A leaving change
    whose window would be left without a successor is refused (先进后出), unless the setting only
    warns or a sanction ordered it: the warning is checked again now, a successor may have come."""
    _decide(actor, change, version, rules)
    change.successor_warning = successor_warning(session, change, rules)
    if change.successor_warning and rules.successor_blocks and change.origin is not ChangeOrigin.sanction:
        raise ChangeError(
            _l("Not approved: %(why)s Bring the successor in first, then approve.", why=change.successor_warning),
            "successor",
        )
    change.status, change.decided_at, change.decided_by = ChangeStatus.approved, now, actor.name[:100]
    change.decision_note = (note or "").strip()[:MAX_TEXT] or None
    session.flush()
    if change.effective_on <= now.date():
        _apply(session, change, now)
        session.flush()
    return change


def reject(session: Session, actor, change: PersonnelChange, version, now: datetime, rules: Rules, *, note):
    _decide(actor, change, version, rules)
    change.decision_note = _text(note, _l("Give the reason for rejecting the change."))
    change.status, change.decided_at, change.decided_by = ChangeStatus.rejected, now, actor.name[:100]
    session.flush()
    return change


ACTIONS = {"approve": approve, "reject": reject}


def _apply(session: Session, change: PersonnelChange, now: datetime) -> None:
    staff = change.staff
    if change.kind in LEAVING:
        staff.status, staff.window_id = StaffStatus.left, None
    else:
        if change.to_department_id is not None:
            staff.department_id = change.to_department_id
            staff.center_id = centers.place(session, staff.center_id, change.to_department_id)
        if change.kind is ChangeKind.transfer_in:
            staff.window_id = change.to_window_id
            staff.status = StaffStatus.active
        elif change.to_window_id is not None:
            staff.window_id = change.to_window_id
        if change.to_position is not None:
            staff.position = change.to_position
        if change.to_rank is not None:
            staff.cadre_rank = change.to_rank
    change.status, change.applied_at = ChangeStatus.effective, now


def apply_due_changes(session: Session, now: datetime) -> int:
    """Every approved change whose date has come takes effect; returns how many. Idempotent.

    One query finds them (with their staff); the updates go through the ORM so each Staff row's
    version moves on and the audit log records the move — a county has a handful a day.
    """
    due = session.scalars(
        sa.select(PersonnelChange)
        .options(joinedload(PersonnelChange.staff))
        .where(PersonnelChange.status == ChangeStatus.approved, PersonnelChange.effective_on <= now.date())
        .order_by(PersonnelChange.effective_on, PersonnelChange.id)
    ).all()
    for change in due:
        _apply(session, change, now)
    session.flush()
    return len(due)


def department_choices(session: Session):
    return session.execute(
        sa.select(Department.id, Department.name)
        .where(Department.status == RecordStatus.active)
        .order_by(Department.sort_order, Department.id)
    ).all()

"""请假 (分中心管理办法 第六条): filing, tiered approval, rejection, cancellation.

Length is counted in working days on the working-day calendar, by half days
(leave_days.py, which also tells which A/B posts are away). Tiers (thresholds are
settings):

- up to `leave_short_max_days` (1, 含): the chief representative or the level
  below (a staff member with position `leader`, 窗口负责人, of the same department);
- over that and under `leave_joint_min_days` (3): the chief representative;
- `leave_joint_min_days` or more: the department side (the chief representative
  records the department head's approval) AND the center side (a role in
  `leave_center_roles`, the center's leader in charge); approved only when both are.

A window's A post and B post must never be absent together: a request (at filing
and again at each approval) is refused when the other post of the same window
has approved leave overlapping it in working time.

Every function takes (session, actor, …, now) explicitly; the actor is the
case-flow `Actor` (app.security.actor_for builds it from a login). Refusals
raise LeaveError with a message for the user and a stable `code` for tests;
nothing is changed. The caller commits.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.models.org import Staff, StaffPosition, StaffStatus
from app.models.personnel import LeaveRequest, LeaveStatus, LeaveTier, LeaveType
from app.services import attendance, settings
from app.services import calendar as calendar_service
from app.services.deadlines import OfficeHours, parse_office_hours
from app.services.leave_days import overlap_days, working_days
from app.services.workdays import WorkCalendar
from config import ROLE_DUTIES

MAX_REASON = 500
ACTIVE = (LeaveStatus.pending, LeaveStatus.approved)


class LeaveError(Exception):
    def __init__(self, message, code="refused"):
        super().__init__(str(message))
        self.code = code


def _split(text: str) -> frozenset:
    return frozenset(part.strip() for part in (text or "").split(",") if part.strip())


@dataclass(frozen=True)
class Rules:
    calendar: WorkCalendar
    hours: OfficeHours
    short_max_days: Decimal = Decimal("1")
    joint_min_days: Decimal = Decimal("3")
    short_positions: frozenset = frozenset({"chief_rep", "leader"})
    chief_positions: frozenset = frozenset({"chief_rep"})
    center_roles: frozenset = ROLE_DUTIES["center_approval"]

    @classmethod
    def load(cls, session: Session) -> "Rules":
        return cls(
            calendar_service.load(session),
            parse_office_hours(settings.get(session, "office_hours")),
            Decimal(settings.get(session, "leave_short_max_days")),
            Decimal(settings.get(session, "leave_joint_min_days")),
            _split(settings.get(session, "leave_short_approver_positions")),
            _split(settings.get(session, "leave_chief_approver_positions")),
            _split(settings.get(session, "leave_center_roles")),
        )

    def tier(self, days: Decimal) -> LeaveTier:
        if days <= self.short_max_days:
            return LeaveTier.chief_or_below
        if days < self.joint_min_days:
            return LeaveTier.chief
        return LeaveTier.joint


# ---------------------------------------------------------------------------
# Guards
# ---------------------------------------------------------------------------


def _staff(session, staff_id) -> Staff | None:
    return session.get(Staff, staff_id) if staff_id else None


def _require_version(request: LeaveRequest, version):
    if str(request.version) != str(version):
        raise LeaveError(_l("Someone else changed this leave request meanwhile; reload the page."), "stale")


def _require_status(request: LeaveRequest, *allowed):
    if request.status not in allowed:
        raise LeaveError(
            _l("This is not possible while the leave request is “%(status)s”.", status=request.status.label), "state"
        )


def _text(value, message, *, required=True):
    text = (value or "").strip()
    if required and not text:
        raise LeaveError(message, "input")
    if len(text) > MAX_REASON:
        raise LeaveError(_l("The text is too long (at most %(limit)s characters).", limit=MAX_REASON), "input")
    if "\0" in text:
        raise LeaveError(_l("The text contains characters that are not allowed."), "input")
    return text or None


def _counterpart_absence(session, staff: Staff, starts_at, ends_at, rules: Rules, exclude_id=None):
    """The other post of the staff member's window on approved leave overlapping [starts_at, ends_at)
    in working time, or None. Only A and B posts are paired."""
    pair = {StaffPosition.a_post: StaffPosition.b_post, StaffPosition.b_post: StaffPosition.a_post}
    other = pair.get(staff.position)
    if other is None or staff.window_id is None:
        return None
    rows = session.execute(
        sa.select(LeaveRequest.starts_at, LeaveRequest.ends_at, Staff.name)
        .join(Staff, Staff.id == LeaveRequest.staff_id)
        .where(
            Staff.window_id == staff.window_id,
            Staff.position == other,
            Staff.status == StaffStatus.active,
            Staff.id != staff.id,
            LeaveRequest.status == LeaveStatus.approved,
            LeaveRequest.starts_at < ends_at,
            LeaveRequest.ends_at > starts_at,
            LeaveRequest.id != (exclude_id or 0),
        )
    ).all()
    for other_start, other_end, name in rows:
        if overlap_days(starts_at, ends_at, other_start, other_end, rules) > 0:
            return name
    return None


def _check_posts(session, staff, starts_at, ends_at, rules, exclude_id=None):
    name = _counterpart_absence(session, staff, starts_at, ends_at, rules, exclude_id)
    if name is not None:
        raise LeaveError(
            _l(
                "The window's A post and B post may not be absent at the same time: %(name)s is on approved "
                "leave in this period.",
                name=name,
            ),
            "ab_absent",
        )


# ---------------------------------------------------------------------------
# Filing
# ---------------------------------------------------------------------------


def file(
    session: Session,
    actor,
    now: datetime,
    rules: Rules,
    *,
    staff_id: int,
    leave_type,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
) -> LeaveRequest:
    """A pending leave request of `staff_id`, filed by the staff member or the department's chief rep."""
    staff = _staff(session, staff_id)
    if staff is None or staff.status is not StaffStatus.active:
        raise LeaveError(_l("Choose a staff member on duty."), "input")
    own = actor.staff_id is not None and actor.staff_id == staff.id
    chief = bool(actor.roles & ROLE_DUTIES["department_chief"]) and actor.department_id == staff.department_id
    if not (own or chief or actor.roles & rules.center_roles):
        raise LeaveError(
            _l("You may file leave for yourself, or as chief representative for your department's staff."), "actor"
        )
    if isinstance(leave_type, str):
        leave_type = LeaveType.__members__.get(leave_type)
    if not isinstance(leave_type, LeaveType):
        raise LeaveError(_l("Choose the type of leave."), "input")
    if not isinstance(starts_at, datetime) or not isinstance(ends_at, datetime):
        raise LeaveError(_l("Enter when the leave starts and ends."), "input")
    if ends_at <= starts_at:
        raise LeaveError(_l("The leave must end after it starts."), "input")
    reason = _text(reason, _l("Give the reason for the leave."))
    try:
        days = working_days(starts_at, ends_at, rules.calendar, rules.hours)
    except ValueError:
        raise LeaveError(_l("The period is outside the working-day calendar."), "input") from None
    if days <= 0:
        raise LeaveError(_l("The period contains no working time: no leave is needed."), "no_workdays")
    overlapping = session.scalar(
        sa.select(LeaveRequest.id).where(
            LeaveRequest.staff_id == staff.id,
            LeaveRequest.status.in_(ACTIVE),
            LeaveRequest.starts_at < ends_at,
            LeaveRequest.ends_at > starts_at,
        )
    )
    if overlapping is not None:
        raise LeaveError(_l("This overlaps another leave request of the same staff member."), "overlap")
    _check_posts(session, staff, starts_at, ends_at, rules)
    request = LeaveRequest(
        staff=staff,  # by the object: the audit entry, written at flush, names the request by it
        department_id=staff.department_id,
        leave_type=leave_type,
        starts_at=starts_at,
        ends_at=ends_at,
        working_days=days,
        tier=rules.tier(days),
        reason=reason,
        status=LeaveStatus.pending,
        requested_at=now,
        requested_by=actor.name[:100],
    )
    session.add(request)
    session.flush()
    return request


# ---------------------------------------------------------------------------
# Decisions
# ---------------------------------------------------------------------------


def _side(session, actor, request: LeaveRequest, rules: Rules) -> str:
    """Which approval the actor may give: "department" or "center"; refuses everyone else."""
    if actor.staff_id is not None and actor.staff_id == request.staff_id:
        raise LeaveError(_l("You may not approve or reject your own leave request."), "own")
    if actor.roles & rules.center_roles:
        if request.tier is not LeaveTier.joint:
            raise LeaveError(
                _l(
                    "Leave under %(days)s working days is approved by the department, not the center.",
                    days=rules.joint_min_days,
                ),
                "wrong_approver",
            )
        return "center"
    approver = _staff(session, actor.staff_id)
    if approver is None or approver.status is not StaffStatus.active:
        raise LeaveError(
            _l("Only the department's chief representative or window leader may approve leave."), "wrong_approver"
        )
    if approver.department_id != request.department_id:
        raise LeaveError(_l("This leave request belongs to another department."), "wrong_approver")
    positions = rules.short_positions if request.tier is LeaveTier.chief_or_below else rules.chief_positions
    if approver.position.name not in positions:
        if request.tier is LeaveTier.chief_or_below:
            message = _l("Leave of up to one day is approved by the chief representative or the window leader.")
        else:
            message = _l("Leave of this length is approved by the department's chief representative.")
        raise LeaveError(message, "wrong_approver")
    return "department"


def approve(
    session: Session, actor, request: LeaveRequest, version, now: datetime, rules: Rules, *, head_name=None, note=None
) -> LeaveRequest:
    """The actor's approval. The joint tier needs the department's (the chief rep records the
    department head's name) and the center's; the request is approved when both are in."""
    side = _side(session, actor, request, rules)
    _require_status(request, LeaveStatus.pending)
    _require_version(request, version)
    note = _text(note, "", required=False)
    staff = _staff(session, request.staff_id)
    _check_posts(session, staff, request.starts_at, request.ends_at, rules, exclude_id=request.id)
    if request.tier is not LeaveTier.joint:
        request.approved_by = actor.name[:100]
    elif side == "department":
        if request.department_approved_by:
            raise LeaveError(
                _l("The department has already approved; the center's leader in charge approves the rest."),
                "wrong_approver",
            )
        head = _text(head_name, _l("Record the name of the department head who approved."))
        request.department_approved_by = str(_l("%(head)s (recorded by %(name)s)", head=head, name=actor.name))[:100]
    else:
        if request.center_approved_by:
            raise LeaveError(_l("The center has already approved this leave request."), "state")
        request.center_approved_by = actor.name[:100]
    if note:
        request.decision_note = note
    if request.tier is not LeaveTier.joint or (request.department_approved_by and request.center_approved_by):
        request.status = LeaveStatus.approved
        request.decided_at = now
        if request.tier is LeaveTier.joint:
            request.approved_by = request.center_approved_by
        session.flush()
        _attendance_follows(session, request)
    session.flush()
    return request


def _attendance_follows(session: Session, request: LeaveRequest) -> None:
    """Leave approved after the days were imported (a sick note handed in late) turns their
    'absent' into 'on leave'; manual corrections stay as they are."""
    attendance.reclassify(
        session,
        request.starts_at.date(),
        request.ends_at.date(),
        calendar_service.load(session),
        attendance.Rules.from_settings(session),
        staff_ids=[request.staff_id],
    )


def reject(
    session: Session, actor, request: LeaveRequest, version, now: datetime, rules: Rules, *, note
) -> LeaveRequest:
    """Any approver of the request's tier (either side of the joint tier) may reject it, with a reason."""
    _side(session, actor, request, rules)
    _require_status(request, LeaveStatus.pending)
    _require_version(request, version)
    request.decision_note = _text(note, _l("Give the reason for rejecting the leave."))
    request.status, request.decided_at, request.approved_by = LeaveStatus.rejected, now, None
    session.flush()
    return request


def cancel(session: Session, actor, request: LeaveRequest, version, now: datetime, *, note=None) -> LeaveRequest:
    """The staff member or the department's chief rep withdraws a pending request, or an approved
    one that has not started yet."""
    own = actor.staff_id is not None and actor.staff_id == request.staff_id
    chief = bool(actor.roles & ROLE_DUTIES["department_chief"]) and actor.department_id == request.department_id
    if not (own or chief):
        raise LeaveError(_l("Only the staff member or the department's chief representative may cancel it."), "actor")
    _require_status(request, *ACTIVE)
    _require_version(request, version)
    if request.status is LeaveStatus.approved and request.starts_at <= now:
        raise LeaveError(_l("This leave has already started and can no longer be cancelled."), "state")
    note = _text(note, "", required=False)
    if note:
        request.decision_note = note
    request.status, request.decided_at = LeaveStatus.cancelled, now
    session.flush()
    return request


ACTIONS = {"approve": approve, "reject": reject}

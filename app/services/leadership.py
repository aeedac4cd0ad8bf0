"""Department leaders at the windows (issue 19.6): the 领导坐班/代班 roster, the visit log and the
monthly check of the seeds' minimum frequencies.

- `record_duty`: a leader's day or half-day at a window, sitting (坐班) or standing in (代班)
  (seeds 001 领导坐班制, 002 代班座岗制).
  `check_removable`: only a day not yet come is taken off the roster again.
- `record_visit`: a leader's visit to the windows and what was solved or advised (seed 003 第五条).
- `check`: the monthly job. For the month before `now` (and, after a quarter's last month, for
  the quarter) the departments below a minimum — settings leader_principal_visits_per_quarter (1),
  leader_in_charge_visits_per_month (1), leader_duty_days_per_month (1); 0 switches one off —
  are told to the center (duty center_notices), once per department, rule and period.

A department records its own rows: the record's department is the actor's (a department scope)
or, for a role that sees everything, the window's own department. The window must be one of that
department's (its own or a comprehensive window it is a member of) and in the actor's scope.
Functions take (session, actor, scope, now, …), refuse with LeadershipError (a message for the
user, `code` for tests) changing nothing, and leave the commit to the caller.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.models.leadership import DutyKind, HalfDay, LeaderDuty, LeaderRank, LeaderVisit
from app.models.notice import NoticeKind
from app.models.org import Department, RecordStatus, Staff, StaffStatus, Window
from app.services import notices, settings
from app.services.monthly_report import previous_month
from app.services.scoring_periods import finished_quarter, quarter_of
from config import ROLE_DUTIES

MAX_NAME = 50
MAX_NOTE = 500
MAX_SUMMARY = 1000
# How far from today a roster day or a visit may lie: a typo in the year is refused.
ROSTER_AHEAD = timedelta(days=366)
LOOKBACK = timedelta(days=366)


class LeadershipError(Exception):
    def __init__(self, message, code="refused"):
        super().__init__(str(message))
        self.code = code


def _text(value, limit, message=None):
    text = (value or "").strip()
    if message is not None and not text:
        raise LeadershipError(message, "input")
    if len(text) > limit:
        raise LeadershipError(_l("The text is too long (at most %(limit)s characters).", limit=limit), "input")
    return text or None


def _member(enum_cls, name, message):
    member = enum_cls.__members__.get((name or "").strip())
    if member is None:
        raise LeadershipError(message, "input")
    return member


def _window_and_department(session: Session, scope, window_id) -> tuple[Window, int]:
    """The window the record names and the department the record is for, or a refusal."""
    window = session.get(Window, window_id) if isinstance(window_id, int) else None
    if window is None or window.status is not RecordStatus.active:
        raise LeadershipError(_l("Choose one of the windows offered."), "window")
    if scope.everything:
        department_id = window.department_id
        if department_id is None:
            raise LeadershipError(_l("Choose a department's own window (a comprehensive window has none)."), "window")
    else:
        department_id = scope.department_id
        members = {department.id for department in window.member_departments}
        if department_id is None or (window.department_id != department_id and department_id not in members):
            raise LeadershipError(_l("This window is not one of your department's windows."), "window")
    visible = session.scalar(sa.select(Window.id).where(Window.id == window.id, scope.clause(Window)))
    if visible is None:
        raise LeadershipError(_l("This window is not one of your department's windows."), "window")
    return window, department_id


def _leader(session: Session, department_id: int, staff_id, leader_name) -> tuple[int | None, str]:
    """(staff id or None, name shown): a staff member of the department on duty, or a named leader."""
    if staff_id is not None:
        staff = session.get(Staff, staff_id) if isinstance(staff_id, int) else None
        if staff is None or staff.department_id != department_id or staff.status is not StaffStatus.active:
            raise LeadershipError(_l("The staff member must be on duty in the record's department."), "staff")
        return staff.id, _text(leader_name, MAX_NAME) or staff.name
    return None, _text(leader_name, MAX_NAME, _l("Give the leader's name or choose a staff member."))


def record_duty(
    session: Session,
    actor,
    scope,
    now: datetime,
    *,
    window_id,
    day: date | None,
    rank,
    kind,
    half_day="whole",
    staff_id=None,
    leader_name=None,
    note=None,
) -> LeaderDuty:
    """A leader's day or half-day at one of the department's windows on the roster."""
    window, department_id = _window_and_department(session, scope, window_id)
    staff, name = _leader(session, department_id, staff_id, leader_name)
    rank = _member(LeaderRank, rank, _l("Choose the leader's rank."))
    kind = _member(DutyKind, kind, _l("Choose sitting (坐班) or standing in (代班)."))
    half = _member(HalfDay, half_day, _l("Choose the whole day, the morning or the afternoon."))
    if day is None:
        raise LeadershipError(_l("Give the day (YYYY-MM-DD)."), "input")
    today = now.date()
    if day > today + ROSTER_AHEAD or day < today - LOOKBACK:
        raise LeadershipError(_l("The day must lie within a year of today."), "date")
    taken = session.scalar(
        sa.select(LeaderDuty.id).where(
            LeaderDuty.window_id == window.id,
            LeaderDuty.day == day,
            LeaderDuty.leader_name == name,
            # A whole day overlaps either half; a half overlaps itself and the whole day.
            sa.true() if half is HalfDay.whole else LeaderDuty.half_day.in_([half, HalfDay.whole]),
        )
    )
    if taken is not None:
        raise LeadershipError(_l("This leader is already on the roster at this window then."), "duplicate")
    duty = LeaderDuty(
        department_id=department_id,
        window_id=window.id,
        staff_id=staff,
        leader_name=name,
        leader_rank=rank,
        day=day,
        half_day=half,
        kind=kind,
        note=_text(note, MAX_NOTE),
        recorded_at=now,
        recorded_by=actor.name[:100],
    )
    session.add(duty)
    session.flush()
    return duty


def check_removable(duty: LeaderDuty, now: datetime) -> None:
    """A roster day not yet come may be taken off the roster; a past one is the record of it."""
    if duty.day < now.date():
        raise LeadershipError(_l("A past day on the roster is the record of it and stays."), "past")


def record_visit(
    session: Session,
    actor,
    scope,
    now: datetime,
    *,
    window_id,
    visited_at: datetime | None,
    rank,
    summary,
    staff_id=None,
    leader_name=None,
) -> LeaderVisit:
    """A leader's visit to the department's window, already made: when and what was solved or advised."""
    window, department_id = _window_and_department(session, scope, window_id)
    staff, name = _leader(session, department_id, staff_id, leader_name)
    rank = _member(LeaderRank, rank, _l("Choose the leader's rank."))
    if visited_at is None:
        raise LeadershipError(_l("Give the time of the visit (YYYY-MM-DD HH:MM)."), "input")
    if visited_at > now:
        raise LeadershipError(_l("A visit is recorded once it has taken place: the time lies in the future."), "date")
    if visited_at < now - LOOKBACK:
        raise LeadershipError(_l("The visit must lie within the last year."), "date")
    visit = LeaderVisit(
        department_id=department_id,
        window_id=window.id,
        staff_id=staff,
        leader_name=name,
        leader_rank=rank,
        visited_at=visited_at,
        summary=_text(summary, MAX_SUMMARY, _l("Write what was solved or what guidance was given.")),
        recorded_at=now,
        recorded_by=actor.name[:100],
    )
    session.add(visit)
    session.flush()
    return visit


# -- the monthly check -------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    column: str  # the count in `tally`
    setting: str
    what: str  # the notice's words
    per: str
    basis: str  # the seed's rule, as the notice cites it (003; 001 and 002)


RULES = (
    Rule("principal", "leader_principal_visits_per_quarter", "主要领导到窗口指导", "每季度", "综合窗口管理办法第五条"),
    Rule("in_charge", "leader_in_charge_visits_per_month", "分管领导到窗口指导", "每月", "综合窗口管理办法第五条"),
    Rule("duty_days", "leader_duty_days_per_month", "领导坐班/代班", "每月", "领导坐班制、代班座岗制"),
)


def _start(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time())


def _next_month(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def tally(month: date):
    """Subquery, one GROUP BY: each active department with a window of its own, and its
    principal leader's visits in the quarter of `month` (up to the month's end), its leader in
    charge's visits in `month` and its roster entries (days or half-days) in `month`."""
    quarter, end = quarter_of(month), _next_month(month)
    visit, duty = LeaderVisit.__table__, LeaderDuty.__table__
    in_month = visit.c.visited_at >= _start(month)
    in_charge = sa.and_(visit.c.leader_rank == LeaderRank.in_charge.name, in_month)
    events = sa.union_all(
        sa.select(
            visit.c.department_id,
            sa.case((visit.c.leader_rank == LeaderRank.principal.name, 1), else_=0).label("principal"),
            sa.case((in_charge, 1), else_=0).label("in_charge"),
            sa.literal(0).label("duty_days"),
        ).where(visit.c.visited_at >= _start(quarter), visit.c.visited_at < _start(end)),
        sa.select(duty.c.department_id, sa.literal(0), sa.literal(0), sa.literal(1)).where(
            duty.c.day >= month, duty.c.day < end
        ),
    ).subquery()
    department, window = Department.__table__, Window.__table__
    own_window = sa.exists().where(
        window.c.department_id == department.c.id, window.c.status == RecordStatus.active.name
    )
    return (
        sa.select(
            department.c.id.label("department_id"),
            department.c.name,
            *(sa.func.coalesce(sa.func.sum(events.c[rule.column]), 0).label(rule.column) for rule in RULES),
        )
        .select_from(department.outerjoin(events, events.c.department_id == department.c.id))
        .where(department.c.status == RecordStatus.active.name, own_window)
        .group_by(department.c.id, department.c.name)
        .subquery()
    )


def minimums(session: Session) -> dict[str, int]:
    return {rule.column: int(settings.get(session, rule.setting)) for rule in RULES}


def standing(session: Session, month: date, *, quarter: bool, where=None) -> list[dict]:
    """Each checked department's counts for `month` (the principal leader's: the quarter up to the
    month's end) and `short`, the rules it falls below (the quarterly one only when `quarter`):
    [{department_id, name, principal, in_charge, duty_days, short}], by department name.
    `where`: a condition on Department (the reader's row scope)."""
    wanted = minimums(session)
    checked = [rule for rule in RULES if wanted[rule.column] > 0 and (quarter or rule.column != "principal")]
    rows = tally(month)
    query = sa.select(rows).order_by(rows.c.name)
    if where is not None:
        query = query.where(rows.c.department_id.in_(sa.select(Department.id).where(where)))
    return [
        {**row, "short": [rule.column for rule in checked if row[rule.column] < wanted[rule.column]]}
        for row in session.execute(query).mappings()
    ]


def shortfalls(session: Session, month: date, *, quarter: bool) -> list[dict]:
    """The departments below a minimum for `month` (and the quarter it ends, when `quarter`)."""
    return [row for row in standing(session, month, quarter=quarter) if row["short"]]


def check(session: Session, now: datetime) -> int:
    """The monthly job: the center hears of each department below a minimum for the month before
    `now` (and the quarter, after its last month), once per department, rule and period.
    Returns the notices written; caller commits."""
    month = previous_month(now.date())
    quarter = finished_quarter(month)
    wanted = minimums(session)
    rows = tally(month)
    center = notices.users_with_roles(*ROLE_DUTIES["center_notices"])
    candidates = []
    for rule in RULES:
        minimum = wanted[rule.column]
        if minimum <= 0 or (rule.column == "principal" and quarter is None):
            continue
        if rule.column == "principal":
            period = f"{quarter.year}-Q{(quarter.month - 1) // 3 + 1}"
            label = f"{quarter.year}年第{(quarter.month - 1) // 3 + 1}季度"
        else:
            period, label = f"{month:%Y-%m}", f"{month.year}年{month.month}月"
        count = rows.c[rule.column]
        candidates.append(
            sa.select(
                center.c.user_id,
                notices.key(f"leaders:{period}:{rule.column}:", rows.c.department_id),
                sa.cast(sa.null(), sa.Integer).label("case_id"),  # PostgreSQL: NULL in a UNION is text
                notices.text(
                    rows.c.name, f" {label}{rule.what} ", count, f" 次，少于{rule.per} {minimum} 次（{rule.basis}）。"
                ).label("detail"),
            )
            .select_from(rows)
            .join(center, sa.true())
            .where(count < minimum)
        )
    if not candidates:
        return 0
    # One INSERT … SELECT over the one GROUP BY, each rule's departments below its minimum.
    sent = notices.insert(
        session.connection(),
        NoticeKind.leaders_below_minimum,
        sa.union_all(*candidates) if len(candidates) > 1 else candidates[0],
        now,
    )
    return sent

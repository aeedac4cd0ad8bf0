"""Demo leaders at the windows (issue 19.6): a year of each department's 领导坐班/代班 roster and of
its leaders' visits to its window, recorded by its chief representative, with a few departments
below the seeds' minimums (003 第五条: the principal leader once a quarter, the leader in charge
once a month; 001/002: a leader's day at the window a month) for the monthly check to find.

Rows are written directly (a few hundred, in one flush per department, the audit log attributed
to the chief): the services' rules hold by construction — each department's own window, visits in
the past, one leader per window and half-day.
"""

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from app.models.leadership import DutyKind, HalfDay, LeaderDuty, LeaderRank, LeaderVisit
from app.models.org import Department, RecordStatus, Window
from app.services import audit, calendar
from app.services.demo.cases import GIVEN, SURNAMES
from app.services.scoring_periods import quarter_of

# Departments that keep the minimums poorly: their leader in charge skips most months, their
# principal leader does not come, their roster is thin.
LAX_DEPARTMENTS = 3
LAX_SKIP = 0.6
SUMMARIES = (
    "检查窗口服务规范，听取窗口工作人员意见",
    "协调解决企业开办材料互认问题",
    "现场指导疑难件办理，明确审查标准",
    "研究窗口人手不足问题，增派B岗人员",
    "督促超期件和差评整改落实",
    "调研“一件事”套餐办理流程，提出简化材料意见",
    "听取首席代表汇报，部署授权审批事项进驻",
    "现场解答群众咨询，协调跨科室会签",
)


def seed_leaders(session, cast, start: date, now: datetime, rng) -> int:
    """The roster and visits from the quarter of `start` up to `now` (the roster a few weeks
    beyond); skipped when any exist. Returns the rows written; the caller commits."""
    if session.scalar(sa.select(sa.func.count()).select_from(LeaderVisit)) or session.scalar(
        sa.select(sa.func.count()).select_from(LeaderDuty)
    ):
        return 0
    windows = {}
    for department_id, window_id in session.execute(
        sa.select(Department.id, Window.id)
        .join(Window, Window.department_id == Department.id)
        .where(Department.status == RecordStatus.active, Window.status == RecordStatus.active)
        .order_by(Department.sort_order, Department.id, Window.code)
    ):
        windows.setdefault(department_id, window_id)
    if not windows:
        return 0
    work_calendar = calendar.load(session)
    lax = set(rng.sample(sorted(windows), k=min(LAX_DEPARTMENTS, max(1, len(windows) // 8))))
    written, acting = 0, session.info.get(audit.SESSION_ACTOR)
    for department_id, window_id in windows.items():
        chief = cast.chiefs.get(department_id)
        if chief is not None:
            cast.acting(session, chief)
        rows = _year(
            {"department_id": department_id, "window_id": window_id},
            chief.name if chief is not None else "首席代表",
            department_id in lax,
            start,
            now,
            rng,
            work_calendar,
        )
        session.add_all(rows)
        session.flush()
        written += len(rows)
    if acting is not None:
        audit.set_actor(session, *acting)  # the rest of the history as it was attributed
    return written


def _workday_in(month_start: date, until: date, rng, work_calendar) -> date | None:
    """A working day of the month starting `month_start`, not after `until`."""
    end = min((month_start + timedelta(days=32)).replace(day=1) - timedelta(days=1), until)
    days = [
        month_start + timedelta(days=n)
        for n in range((end - month_start).days + 1)
        if work_calendar.is_workday(month_start + timedelta(days=n))
    ]
    return rng.choice(days) if days else None


def _year(place: dict, recorder: str, lax: bool, start: date, now: datetime, rng, work_calendar) -> list:
    """One department's rows (`place`: its department and window): a principal leader's visit a
    quarter, the leader in charge's visits and the roster each month (a lax department skips)."""
    principal, in_charge, member = (
        rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2))) for _ in range(3)
    )
    rows = []

    def visit(day, name, rank):
        at = datetime.combine(day, time(rng.randint(9, 16), rng.choice((0, 15, 30, 45))))
        if at < now:
            rows.append(
                LeaderVisit(
                    **place,
                    leader_name=name,
                    leader_rank=rank,
                    visited_at=at,
                    summary=rng.choice(SUMMARIES),
                    recorded_at=min(at + timedelta(hours=rng.randint(1, 30)), now),
                    recorded_by=recorder,
                )
            )

    month, horizon = quarter_of(start), now.date() + timedelta(weeks=3)
    while month <= horizon:
        skips = lax and rng.random() < LAX_SKIP
        if month.month in (1, 4, 7, 10) and not lax:
            day = _workday_in(month + timedelta(days=rng.randint(0, 60)), now.date(), rng, work_calendar)
            if day is not None:
                visit(day, principal, LeaderRank.principal)
        for _ in range(0 if skips else rng.choice((1, 1, 2))):
            day = _workday_in(month, now.date(), rng, work_calendar)
            if day is not None:
                visit(day, in_charge, LeaderRank.in_charge)
        slots = set()
        for _ in range(0 if skips else rng.choice((1, 2, 2, 3))):
            day = _workday_in(month, horizon, rng, work_calendar)
            standing_in = rng.random() < 0.3
            name = member if standing_in else in_charge
            if day is None or (day, name) in slots:
                continue
            slots.add((day, name))
            rows.append(
                LeaderDuty(
                    **place,
                    leader_name=name,
                    leader_rank=LeaderRank.member if standing_in else LeaderRank.in_charge,
                    day=day,
                    half_day=rng.choice((HalfDay.morning, HalfDay.afternoon, HalfDay.whole)),
                    kind=DutyKind.standing_in if standing_in else DutyKind.sitting,
                    recorded_at=min(datetime.combine(month, time(9, 0)), now),
                    recorded_by=recorder,
                )
            )
        month = (month + timedelta(days=32)).replace(day=1)
    return rows

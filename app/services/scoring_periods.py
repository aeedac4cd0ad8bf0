"""Quarterly results and honours, the annual summary and the portal's honour board, from the monthly scores.

Quarterly result (季度考核, 分中心管理办法 第二十二条): the mean of the quarter's monthly scores
(scoring_month.py); disqualified (each threshold a setting, empty = off) when the mean is below
`quarter_min_score` (80); fewer than `quarter_min_promised` (30) time-limited cases (every
kind but immediate) or fewer than `quarter_min_immediate` (100) immediate cases accepted in
the quarter (by the staff member / at the window); a bad-review rate of at least
`quarter_bad_review_rate` (10 %; 第二十二条(四) "差评率达到10%") or at least
`quarter_bad_review_count` (5) bad reviews (rating_rates.py: voluntary ratings only — the
bad reviews at levels 1–2 over the voluntary ratings, default ratings in neither); an
overdue rate of at least `quarter_overdue_rate` (5 %) or at least `quarter_overdue_count`
(10) overdue cases (the monthly report's definition: the deadline fell in the quarter and the
case was not finished by it, withdrawn cases excepted; the rate over the cases whose
deadline fell in the quarter); at least `quarter_meeting_absences` (3) `meeting_absence`
records, `quarter_no_system_use` (3) `no_system_use` records or `quarter_violations` (10)
detected operating violations (every kind but overdue). The eligible are ranked per center;
the top `red_flag_windows` (5) windows are red-flag windows and the top `service_stars` (10)
staff service stars — a tie on the last place takes the honour too.

The annual summary is the mean of each subject's monthly scores in the year.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from app.models.assessment import AssessmentRecord, AssessmentRule, Honour, MonthlyScore, QuarterlyResult
from app.models.case import Case, CaseStatus, Violation, ViolationKind, ViolationStatus
from app.models.feedback import Evaluation
from app.models.matter import CaseKind
from app.models.org import Department, Staff, Window
from app.services import rating_rates
from app.services.assessment import MEETING_ABSENCE, NO_SYSTEM_USE
from app.services.monthly_report import month_bounds
from app.services.scope import Scope
from app.services.scoring_month import decimal_setting

CENT = Decimal("0.01")


# -- the quarter ---------------------------------------------------------------


def quarter_of(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_months(quarter_start: date) -> list[date]:
    start = quarter_of(quarter_start)
    return [date(start.year, start.month + offset, 1) for offset in range(3)]


def _quarter_bounds(quarter_start: date) -> tuple[datetime, datetime]:
    months = quarter_months(quarter_start)
    return month_bounds(months[0])[0], month_bounds(months[-1])[1]


@dataclass
class Figures:
    mean: Decimal
    department_id: int | None
    center_id: int | None
    time_limited: int = 0
    immediate: int = 0
    evaluations: int = 0  # voluntary ratings only (rating_rates.COUNTS["voluntary"])
    bad_reviews: int = 0
    due: int = 0
    overdue: int = 0
    meeting_absences: int = 0
    no_system_use: int = 0
    violations: int = 0
    reasons: list = field(default_factory=list)


def _count_if(condition):
    return sa.func.sum(sa.case((condition, 1), else_=0))


def _grouped(session, key, query) -> dict:
    return {row[0]: row[1:] for row in session.execute(query.group_by(key)).all() if row[0] is not None}


def _figures(session: Session, quarter_start: date, now: datetime, kind: str) -> dict[int, Figures]:
    """Figures of every staff member (`kind` "staff") or window scored in the quarter, keyed by id."""
    start, end = _quarter_bounds(quarter_start)
    months = quarter_months(quarter_start)
    score = MonthlyScore
    if kind == "staff":
        subject = score.staff_id
        owner = sa.select(Staff.id, Staff.department_id, Department.center_id).join(Department)
        case_key, evaluation_key = Case.accepted_by_id, Evaluation.staff_id
        record_key, violation_key = AssessmentRecord.staff_id, Violation.staff_id
    else:
        subject = score.window_id
        owner = sa.select(Window.id, Window.department_id, Window.center_id)
        case_key, evaluation_key = Case.window_id, Evaluation.window_id
        record_key, violation_key = AssessmentRecord.window_id, Violation.window_id
    means = _grouped(session, subject, sa.select(subject, sa.func.avg(score.score)).where(score.month.in_(months)))
    owners = {row[0]: row[1:] for row in session.execute(owner.where(owner.selected_columns[0].in_(list(means))))}
    figures = {
        key: Figures(Decimal(str(mean)).quantize(CENT, ROUND_HALF_UP), *owners.get(key, (None, None)))
        for key, (mean,) in means.items()
    }
    accepted = sa.and_(Case.accepted_at >= start, Case.accepted_at < end)
    deadline = sa.and_(
        Case.deadline_at >= start,
        Case.deadline_at < end,
        Case.deadline_at < now,
        Case.status != CaseStatus.withdrawn,
    )
    late = sa.or_(Case.finished_at.is_(None), Case.finished_at > Case.deadline_at)
    cases = _grouped(
        session,
        case_key,
        sa.select(
            case_key,
            _count_if(sa.and_(accepted, Case.kind != CaseKind.immediate)),
            _count_if(sa.and_(accepted, Case.kind == CaseKind.immediate)),
            _count_if(deadline),
            _count_if(sa.and_(deadline, late)),
        ).where(sa.or_(accepted, deadline)),
    )
    evaluations = _grouped(
        session,
        evaluation_key,
        sa.select(
            evaluation_key,
            rating_rates.COUNTS["voluntary"],
            rating_rates.COUNTS["bad"],
        ).where(Evaluation.created_at >= start, Evaluation.created_at < end),
    )
    records = _grouped(
        session,
        record_key,
        sa.select(
            record_key,
            _count_if(AssessmentRule.code == MEETING_ABSENCE),
            _count_if(AssessmentRule.code == NO_SYSTEM_USE),
        )
        .join(AssessmentRule, AssessmentRule.id == AssessmentRecord.rule_id)
        .where(AssessmentRecord.month.in_(months), AssessmentRule.code.in_([MEETING_ABSENCE, NO_SYSTEM_USE])),
    )
    violations = _grouped(
        session,
        violation_key,
        sa.select(violation_key, sa.func.count()).where(
            Violation.at >= start,
            Violation.at < end,
            Violation.kind != ViolationKind.overdue,
            # Pending, dismissed and appeal-cancelled violations do not count (issue 14 §5).
            Violation.status == ViolationStatus.confirmed,
        ),
    )
    for key, item in figures.items():
        item.time_limited, item.immediate, item.due, item.overdue = (int(v or 0) for v in cases.get(key, (0,) * 4))
        item.evaluations, item.bad_reviews = (int(v or 0) for v in evaluations.get(key, (0, 0)))
        item.meeting_absences, item.no_system_use = (int(v or 0) for v in records.get(key, (0, 0)))
        item.violations = int(violations.get(key, (0,))[0] or 0)
    return figures


def _percent(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def disqualifications(item: Figures, limits: dict) -> list[str]:
    """The reasons (Chinese, with the figure) this subject may not be honoured; empty = eligible."""
    reasons = []

    def limit(key):
        return limits.get(key)

    if limit("min_score") is not None and item.mean < limit("min_score"):
        reasons.append(f"季度考核平均分 {item.mean} 分，低于 {limit('min_score')} 分")
    if limit("min_promised") is not None and item.time_limited < limit("min_promised"):
        reasons.append(f"季度限时件 {item.time_limited} 件，少于 {limit('min_promised')} 件")
    if limit("min_immediate") is not None and item.immediate < limit("min_immediate"):
        reasons.append(f"季度即办件 {item.immediate} 件，少于 {limit('min_immediate')} 件")
    rate = rating_rates.ratio(item.bad_reviews, item.evaluations, Decimal)
    if rate is not None and limit("bad_review_rate") is not None and rate >= limit("bad_review_rate"):
        reasons.append(
            f"差评率 {_percent(rate)}（{item.bad_reviews}/{item.evaluations}），"
            f"达到 {_percent(limit('bad_review_rate'))}"
        )
    if limit("bad_review_count") is not None and item.bad_reviews >= limit("bad_review_count"):
        reasons.append(f"差评 {item.bad_reviews} 次，达到 {limit('bad_review_count')} 次")
    if item.due:
        rate = Decimal(item.overdue) / Decimal(item.due)
        if limit("overdue_rate") is not None and rate >= limit("overdue_rate"):
            reasons.append(
                f"办件超时率 {_percent(rate)}（{item.overdue}/{item.due}），达到 {_percent(limit('overdue_rate'))}"
            )
    if limit("overdue_count") is not None and item.overdue >= limit("overdue_count"):
        reasons.append(f"超时件 {item.overdue} 件，达到 {limit('overdue_count')} 件")
    if limit("meeting_absences") is not None and item.meeting_absences >= limit("meeting_absences"):
        reasons.append(f"会议、培训缺席 {item.meeting_absences} 次，达到 {limit('meeting_absences')} 次")
    if limit("no_system_use") is not None and item.no_system_use >= limit("no_system_use"):
        reasons.append(f"未使用电子监察系统办公 {item.no_system_use} 次，达到 {limit('no_system_use')} 次")
    if limit("violations") is not None and item.violations >= limit("violations"):
        reasons.append(f"违反规程操作 {item.violations} 次，达到 {limit('violations')} 次")
    return reasons


LIMIT_KEYS = (
    "min_score",
    "min_promised",
    "min_immediate",
    "bad_review_rate",
    "bad_review_count",
    "overdue_rate",
    "overdue_count",
    "meeting_absences",
    "no_system_use",
    "violations",
)


def _limits(session: Session) -> dict:
    limits = {key: decimal_setting(session, f"quarter_{key}") for key in LIMIT_KEYS}
    # A count threshold of 0 would disqualify everyone: 0 means off, like an empty value.
    return {key: (None if value is not None and value <= 0 else value) for key, value in limits.items()}


def rank(values: dict) -> dict:
    """{key: rank} for {key: value}, highest value first; ties share a rank (1, 2, 2, 4)."""
    ranks, previous, previous_rank = {}, None, 0
    for position, key in enumerate(sorted(values, key=values.get, reverse=True), start=1):
        current = values[key]
        previous_rank = previous_rank if current == previous else position
        ranks[key], previous = previous_rank, current
    return ranks


def assess_quarter(session: Session, quarter_start: date, now: datetime) -> int:
    """Rebuild the quarter's results from its monthly scores; returns the rows written."""
    quarter_start = quarter_of(quarter_start)
    table = QuarterlyResult.__table__
    session.execute(sa.delete(table).where(table.c.quarter_start == quarter_start))
    limits = _limits(session)
    honours = {
        "window": (Honour.red_flag, int(decimal_setting(session, "red_flag_windows") or 0)),
        "staff": (Honour.service_star, int(decimal_setting(session, "service_stars") or 0)),
    }
    rows = []
    for kind in ("staff", "window"):
        figures = _figures(session, quarter_start, now, kind)
        for item in figures.values():
            item.reasons = disqualifications(item, limits)
        eligible = [key for key, item in figures.items() if not item.reasons]
        ranks = {}
        for center in {figures[key].center_id for key in eligible}:
            ranks |= rank({key: figures[key].mean for key in eligible if figures[key].center_id == center})
        honour, places = honours[kind]
        for key, item in figures.items():
            position = ranks.get(key)
            rows.append(
                {
                    "quarter_start": quarter_start,
                    "staff_id": key if kind == "staff" else None,
                    "window_id": key if kind == "window" else None,
                    "department_id": item.department_id,
                    "mean_score": item.mean,
                    "eligible": not item.reasons,
                    "reasons": item.reasons or None,
                    "rank": position,
                    "honour": honour.name if position is not None and position <= places else None,
                    "computed_at": now,
                }
            )
    if rows:
        session.execute(sa.insert(table), rows)
    return len(rows)


def finished_quarter(month: date) -> date | None:
    """The quarter `month` completes, if it is a quarter's last month."""
    return quarter_of(month) if month.month % 3 == 0 else None


# -- the year and the portal ------------------------------------------------------


@dataclass
class AnnualLine:
    rank: int
    kind: str
    name: str
    department: str
    months: int
    mean: Decimal


def annual(session: Session, year: int, scope: Scope) -> list[AnnualLine]:
    """The annual summary: the mean of each staff member's and window's monthly scores in `year`,
    the lines `scope` sees of them (those the monthly score list shows it). Ranks are the
    county's, taken before the lines are narrowed: a department sees where it stands."""
    months = [date(year, number, 1) for number in range(1, 13)]
    visible = sa.func.max(sa.case((scope.clause(MonthlyScore), 1), else_=0))
    lines = []
    for kind, key, name_column, model in (
        ("staff", MonthlyScore.staff_id, Staff.name, Staff),
        ("window", MonthlyScore.window_id, Window.name, Window),
    ):
        query = (
            sa.select(
                name_column,
                sa.func.coalesce(Department.name, ""),
                sa.func.count(),
                sa.func.avg(MonthlyScore.score),
                visible,
            )
            .join(model, model.id == key)
            .outerjoin(Department, Department.id == MonthlyScore.department_id)
            .where(MonthlyScore.month.in_(months))
            .group_by(key, name_column, Department.name)
        )
        rows = session.execute(query).all()
        means = [Decimal(str(row[3])).quantize(CENT, ROUND_HALF_UP) for row in rows]
        ranks = rank(dict(enumerate(means)))
        shown = [
            AnnualLine(ranks[index], kind, name, department, count, means[index])
            for index, (name, department, count, _mean, seen) in enumerate(rows)
            if seen
        ]
        lines += sorted(shown, key=lambda line: (line.rank, line.name))
    return lines


@dataclass
class HonourBoard:
    quarter_start: date
    windows: list  # (window name, department name)
    stars: list  # (staff name, window name)


def honour_board(session: Session) -> HonourBoard | None:
    """The red-flag windows and service stars of the last quarter that has any; names only."""
    latest = session.scalar(
        sa.select(sa.func.max(QuarterlyResult.quarter_start)).where(QuarterlyResult.honour.is_not(None))
    )
    if latest is None:
        return None
    windows = session.execute(
        sa.select(Window.name, sa.func.coalesce(Department.name, ""))
        .join(QuarterlyResult, QuarterlyResult.window_id == Window.id)
        .outerjoin(Department, Department.id == Window.department_id)
        .where(QuarterlyResult.quarter_start == latest, QuarterlyResult.honour == Honour.red_flag)
        .order_by(QuarterlyResult.rank, Window.code)
    ).all()
    window_name = aliased(Window)
    stars = session.execute(
        sa.select(Staff.name, sa.func.coalesce(window_name.name, ""))
        .join(QuarterlyResult, QuarterlyResult.staff_id == Staff.id)
        .outerjoin(window_name, window_name.id == Staff.window_id)
        .where(QuarterlyResult.quarter_start == latest, QuarterlyResult.honour == Honour.service_star)
        .order_by(QuarterlyResult.rank, Staff.name)
    ).all()
    return HonourBoard(latest, [tuple(row) for row in windows], [tuple(row) for row in stars])

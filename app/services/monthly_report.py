"""The monthly report (月报): figures for one center's tree and month, as SQL aggregates.

One GROUP BY over the month's cases at the finest grain (center, department,
window, accepting staff), then summed up to each dimension in Python: SQLite has
no GROUPING SETS, and one scan of the month is four times cheaper than one per
dimension. Evaluations and complaints are grouped the same way.

Definitions (a case counts in the month when the named instant falls in it):
accepted — accepted_at; completed — finished_at with status completed;
on time — completed no later than the deadline; overdue — the deadline fell in
the month and the case was not finished by it (withdrawn cases excepted);
immediate / on site — immediate cases accepted, and of those completed by the
close of the day they were accepted (their deadline); returned — finished_at
with status returned; supplemented — accepted with at least one supplement
notice; escalated — accepted as an escalated case; online — accepted with
channel online (网上申报, services/online_figures.py); fees — collected on cases
completed; ratings — the voluntary, satisfied, bad and default counts and the three rates
of rating_rates.py (default ratings apart from the voluntary ones).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models.case import Case, CaseStatus, Channel
from app.models.feedback import Complaint, Evaluation
from app.models.matter import CaseKind
from app.models.org import Center, Department, Staff, Window
from app.services import rating_rates

CASE = Case.__table__
GRAIN = ("center_id", "department_id", "window_id", "staff_id")
CASE_METRICS = (
    "accepted",
    "completed",
    "on_time",
    "overdue",
    "immediate",
    "on_site",
    "returned",
    "supplemented",
    "escalated",
    "online",
    "fees",
)
METRICS = (*CASE_METRICS, *rating_rates.COUNTS, "complaints")
DIMENSIONS = ("center", "department", "window", "staff")


def month_bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime(month.year, month.month, 1)
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following


def previous_month(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def center_tree(session: Session, center_id: int) -> list[int]:
    """The center and every center below it."""
    parents = dict(session.execute(sa.select(Center.id, Center.parent_id)).all())
    tree, frontier = {center_id}, {center_id}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - tree
        tree |= frontier
    return sorted(tree)


@dataclass
class Line:
    """One row of a table: a center, department, window or staff member, or the total."""

    key: int | None
    name: str
    values: dict = field(default_factory=lambda: dict.fromkeys(METRICS, 0))

    def rate(self, numerator: str, denominator: str) -> float | None:
        total = self.values[denominator]
        return self.values[numerator] / total if total else None

    @property
    def rates(self) -> dict:
        return {
            "on_time_rate": self.rate("on_time", "completed"),
            "on_site_rate": self.rate("on_site", "immediate"),
            **rating_rates.rates(self.values),
        }


@dataclass
class MonthlyFigures:
    center_ids: list[int]
    start: datetime
    end: datetime
    total: Line
    lines: dict[str, list[Line]]


def _in(column, start, end):
    return sa.and_(column >= start, column < end)


def _count_if(condition):
    return sa.func.sum(sa.case((condition, 1), else_=0))


def case_columns(start, end) -> dict:
    """The case counts of the definitions above for [start, end), as SQL aggregates of `case`;
    rows outside all three of the month's ranges (accepted, finished, deadline) count nowhere."""
    accepted = _in(CASE.c.accepted_at, start, end)
    finished = _in(CASE.c.finished_at, start, end)
    completed = sa.and_(finished, CASE.c.status == CaseStatus.completed.name)
    immediate = sa.and_(accepted, CASE.c.kind == CaseKind.immediate.name)
    return {
        "accepted": _count_if(accepted),
        "completed": _count_if(completed),
        "on_time": _count_if(sa.and_(completed, CASE.c.finished_at <= CASE.c.deadline_at)),
        "overdue": _count_if(
            sa.and_(
                _in(CASE.c.deadline_at, start, end),
                CASE.c.status != CaseStatus.withdrawn.name,
                sa.or_(CASE.c.finished_at.is_(None), CASE.c.finished_at > CASE.c.deadline_at),
            )
        ),
        "immediate": _count_if(immediate),
        "on_site": _count_if(
            sa.and_(immediate, CASE.c.status == CaseStatus.completed.name, CASE.c.finished_at <= CASE.c.deadline_at)
        ),
        "returned": _count_if(sa.and_(finished, CASE.c.status == CaseStatus.returned.name)),
        "supplemented": _count_if(sa.and_(accepted, CASE.c.supplement_count > 0)),
        "escalated": _count_if(sa.and_(accepted, CASE.c.kind == CaseKind.escalated.name)),
        "online": _count_if(sa.and_(accepted, CASE.c.channel == Channel.online.name)),
        "fees": sa.func.sum(sa.case((completed, CASE.c.fee), else_=0)),
    }


def in_month(start, end):
    """Three index ranges; every case counted by case_columns matches one of them."""
    return sa.or_(
        _in(CASE.c.accepted_at, start, end), _in(CASE.c.finished_at, start, end), _in(CASE.c.deadline_at, start, end)
    )


def case_rows(session: Session, center_ids, start, end):
    columns = case_columns(start, end)
    grain = [CASE.c.center_id, CASE.c.department_id, CASE.c.window_id, CASE.c.accepted_by_id]
    query = (
        sa.select(*grain, *(column.label(name) for name, column in columns.items()))
        .where(CASE.c.center_id.in_(center_ids), in_month(start, end))
        .group_by(*grain)
    )
    return session.execute(query).all()


def evaluation_rows(session: Session, center_ids, start, end):
    grain = [Evaluation.center_id, Evaluation.department_id, Evaluation.window_id, Evaluation.staff_id]
    query = (
        sa.select(*grain, *(count.label(name) for name, count in rating_rates.COUNTS.items()))
        .where(Evaluation.center_id.in_(center_ids), _in(Evaluation.created_at, start, end))
        .group_by(*grain)
    )
    return session.execute(query).all()


def complaint_rows(session: Session, center_ids, start, end):
    table = Complaint.__table__
    grain = [table.c.center_id, table.c.department_id, table.c.window_id, table.c.staff_id]
    query = (
        sa.select(*grain, sa.func.count().label("complaints"))
        .where(table.c.center_id.in_(center_ids), _in(table.c.filed_at, start, end))
        .group_by(*grain)
    )
    return session.execute(query).all()


def _names(session: Session, model, ids, label):
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return dict(session.execute(sa.select(model.id, label).where(model.id.in_(ids))).all())


def compute(session: Session, center_id: int, month: date) -> MonthlyFigures:
    return compute_period(session, center_id, *month_bounds(month))


def compute_period(session: Session, center_id: int, start: datetime, end: datetime) -> MonthlyFigures:
    """The figures of any period [start, end); the monthly report and the bulletins use it."""
    center_ids = center_tree(session, center_id)
    total = Line(None, "合计")
    tables: dict[str, dict] = {dimension: {} for dimension in DIMENSIONS}
    for rows in (
        case_rows(session, center_ids, start, end),
        evaluation_rows(session, center_ids, start, end),
        complaint_rows(session, center_ids, start, end),
    ):
        for row in rows:
            mapping = row._mapping
            keys = dict(zip(DIMENSIONS, row[:4], strict=True))
            figures = {name: mapping[name] for name in METRICS if name in mapping}
            for dimension, key in keys.items():
                if key is None and dimension != "center":
                    continue  # a case without a window or accepting staff counts in the totals only
                line = tables[dimension].setdefault(key, Line(key, ""))
                _add(line, figures)
            _add(total, figures)
    models = {
        "center": (Center, Center.name),
        "department": (Department, Department.name),
        "window": (Window, Window.name),
        "staff": (Staff, Staff.name),
    }
    lines = {}
    for dimension, table in tables.items():
        model, label = models[dimension]
        names = _names(session, model, table, label)
        for key, line in table.items():
            line.name = names.get(key, "—")
        lines[dimension] = sorted(table.values(), key=lambda line: (-line.values["accepted"], line.name))
    return MonthlyFigures(center_ids, start, end, total, lines)


def _add(line: Line, figures: dict) -> None:
    for name, value in figures.items():
        if value:
            line.values[name] += Decimal(value) if name == "fees" else int(value)


def overdue_list(session: Session, figures: MonthlyFigures):
    """The month's overdue cases, streamed in deadline order (for the workbook)."""
    query = (
        sa.select(
            Case.number,
            Department.name,
            Window.name,
            Staff.name,
            Case.applicant_name,
            Case.accepted_at,
            Case.deadline_at,
            Case.finished_at,
            Case.status,
        )
        .join(Department, Department.id == Case.department_id)
        .outerjoin(Window, Window.id == Case.window_id)
        .outerjoin(Staff, Staff.id == Case.assignee_id)
        .where(
            Case.center_id.in_(figures.center_ids),
            _in(Case.deadline_at, figures.start, figures.end),
            Case.status != CaseStatus.withdrawn,
            sa.or_(Case.finished_at.is_(None), Case.finished_at > Case.deadline_at),
        )
        .order_by(Case.deadline_at, Case.id)
    )
    return session.execute(query.execution_options(yield_per=2000))


def complaint_list(session: Session, figures: MonthlyFigures):
    query = (
        sa.select(
            Complaint.number,
            Complaint.filed_at,
            Department.name,
            Window.name,
            Staff.name,
            Complaint.subject,
            Complaint.stage,
            Complaint.finding,
        )
        .outerjoin(Department, Department.id == Complaint.department_id)
        .outerjoin(Window, Window.id == Complaint.window_id)
        .outerjoin(Staff, Staff.id == Complaint.staff_id)
        .where(Complaint.center_id.in_(figures.center_ids), _in(Complaint.filed_at, figures.start, figures.end))
        .order_by(Complaint.filed_at, Complaint.id)
    )
    return session.execute(query)

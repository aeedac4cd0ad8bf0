"""The network sheet of a month (issue 16.7): how the three levels worked together.

`network_summary(session, center_id, month, figures)` covers the center and every center below it:
- cases per center (and so per level): accepted, completed, on time and overdue in the month,
  taken from the monthly report's figures of the same tree and month (`figures`, which the
  county's build has just computed; computed here when not given);
- report-up hand-offs (上报) sent in the month, per township: how many, how many the county has
  decided and how many are still open, working days from the escalation to the county's decision
  (average and median), hours until the county accepted;
- village requests per agent registered in the month: how many, forwarded, accepted into a case,
  returned, receipts confirmed late (flagged), hours to receipt;
- delivery (送达) of the month per center: how many, days from acceptance to delivery and from the
  county's result to delivery.

Four queries besides those figures, each an index range over the month: hand-offs and deliveries
come from small partial indexes holding what is read (a hand-off reads its parent row by key, a
delivery its child's decision from ix_case_parent_id). At province size (1M cases, ~10k hand-offs
and ~10k deliveries a month) that is ~32 ms of SQL on SQLite, hand-offs 15 and deliveries 11
(bench.network): a hand-off's working days are stored with the county's decision.
report_workbook lays them out on the county's sheet 三级网络. Durations are averaged in SQL on
either engine; the median is read off a running count (a window function).
"""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from app.models.case import Case, CaseStatus
from app.models.org import Center, CenterLevel, Staff
from app.models.transfer import Transfer, TransferKind
from app.services.centers import InCenters, subtree
from app.services.monthly_report import MonthlyFigures, compute, month_bounds

CLOSED = [CaseStatus.completed.name, CaseStatus.returned.name, CaseStatus.withdrawn.name]
DECIDED = [CaseStatus.completed.name, CaseStatus.returned.name]
CASE_FIGURES = ("accepted", "completed", "on_time", "overdue")
# Built once: an alias copies every column of the case table (~5 ms a sheet when built per call).
CHILD, PARENT = aliased(Case, name="child"), aliased(Case, name="parent")


@dataclass
class CenterLine:
    center_id: int
    name: str
    level: CenterLevel
    accepted: int = 0
    completed: int = 0
    on_time: int = 0
    overdue: int = 0
    delivered: int = 0
    delivery_days: float | None = None  # average, acceptance → delivery
    result_days: float | None = None  # average, the county's result → delivery (reported-up cases)

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.completed if self.completed else None


@dataclass
class HandoffLine:
    center_id: int  # the township that escalated
    name: str
    sent: int
    decided: int  # the county completed or returned it
    open: int
    workdays: float | None  # average working days, escalation → the county's decision
    median_workdays: float | None
    hours_to_acceptance: float | None


@dataclass
class AgentLine:
    staff_id: int | None
    name: str
    center: str
    requests: int
    forwarded: int
    accepted: int
    returned: int
    flagged: int  # receipt confirmed late, or not yet (the transfer scan flagged it)
    hours_to_receipt: float | None


@dataclass
class NetworkSummary:
    month: date
    centers: list[CenterLine]
    handoffs: list[HandoffLine]
    agents: list[AgentLine]
    levels: dict = field(default_factory=dict)  # CenterLevel → {accepted, completed, on_time, overdue, delivered}

    @property
    def headline(self) -> dict:
        """The figures the report list shows beside the month's totals."""
        return {
            "handoffs": sum(line.sent for line in self.handoffs),
            "handoffs_open": sum(line.open for line in self.handoffs),
            "delivered": sum(line.delivered for line in self.centers),
            "village_requests": sum(line.requests for line in self.agents),
        }


def hours_between(session: Session, later, earlier):
    """later − earlier in hours, as an SQL expression of this engine."""
    if session.get_bind().dialect.name == "postgresql":
        return sa.extract("epoch", later - earlier) / 3600.0
    return (sa.func.julianday(later) - sa.func.julianday(earlier)) * 24.0


def _avg(value):
    return round(float(value), 1) if value is not None else None


def network_summary(
    session: Session, center_id: int, month: date, figures: MonthlyFigures | None = None
) -> NetworkSummary:
    start, end = month_bounds(month)
    tree = subtree(center_id)

    def within(column):
        return InCenters(column, tree)

    def hours(later, earlier):
        return hours_between(session, later, earlier)

    centers = {
        row.id: row for row in session.execute(sa.select(Center.id, Center.name, Center.level).where(within(Center.id)))
    }
    lines = {cid: CenterLine(cid, centers[cid].name, centers[cid].level) for cid in centers}
    # The monthly report of the same tree and month has counted every center's cases (one scan of
    # the month); the county's build passes them in rather than counting a province's month again.
    if figures is None:
        figures = compute(session, center_id, month)
    for counted in figures.lines["center"]:
        for name in CASE_FIGURES:
            setattr(lines[counted.key], name, counted.values[name])

    county_result = (
        sa.select(sa.func.max(CHILD.finished_at))
        .where(CHILD.parent_id == Case.id, CHILD.status.in_(DECIDED))
        .scalar_subquery()
    )
    delivered = session.execute(
        # The partial index of delivered cases (ix_case_delivered_month) holds the row's columns;
        # the county's result is one lookup in ix_case_parent_id (which holds the children's
        # finish and status) for each case delivered.
        sa.select(
            Case.center_id,
            sa.func.count(),
            sa.func.avg(hours(Case.delivered_at, Case.accepted_at)),
            sa.func.avg(hours(Case.delivered_at, county_result)),
        )
        # The center tested as `center_id + 0`: PostgreSQL took the center list (a province's
        # 1,100 centers) as an index condition and scanned the month's range once per center.
        .where(Case.delivered_at >= start, Case.delivered_at < end, within(Case.center_id + 0))
        .group_by(Case.center_id)
    ).all()
    for cid, count, delivery_hours, result_hours in delivered:
        lines[cid].delivered = count
        lines[cid].delivery_days = _days(delivery_hours)
        lines[cid].result_days = _days(result_hours)

    handoffs = session.execute(_handoff_query(hours, within, start, end)).all()

    requests = (
        sa.select(
            Transfer.from_staff_id.label("staff_id"),
            Transfer.from_center_id.label("center_id"),
            sa.func.count().label("requests"),
            sa.func.count(Transfer.sent_at).label("forwarded"),
            sa.func.count(Transfer.accepted_at).label("accepted"),
            sa.func.count(Transfer.returned_at).label("returned"),
            sa.func.count(Transfer.flagged_at).label("flagged"),
            sa.func.avg(hours(Transfer.received_at, Transfer.sent_at)).label("hours"),
        )
        .where(
            Transfer.kind == TransferKind.village_request,
            Transfer.registered_at >= start,
            Transfer.registered_at < end,
            within(Transfer.from_center_id),
        )
        .group_by(Transfer.from_staff_id, Transfer.from_center_id)
        .subquery()
    )
    # The agents' names joined here: a province's 1,000 ids bound as a list cost more than the join.
    agents = session.execute(sa.select(requests, Staff.name).outerjoin(Staff, Staff.id == requests.c.staff_id)).all()

    levels = {}
    for line in lines.values():
        totals = levels.setdefault(line.level, dict.fromkeys((*CASE_FIGURES, "delivered"), 0))
        for key in totals:
            totals[key] += getattr(line, key)
    return NetworkSummary(
        month=month,
        centers=sorted(
            (line for line in lines.values() if line.accepted or line.completed or line.overdue or line.delivered),
            key=lambda line: (list(CenterLevel).index(line.level), line.name),
        ),
        handoffs=sorted(
            (
                HandoffLine(cid, centers[cid].name, sent, int(decided or 0), int(open_ or 0), _avg(w), _avg(m), _avg(h))
                for cid, sent, decided, open_, w, m, h in handoffs
            ),
            key=lambda line: line.name,
        ),
        agents=sorted(
            (AgentLine(sid, name or "—", centers[cid].name, *counts, _avg(h)) for sid, cid, *counts, h, name in agents),
            key=lambda line: (line.center, line.name),
        ),
        levels=levels,
    )


def _handoff_query(hours, within, start, end):
    """Per township: hand-offs sent in the month, decided and open, working days to the county's
    decision (average, and median of each township's decided ones), hours to the county's acceptance.

    The working days are stored on the child with the county's decision (NULL while undecided):
    everything is read from the partial index of children (ix_case_escalated_month), the parent
    by its key."""
    child, parent = CHILD, PARENT
    # Working days are small integers: each township's hand-offs grouped by their working days
    # (~20 rows a township, not ~100), the median found on the running count of those groups.
    # A window over every hand-off (row_number) took as long again as the rest of the query.
    counts = (
        sa.select(
            parent.center_id.label("center_id"),
            child.handoff_workdays.label("days"),
            sa.func.count().label("n"),
            sa.func.sum(sa.case((child.status.in_(DECIDED), 1), else_=0)).label("decided"),
            sa.func.sum(sa.case((child.status.not_in(CLOSED), 1), else_=0)).label("open"),
            sa.func.sum(hours(child.accepted_at, child.submitted_at)).label("acceptance_hours"),
            sa.func.count(child.accepted_at).label("accepted"),
        )
        .select_from(child)
        .join(parent, parent.id == child.parent_id)
        .where(child.parent_id.is_not(None), child.submitted_at >= start, child.submitted_at < end)
        .where(within(parent.center_id))
        .group_by(parent.center_id, child.handoff_workdays)
        .subquery()
    )
    timed = sa.case((counts.c.days.is_not(None), counts.c.n))
    # PostgreSQL sums counts as numeric: cast back, so that the middle positions divide as integers.
    ranked = sa.select(
        counts,
        sa.cast(
            sa.func.sum(timed).over(partition_by=counts.c.center_id, order_by=counts.c.days, rows=(None, 0)),
            sa.Integer,
        ).label("through"),
        sa.cast(sa.func.sum(timed).over(partition_by=counts.c.center_id), sa.Integer).label("counted"),
    ).subquery()

    def value_at(position):
        """The working days of the township's `position`-th decided hand-off, fastest first."""
        holds = sa.and_(
            ranked.c.days.is_not(None), ranked.c.through - ranked.c.n < position, position <= ranked.c.through
        )
        return sa.func.sum(sa.case((holds, ranked.c.days)))

    counted = ranked.c.counted
    return sa.select(
        ranked.c.center_id,
        sa.cast(sa.func.sum(ranked.c.n), sa.Integer),
        sa.func.sum(ranked.c.decided),
        sa.func.sum(ranked.c.open),
        sa.func.sum(ranked.c.days * ranked.c.n) / sa.func.sum(sa.case((ranked.c.days.is_not(None), ranked.c.n))),
        (value_at((counted + 1) // 2) + value_at((counted + 2) // 2)) / 2.0,
        sa.func.sum(ranked.c.acceptance_hours) / sa.func.nullif(sa.func.sum(ranked.c.accepted), 0),
    ).group_by(ranked.c.center_id)


def _days(hours_value):
    return _avg(hours_value / 24 if hours_value is not None else None)

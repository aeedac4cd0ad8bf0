"""The network sheet of a month (issue 16.7): how the three levels worked together.

`network_summary(session, center_id, month)` covers the center and every center below it:
- cases per center (and so per level): received in the month, and delivered in it;
- report-up hand-offs (上报) sent in the month, per township: how many, hours until the county
  accepted, hours the county took, hours from its result to the delivery, how many still open;
- village requests per agent registered in the month: how many, returned, hours to receipt;
- delivery (送达) of the month per center: how many, and days from acceptance to delivery.

Four aggregate queries, each index ranges over the month: hand-offs and deliveries come from small
partial indexes holding what is read (a hand-off reads its parent row by key, nothing else), so
a province's month stays a few milliseconds. H9's workbook sheet lays them out. Durations are
averaged in SQL on either engine.
"""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from app.models.case import Case, CaseStatus
from app.models.org import Center, CenterLevel, Staff
from app.models.transfer import Transfer, TransferKind, TransferStatus
from app.services.centers import InCenters, subtree
from app.services.monthly_report import month_bounds

CLOSED = [CaseStatus.completed.name, CaseStatus.returned.name, CaseStatus.withdrawn.name]


@dataclass
class CenterLine:
    center_id: int
    name: str
    level: CenterLevel
    received: int = 0
    delivered: int = 0
    delivery_days: float | None = None  # average, acceptance → delivery


@dataclass
class HandoffLine:
    center_id: int  # the township that escalated
    name: str
    sent: int
    open: int
    hours_to_acceptance: float | None
    county_hours: float | None
    hours_to_delivery: float | None


@dataclass
class AgentLine:
    staff_id: int | None
    name: str
    center: str
    requests: int
    returned: int
    hours_to_receipt: float | None


@dataclass
class NetworkSummary:
    month: date
    centers: list[CenterLine]
    handoffs: list[HandoffLine]
    agents: list[AgentLine]
    levels: dict = field(default_factory=dict)  # CenterLevel → {received, completed, delivered}


def _hours(session: Session, later, earlier):
    """later − earlier in hours, as an SQL expression of this engine."""
    if session.get_bind().dialect.name == "postgresql":
        return sa.extract("epoch", later - earlier) / 3600.0
    return (sa.func.julianday(later) - sa.func.julianday(earlier)) * 24.0


def _count_if(condition):
    return sa.func.sum(sa.case((condition, 1), else_=0))


def _avg(value):
    return round(float(value), 1) if value is not None else None


def network_summary(session: Session, center_id: int, month: date) -> NetworkSummary:
    start, end = month_bounds(month)
    tree = subtree(center_id)

    def within(column):
        return InCenters(column, tree)

    centers = {
        row.id: row for row in session.execute(sa.select(Center.id, Center.name, Center.level).where(within(Center.id)))
    }

    def hours(later, earlier):
        return _hours(session, later, earlier)

    received = session.execute(
        sa.select(Case.center_id, sa.func.count())
        .where(within(Case.center_id), Case.accepted_at >= start, Case.accepted_at < end)
        .group_by(Case.center_id)
    ).all()
    delivered = session.execute(
        # The partial index of delivered cases (ix_case_delivered_month) holds every column read.
        sa.select(Case.center_id, sa.func.count(), sa.func.avg(hours(Case.delivered_at, Case.accepted_at)))
        .where(Case.delivered_at >= start, Case.delivered_at < end, within(Case.center_id))
        .group_by(Case.center_id)
    ).all()
    lines = {cid: CenterLine(cid, centers[cid].name, centers[cid].level) for cid in centers}
    for cid, count in received:
        lines[cid].received = count
    for cid, count, delivery_hours in delivered:
        lines[cid].delivered = count
        lines[cid].delivery_days = _avg(delivery_hours / 24 if delivery_hours is not None else None)

    child, parent = aliased(Case), aliased(Case)
    handoffs = session.execute(
        sa.select(
            parent.center_id,
            sa.func.count(),
            _count_if(child.status.not_in(CLOSED)),
            sa.func.avg(hours(child.accepted_at, child.submitted_at)),
            sa.func.avg(hours(child.finished_at, child.accepted_at)),
            sa.func.avg(hours(parent.delivered_at, child.finished_at)),
        )
        .select_from(child)
        .join(parent, parent.id == child.parent_id)
        .where(child.parent_id.is_not(None), child.submitted_at >= start, child.submitted_at < end)
        # Read from the partial index of children (ix_case_escalated_month); the parent by its key.
        .where(within(parent.center_id))
        .group_by(parent.center_id)
    ).all()

    agents = session.execute(
        sa.select(
            Transfer.from_staff_id,
            Transfer.from_center_id,
            sa.func.count(),
            _count_if(Transfer.status == TransferStatus.returned),
            sa.func.avg(hours(Transfer.received_at, Transfer.sent_at)),
        )
        .where(
            Transfer.kind == TransferKind.village_request,
            Transfer.registered_at >= start,
            Transfer.registered_at < end,
            within(Transfer.from_center_id),
        )
        .group_by(Transfer.from_staff_id, Transfer.from_center_id)
    ).all()
    staff_ids = [row[0] for row in agents if row[0] is not None]
    names = (
        dict(session.execute(sa.select(Staff.id, Staff.name).where(Staff.id.in_(staff_ids))).all()) if staff_ids else {}
    )

    levels = {}
    for line in lines.values():
        totals = levels.setdefault(line.level, {"received": 0, "delivered": 0})
        for key in totals:
            totals[key] += getattr(line, key)
    return NetworkSummary(
        month=month,
        centers=sorted(
            (line for line in lines.values() if line.received or line.delivered),
            key=lambda line: (list(CenterLevel).index(line.level), line.name),
        ),
        handoffs=[
            HandoffLine(cid, centers[cid].name, sent, int(open_ or 0), _avg(h1), _avg(h2), _avg(h3))
            for cid, sent, open_, h1, h2, h3 in handoffs
        ],
        agents=[
            AgentLine(sid, names.get(sid, "—"), centers[cid].name, count, int(returned or 0), _avg(h))
            for sid, cid, count, returned, h in agents
        ],
        levels=levels,
    )

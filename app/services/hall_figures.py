"""The front of the hall, counted (issue 18.5): inquiries, appointments, queue tickets, urgent,
proxy and delayed-service cases of a set of centers over a period, and the hall as it is now.

`figures` reads a period in seven aggregate statements whatever the volume: the inquiries'
(inquiries.figures), the appointments' (appointments.counts), the tickets per window group, per
hour of issue and per window (one GROUP BY each on ix_queue_ticket_day's range), the urgent and
proxy cases (green_channel.counts) and the delayed-service cases (ix_case_delayed_accepted).
`live` is the dashboard's hall panel: one GROUP BY over today's open tickets.

Which rows: `where(model)` gives the condition for each model read — a row scope's `clause`
(the dashboard: a department user sees only their department's), or `in_centers(ids)` (the
monthly report: the center and the centers below it). Periods are [start, end) dates; nothing
reads the clock (`now` decides which inquiries are overdue and how long the waiting have waited).

Definitions (口径), also written on the report's 指标口径 sheet (NOTES):
- tickets issued: tickets drawn at the kiosk or by check-in in the period (a transfer to another
  queue keeps its ticket: not counted again); served: finished at a window; abandoned (离队):
  still waiting at close; skipped (过号): called and not come;
- wait: from the first issue to the first call (a transferred ticket waits from its first issue),
  over the tickets called; average and longest per group, per hour of issue, overall;
- calls per window: tickets called to the window (served, skipped or transferred on);
- appointment keep rate (预约履约率): kept ÷ (kept + no-show); cancelled ones are left out;
- delayed-service cases: cases received in the period and marked 延时服务 at intake.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models.appointment import Appointment, WindowGroup
from app.models.case import Case
from app.models.inquiry import Inquiry
from app.models.matter import CaseKind
from app.models.org import Window
from app.models.queue import QueueTicket, TicketStatus
from app.services import appointments, green_channel, inquiries

NOTES = (
    "大厅服务口径：取号数为当期取号（含预约签到取号），转其他队列的号不重复计；办结为在窗口办理完毕，"
    "离队为闭厅时仍在等候，过号为叫号未到；",
    "等候时长为首次取号至首次叫号，按已叫号的号计，按队列（窗口组）、取号时段（小时）和全部分别计平均与最长，单位分钟；"
    "叫号数为叫到该窗口的号（含办结、过号与转出）；",
    "首问办结率为当期登记的首问事项中已办结的比例；预约履约率为已签到 ÷（已签到 + 爽约），取消的预约不计；"
    "急办件、全程代办件与延时服务件按受理时间计入当月，延时服务件为非工作时间在中心开放的延时服务时段内受理"
    "或来自延时服务预约的办件。",
)

Where = Callable[[type], sa.ColumnElement]


def in_centers(center_ids) -> Where:
    """Rows of these centers (every model read here has a center_id)."""
    ids = list(center_ids)
    return lambda model: model.center_id.in_(ids)


def minutes(seconds) -> float | None:
    """Seconds as minutes with one decimal (None stays None)."""
    return None if seconds is None else round(float(seconds) / 60, 1)


def keep_rate(counts: dict) -> float | None:
    """预约履约率 of appointments.counts: kept ÷ (kept + no-show); None when neither happened."""
    done = counts["kept"] + counts["no_show"]
    return counts["kept"] / done if done else None


def count_if(condition):
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


@dataclass
class HallFigures:
    start: date
    end: date
    inquiries: inquiries.Figures
    appointments: dict
    tickets: dict
    groups: list[dict] = field(default_factory=list)
    hours: list[dict] = field(default_factory=list)
    windows: list[dict] = field(default_factory=list)
    cases: dict = field(default_factory=dict)

    @property
    def keep_rate(self) -> float | None:
        return keep_rate(self.appointments)

    def headline(self) -> dict:
        """The flat figures the monthly report stores in its JSON (names prefixed hall_)."""
        return {
            "hall_inquiries": self.inquiries.received,
            "hall_inquiries_closed": self.inquiries.closed,
            "hall_inquiry_closure_rate": self.inquiries.closure_rate,
            "hall_inquiries_overdue": self.inquiries.overdue,
            "hall_appointments_kept": self.appointments["kept"],
            "hall_appointments_no_show": self.appointments["no_show"],
            "hall_appointments_cancelled": self.appointments["cancelled"],
            "hall_appointment_keep_rate": self.keep_rate,
            "hall_tickets": self.tickets["issued"],
            "hall_tickets_served": self.tickets["served"],
            "hall_tickets_abandoned": self.tickets["abandoned"],
            "hall_tickets_skipped": self.tickets["skipped"],
            "hall_wait_minutes": minutes(self.tickets["average_wait"]),
            "hall_longest_wait_minutes": minutes(self.tickets["longest_wait"]),
            "hall_urgent_cases": self.cases["urgent"],
            "hall_proxy_cases": self.cases["proxy"],
            "hall_delayed_cases": self.cases["delayed"],
        }


def _ticket_rows(first: date, last: date, where: Where, *grain):
    """Ticket figures of the days grouped by `grain` (plus the grain's columns)."""
    status = QueueTicket.status
    return sa.select(
        *grain,
        count_if(QueueTicket.transferred_from_id.is_(None)).label("issued"),
        count_if(status == TicketStatus.done).label("served"),
        count_if(status == TicketStatus.abandoned).label("abandoned"),
        count_if(status == TicketStatus.skipped).label("skipped"),
        sa.func.count(QueueTicket.wait_seconds).label("called"),
        sa.func.avg(QueueTicket.wait_seconds).label("average_wait"),
        sa.func.max(QueueTicket.wait_seconds).label("longest_wait"),
    ).where(QueueTicket.service_day >= first, QueueTicket.service_day <= last, where(QueueTicket))


def _ticket_line(row) -> dict:
    values = row._asdict()
    for key in ("issued", "served", "abandoned", "skipped", "called"):
        values[key] = int(values[key] or 0)
    values["average_wait"] = float(values["average_wait"]) if values["average_wait"] is not None else None
    return values


def figures(session: Session, start: date, end: date, now: datetime, where: Where) -> HallFigures:
    """The hall's figures of [start, end) for the rows `where` admits (seven statements)."""
    last = end - timedelta(days=1)
    begin, finish = datetime.combine(start, datetime.min.time()), datetime.combine(end, datetime.min.time())
    inquiry_figures = inquiries.figures(session, start, end, now, where(Inquiry))
    appointment_counts = appointments.counts(session, begin, finish, where=where(Appointment))

    groups = [
        _ticket_line(row)
        for row in session.execute(
            _ticket_rows(start, last, where, WindowGroup.id, WindowGroup.prefix, WindowGroup.name)
            .join(WindowGroup, WindowGroup.id == QueueTicket.group_id)
            .group_by(WindowGroup.id, WindowGroup.prefix, WindowGroup.name, WindowGroup.sort_order)
            .order_by(WindowGroup.sort_order, WindowGroup.prefix, WindowGroup.id)
        )
    ]
    hours = [
        _ticket_line(row)
        for row in session.execute(
            _ticket_rows(start, last, where, QueueTicket.issued_hour.label("hour"))
            .group_by(QueueTicket.issued_hour)
            .order_by(QueueTicket.issued_hour)
        )
    ]
    status = QueueTicket.status
    windows = [
        {
            "id": row.id,
            "code": row.code,
            "name": row.name,
            "calls": int(row.calls),
            "served": int(row.served),
            "skipped": int(row.skipped),
            "average_service": float(row.average_service) if row.average_service is not None else None,
        }
        for row in session.execute(
            sa.select(
                Window.id,
                Window.code,
                Window.name,
                sa.func.count().label("calls"),
                count_if(status == TicketStatus.done).label("served"),
                count_if(status == TicketStatus.skipped).label("skipped"),
                sa.func.avg(QueueTicket.service_seconds).label("average_service"),
            )
            .join(Window, Window.id == QueueTicket.window_id)
            .where(QueueTicket.service_day >= start, QueueTicket.service_day <= last, where(QueueTicket))
            .group_by(Window.id, Window.code, Window.name)
            .order_by(Window.code, Window.id)
        )
    ]
    called = sum(group["called"] for group in groups)
    tickets = {
        key: sum(group[key] for group in groups) for key in ("issued", "served", "abandoned", "skipped", "called")
    }
    tickets["average_wait"] = (
        sum(group["average_wait"] * group["called"] for group in groups if group["called"]) / called if called else None
    )
    tickets["longest_wait"] = max((g["longest_wait"] for g in groups if g["longest_wait"] is not None), default=None)

    cases = green_channel.counts(session, begin, finish, where(Case))
    cases["delayed"] = session.scalar(
        sa.select(sa.func.count()).where(
            Case.delayed_service, Case.accepted_at >= begin, Case.accepted_at < finish, where(Case)
        )
    )
    return HallFigures(start, end, inquiry_figures, appointment_counts, tickets, groups, hours, windows, cases)


def live(session: Session, now: datetime, where: Where) -> dict:
    """The hall now, per window group and in all (one GROUP BY over today's open tickets): how
    many wait, how long the longest-waiting ticket has waited (seconds), how many windows serve
    (a ticket called to or being served at a window)."""
    status = QueueTicket.status
    waiting = status == TicketStatus.waiting
    rows = session.execute(
        sa.select(
            WindowGroup.prefix,
            WindowGroup.name,
            count_if(waiting).label("waiting"),
            sa.func.min(sa.case((waiting, QueueTicket.issued_at))).label("oldest"),
            count_if(status.in_([TicketStatus.called, TicketStatus.serving])).label("serving"),
        )
        .join(WindowGroup, WindowGroup.id == QueueTicket.group_id)
        .where(
            QueueTicket.service_day == now.date(),
            status.in_([TicketStatus.waiting, TicketStatus.called, TicketStatus.serving]),
            where(QueueTicket),
        )
        .group_by(WindowGroup.id, WindowGroup.prefix, WindowGroup.name, WindowGroup.sort_order)
        .order_by(WindowGroup.sort_order, WindowGroup.prefix, WindowGroup.id)
    ).all()
    groups = []
    for row in rows:
        oldest = row.oldest
        if isinstance(oldest, str):  # SQLite hands MIN(CASE …) of a DATETIME back as text
            oldest = datetime.fromisoformat(oldest)
        longest = max(0, int((now - oldest).total_seconds())) if oldest is not None else 0
        groups.append(
            {
                "prefix": row.prefix,
                "name": row.name,
                "waiting": int(row.waiting),
                "longest_wait": longest,
                "serving": int(row.serving),
            }
        )
    return {
        "waiting": sum(group["waiting"] for group in groups),
        "longest_wait": max((group["longest_wait"] for group in groups), default=0),
        "serving": sum(group["serving"] for group in groups),
        "groups": groups,
    }


def month_summary(session: Session, start: date, end: date, now: datetime, where: Where) -> dict:
    """The dashboard's hall figures of [start, end) in four statements: inquiries and their closure
    rate, appointments kept and no-shows, tickets issued, served, abandoned with the average and
    longest wait (minutes), urgent and delayed-service cases (the report's sheet has the rest)."""
    begin, finish = datetime.combine(start, datetime.min.time()), datetime.combine(end, datetime.min.time())
    inquiry_figures = inquiries.figures(session, start, end, now, where(Inquiry))
    booked = appointments.counts(session, begin, finish, where=where(Appointment))
    tickets = _ticket_line(session.execute(_ticket_rows(start, end - timedelta(days=1), where)).one())
    cases = session.execute(
        sa.select(count_if(Case.kind == CaseKind.urgent), count_if(Case.delayed_service)).where(
            Case.accepted_at >= begin, Case.accepted_at < finish, where(Case)
        )
    ).one()
    return {
        "inquiries": inquiry_figures.received,
        "inquiry_closure_rate": inquiry_figures.closure_rate,
        "kept": booked["kept"],
        "no_show": booked["no_show"],
        "keep_rate": keep_rate(booked),
        "tickets": tickets["issued"],
        "served": tickets["served"],
        "abandoned": tickets["abandoned"],
        "average_wait": minutes(tickets["average_wait"]),
        "longest_wait": minutes(tickets["longest_wait"]),
        "urgent": int(cases[0]),
        "delayed": int(cases[1]),
    }

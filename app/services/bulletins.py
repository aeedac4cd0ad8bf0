"""Efficiency bulletins (效能通报): twelve indicators by department for a period, ranked.

Definitions, shown on the page and in the workbook:
- 项目进入率: the department's matters in service that are handled in the center
  ÷ all its matters in service.
- 窗口授权率: matters handled in the center that the window may decide on site
  ÷ matters handled in the center.
- 现场办结率: immediate cases completed by the close of the day they were accepted
  ÷ immediate cases accepted.
- 按时办结率: cases completed no later than their deadline ÷ cases completed.
- 好评率, 差评率, 默认评价占比: the three rating figures, defined in rating_rates.py
  (default ratings apart from the voluntary ones).
- 投诉率: complaints ÷ cases accepted.
- 网上办理率: cases accepted with channel online (网上申报) ÷ cases accepted
  (services/online_figures.py).
- 首问办结率 (issue 18.5): first inquiries of the department — referred to it, else received by
  its staff — closed by their reply deadline (answered on the spot counts as closed in time)
  ÷ those inquiries, by receipt in the period.
- 预约履约率: appointments of the department's window groups kept (checked in) ÷ (kept +
  no-shows), by appointment time; cancelled ones are left out.
- 平均等候时长 (minutes, lower is better): issue to call, over the tickets of the department's
  window groups called in the period (comprehensive and green-channel groups belong to no
  department and count in the hall figures only).
The case, evaluation and complaint figures are the monthly report's
(monthly_report.compute_period); matters, inquiries, appointments and tickets are one GROUP BY each.
"""

import io
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
import xlsxwriter
from sqlalchemy.orm import Session

from app.models.appointment import Appointment, AppointmentStatus, WindowGroup
from app.models.inquiry import Inquiry, InquiryStatus
from app.models.matter import Matter, MatterStatus
from app.models.org import Department, RecordStatus
from app.models.queue import QueueTicket
from app.services import hall_figures, monthly_report, rating_rates
from app.services.excel import safe_cell

# (key, label, higher is better)
INDICATORS = (
    ("stationed_rate", "项目进入率", True),
    ("authorized_rate", "窗口授权率", True),
    ("on_site_rate", "现场办结率", True),
    ("on_time_rate", "按时办结率", True),
    *((key, rating_rates.LABELS[key], key == "satisfaction_rate") for key in rating_rates.RATES),
    ("complaint_rate", "投诉率", False),
    ("online_rate", "网上办理率", True),
    ("inquiry_closure_rate", "首问办结率", True),
    ("appointment_keep_rate", "预约履约率", True),
    ("average_wait", "平均等候时长（分钟）", False),
)
# Indicators that are minutes, not shares (shown with one decimal, not as a percentage).
MINUTES = {"average_wait"}
DEFINITIONS = {
    "stationed_rate": "进驻中心办理的在用事项数 ÷ 部门在用事项总数",
    "authorized_rate": "授权窗口当场决定的进驻事项数 ÷ 进驻事项数",
    "on_site_rate": "当日办结的即办件数 ÷ 受理的即办件数",
    "on_time_rate": "在承诺时限内办结的件数 ÷ 办结件数",
    **rating_rates.DEFINITIONS,
    "complaint_rate": "投诉件数 ÷ 受理件数",
    "online_rate": "受理的网上申报渠道办件数 ÷ 受理件数",
    "inquiry_closure_rate": (
        "转办至本部门或由本部门人员首问登记的事项中，在答复时限内办结的件数（当场答复计入）÷ 登记件数"
    ),
    "appointment_keep_rate": "本部门窗口组预约已签到数 ÷（已签到数 + 爽约数），取消的预约不计",
    "average_wait": "本部门窗口组已叫号的号，取号至首次叫号的平均分钟数（越低越好）",
}


def _ratio(numerator, denominator):
    return numerator / denominator if denominator else None


@dataclass
class BulletinRow:
    rank: int
    department_id: int
    name: str
    accepted: int
    values: dict


def _hall_by_department(session: Session, center_ids, start: datetime, end: datetime) -> dict[str, dict]:
    """The front of the hall's three indicators by department id, one GROUP BY each."""
    count_if = hall_figures.count_if
    department = sa.func.coalesce(Inquiry.referred_department_id, Inquiry.department_id)
    in_time = sa.and_(
        Inquiry.status == InquiryStatus.closed,
        sa.or_(Inquiry.due_at.is_(None), Inquiry.closed_at <= Inquiry.due_at),
    )
    inquiries = session.execute(
        sa.select(department, sa.func.count(), count_if(in_time))
        .where(Inquiry.center_id.in_(center_ids), Inquiry.received_at >= start, Inquiry.received_at < end)
        .group_by(department)
    ).all()
    status = Appointment.status
    kept, no_show = status == AppointmentStatus.checked_in, status == AppointmentStatus.no_show
    appointments = session.execute(
        sa.select(WindowGroup.department_id, count_if(kept), count_if(no_show))
        .join(WindowGroup, WindowGroup.id == Appointment.group_id)
        .where(Appointment.center_id.in_(center_ids), Appointment.starts_at >= start, Appointment.starts_at < end)
        .group_by(WindowGroup.department_id)
    ).all()
    waits = session.execute(
        sa.select(QueueTicket.department_id, sa.func.avg(QueueTicket.wait_seconds))
        .where(
            QueueTicket.center_id.in_(center_ids),
            QueueTicket.service_day >= start.date(),
            QueueTicket.service_day < end.date(),
            QueueTicket.wait_seconds.is_not(None),
            QueueTicket.department_id.is_not(None),
        )
        .group_by(QueueTicket.department_id)
    ).all()
    return {
        "inquiry_closure_rate": {dep: _ratio(int(closed), total) for dep, total, closed in inquiries},
        "appointment_keep_rate": {dep: _ratio(int(k), int(k) + int(n)) for dep, k, n in appointments},
        "average_wait": {dep: hall_figures.minutes(avg) for dep, avg in waits if avg is not None},
    }


def compute(session: Session, center_id: int, start: datetime, end: datetime, order_by: str = "on_time_rate"):
    if order_by not in {key for key, _, _ in INDICATORS}:
        raise ValueError(order_by)
    figures = monthly_report.compute_period(session, center_id, start, end)
    by_department = {line.key: line for line in figures.lines["department"]}
    matters = session.execute(
        sa.select(
            Matter.department_id,
            sa.func.count(),
            sa.func.sum(sa.case((Matter.stationed, 1), else_=0)),
            sa.func.sum(sa.case((sa.and_(Matter.stationed, Matter.window_authorized), 1), else_=0)),
        )
        .where(Matter.status == MatterStatus.active)
        .group_by(Matter.department_id)
    ).all()
    matter_counts = {row[0]: row[1:] for row in matters}
    hall = _hall_by_department(session, figures.center_ids, start, end)
    departments = session.execute(
        sa.select(Department.id, Department.name)
        .where(Department.center_id.in_(figures.center_ids), Department.status == RecordStatus.active)
        .order_by(Department.sort_order, Department.id)
    ).all()
    rows = []
    for department_id, name in departments:
        total, stationed, authorized = matter_counts.get(department_id, (0, 0, 0))
        line = by_department.get(department_id) or monthly_report.Line(department_id, name)
        values = {
            "stationed_rate": _ratio(stationed or 0, total),
            "authorized_rate": _ratio(authorized or 0, stationed or 0),
            "on_site_rate": line.rates["on_site_rate"],
            "on_time_rate": line.rates["on_time_rate"],
            **{key: line.rates[key] for key in rating_rates.RATES},
            "complaint_rate": _ratio(line.values["complaints"], line.values["accepted"]),
            "online_rate": _ratio(line.values["online"], line.values["accepted"]),
            **{key: hall[key].get(department_id) for key in ("inquiry_closure_rate", "appointment_keep_rate")},
            "average_wait": hall["average_wait"].get(department_id),
        }
        rows.append(BulletinRow(0, department_id, name, line.values["accepted"], values))
    higher_is_better = next(better for key, _, better in INDICATORS if key == order_by)
    # Departments without a figure for the indicator go last, unranked.
    ranked = [row for row in rows if row.values[order_by] is not None]
    ranked.sort(key=lambda row: (-row.values[order_by] if higher_is_better else row.values[order_by], row.name))
    previous = None
    for position, row in enumerate(ranked, start=1):
        # Ties share a rank (1, 2, 2, 4).
        row.rank = previous.rank if previous and previous.values[order_by] == row.values[order_by] else position
        previous = row
    return ranked + [row for row in rows if row.values[order_by] is None]


def workbook(rows, center_name: str, start: datetime, end: datetime, order_by: str) -> bytes:
    """The bulletin as an .xlsx: title, period, ranked table, definitions."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True})
    sheet = book.add_worksheet("效能通报")
    title = book.add_format({"bold": True, "font_size": 14})
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    percent = book.add_format({"num_format": "0.0%"})
    decimal = book.add_format({"num_format": "0.0"})
    last_day = end.date() - timedelta(days=1)
    heading = f"{center_name}政务服务效能通报（{start:%Y-%m-%d} 至 {last_day:%Y-%m-%d}）"
    sheet.write_string(0, 0, safe_cell(heading), title)
    order_label = next(label for key, label, _ in INDICATORS if key == order_by)
    sheet.write_string(1, 0, f"按{order_label}排名")
    headers = ["排名", "进驻部门", "受理件数", *(label for _, label, _ in INDICATORS)]
    for col, text in enumerate(headers):
        sheet.write_string(3, col, text, header)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 26)
    sheet.set_column(2, len(headers) - 1, 12)
    for number, row in enumerate(rows, start=4):
        if row.rank:
            sheet.write_number(number, 0, row.rank)
        sheet.write_string(number, 1, safe_cell(row.name))
        sheet.write_number(number, 2, row.accepted)
        for col, (key, _, _) in enumerate(INDICATORS, start=3):
            if row.values[key] is not None:
                sheet.write_number(number, col, row.values[key], decimal if key in MINUTES else percent)
    notes = 4 + len(rows) + 1
    sheet.write_string(notes, 0, "指标口径：")
    for offset, (key, label, _) in enumerate(INDICATORS, start=1):
        sheet.write_string(notes + offset, 0, f"{label}：{DEFINITIONS[key]}")
    book.close()
    return output.getvalue()

"""The county report's sheet 三级网络 (issue 16.7): network_report's figures laid out in five tables
— cases per level, cases per center, report-up hand-offs (上报) per township, village requests
per agent, deliveries (送达) per center — written top to bottom (the workbook is constant_memory).
"""

from app.models.org import CenterLevel
from app.services.excel import safe_cell
from app.services.network_report import NetworkSummary

TITLE = "三级网络"
LEVELS = {
    CenterLevel.county: "县级政务服务中心",
    CenterLevel.sub_center: "分中心",
    CenterLevel.township: "乡镇便民服务中心",
    CenterLevel.village: "村便民服务站",
}
CASE_COLUMNS = (
    ("accepted", "受理"),
    ("completed", "办结"),
    ("on_time", "按时办结"),
    ("on_time_rate", "按时办结率"),
    ("overdue", "超期"),
)
LEVEL_COLUMNS = (*CASE_COLUMNS, ("delivered", "送达"))
HANDOFF_COLUMNS = (
    ("sent", "上报件数"),
    ("decided", "县级已办结"),
    ("open", "尚未办结"),
    ("workdays", "上报至县级办结平均工作日"),
    ("median_workdays", "上报至县级办结中位工作日"),
    ("hours_to_acceptance", "上报至县级受理平均小时"),
)
AGENT_COLUMNS = (
    ("requests", "登记"),
    ("forwarded", "转交"),
    ("accepted", "受理成件"),
    ("returned", "退回"),
    ("flagged", "超时未确认接收"),
    ("hours_to_receipt", "转交至确认接收平均小时"),
)
DELIVERY_COLUMNS = (
    ("delivered", "送达件数"),
    ("delivery_days", "受理至送达平均天数"),
    ("result_days", "县级办结至送达平均天数"),
)
DURATIONS = {"workdays", "median_workdays", "hours_to_acceptance", "hours_to_receipt", "delivery_days", "result_days"}
NOTES = (
    "口径：受理、办结、按时办结、超期同月报汇总表；上报件按县级收件时间计入当月，"
    "工作日不计上报当日（受理日不计），扣除法定节假日、计入调休工作日；",
    "代办件按登记时间计入当月，超时未确认接收为超过确认时限被标记者；送达按送达时间计入当月，天数为自然日。",
)


def write(writer, summary: NetworkSummary, title: str) -> None:
    """Add the sheet to `writer`'s workbook (report_workbook._Writer)."""
    sheet = writer.book.add_worksheet(TITLE)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 20)
    sheet.set_column(2, 8, 13)
    sheet.write_string(0, 0, safe_cell(title), writer.title)
    for row, line in enumerate(NOTES, start=1):
        sheet.write_string(row, 0, line)
    row = len(NOTES) + 2

    def heading(text):
        nonlocal row
        sheet.write_string(row, 0, text, writer.section)
        row += 1

    def header(first, columns, second=None):
        nonlocal row
        labels = [first, *([second] if second else []), *(label for _, label in columns)]
        for col, label in enumerate(labels):
            sheet.write_string(row, col, label, writer.header)
        row += 1

    def line(name, values, columns, second=None, fmt=None):
        nonlocal row
        writer.cell(sheet, row, 0, name, fmt)
        offset = 1
        if second is not None:
            writer.cell(sheet, row, 1, second, fmt)
            offset = 2
        for col, (key, _) in enumerate(columns, start=offset):
            value = values.get(key)
            if value is not None:
                writer.cell(sheet, row, col, value, _format(writer, key, fmt))
        row += 1

    heading("一、各层级办件")
    header("层级", LEVEL_COLUMNS)
    for level, totals in sorted(summary.levels.items(), key=lambda item: list(CenterLevel).index(item[0])):
        completed = totals["completed"]
        rate = totals["on_time"] / completed if completed else None
        line(LEVELS[level], {**totals, "on_time_rate": rate}, LEVEL_COLUMNS)
    row += 1

    heading("二、各中心办件")
    header("服务中心", CASE_COLUMNS, "层级")
    for center in summary.centers:
        values = {key: getattr(center, key) for key, _ in CASE_COLUMNS}
        line(center.name, values, CASE_COLUMNS, LEVELS[center.level])
    row += 1

    heading("三、上报件（乡镇受理、上报县政务大厅窗口办理）")
    header("乡镇便民服务中心", HANDOFF_COLUMNS)
    for handoff in summary.handoffs:
        line(handoff.name, vars(handoff), HANDOFF_COLUMNS)
    if summary.handoffs:
        line("合计", _sums(summary.handoffs, ("sent", "decided", "open")), HANDOFF_COLUMNS, fmt=writer.total)
    row += 1

    heading("四、村级代办（按代办员）")
    header("代办员", AGENT_COLUMNS, "便民服务站")
    for agent in summary.agents:
        line(agent.name, vars(agent), AGENT_COLUMNS, agent.center)
    if summary.agents:
        counts = ("requests", "forwarded", "accepted", "returned", "flagged")
        line("合计", _sums(summary.agents, counts), AGENT_COLUMNS, "", fmt=writer.total)
    row += 1

    heading("五、结果送达")
    header("服务中心", DELIVERY_COLUMNS)
    delivered = [center for center in summary.centers if center.delivered]
    for center in delivered:
        line(center.name, vars(center), DELIVERY_COLUMNS)
    if delivered:
        line("合计", _sums(delivered, ("delivered",)), DELIVERY_COLUMNS, fmt=writer.total)


def _sums(lines, keys) -> dict:
    return {key: sum(getattr(item, key) for item in lines) for key in keys}


def _format(writer, key, row_format):
    if key == "on_time_rate":
        return writer.percent
    if key in DURATIONS:
        return writer.decimal
    return row_format

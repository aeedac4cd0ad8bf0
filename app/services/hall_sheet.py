"""The monthly report's sheet 大厅服务 (issue 18.5): hall_figures' month laid out in five tables —
queues (tickets, served, abandoned, skipped, average and longest wait), wait by hour of issue,
calls per window, inquiries and appointments, urgent, proxy and delayed-service cases — written
top to bottom (the workbook is constant_memory). Waits are in minutes.
"""

from app.services.excel import safe_cell
from app.services.hall_figures import HallFigures, minutes

TITLE = "大厅服务"
GROUP_COLUMNS = (
    ("issued", "取号"),
    ("served", "办结"),
    ("abandoned", "离队"),
    ("skipped", "过号"),
    ("called", "已叫号"),
    ("average_wait", "平均等候（分钟）"),
    ("longest_wait", "最长等候（分钟）"),
)
HOUR_COLUMNS = GROUP_COLUMNS
WINDOW_COLUMNS = (
    ("calls", "叫号"),
    ("served", "办结"),
    ("skipped", "过号"),
    ("average_service", "平均办理（分钟）"),
)
WAITS = {"average_wait", "longest_wait", "average_service"}


def write(writer, hall: HallFigures, title: str) -> None:
    """Add the sheet to `writer`'s workbook (report_workbook._Writer)."""
    sheet = writer.book.add_worksheet(TITLE)
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 8, 14)
    sheet.write_string(0, 0, safe_cell(title), writer.title)
    row = 2

    def heading(text):
        nonlocal row
        sheet.write_string(row, 0, text, writer.section)
        row += 1

    def header(first, columns):
        nonlocal row
        for col, label in enumerate([first, *(label for _, label in columns)]):
            sheet.write_string(row, col, label, writer.header)
        row += 1

    def line(name, values, columns, fmt=None):
        nonlocal row
        writer.cell(sheet, row, 0, name, fmt)
        for col, (key, _) in enumerate(columns, start=1):
            value = values.get(key)
            if key in WAITS:
                value = minutes(value)
            if value is not None:
                writer.cell(sheet, row, col, value, writer.decimal if key in WAITS else fmt)
        row += 1

    heading("一、排队叫号（按队列）")
    header("队列", GROUP_COLUMNS)
    for group in hall.groups:
        line(f"{group['prefix']} {group['name']}", group, GROUP_COLUMNS)
    line("合计", hall.tickets, GROUP_COLUMNS, writer.total)
    row += 1

    heading("二、各时段等候（按取号时间）")
    header("时段", HOUR_COLUMNS)
    for hour in hall.hours:
        line(f"{hour['hour']:02d}:00-{hour['hour'] + 1:02d}:00", hour, HOUR_COLUMNS)
    row += 1

    heading("三、各窗口叫号")
    header("窗口", WINDOW_COLUMNS)
    for window in hall.windows:
        line(f"{window['code']} {window['name']}", window, WINDOW_COLUMNS)
    row += 1

    heading("四、首问登记与预约")
    inquiries, appointments = hall.inquiries, hall.appointments
    for name, value, fmt in (
        ("首问登记", inquiries.received, None),
        ("当场答复", inquiries.on_the_spot, None),
        ("转办", inquiries.referred, None),
        ("已办结", inquiries.closed, None),
        ("逾期", inquiries.overdue, None),
        ("首问办结率", inquiries.closure_rate, writer.percent),
        ("预约已签到（履约）", appointments["kept"], None),
        ("预约爽约", appointments["no_show"], None),
        ("预约取消", appointments["cancelled"], None),
        ("预约履约率", hall.keep_rate, writer.percent),
        ("延时服务预约", appointments["delayed"], None),
    ):
        writer.cell(sheet, row, 0, name)
        if value is not None:
            writer.cell(sheet, row, 1, value, fmt)
        row += 1
    row += 1

    heading("五、急办件、全程代办与延时服务")
    for name, value in (
        ("急办件", hall.cases["urgent"]),
        ("急办件按时办结", hall.cases["urgent_on_time"]),
        ("全程代办件", hall.cases["proxy"]),
        ("代办回访", hall.cases["callbacks"]),
        ("延时服务件", hall.cases["delayed"]),
    ):
        writer.cell(sheet, row, 0, name)
        writer.cell(sheet, row, 1, value)
        row += 1

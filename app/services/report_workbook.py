"""The monthly report as an .xlsx workbook (xlsxwriter).

Sheets: 汇总 (by center, by department, with charts), 按窗口, 按人员,
超期办件清单, 投诉清单, 三级网络 (a county's report: network_sheet.py), 网上申报与容缺
(online_sheet.py), 大厅服务 (the front of the hall: hall_sheet.py), 指标口径 (the definitions of
rating_rates.py, online_figures.py and hall_figures.py).
constant_memory keeps long lists out of memory, so every sheet is written top to bottom;
text goes through excel.safe_cell.
"""

import io
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter

from app.services import hall_figures, hall_sheet, network_sheet, online_figures, online_sheet, rating_rates
from app.services.excel import safe_cell
from app.services.monthly_report import MonthlyFigures, complaint_list, overdue_list

RATING_COLUMNS = ("voluntary", "satisfied", "satisfaction_rate", "bad", "bad_review_rate", "defaults", "default_share")
COLUMNS = (
    ("accepted", "受理"),
    ("completed", "办结"),
    ("on_time", "按时办结"),
    ("on_time_rate", "按时办结率"),
    ("overdue", "超期"),
    ("immediate", "即办件"),
    ("on_site", "即办件现场办结"),
    ("on_site_rate", "现场办结率"),
    ("returned", "退件"),
    ("supplemented", "补正"),
    ("escalated", "上报件"),
    ("fees", "收费（元）"),
    *((name, rating_rates.LABELS[name]) for name in RATING_COLUMNS),
    ("complaints", "投诉"),
)
PERCENTS = {"on_time_rate", "on_site_rate", *rating_rates.RATES}
OVERDUE_HEADERS = ("办件编号", "部门", "窗口", "经办人", "申请人", "受理时间", "到期时间", "办结时间", "状态")
COMPLAINT_HEADERS = ("投诉编号", "投诉时间", "部门", "窗口", "工作人员", "事由", "处理阶段", "调查结论")


class _Writer:
    def __init__(self, workbook):
        self.book = workbook
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        self.total = workbook.add_format({"bold": True, "top": 1})
        self.percent = workbook.add_format({"num_format": "0.0%"})
        self.money = workbook.add_format({"num_format": "#,##0.00"})
        self.moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.decimal = workbook.add_format({"num_format": "0.0"})
        self.section = workbook.add_format({"bold": True, "font_size": 12})

    def cell(self, sheet, row, col, value, fmt=None):
        value = safe_cell(value)
        if value == "":
            return
        if isinstance(value, datetime):
            sheet.write_datetime(row, col, value, fmt or self.moment)
        elif isinstance(value, date):
            sheet.write_datetime(row, col, datetime(value.year, value.month, value.day), fmt or self.moment)
        elif isinstance(value, (int, float, Decimal)):
            sheet.write_number(row, col, float(value), fmt)
        else:
            sheet.write_string(row, col, value, fmt)

    def table(self, sheet, row, first_header, lines, total=None) -> tuple[int, int]:
        """Write a figures table from `row`; returns (first data row, last data row)."""
        sheet.write_string(row, 0, first_header, self.header)
        for col, (_, label) in enumerate(COLUMNS, start=1):
            sheet.write_string(row, col, label, self.header)
        first = row + 1
        for line in [*lines, *([total] if total else [])]:
            row += 1
            values = {**line.values, **line.rates}
            row_format = self.total if line is total else None
            self.cell(sheet, row, 0, line.name, row_format)
            for col, (name, _) in enumerate(COLUMNS, start=1):
                fmt = self.percent if name in PERCENTS else self.money if name == "fees" else None
                if values[name] is not None:
                    self.cell(sheet, row, col, values[name], fmt)
        return first, row


def build(
    session,
    figures: MonthlyFigures,
    center_name: str,
    generated_at: datetime,
    network=None,
    online=None,
    hall=None,
) -> bytes:
    """The workbook; `network` (network_report.NetworkSummary) adds the county's sheet 三级网络,
    `online` (online_figures.OnlineFigures) the sheet 网上申报与容缺, `hall` (hall_figures.HallFigures)
    the sheet 大厅服务."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        output,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "in_memory": True},
    )
    writer = _Writer(workbook)
    month_text = f"{figures.start:%Y年%m月}"

    summary = workbook.add_worksheet("汇总")
    summary.set_column(0, 0, 28)
    summary.set_column(1, len(COLUMNS), 11)
    summary.write_string(0, 0, safe_cell(f"{center_name} {month_text}政务服务月报"), writer.title)
    summary.write_string(
        1,
        0,
        f"统计期间：{figures.start:%Y-%m-%d} 至 {figures.end:%Y-%m-%d}（不含）；生成于 {generated_at:%Y-%m-%d %H:%M}",
    )
    writer.table(summary, 3, "服务中心", figures.lines["center"], figures.total)
    department_row = 5 + len(figures.lines["center"]) + 2
    first, last = writer.table(summary, department_row, "进驻部门", figures.lines["department"])
    if last >= first:
        _charts(workbook, summary, first, last, last + 3)

    for title, dimension, header in (("按窗口", "window", "窗口"), ("按人员", "staff", "工作人员（受理人）")):
        sheet = workbook.add_worksheet(title)
        sheet.set_column(0, 0, 24)
        sheet.set_column(1, len(COLUMNS), 11)
        sheet.freeze_panes(1, 1)
        writer.table(sheet, 0, header, figures.lines[dimension])

    _list_sheet(writer, "超期办件清单", OVERDUE_HEADERS, overdue_list(session, figures))
    _list_sheet(writer, "投诉清单", COMPLAINT_HEADERS, complaint_list(session, figures))
    if network is not None:
        network_sheet.write(writer, network, f"{center_name} {month_text}三级网络运行情况")
    if online is not None:
        online_sheet.write(writer, online, f"{center_name} {month_text}网上申报与容缺受理")
    if hall is not None:
        hall_sheet.write(writer, hall, f"{center_name} {month_text}大厅服务情况")
    notes = workbook.add_worksheet("指标口径")
    notes.set_column(0, 0, 120)
    lines = [*rating_rates.notes(), "", *online_figures.NOTES]
    if hall is not None:
        lines += ["", *hall_figures.NOTES]
    for row, line in enumerate(lines):
        if line:
            notes.write_string(row, 0, line)
    workbook.close()
    return output.getvalue()


def _list_sheet(writer, title, headers, rows) -> None:
    sheet = writer.book.add_worksheet(title)
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, writer.header)
        sheet.set_column(col, col, 18)
    sheet.freeze_panes(1, 0)
    count = 0
    for count, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is not None:
                writer.cell(sheet, count, col, value)
    if count:
        sheet.autofilter(0, 0, count, len(headers) - 1)


def _charts(workbook, sheet, first, last, at_row) -> None:
    """Accepted and completed by department, and the on-time rate."""
    volume = workbook.add_chart({"type": "column"})
    for col, name in ((1, "受理"), (2, "办结")):
        volume.add_series(
            {
                "name": name,
                "categories": ["汇总", first, 0, last, 0],
                "values": ["汇总", first, col, last, col],
            }
        )
    volume.set_title({"name": "各部门受理与办结"})
    volume.set_size({"width": 960, "height": 360})
    sheet.insert_chart(at_row, 0, volume)
    rate_col = 1 + [name for name, _ in COLUMNS].index("on_time_rate")
    rate = workbook.add_chart({"type": "bar"})
    rate.add_series(
        {
            "name": "按时办结率",
            "categories": ["汇总", first, 0, last, 0],
            "values": ["汇总", first, rate_col, last, rate_col],
            "data_labels": {"value": True, "num_format": "0.0%"},
        }
    )
    rate.set_title({"name": "各部门按时办结率"})
    rate.set_x_axis({"num_format": "0%", "max": 1})
    rate.set_legend({"none": True})
    rate.set_size({"width": 960, "height": max(360, 22 * (last - first + 1))})
    sheet.insert_chart(at_row + 20, 0, rate)

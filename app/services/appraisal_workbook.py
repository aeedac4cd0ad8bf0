"""The annual appraisal's result as an .xlsx workbook (xlsxwriter), one row per staff member.

The rules in force head the sheet, so a department reading it sees how the grades were given.
Text goes through excel.safe_cell.
"""

import io
from datetime import datetime
from decimal import Decimal

import xlsxwriter

from app.models.appraisal import GRADE_TITLES
from app.services.appraisal import Rules
from app.services.excel import safe_cell

HEADERS = (
    "服务中心",
    "派出部门",
    "工号",
    "姓名",
    "在中心整月数",
    "是否参评",
    "年度得分",
    "中心内排名",
    "考核等次",
    "不得评优原因",
    "说明",
    "确认人",
    "确认时间",
)
TITLE_ROW, RULES_ROW, HEADER_ROW = 0, 1, 3


def rules_text(rules: Rules) -> str:
    """The rules in one Chinese sentence (the workbook's and the list page's)."""
    year_end = "且年底仍在中心" if rules.year_end else ""
    return (
        f"在中心工作满 {rules.min_months} 个整月{year_end}的工作人员参加年度考核；年度得分为月度考核得分的平均分；"
        f"优秀 ≥ {rules.excellent} 分，称职 ≥ {rules.competent} 分，基本称职 ≥ {rules.basic} 分，以下为不称职；"
        f"优秀不超过本中心参评人数的 {rules.share * 100:.0f}%（向下取整，同分按工号先后）；"
        "年度内 2 个季度（含）以上取消参评资格、被投诉并经查实或受到责令换人处理的，不得评为优秀。"
    )


def build(rows: list, year: int, center_name: str, rules: Rules, generated_at: datetime) -> bytes:
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True})
    title = workbook.add_format({"bold": True, "font_size": 14})
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet = workbook.add_worksheet("年度考核结果")
    sheet.write_string(TITLE_ROW, 0, safe_cell(f"{center_name} {year}年度窗口工作人员考核结果"), title)
    sheet.write_string(RULES_ROW, 0, safe_cell(f"{rules_text(rules)} 生成于 {generated_at:%Y-%m-%d %H:%M}。"))
    for col, text in enumerate(HEADERS):
        sheet.write_string(HEADER_ROW, col, text, header)
        sheet.set_column(col, col, 30 if text in ("不得评优原因", "说明") else 12)
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    for number, row in enumerate(rows, start=HEADER_ROW + 1):
        values = (
            row.center,
            row.department,
            row.staff_no,
            row.name,
            row.months,
            "是" if row.eligible else "否",
            row.score,
            row.rank,
            GRADE_TITLES[row.grade] if row.grade else None,
            "；".join(row.bars or []) or None,
            row.note,
            row.decided_by,
        )
        for col, value in enumerate(values):
            if isinstance(value, (int, Decimal)):
                sheet.write_number(number, col, float(value))
            elif value is not None:
                sheet.write_string(number, col, safe_cell(value))
        if row.decided_at is not None:
            sheet.write_datetime(number, len(values), row.decided_at, moment)
    if rows:
        sheet.autofilter(HEADER_ROW, 0, HEADER_ROW + len(rows), len(HEADERS) - 1)
    workbook.close()
    return output.getvalue()

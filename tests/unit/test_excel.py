"""Excel output: formula-looking text is neutralised, values keep their types."""

import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from app.services.excel import safe_cell, write_workbook


@pytest.mark.parametrize("text", ["=1+1", "+86 123", "-2", "@SUM(A1)", "\tcmd", "\rcmd", '=HYPERLINK("x")'])
def test_formula_starts_are_neutralised(text):
    assert safe_cell(text).startswith("'")


def test_nul_is_removed_and_plain_text_kept():
    assert safe_cell("\0=1") == "'=1"
    assert safe_cell("县市场监督管理局") == "县市场监督管理局"


def test_workbook_round_trip_keeps_types_and_stores_no_formula():
    buffer = io.BytesIO()
    rows = [["=cmd|' /C calc'!A0", 3, Decimal("12.50"), date(2026, 10, 1), datetime(2026, 10, 8, 9, 30), True, None]]
    assert write_workbook(buffer, "导出", ["名称", "数量", "金额", "日期", "时间", "网办", "备注"], rows) == 1
    buffer.seek(0)
    sheet = openpyxl.load_workbook(buffer).active
    values = [cell.value for cell in sheet[2]]
    assert values[0] == "'=cmd|' /C calc'!A0" and sheet.cell(2, 1).data_type == "s"
    assert values[1:3] == [3, 12.5]
    assert values[3] == datetime(2026, 10, 1) and values[4] == datetime(2026, 10, 8, 9, 30)
    assert values[5] == "是" and values[6] is None

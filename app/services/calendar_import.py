"""Reading a year's official schedule from .xlsx or .csv (日期, 类型, 名称).

The State Council publishes next year's schedule each November or December;
the IT team types it into a sheet (or exports it) and imports it here.
"""

import csv
import io
from datetime import date, datetime

import openpyxl

from app.services.workdays import CalendarException

HOLIDAY_WORDS = {"休", "假", "节假日", "放假", "holiday"}
WORKDAY_WORDS = {"班", "上班", "调休上班", "补班", "workday"}


def _rows(filename: str, data: bytes):
    if filename.lower().endswith(".csv"):
        text = data.decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text)))
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def _day(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip().replace("/", "-"))


def read_schedule(filename: str, data: bytes) -> tuple[list[CalendarException], list[str]]:
    """(exceptions, errors); errors name the line. Nothing is partial: any error, use none."""
    try:
        rows = _rows(filename, data)
    except Exception:  # noqa: BLE001 - any unreadable file gets the same plain answer
        return [], ["文件无法读取：请上传 .xlsx 或 UTF-8 编码的 .csv 文件（列：日期、类型、名称）。"]
    exceptions, errors, seen = [], [], set()
    for number, row in enumerate(rows[1:], start=2):
        if not row or all(cell in (None, "") for cell in row):
            continue
        cells = [*row, None, None, None][:3]
        try:
            day = _day(cells[0])
        except ValueError:
            errors.append(f"第{number}行：日期“{cells[0]}”无法识别，应为 YYYY-MM-DD。")
            continue
        kind = str(cells[1] or "").strip()
        if kind not in HOLIDAY_WORDS | WORKDAY_WORDS:
            errors.append(f"第{number}行：类型“{kind}”无法识别，应为“休”或“班”。")
            continue
        if day in seen:
            errors.append(f"第{number}行：日期 {day} 重复。")
            continue
        seen.add(day)
        exceptions.append(CalendarException(day, kind in WORKDAY_WORDS, str(cells[2] or "").strip()[:50]))
    if not exceptions and not errors:
        errors.append("文件中没有日期行。")
    return exceptions, errors

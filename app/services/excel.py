"""Excel output shared by every export and report.

Cells that a spreadsheet would read as a formula (= + - @, or tab, CR, NUL in
front, as OWASP's CSV-injection advice lists) are neutralised with a leading
apostrophe; the workbook is also opened with strings_to_formulas off.
"""

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

import xlsxwriter

_FORMULA_START = re.compile(r"^[=+\-@\t\r\0]")


def safe_cell(value):
    """The value as it may be written to a cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Enum):
        return str(value)
    if isinstance(value, (int, float, Decimal, datetime, date)):
        return value
    text = str(value).replace("\0", "")
    if _FORMULA_START.match(str(value)):
        return "'" + text
    return text


def write_workbook(target, sheet_title: str, headers: list[str], rows: Iterable[Iterable]) -> int:
    """Stream rows into a one-sheet workbook at `target` (path or file); returns the row count.

    constant_memory keeps one row in memory at a time, so a 100k-row export
    stays within tens of MB.
    """
    workbook = xlsxwriter.Workbook(
        target,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "in_memory": False},
    )
    sheet = workbook.add_worksheet(sheet_title[:31])
    header_fmt = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    datetime_fmt = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    date_fmt = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for col, header in enumerate(headers):
        sheet.write_string(0, col, safe_cell(header), header_fmt)
        sheet.set_column(col, col, max(10, min(40, len(str(header)) * 2 + 4)))
    sheet.freeze_panes(1, 0)
    count = 0
    # An enum's label is a lazy translation: look each one up once, not once per row
    # (the lookups were 7 of 25 s in a 100k-row case export).
    labels = {}
    for count, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is None:
                continue  # a blank cell, not an empty string
            if isinstance(value, Enum):
                value = labels.get(value) or labels.setdefault(value, safe_cell(value))
            else:
                value = safe_cell(value)
            if isinstance(value, datetime):
                sheet.write_datetime(count, col, value, datetime_fmt)
            elif isinstance(value, date):
                sheet.write_datetime(count, col, datetime(value.year, value.month, value.day), date_fmt)
            elif isinstance(value, (int, float, Decimal)):
                sheet.write_number(count, col, float(value))
            else:
                sheet.write_string(count, col, value)
    if count:
        sheet.autofilter(0, 0, count, max(len(headers) - 1, 0))
    workbook.close()
    return count

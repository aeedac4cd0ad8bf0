"""The monthly report's sheet 网上申报与容缺 (issue 17.5): online_figures by department and the
total, one line each, written top to bottom (the workbook is constant_memory). The definitions
are online_figures.NOTES, on the sheet 指标口径.
"""

from app.services.excel import safe_cell
from app.services.online_figures import HOURS, LABELS, RATES, OnlineFigures

TITLE = "网上申报与容缺"
# Every figure of online_figures, in the order of its labels.
COLUMNS = tuple(LABELS.items())


def write(writer, figures: OnlineFigures, title: str) -> None:
    """Add the sheet to `writer`'s workbook (report_workbook._Writer)."""
    sheet = writer.book.add_worksheet(TITLE)
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, len(COLUMNS), 11)
    sheet.write_string(0, 0, safe_cell(title), writer.title)
    sheet.write_string(1, 0, "口径见“指标口径”表。")
    header_row = 3
    sheet.write_string(header_row, 0, "进驻部门", writer.header)
    for col, (_, label) in enumerate(COLUMNS, start=1):
        sheet.write_string(header_row, col, label, writer.header)
    sheet.freeze_panes(header_row + 1, 1)
    for row, line in enumerate([*figures.departments, figures.total], start=header_row + 1):
        row_format = writer.total if line is figures.total else None
        values = line.as_dict()
        writer.cell(sheet, row, 0, line.name, row_format)
        for col, (key, _) in enumerate(COLUMNS, start=1):
            value = values[key]
            if value is None:
                continue
            fmt = writer.percent if key in RATES else writer.decimal if key in HOURS else row_format
            writer.cell(sheet, row, col, value, fmt)

"""Import of fingerprint-device attendance exports (.xlsx, or .csv in UTF-8 or GBK), and its template.

attendance_reader.py reads the file into checked staff days (layouts, dates,
row-level errors in Chinese); attendance_writer.py writes them. A run with any
error writes nothing; a dry run writes and rolls back, so it reports exactly
what the import would do.
"""

from dataclasses import dataclass, field
from datetime import date

import xlsxwriter
from flask_babel import force_locale
from sqlalchemy.orm import Session

from app.services import attendance, attendance_reader, attendance_writer, calendar
from app.services.import_rows import FileRefused, ProblemList, RowError


@dataclass
class AttendanceImportReport:
    dry_run: bool
    layout: str = ""
    created: int = 0
    replaced: int = 0
    absences: int = 0
    first_day: date | None = None
    last_day: date | None = None
    errors: ProblemList = field(default_factory=ProblemList)
    # Rows not written, with the reason (a manual correction is kept).
    skipped: ProblemList = field(default_factory=ProblemList)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_attendance(
    session: Session, source, filename: str, *, dry_run: bool, today: date, allow_old=False, progress=None
) -> AttendanceImportReport:
    """Validate the export and, unless dry_run or anything is wrong, write it (caller commits).

    `source` is the file's bytes or a seekable binary file, read as a stream.
    `allow_old` is the importer's confirmation that dates older than the window
    are meant. Messages are in Chinese whatever the uploading user's language:
    the file and its devices are.
    """
    with force_locale("zh"):
        report = AttendanceImportReport(dry_run=dry_run)
        try:
            return _import(session, source, filename, report, today, allow_old, progress)
        except FileRefused as exc:
            report.errors, report.skipped = ProblemList(RowError(None, "", str(exc))), ProblemList()
            return report


def _import(session, source, filename, report, today, allow_old, progress):
    """Reads the rows as a stream; raises FileRefused for a file refused whole."""
    cal = calendar.load(session)
    rules = attendance.Rules.from_settings(session)
    days = attendance_reader.read_days(
        session, source, filename, report, today=today, allow_old=allow_old, cal=cal, rules=rules, progress=progress
    )
    if report.errors:
        return report
    report.first_day, report.last_day = min(k[1] for k in days), max(k[1] for k in days)
    nested = session.begin_nested()
    attendance_writer.write(session, report, days, rules, cal, today, progress)
    if report.dry_run:
        nested.rollback()
    else:
        nested.commit()
    return report


EXAMPLES = (
    ["T001", "张三", "2026-11-02", "08:25", "17:35"],
    ["T002", "李四", "2026-11-02", "08:41", "17:31"],
)


def build_template(target) -> None:
    """An .xlsx template: the one-row-per-day layout with two examples, and a sheet of notes."""
    workbook = xlsxwriter.Workbook(target, {"strings_to_formulas": False, "in_memory": True})
    sheet = workbook.add_worksheet("考勤记录")
    head = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = workbook.add_format({"num_format": "@"})
    for col, header in enumerate(("工号", "姓名", "日期", "上班", "下班")):
        sheet.write_string(0, col, header, head)
        sheet.set_column(col, col, 14, text)
    for row, example in enumerate(EXAMPLES, start=1):
        for col, value in enumerate(example):
            sheet.write_string(row, col, value)
    sheet.freeze_panes(1, 0)
    notes = workbook.add_worksheet("说明")
    notes.set_column(0, 0, 100)
    for row, line in enumerate(
        (
            "只读取第一个工作表；也可直接上传考勤机导出的 .xlsx 或 .csv（UTF-8 或 GBK 编码）。",
            "格式一（每人每天一行）：工号或姓名、日期、上班（签到）、下班（签退）。",
            "格式二（每次打卡一行）：工号或姓名、日期、时间；当天第一次打卡为上班，最后一次为下班。",
            "只填姓名时，重名人员须改填工号。日期写作 2026-11-02，时间写作 08:25。",
            "先预检；有任何错误则不写入任何数据。已人工更正的记录不会被覆盖。",
        )
    ):
        notes.write_string(row, 0, line)
    workbook.close()

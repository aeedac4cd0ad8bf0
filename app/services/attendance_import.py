"""Import of fingerprint-device attendance exports (.xlsx, or .csv in UTF-8 or GBK).

Two layouts, told apart by the header row:

- one row per staff member and day: 工号 or 姓名, 日期, 上班/签到, 下班/签退;
- one row per punch: 工号 or 姓名, 日期, 时间 (or 打卡时间 holding date and time).
  The day's first punch is the clock-in, its last the clock-out; identical
  punches are merged; a lone punch before the morning's end is a clock-in,
  after it a clock-out.

Every problem is a row-level error in Chinese (row, column, what is wrong) and
a run with any error writes nothing. A re-import replaces the device's row of a
staff member and day but never a manual correction (reported as skipped).
After the write, working days of the file's period on which an active staff
member of a department in the file has no record get one (absent_day, or the
leave they were on), so absences are never silently missing.

Dates are checked for plausibility: never in the future, never before the
working-day calendar starts, and older than the `attendance_import_window_days`
setting (62) only when the importer confirms it (`allow_old`): one row a year
early once made a dry run announce 24,920 absences to write.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
import xlsxwriter
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app import clock as app_clock
from app.models.audit import AuditAction, AuditLog
from app.models.org import Department, Staff, StaffStatus
from app.models.personnel import AttendanceKind, AttendanceRecord, AttendanceSource
from app.services import attendance, audit, calendar, settings
from app.services.import_rows import FileRefused, Limits, ProblemList, RowError, read_table

# Accepted header spellings, first one canonical (devices differ: ZKTeco, Deli, Hanvon...).
HEADERS = {
    "staff_no": ("工号", "员工号", "人员编号", "考勤号码", "编号"),
    "name": ("姓名", "员工姓名", "名字"),
    "day": ("日期", "考勤日期", "打卡日期"),
    "clock_in": ("上班", "签到", "上班时间", "签到时间", "上班打卡"),
    "clock_out": ("下班", "签退", "下班时间", "签退时间", "下班打卡"),
    "punch": ("时间", "打卡时间", "刷卡时间"),
}
TWO_COLUMN, PUNCHES = "two_column", "punches"
_EXCEL_EPOCH = date(1899, 12, 30)
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_TIME = re.compile(r"^(\d{1,2})[:：](\d{1,2})(?:[:：](\d{1,2}))?$")


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


def parse_day(value) -> date:
    """A cell as a date; raises ValueError."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # an Excel serial day number without a date format
            return _EXCEL_EPOCH + timedelta(days=int(value))
        text = str(int(value)) if float(value).is_integer() else str(value)
    else:
        text = str(value).strip().split()[0] if str(value).strip() else ""
    if re.fullmatch(r"\d{8}", text):
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    match = _DATE.match(text)
    if not match:
        raise ValueError(text)
    return date(int(match[1]), int(match[2]), int(match[3]))


def parse_moment(value) -> tuple[date | None, time | None]:
    """A time cell, possibly with its date (打卡时间 2026-11-02 08:25:13); raises ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, datetime):
        return value.date(), value.time().replace(microsecond=0)
    if isinstance(value, time):
        return None, value.replace(microsecond=0)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 0 <= value < 1:  # an Excel time fraction
            seconds = min(round(value * 86400), 86399)
            return None, time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
        raise ValueError(value)
    text = str(value).strip()
    parts = text.split()
    day = None
    if len(parts) == 2:
        day, text = parse_day(parts[0]), parts[1]
    elif len(parts) > 2:
        raise ValueError(text)
    match = _TIME.match(text)
    if not match:
        raise ValueError(text)
    return day, time(int(match[1]), int(match[2]), int(match[3] or 0))


def _columns(positions):
    found = {}
    for name, spellings in HEADERS.items():
        for spelling in spellings:
            if spelling in positions:
                found[name] = positions[spelling]
                break
    return found


class _StaffIndex:
    def __init__(self, session):
        rows = session.execute(
            sa.select(
                Staff.id,
                Staff.staff_no,
                Staff.name,
                Staff.department_id,
                Staff.status,
                Department.name.label("department_name"),
            ).join(Department, Department.id == Staff.department_id)
        ).all()
        self.by_no = {row.staff_no: row for row in rows}
        self.by_name = {}
        for row in rows:
            self.by_name.setdefault(row.name, []).append(row)


@dataclass(slots=True)  # one per staff member and day: up to the row limit of them
class _Day:
    row: int
    staff_id: int
    department_id: int
    day: date
    clock_in: time | None = None
    clock_out: time | None = None
    punches: set | None = None


@dataclass(frozen=True)
class _Window:
    """The dates a file may hold: [first, today], and those before `recent` only when confirmed."""

    first: date | None  # where the working-day calendar starts
    recent: date
    today: date
    allow_old: bool
    days: int


class _Reader:
    def __init__(self, columns, staff, report, window):
        self.columns, self.staff, self.report, self.window = columns, staff, report, window
        self.headers = {}

    def header(self, name, positions):
        index = self.columns[name]
        return next(h for h, i in positions.items() if i == index)

    def cell(self, cells, name):
        index = self.columns.get(name)
        value = cells[index] if index is not None and index < len(cells) else None
        return value.strip() if isinstance(value, str) else value

    def error(self, number, name, message):
        self.report.errors.append(RowError(number, self.headers.get(name, HEADERS[name][0]), message))

    def staff_of(self, number, cells):
        staff_no = self.cell(cells, "staff_no")
        name = self.cell(cells, "name")
        if isinstance(staff_no, float) and staff_no.is_integer():
            staff_no = int(staff_no)
        staff_no = "" if staff_no is None else str(staff_no).strip()
        name = "" if name is None else str(name).strip()
        if staff_no:
            row = self.staff.by_no.get(staff_no)
            if row is None:
                self.error(number, "staff_no", _l("Unknown staff number %(number)s.", number=staff_no))
                return None
            if name and name != row.name:
                self.error(
                    number,
                    "name",
                    _l(
                        "Staff number %(number)s belongs to %(owner)s, not %(name)s.",
                        number=staff_no,
                        owner=row.name,
                        name=name,
                    ),
                )
                return None
        elif name:
            candidates = self.staff.by_name.get(name, [])
            if not candidates:
                self.error(number, "name", _l("No staff member is called %(name)s.", name=name))
                return None
            live = [c for c in candidates if c.status != StaffStatus.left] or candidates
            if len(live) > 1:
                names = "、".join(f"{c.name}（{c.staff_no}，{c.department_name}）" for c in live)
                self.error(
                    number,
                    "name",
                    _l(
                        "Several staff members are called %(name)s: %(candidates)s. Use the 工号 column.",
                        name=name,
                        candidates=names,
                    ),
                )
                return None
            row = live[0]
        else:
            column = "staff_no" if "staff_no" in self.columns else "name"
            self.error(number, column, _l("Give the staff number (工号) or the name (姓名)."))
            return None
        if row.status == StaffStatus.left:
            column = "staff_no" if staff_no else "name"
            self.error(
                number,
                column,
                _l("%(name)s (%(number)s) has left the center.", name=row.name, number=row.staff_no),
            )
            return None
        return row

    def day_of(self, number, cells, required=True):
        value = self.cell(cells, "day")
        if value in (None, ""):
            if required:
                self.error(number, "day", _l("The date is missing."))
            return None
        try:
            day = parse_day(value)
        except ValueError:
            self.error(number, "day", _l("Cannot read the date “%(value)s”; write it as 2026-11-02.", value=value))
            return None
        return self.plausible(number, day)

    def plausible(self, number, day):
        window = self.window
        if day > window.today:
            self.error(number, "day", _l("The date %(day)s is in the future.", day=day.isoformat()))
        elif window.first is not None and day < window.first:
            self.error(
                number,
                "day",
                _l(
                    "The date %(day)s lies before the working-day calendar, which starts on %(first)s.",
                    day=day.isoformat(),
                    first=window.first.isoformat(),
                ),
            )
        elif day < window.recent and not window.allow_old:
            self.error(
                number,
                "day",
                _l(
                    "The date %(day)s is more than %(days)s days ago. If the file really covers that period, "
                    "confirm older dates and run it again.",
                    day=day.isoformat(),
                    days=window.days,
                ),
            )
        else:
            return day
        return None

    def time_of(self, number, cells, name):
        value = self.cell(cells, name)
        try:
            return True, parse_moment(value)
        except ValueError:
            self.error(number, name, _l("Cannot read the time “%(value)s”; write it as 08:25.", value=value))
            return False, (None, None)


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


def _window(session, cal, today, allow_old):
    days = int(settings.get(session, "attendance_import_window_days"))
    first = date(min(cal.confirmed_years), 1, 1) if cal.confirmed_years else None
    return _Window(first, today - timedelta(days=days), today, allow_old, days)


def _import(session, source, filename, report, today, allow_old, progress):
    """Reads the rows as a stream; raises FileRefused for a file refused whole."""
    positions, body = read_table(filename, source, Limits.from_settings(session, "attendance_import_max_rows"))
    columns = _columns(positions)
    if "staff_no" not in columns and "name" not in columns:
        report.errors.append(RowError(None, "", str(_l("Missing column: 工号 or 姓名."))))
    if "clock_in" in columns and "clock_out" in columns:
        report.layout = TWO_COLUMN
        if "day" not in columns:
            report.errors.append(RowError(None, "", str(_l("Missing column: 日期."))))
    elif "punch" in columns:
        report.layout = PUNCHES
    else:
        report.errors.append(
            RowError(
                None, "", str(_l("Missing columns: either 上班 and 下班 (签到, 签退), or 时间 (one row per punch)."))
            ),
        )
    if report.errors:
        return report
    cal = calendar.load(session)
    reader = _Reader(columns, _StaffIndex(session), report, _window(session, cal, today, allow_old))
    reader.headers = {name: reader.header(name, positions) for name in columns}
    rules = attendance.Rules.from_settings(session)
    days: dict[tuple[int, date], _Day] = {}
    done = 0
    for done, (number, cells) in enumerate(body, start=1):
        if report.layout == TWO_COLUMN:
            _two_column_row(reader, number, cells, days)
        else:
            _punch_row(reader, number, cells, days)
        if progress and done % 5000 == 0:
            progress("检查", done, None)  # a stream: the total is known at its end
    if progress and done:
        progress("检查", done, done)
    if report.layout == PUNCHES:
        for item in days.values():
            punches = sorted(item.punches)
            if len(punches) == 1:
                item.clock_in, item.clock_out = (punches[0], None) if punches[0] < rules.midday else (None, punches[0])
            else:
                item.clock_in, item.clock_out = punches[0], punches[-1]
    if not days and not report.errors:
        report.errors.append(RowError(None, "", str(_l("The file has no data rows."))))
    if report.errors:
        return report
    report.first_day, report.last_day = min(k[1] for k in days), max(k[1] for k in days)
    nested = session.begin_nested()
    _write(session, report, days, rules, cal, today, progress)
    if report.dry_run:
        nested.rollback()
    else:
        nested.commit()
    return report


def _two_column_row(reader, number, cells, days):
    staff = reader.staff_of(number, cells)
    day = reader.day_of(number, cells)
    ok_in, (_, clock_in) = reader.time_of(number, cells, "clock_in")
    ok_out, (_, clock_out) = reader.time_of(number, cells, "clock_out")
    if ok_in and ok_out and clock_in and clock_out and clock_out <= clock_in:
        reader.error(
            number,
            "clock_out",
            _l(
                "The clock-out %(out)s is not after the clock-in %(in_)s.",
                out=clock_out.strftime("%H:%M"),
                in_=clock_in.strftime("%H:%M"),
            ),
        )
        return
    if staff is None or day is None or not (ok_in and ok_out):
        return
    key = (staff.id, day)
    if key in days:
        reader.error(
            number,
            "day",
            _l(
                "%(name)s already has a row for %(day)s (row %(row)s).",
                name=staff.name,
                day=day.isoformat(),
                row=days[key].row,
            ),
        )
        return
    days[key] = _Day(number, staff.id, staff.department_id, day, clock_in, clock_out)


def _punch_row(reader, number, cells, days):
    staff = reader.staff_of(number, cells)
    ok, (punch_day, punch) = reader.time_of(number, cells, "punch")
    if ok and punch is None:
        reader.error(number, "punch", _l("The punch time is missing."))
        return
    if reader.cell(cells, "day") in (None, "") and punch_day is not None:
        day = reader.plausible(number, punch_day)
    else:
        day = reader.day_of(number, cells)
    if staff is None or day is None or not ok:
        return
    item = days.setdefault((staff.id, day), _Day(number, staff.id, staff.department_id, day, punches=set()))
    item.punches.add(punch)


def _write(session, report, days, rules, cal, today, progress):
    table = AttendanceRecord.__table__
    staff_ids = {k[0] for k in days}
    existing = {}
    for chunk in _chunks(sorted(staff_ids), 500):
        for row in session.execute(
            sa.select(
                table.c.id,
                table.c.staff_id,
                table.c.day,
                table.c.source,
                table.c.corrected_by,
                table.c.correction_reason,
            ).where(table.c.staff_id.in_(chunk), table.c.day.between(report.first_day, report.last_day))
        ):
            existing[(row.staff_id, row.day)] = row
    leaves = attendance.load_leaves(session, report.first_day, report.last_day, staff_ids)
    writer = _Batches(session, len(days), progress)
    names = dict(session.execute(sa.select(Staff.id, Staff.name).where(Staff.id.in_(staff_ids))).all())
    for key, item in sorted(days.items(), key=lambda pair: pair[1].row):
        old = existing.get(key)
        if old is not None and old.source in (AttendanceSource.manual, AttendanceSource.manual.name):
            report.skipped.append(
                RowError(
                    item.row,
                    "",
                    str(
                        _l(
                            "%(name)s %(day)s was corrected by %(by)s (%(reason)s); the correction is kept.",
                            name=names.get(item.staff_id, ""),
                            day=item.day.isoformat(),
                            by=old.corrected_by or "",
                            reason=old.correction_reason or "",
                        )
                    ),
                )
            )
            continue
        result = attendance.classify(
            item.day,
            item.clock_in,
            item.clock_out,
            workday=cal.is_workday(item.day),
            rules=rules,
            leaves=leaves.get(item.staff_id, ()),
        ) or attendance.Result(AttendanceKind.normal)
        values = {
            "clock_in": item.clock_in,
            "clock_out": item.clock_out,
            "kind": result.kind.name,
            "minutes_late": result.minutes_late,
            "minutes_early": result.minutes_early,
        }
        if old is None:
            writer.insert(
                {
                    **values,
                    "staff_id": item.staff_id,
                    "department_id": item.department_id,
                    "day": item.day,
                    "source": AttendanceSource.device.name,
                    "version": 1,
                }
            )
        else:
            writer.update({**values, "row_id": old.id})
    writer.flush()
    report.created, report.replaced = writer.inserted, writer.updated
    # Today is still under way: only finished days are filled with absences.
    last_finished = min(report.last_day, today - timedelta(days=1))
    if last_finished >= report.first_day:
        departments = {item.department_id for item in days.values()}
        report.absences = attendance.fill_absences(session, report.first_day, last_finished, cal, rules, departments)
    _audit_summary(session, report)


def _audit_summary(session, report):
    """The bulk write bypasses the ORM: one audit entry records the import itself."""
    actor_id, actor_name = audit._resolve_actor(session)
    session.execute(
        sa.insert(AuditLog.__table__),
        {
            "at": app_clock.now(),
            "actor_id": actor_id,
            "actor_name": actor_name,
            "action": AuditAction.insert.name,
            "table_name": AttendanceRecord.__tablename__,
            "row_id": "import",
            "summary": f"考勤导入 {report.first_day}～{report.last_day}",
            "changes": {
                "created": report.created,
                "replaced": report.replaced,
                "absences": report.absences,
                "skipped": len(report.skipped),
            },
        },
    )


class _Batches:
    """Inserts and updates sent 1,000 rows a statement, so the rows to write are never all in memory."""

    SIZE = 1000
    table = AttendanceRecord.__table__

    def __init__(self, session, total, progress):
        self.session, self.total, self.progress = session, total, progress
        self.inserts, self.updates = [], []
        self.inserted = self.updated = 0

    def insert(self, row):
        self.inserts.append(row)
        if len(self.inserts) == self.SIZE:
            self.flush()

    def update(self, row):
        self.updates.append(row)
        if len(self.updates) == self.SIZE:
            self.flush()

    def flush(self):
        table = self.table
        if self.inserts:
            self.session.execute(sa.insert(table), self.inserts)
        if self.updates:
            self.session.execute(
                sa.update(table)
                .where(table.c.id == sa.bindparam("row_id"))
                .values(
                    clock_in=sa.bindparam("clock_in"),
                    clock_out=sa.bindparam("clock_out"),
                    kind=sa.bindparam("kind"),
                    minutes_late=sa.bindparam("minutes_late"),
                    minutes_early=sa.bindparam("minutes_early"),
                    version=table.c.version + 1,
                ),
                self.updates,
            )
        self.inserted += len(self.inserts)
        self.updated += len(self.updates)
        self.inserts, self.updates = [], []
        if self.progress and self.total:
            self.progress("写入", self.inserted + self.updated, self.total)


def _chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]


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

"""Reading a fingerprint-device attendance export (.xlsx, or .csv in UTF-8 or GBK) into staff days.

Two layouts, told apart by the header row:

- one row per staff member and day: 工号 or 姓名, 日期, 上班/签到, 下班/签退;
- one row per punch: 工号 or 姓名, 日期, 时间 (or 打卡时间 holding date and time).
  The day's first punch is the clock-in, its last the clock-out; identical
  punches are merged; a lone punch before the morning's end is a clock-in,
  after it a clock-out.

The file is read as a stream (import_rows.read_table, under the
`attendance_import_max_rows` limit). Every problem is a row-level error in
Chinese (row, column, what is wrong) on the import's report; the writer
(attendance_writer.py) runs only when there is none.

Dates are checked for plausibility: never in the future, never before the
working-day calendar starts, and older than the `attendance_import_window_days`
setting (62) only when the importer confirms it (`allow_old`): one row a year
early once made a dry run announce 24,920 absences to write.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.models.org import Department, Staff, StaffStatus
from app.services import settings
from app.services.import_rows import Limits, RowError, read_table

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
class Day:
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


def _window(session, cal, today, allow_old):
    days = int(settings.get(session, "attendance_import_window_days"))
    first = date(min(cal.confirmed_years), 1, 1) if cal.confirmed_years else None
    return _Window(first, today - timedelta(days=days), today, allow_old, days)


def read_days(session, source, filename, report, *, today, allow_old, cal, rules, progress) -> dict:
    """The file's staff days {(staff id, day): Day}, read as a stream; the layout and every
    problem go on `report` (the days are not to be written when it has errors). Raises
    FileRefused for a file refused whole."""
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
        return {}
    reader = _Reader(columns, _StaffIndex(session), report, _window(session, cal, today, allow_old))
    reader.headers = {name: reader.header(name, positions) for name in columns}
    days: dict[tuple[int, date], Day] = {}
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
    return days


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
    days[key] = Day(number, staff.id, staff.department_id, day, clock_in, clock_out)


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
    item = days.setdefault((staff.id, day), Day(number, staff.id, staff.department_id, day, punches=set()))
    item.punches.add(punch)

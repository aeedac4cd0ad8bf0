"""Reading a year's official schedule from .xlsx or .csv (日期, 类型, 名称).

The State Council publishes next year's schedule each November or December;
the IT team types it into a sheet (or exports it) and imports it here.
"""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from app.services.import_rows import FileRefused, Limits, read_table
from app.services.workdays import CalendarException

HOLIDAY_WORDS = {"休", "假", "节假日", "放假", "holiday"}
WORKDAY_WORDS = {"班", "上班", "调休上班", "补班", "workday"}
# The calendar holds every day from its first year to its last (workdays.WorkCalendar):
# one stray year 0001 or 9999 would make it millions of days long, or past date's range.
YEARS = (2000, 2099)


def _day(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip().replace("/", "-"))


def read_schedule(filename: str, source, limits: Limits) -> tuple[list[CalendarException], list[str]]:
    """(exceptions, errors); errors name the line. Nothing is partial: any error, use none.

    `source` is the file's bytes or a seekable binary file; a file refused whole
    (unreadable, past the limits) is one error."""
    try:
        return _read(filename, source, limits)
    except FileRefused as exc:
        return [], [str(exc)]


def _read(filename, source, limits):
    _header, rows = read_table(filename, source, limits)
    exceptions, errors, seen = [], [], set()
    for number, row in rows:
        cells = [*row[:3], None, None, None][:3]
        try:
            day = _day(cells[0])
        except ValueError:
            errors.append(f"第{number}行：日期“{cells[0]}”无法识别，应为 YYYY-MM-DD。")
            continue
        if not YEARS[0] <= day.year <= YEARS[1]:
            errors.append(
                str(
                    _l(
                        "Row %(row)s: the date %(day)s is not in a year from %(first)s to %(last)s.",
                        row=number,
                        day=day.isoformat(),
                        first=YEARS[0],
                        last=YEARS[1],
                    )
                )
            )
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

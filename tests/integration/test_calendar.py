"""The calendar in the database: seeded at init, edited by Admin, imported per year, printed by the CLI."""

import io
from datetime import date

import openpyxl
import sqlalchemy as sa

from app.extensions import db
from app.models import DayKind, WorkCalendarDay
from app.services import calendar
from tests.conftest import login


def test_init_loaded_the_official_years(app):
    with app.app_context():
        cal = calendar.load(db.session)
        assert cal.is_confirmed(date(2026, 10, 1)) and not cal.is_workday(date(2026, 10, 1))
        assert cal.is_workday(date(2026, 10, 10))  # makeup Saturday
        assert not cal.is_confirmed(date(2027, 1, 4))


def test_cli_due_prints_iso_with_offset(app):
    result = app.test_cli_runner().invoke(args=["calendar", "due", "2026-09-30T10:00", "5", "2026-12-28T09:00", "5"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert "2026-10-13T17:30:00+08:00" in lines[0] and "未确认" not in lines[0]
    assert "2027-01-04T17:30:00+08:00" in lines[1] and "未确认" in lines[1]


def test_cli_due_rejects_bad_input(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["calendar", "due", "2026-09-30T10:00"]).exit_code != 0
    assert runner.invoke(args=["calendar", "due", "yesterday", "5"]).exit_code != 0


def test_cli_show(app):
    output = app.test_cli_runner().invoke(args=["calendar", "show", "2026"]).output
    assert "2026-10-10 周六  调休上班" in output or "2026-10-10 周六" in output
    assert "尚未导入" in app.test_cli_runner().invoke(args=["calendar", "show", "2031"]).output


def _schedule_file(tmp_path, rows):
    book = openpyxl.Workbook()
    book.active.append(["日期", "类型", "名称"])
    for row in rows:
        book.active.append(row)
    path = tmp_path / "2027.xlsx"
    book.save(path)
    return path


def test_import_a_new_year_confirms_it_and_moves_deadlines(app, tmp_path):
    runner = app.test_cli_runner()
    before = runner.invoke(args=["calendar", "due", "2026-12-31T10:00", "1"]).output
    assert "2027-01-01T17:30:00+08:00" in before and "未确认" in before
    path = _schedule_file(tmp_path, [["2027-01-01", "休", "元旦"], ["2027-02-06", "班", "春节"]])
    result = runner.invoke(args=["calendar", "import", str(path)])
    assert result.exit_code == 0, result.output
    after = runner.invoke(args=["calendar", "due", "2026-12-31T10:00", "1"]).output
    assert "2027-01-04T17:30:00+08:00" in after and "未确认" not in after


def test_import_with_a_bad_line_writes_nothing(app, tmp_path):
    path = _schedule_file(
        tmp_path, [["2027-01-01", "休", "元旦"], ["2027-13-01", "休", ""], ["2027-02-06", "上课", ""]]
    )
    result = app.test_cli_runner().invoke(args=["calendar", "import", str(path)])
    assert result.exit_code == 1
    assert "第3行" in result.output and "第4行" in result.output
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(WorkCalendarDay).where(WorkCalendarDay.day >= date(2027, 1, 1))
            )
            == 0
        )


def test_admin_edit_in_the_ui_reaches_the_cached_calendar(app, client):
    with app.app_context():
        assert calendar.load(db.session).is_workday(date(2026, 12, 24))
    login(client, "admin")
    client.post("/workcalendardayview/add", data={"day": "2026-12-24", "kind": "holiday", "name": "临时调整"})
    with app.app_context():
        assert (
            db.session.scalar(sa.select(WorkCalendarDay.kind).where(WorkCalendarDay.day == date(2026, 12, 24)))
            is DayKind.holiday
        )
        assert not calendar.load(db.session).is_workday(date(2026, 12, 24))


def test_csv_import_reader():
    from app.services.calendar_import import read_schedule
    from app.services.import_rows import Limits

    limits = Limits(rows=1000, unpacked_bytes=1024 * 1024)
    data = "日期,类型,名称\n2027-10-01,休,国庆节\n2027/10/09,班,国庆节\n".encode()
    exceptions, errors = read_schedule("x.csv", data, limits)
    assert not errors and [(e.day, e.is_workday) for e in exceptions] == [
        (date(2027, 10, 1), False),
        (date(2027, 10, 9), True),
    ]
    assert read_schedule("x.xlsx", io.BytesIO(b"junk").read(), limits)[1]


def test_import_recomputes_unconfirmed_case_deadlines(app, tmp_path):
    from datetime import datetime

    from app.models import Case
    from tests.services.test_case_flow import new_case

    with app.app_context():
        case = new_case(app.config["WORLD"], now=datetime(2026, 12, 24, 10, 0))
        assert case.calendar_unconfirmed
        case_id = case.id
        db.session.remove()
    path = _schedule_file(tmp_path, [["2027-01-01", "休", "元旦"]])
    result = app.test_cli_runner().invoke(args=["calendar", "import", str(path)])
    assert "重新计算了 1 件" in result.output
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert not case.calendar_unconfirmed and case.deadline_at == datetime(2027, 1, 8, 17, 30)


def test_missing_next_year_rule():
    from app.services.workdays import CalendarException, WorkCalendar

    cal = WorkCalendar([CalendarException(date(2026, 10, 1), False, "国庆节")], {2026})
    assert calendar.missing_next_year(cal, date(2026, 10, 31)) is None  # not before November
    assert calendar.missing_next_year(cal, date(2026, 11, 1)) == 2027
    loaded = WorkCalendar([CalendarException(date(2027, 1, 1), False, "元旦")], {2026, 2027})
    assert calendar.missing_next_year(loaded, date(2026, 12, 15)) is None


def test_home_page_warns_while_next_year_is_missing(app, client):
    from app import clock

    login(client, "admin")
    page = client.get("/").get_data(as_text=True)
    today = clock.now().date()
    with app.app_context():
        missing = calendar.missing_next_year(calendar.load(db.session), today)
    if missing:
        assert f"{missing} 年法定节假日安排尚未导入" in page and "/workcalendardayview/list/" in page
    else:
        assert "法定节假日安排尚未导入" not in page

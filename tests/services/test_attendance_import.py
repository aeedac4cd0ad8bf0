"""Attendance import: both layouts, .xlsx and .csv (UTF-8, BOM, GBK), row errors, all-or-nothing."""

import io
from datetime import date, datetime, time

import openpyxl
import pytest
import sqlalchemy as sa

from app.models.org import Staff, StaffStatus
from app.models.personnel import AttendanceKind, AttendanceRecord, AttendanceSource
from app.models.system import Setting
from app.services.attendance_import import build_template, import_attendance

TODAY = date(2026, 11, 30)
MON, TUE = "2026-11-02", "2026-11-03"
# World staff: T005 测试chief_a, T006 测试staff_a (department A); T007/T008 department B.


def xlsx(*rows, headers=("工号", "姓名", "日期", "上班", "下班")):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for values in rows:
        sheet.append(list(values))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(*rows, headers=("工号", "姓名", "日期", "上班", "下班"), encoding="utf-8"):
    text = "\r\n".join(",".join(str(v) for v in line) for line in (headers, *rows)) + "\r\n"
    return text.encode(encoding)


def run(session, data, name="kq.xlsx", dry_run=False):
    report = import_attendance(session, data, name, dry_run=dry_run, today=TODAY)
    session.commit()
    return report


def records(session):
    return {(r.staff.staff_no, r.day.isoformat()): r for r in session.scalars(sa.select(AttendanceRecord))}


def errors(report):
    return [(e.row, e.column, e.message) for e in report.errors]


def test_good_xlsx_two_columns(db_session):
    report = run(
        db_session,
        xlsx(
            ["T006", "测试staff_a", MON, "08:25", "17:35"],
            ["T005", "", datetime(2026, 11, 2), time(8, 45), time(17, 31)],
        ),
    )
    assert report.ok and report.layout == "two_column" and (report.created, report.replaced) == (2, 0)
    rows = records(db_session)
    normal, late = rows[("T006", MON)], rows[("T005", MON)]
    assert (normal.kind, normal.clock_in, normal.clock_out, normal.source) == (
        AttendanceKind.normal,
        time(8, 25),
        time(17, 35),
        AttendanceSource.device,
    )
    assert (late.kind, late.minutes_late, late.department_id) == (AttendanceKind.late, 15, normal.department_id)
    # Department A's other staff have no record that day: absent, so nothing goes missing.
    assert report.absences == 0  # both staff of department A are in the file


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings(db_session, encoding):
    data = csv_bytes(["", "测试staff_a", "2026/11/2", "8:29", "17:30"], encoding=encoding)
    report = run(db_session, data, "kq.csv")
    assert report.ok, errors(report)
    assert records(db_session)[("T006", MON)].kind == AttendanceKind.normal


def test_punch_layout_first_and_last_punch(db_session):
    data = csv_bytes(
        ["T006", MON, "08:40:12"],
        ["T006", MON, "12:01"],
        ["T006", MON, "08:40:12"],  # the same punch twice is merged
        ["T006", MON, "17:45"],
        ["T005", MON, "08:10"],  # one punch only: a clock-in, no clock-out
        headers=("工号", "日期", "打卡时间"),
        encoding="gbk",
    )
    report = run(db_session, data, "punches.csv")
    assert report.ok and report.layout == "punches", errors(report)
    rows = records(db_session)
    day = rows[("T006", MON)]
    assert (day.clock_in, day.clock_out, day.kind, day.minutes_late) == (
        time(8, 40, 12),
        time(17, 45),
        AttendanceKind.late,
        10,
    )
    lone = rows[("T005", MON)]
    # Issue 14: a lone punch is judged by itself (08:10, on time), no longer half a day absent,
    # unless the setting attendance_missing_punch_as_absence is on (tests/services/test_attendance_seeds.py).
    assert (lone.clock_in, lone.clock_out, lone.kind) == (time(8, 10), None, AttendanceKind.normal)


def test_punch_datetime_without_date_column(db_session):
    report = run(
        db_session,
        xlsx(["测试staff_a", "2026-11-02 08:20:00"], ["测试staff_a", "2026-11-02 17:40"], headers=("姓名", "打卡时间")),
    )
    assert report.ok, errors(report)
    assert records(db_session)[("T006", MON)].kind == AttendanceKind.normal


def test_each_kind_of_bad_row_and_nothing_written(db_session):
    db_session.get(
        Staff, db_session.scalar(sa.select(Staff.id).where(Staff.staff_no == "T008"))
    ).status = StaffStatus.left
    db_session.commit()
    report = run(
        db_session,
        xlsx(
            ["T006", "", MON, "08:20", "17:40"],  # good
            ["X999", "", MON, "08:20", "17:40"],  # unknown staff number
            ["", "无此人", MON, "08:20", "17:40"],  # unknown name
            ["T005", "", "11月2日", "08:20", "17:40"],  # bad date
            ["T005", "", TUE, "8点", "17:40"],  # bad time
            ["T007", "", MON, "17:40", "08:20"],  # out before in
            ["T007", "", "2026-12-25", "08:20", "17:40"],  # future
            ["T006", "", MON, "08:25", "17:40"],  # duplicate of row 2
            ["T008", "", MON, "08:25", "17:40"],  # left
            ["T005", "测试staff_b", TUE, "08:25", "17:40"],  # number and name disagree
        ),
    )
    found = errors(report)
    assert [(row, column) for row, column, _ in found] == [
        (3, "工号"),
        (4, "姓名"),
        (5, "日期"),
        (6, "上班"),
        (7, "下班"),
        (8, "日期"),
        (9, "日期"),
        (10, "工号"),
        (11, "姓名"),
    ]
    messages = [message for _, _, message in found]
    assert "X999" in messages[0] and "无此人" in messages[1] and "11月2日" in messages[2]
    assert "8点" in messages[3] and "08:20" in messages[4] and "2026-12-25" in messages[5]
    assert "第2行" in messages[6] or "2" in messages[6]
    assert "已调离中心" in messages[7]
    assert records(db_session) == {}


def test_one_bad_row_writes_nothing(db_session):
    good = [["T006", "", f"2026-11-{day:02d}", "08:20", "17:40"] for day in range(2, 7)]
    report = run(db_session, xlsx(*good, ["T005", "", MON, "08:20", "25:99"]))
    assert not report.ok and len(report.errors) == 1 and report.errors[0].row == 7
    assert records(db_session) == {}


def test_ambiguous_name_names_the_candidates(db_session, world_ids):
    db_session.get(Staff, world_ids["staff_staff_b"]).name = "测试staff_a"
    db_session.commit()
    report = run(db_session, xlsx(["", "测试staff_a", MON, "08:20", "17:40"]))
    (problem,) = report.errors
    assert problem.column == "姓名" and "T006" in problem.message and "T008" in problem.message
    # The staff number settles it.
    assert run(db_session, xlsx(["T006", "测试staff_a", MON, "08:20", "17:40"])).ok


def test_missing_columns_and_empty_file(db_session):
    report = run(db_session, xlsx(["T006", MON], headers=("工号", "日期")))
    assert not report.ok and report.errors[0].row is None
    assert not run(db_session, xlsx()).ok
    assert "Excel" in run(db_session, b"PK\x03\x04junk", "kq.xlsx").errors[0].message


def test_dry_run_writes_nothing_but_counts(db_session):
    report = run(db_session, xlsx(["T006", "", MON, "08:20", "17:40"]), dry_run=True)
    assert report.ok and report.created == 1 and report.absences == 1  # T005 has no row that day
    assert records(db_session) == {}


def test_reimport_replaces_device_rows_and_keeps_manual_corrections(db_session):
    run(db_session, xlsx(["T006", "", MON, "08:45", "17:40"], ["T005", "", MON, "08:45", "17:40"]))
    rows = records(db_session)
    manual = rows[("T005", MON)]
    manual.kind, manual.source = AttendanceKind.normal, AttendanceSource.manual
    manual.correction_reason, manual.corrected_by = "外出开会", "supervisor"
    db_session.commit()
    report = run(db_session, xlsx(["T006", "", MON, "08:20", "17:40"], ["T005", "", MON, "09:50", "17:40"]))
    assert report.ok and (report.created, report.replaced) == (0, 1)
    (skipped,) = report.skipped
    assert skipped.row == 3 and "外出开会" in skipped.message and "supervisor" in skipped.message
    db_session.expire_all()
    rows = records(db_session)
    assert rows[("T006", MON)].kind == AttendanceKind.normal and rows[("T006", MON)].version == 2
    assert (rows[("T005", MON)].kind, rows[("T005", MON)].clock_in) == (AttendanceKind.normal, time(8, 45))


def test_absences_filled_for_the_period(db_session):
    report = run(db_session, xlsx(["T006", "", MON, "08:20", "17:40"], ["T006", "", "2026-11-04", "08:20", "17:40"]))
    assert report.ok and report.absences == 4  # T006 on 11-03, T005 on 11-02..11-04; department B untouched
    rows = records(db_session)
    assert rows[("T006", TUE)].kind == AttendanceKind.absent_day
    assert not any(number in ("T007", "T008") for number, _ in rows)


def test_holiday_punch_kept_and_makeup_day_classified(db_session):
    report = run(
        db_session, xlsx(["T006", "", "2026-10-01", "09:00", "11:00"], ["T006", "", "2026-10-10", "08:40", "17:30"])
    )
    assert report.ok
    rows = records(db_session)
    assert rows[("T006", "2026-10-01")].kind == AttendanceKind.normal
    assert rows[("T006", "2026-10-10")].kind == AttendanceKind.late


def test_template_round_trip(db_session, tmp_path):
    path = tmp_path / "template.xlsx"
    build_template(str(path))
    report = import_attendance(db_session, path.read_bytes(), "template.xlsx", dry_run=True, today=TODAY)
    # The examples name staff this database lacks: reported, nothing written.
    assert {e.column for e in report.errors} == {"工号"}


def test_cli_dry_run_and_import(app, tmp_path, monkeypatch):
    monkeypatch.setattr("app.clock.now", lambda: datetime(2026, 11, 30, 10, 0))
    path = tmp_path / "kq.csv"
    path.write_bytes(csv_bytes(["T006", "", "2026-11-02", "08:20", "17:40"], encoding="gbk"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", "attendance", str(path), "--dry-run"])
    assert result.exit_code == 0 and "预检通过" in result.output, result.output
    result = runner.invoke(args=["import", "attendance", str(path)])
    assert result.exit_code == 0 and "导入完成" in result.output, result.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(["X1", "", "2026-11-02", "08:20", "17:40"]))
    result = runner.invoke(args=["import", "attendance", str(bad)])
    assert result.exit_code == 1 and "X1" in result.output


def test_dates_before_the_window_need_the_importers_confirmation(db_session):
    """One row a year early made the dry run announce 24,920 absences to write."""
    early = ["T006", "", "2025-11-03", "08:20", "17:40"]
    report = run(db_session, xlsx(early, ["T006", "", MON, "08:20", "17:40"]), dry_run=True)
    ((row, column, message),) = errors(report)
    assert (row, column) == (2, "日期") and "2025-11-03" in message and "62" in message
    assert report.absences == 0
    confirmed = import_attendance(db_session, xlsx(early), "kq.xlsx", dry_run=True, today=TODAY, allow_old=True)
    assert confirmed.ok and confirmed.first_day == date(2025, 11, 3)


def test_the_window_is_a_setting(db_session):
    db_session.execute(sa.update(Setting).where(Setting.key == "attendance_import_window_days").values(value="10"))
    report = run(db_session, xlsx(["T006", "", MON, "08:20", "17:40"]), dry_run=True)
    assert "超过 10 天" in report.errors[0].message


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "9999-12-31"])
def test_dates_outside_the_calendar_are_refused_even_when_confirmed(db_session, day):
    """Year 1 was a 500: the working-day calendar starts in 2004 and knows nothing before."""
    report = import_attendance(
        db_session, xlsx(["T006", "", day, "08:20", "17:40"]), "kq.xlsx", dry_run=False, today=TODAY, allow_old=True
    )
    ((row, column, message),) = errors(report)
    assert (row, column) == (2, "日期") and day in message
    assert records(db_session) == {}


def test_a_file_spanning_three_years_fills_its_absences(db_session):
    """SQLite refused a compound SELECT of more than 500 days ("too many terms in compound SELECT")."""
    rows = [["T006", "", "2024-01-02", "08:20", "17:40"], ["T006", "", MON, "08:20", "17:40"]]
    report = import_attendance(db_session, xlsx(*rows), "kq.xlsx", dry_run=False, today=TODAY, allow_old=True)
    db_session.commit()
    assert report.ok, errors(report)
    total = db_session.scalar(sa.select(sa.func.count()).select_from(AttendanceRecord))
    assert report.created == 2 and report.absences == total - 2 and report.absences > 2 * 500


def test_listed_errors_stop_at_a_thousand_and_the_rest_are_counted(db_session):
    """A file of 600k bad rows made a 44 MB page."""
    bad = [[f"X{n}", "", MON, "08:20", "17:40"] for n in range(1500)]
    report = run(db_session, csv_bytes(*bad), "kq.csv")
    assert len(report.errors) == 1000 and report.errors.more == 500 and report.errors.total == 1500
    assert report.errors[-1].row == 1001


def test_a_file_past_the_row_limit_is_refused_whole(db_session):
    db_session.execute(sa.update(Setting).where(Setting.key == "attendance_import_max_rows").values(value="3"))
    rows = [["T006", "", f"2026-11-{day:02d}", "08:20", "17:40"] for day in range(2, 6)]
    assert run(db_session, xlsx(*rows[:3])).ok
    report = run(db_session, xlsx(*rows))
    assert [e.message for e in report.errors] == [
        "文件超过 3 行，超出单次导入的上限（可在设置中调整）。请拆分为较小的文件。"
    ]


def test_the_cli_lists_a_thousand_errors_and_counts_the_rest(app, tmp_path, monkeypatch):
    monkeypatch.setattr("app.clock.now", lambda: datetime(2026, 11, 30, 10, 0))
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(*[[f"X{n}", "", MON, "08:20", "17:40"] for n in range(1500)]))
    result = app.test_cli_runner().invoke(args=["import", "attendance", str(path)])
    assert result.exit_code == 1 and "发现 1500 个问题" in result.output and "另有 500 条未列出" in result.output
    assert result.output.count("错误 第") == 1000

"""Attendance pages: import page and permissions, list scope, corrections through the edit form."""

import io
from datetime import date, datetime, time

import openpyxl
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models.personnel import AttendanceKind, AttendanceRecord, AttendanceSource
from tests.conftest import login
from tests.services.test_attendance_import import xlsx

TODAY_ROWS = [["T006", "", "2026-11-02", "08:25", "17:35"], ["T005", "", "2026-11-02", "08:45", "17:35"]]


@pytest.fixture(autouse=True)
def _end_of_november(monkeypatch):
    """The page imports against today's date; the rows above are from November 2026."""
    monkeypatch.setattr("app.clock.now", lambda: datetime(2026, 11, 30, 10, 0))


def _count(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(AttendanceRecord))


def _upload(client, data, mode, name="kq.xlsx", **fields):
    return client.post(
        "/attendance-import/",
        data={"mode": mode, "file": (io.BytesIO(data), name), **fields},
        content_type="multipart/form-data",
    )


def _add(app, world_ids, staff, dept, day=date(2026, 11, 2), **values):
    with app.app_context():
        record = AttendanceRecord(
            staff_id=world_ids[staff],
            department_id=world_ids[dept],
            day=day,
            clock_in=time(8, 45),
            clock_out=time(17, 30),
            kind=AttendanceKind.late,
            minutes_late=15,
            **values,
        )
        db.session.add(record)
        db.session.commit()
        return record.id


@pytest.mark.parametrize("username", ["manager", "supervisor"])
def test_dry_run_then_import(app, client, username):
    login(client, username)
    assert client.get("/attendance-import/").status_code == 200
    page = _upload(client, xlsx(*TODAY_ROWS), "dry_run").get_data(as_text=True)
    assert ("预检通过" in page or "Dry run passed" in page) and _count(app) == 0
    _upload(client, xlsx(*TODAY_ROWS), "import")
    assert _count(app) == 2


def test_errors_listed_nothing_written(app, client):
    login(client, "manager")
    page = _upload(client, xlsx(TODAY_ROWS[0], ["X404", "", "2026-11-02", "08:25", "17:35"]), "import")
    text = page.get_data(as_text=True)
    assert "X404" in text and "<td>3</td>" in text and _count(app) == 0


def test_csv_upload(app, client):
    login(client, "supervisor")
    data = "工号,日期,上班,下班\r\nT006,2026-11-02,08:25,17:35\r\n".encode("gbk")
    _upload(client, data, "import", "kq.csv")
    assert _count(app) == 2  # T006's row and T005's absence


def test_template_download(client):
    login(client, "manager")
    response = client.get("/attendance-import/template")
    assert response.status_code == 200 and response.data[:2] == b"PK"


@pytest.mark.parametrize("username", ["chief_a", "staff_a", "leader"])
def test_other_roles_cannot_import(app, client, username):
    login(client, username)
    assert client.get("/attendance-import/").status_code == 403
    assert client.get("/attendance-import/template").status_code == 403
    assert _upload(client, xlsx(*TODAY_ROWS), "import").status_code == 403
    assert _count(app) == 0


def test_list_scope(app, client, world_ids):
    own = _add(app, world_ids, "staff_staff_a", "dept_a")
    chief = _add(app, world_ids, "staff_chief_a", "dept_a")
    other = _add(app, world_ids, "staff_staff_b", "dept_b")
    login(client, "chief_a")
    page = client.get("/attendanceview/list/").get_data(as_text=True)
    assert "测试staff_a" in page and "测试chief_a" in page and "测试staff_b" not in page
    assert client.get(f"/attendanceview/show/{other}").status_code == 404
    assert client.get(f"/attendanceview/edit/{own}").status_code == 403  # chief reps read only
    client.get("/logout/")
    login(client, "staff_a")
    page = client.get("/attendanceview/list/").get_data(as_text=True)
    assert "测试staff_a" in page and "测试chief_a" not in page
    assert client.get(f"/attendanceview/show/{chief}").status_code == 404
    assert client.get(f"/attendanceview/show/{own}").status_code == 200
    assert client.get("/attendanceview/export/").status_code == 403
    client.get("/logout/")
    login(client, "chief_a")
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/attendanceview/export/").data)).active
    numbers = sorted(row[1] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert numbers == ["T005", "T006"]


def _edit(client, pk, version, reason, kind="normal", clock_in="08:25", clock_out="17:30"):
    return client.post(
        f"/attendanceview/edit/{pk}",
        data={
            "kind": kind,
            "clock_in_text": clock_in,
            "clock_out_text": clock_out,
            "reason": reason,
            "row_version": str(version),
        },
        follow_redirects=True,
    )


def _get(app, pk):
    with app.app_context():
        return db.session.get(AttendanceRecord, pk)


def test_correction_through_the_form(app, client, world_ids):
    pk = _add(app, world_ids, "staff_staff_a", "dept_a")
    login(client, "supervisor")
    assert client.get(f"/attendanceview/edit/{pk}").status_code == 200
    page = _edit(client, pk, 1, "").get_data(as_text=True)
    assert "请填写更正理由" in page
    assert _get(app, pk).source == AttendanceSource.device
    _edit(client, pk, 1, "考勤机故障，经核实按时到岗")
    record = _get(app, pk)
    assert (record.kind, record.source, record.corrected_by, record.clock_in, record.version) == (
        AttendanceKind.normal,
        AttendanceSource.manual,
        "supervisor",
        time(8, 25),
        2,
    )
    # A form opened before that save is refused.
    page = _edit(client, pk, 1, "再次更正", kind="late").get_data(as_text=True)
    assert _get(app, pk).kind == AttendanceKind.normal and _get(app, pk).version == 2
    assert "changed by someone else" in page or "他人" in page or "已被" in page
    # A bad time is a clear error.
    _edit(client, pk, 2, "更正", clock_in="8点")
    assert _get(app, pk).version == 2


def test_a_corrected_day_is_listed_as_skipped_on_the_page(app, client, world_ids):
    _add(app, world_ids, "staff_staff_a", "dept_a", source=AttendanceSource.manual, correction_reason="外出开会")
    login(client, "manager")
    page = _upload(client, xlsx(*TODAY_ROWS), "dry_run").get_data(as_text=True)
    assert "<h4>跳过的行</h4>" in page and "外出开会" in page
    assert "<h4>错误</h4>" not in page


def test_old_dates_are_imported_only_when_the_box_is_ticked(app, client):
    login(client, "manager")
    early = [["T006", "", "2025-11-03", "08:25", "17:35"]]
    response = _upload(client, xlsx(*early), "dry_run")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "2025-11-03" in page and "62 天" in page
    assert 'name="allow_old_dates"' in page
    response = _upload(client, xlsx(*early), "import", allow_old_dates="y")
    assert response.status_code == 200 and _count(app) > 1  # the row and the year's absences


def test_the_page_lists_a_thousand_errors_and_counts_the_rest(app, client):
    login(client, "manager")
    bad = [[f"X{n}", "", "2026-11-02", "08:25", "17:35"] for n in range(1500)]
    response = _upload(
        client,
        "\r\n".join(",".join(r) for r in [["工号", "姓名", "日期", "上班", "下班"], *bad]).encode(),
        "dry_run",
        name="kq.csv",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "发现 1500 个问题" in page and "另有 500 条未列出" in page
    assert page.count("X1499") == 0 and page.count("<td>1001</td>") == 1
    assert _count(app) == 0

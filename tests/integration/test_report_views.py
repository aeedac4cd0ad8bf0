"""Monthly report pages: build on demand, download, submit once; committee roles only."""

import io
from datetime import date

import openpyxl
import sqlalchemy as sa

from app.extensions import db
from app.models import MonthlyReport


def _build(client, world_ids, month="2026-10"):
    return client.post("/monthlyreportview/generate/", data={"center_id": world_ids["county"], "month": month})


def test_manager_builds_downloads_and_submits(app, client, world_ids, login_as):
    login_as("manager")
    response = _build(client, world_ids)
    assert response.status_code == 302 and "/monthlyreportview/show/" in response.headers["Location"]
    with app.app_context():
        report = db.session.scalar(sa.select(MonthlyReport))
        assert report.month == date(2026, 10, 1) and report.submitted_at is None
        pk = report.id
    listing = client.get("/monthlyreportview/list/").get_data(as_text=True)
    assert "2026-10" in listing and "示范县政务服务中心" in listing
    download = client.post(f"/monthlyreportview/action/download/{pk}")
    assert download.status_code == 200 and download.mimetype.endswith("spreadsheetml.sheet")
    assert "汇总" in openpyxl.load_workbook(io.BytesIO(download.data)).sheetnames
    assert client.post(f"/monthlyreportview/action/submit/{pk}").status_code == 302
    again = client.post(f"/monthlyreportview/action/submit/{pk}", follow_redirects=True).get_data(as_text=True)
    assert "已报送" in again
    rebuilt = _build(client, world_ids, "2026-10")
    assert rebuilt.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MonthlyReport)) == 1


def test_bad_build_requests_are_refused_plainly(app, client, world_ids, login_as):
    login_as("manager")
    for data in (
        {"center_id": world_ids["county"], "month": "2026-13"},
        {"center_id": world_ids["county"], "month": "abc"},
        {"center_id": "x", "month": "2026-10"},
        {"center_id": world_ids["county"], "month": "2099-01"},  # not over yet
    ):
        page = client.post("/monthlyreportview/generate/", data=data, follow_redirects=True)
        assert page.status_code == 200 and "alert-danger" in page.get_data(as_text=True), data
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MonthlyReport)) == 0


def test_department_roles_see_no_reports(app, client, world_ids, login_as):
    login_as("manager")
    _build(client, world_ids)
    with app.app_context():
        pk = db.session.scalar(sa.select(MonthlyReport.id))
    client.get("/logout/")
    login_as("chief_a")
    assert client.get("/monthlyreportview/list/").status_code in (302, 403)
    assert client.post(f"/monthlyreportview/action/download/{pk}").status_code in (302, 403)
    assert client.post(
        "/monthlyreportview/generate/", data={"center_id": world_ids["county"], "month": "2026-09"}
    ).status_code in (302, 403)
    client.get("/logout/")
    login_as("leader")
    assert client.get("/monthlyreportview/list/").status_code == 200
    assert client.post(f"/monthlyreportview/action/submit/{pk}").status_code == 403


def test_supervisor_builds_but_does_not_submit(app, client, world_ids, login_as):
    login_as("supervisor")
    assert _build(client, world_ids).status_code == 302
    with app.app_context():
        pk = db.session.scalar(sa.select(MonthlyReport.id))
    assert client.post(f"/monthlyreportview/action/submit/{pk}").status_code == 403
    with app.app_context():
        assert db.session.get(MonthlyReport, pk).submitted_at is None

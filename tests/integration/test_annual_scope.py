"""The annual summary and its export show what the monthly score list shows the user (issue 12, item 1)."""

import io
from datetime import date, datetime

import openpyxl

from app.extensions import db
from app.services import scoring_month
from tests.conftest import login


def _score_march(app):
    with app.app_context():
        scoring_month.score_month(db.session, date(2026, 3, 1), datetime(2026, 4, 2, 2, 0))
        db.session.commit()


def test_window_staff_see_only_their_own_line(app, client):
    _score_march(app)
    login(client, "staff_a")
    page = client.get("/quarterlyresultview/annual/?year=2026").get_data(as_text=True)
    assert "测试staff_a" in page
    for other in ("测试chief_a", "测试staff_b", "测试chief_b", "市场监管窗口", "公安户籍窗口", "综合受理窗口"):
        assert other not in page


def test_chief_representatives_export_only_their_department(app, client):
    _score_march(app)
    login(client, "chief_b")
    page = client.get("/quarterlyresultview/annual/?year=2026").get_data(as_text=True)
    response = client.get("/quarterlyresultview/annual/export/?year=2026")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert sorted(row[2] for row in rows) == ["公安户籍窗口", "测试chief_b", "测试staff_b"]
    assert {row[3] for row in rows} == {"县公安局"}
    for name in ("测试chief_a", "测试staff_a", "市场监管窗口", "综合受理窗口"):
        assert name not in page

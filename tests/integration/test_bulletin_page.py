"""The bulletin page: committee roles, period checks, Excel with the same rows."""

import io

import openpyxl


def test_supervisor_sees_ranked_departments_and_exports(client, login_as):
    login_as("supervisor")
    page = client.get("/bulletin/?start=2026-07-01&end=2026-09-30&by=on_time_rate")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "按时办结率" in text and "县市场监督管理局" in text
    export = client.get("/bulletin/export/?start=2026-07-01&end=2026-09-30")
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(export.data))["效能通报"]
    names = [row[1] for row in sheet.iter_rows(min_row=5, max_row=7, values_only=True)]
    assert "县市场监督管理局" in names


def test_bad_periods_get_a_clear_message(client, login_as):
    login_as("supervisor")
    for query in ("start=2026-13-01", "start=2026-09-30&end=2026-07-01", "start=2024-01-01&end=2026-01-01"):
        page = client.get(f"/bulletin/?{query}")
        assert page.status_code == 200 and "alert-danger" in page.get_data(as_text=True), query
    assert client.get("/bulletin/?by=evil").status_code == 200  # an unknown ranking falls back to the default


def test_department_roles_have_no_bulletin(client, login_as):
    login_as("staff_a")
    assert client.get("/bulletin/").status_code in (302, 403)
    assert client.get("/bulletin/export/").status_code in (302, 403)

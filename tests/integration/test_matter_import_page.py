"""The import page: dry run shows row errors, import writes, permissions hold."""

import io

import sqlalchemy as sa

from app.extensions import db
from app.models import Matter
from tests.conftest import login
from tests.services.test_matter_import import row, workbook


def _count(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Matter))


def _upload(client, book, mode):
    return client.post(
        "/matter-import/", data={"mode": mode, "file": (book, "目录.xlsx")}, content_type="multipart/form-data"
    )


def test_dry_run_then_import(app, client):
    login(client, "manager")
    before = _count(app)
    page = _upload(client, workbook(row()), "dry_run").get_data(as_text=True)
    assert "预检通过" in page and _count(app) == before
    _upload(client, workbook(row()), "import")
    assert _count(app) == before + 1


def test_errors_are_listed_and_nothing_written(app, client):
    login(client, "manager")
    before = _count(app)
    response = _upload(client, workbook(row(), row(code="X2", department="县不存在局")), "import")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "县不存在局" in page and "<td>3</td>" in page
    assert _count(app) == before


def test_non_excel_upload(app, client):
    login(client, "manager")
    response = _upload(client, io.BytesIO(b"hello"), "dry_run")
    assert response.status_code == 422 and "Excel" in response.get_data(as_text=True)


def test_no_file_chosen_is_a_bad_request(client):
    login(client, "manager")
    response = client.post("/matter-import/", data={"mode": "import"}, content_type="multipart/form-data")
    assert response.status_code == 400 and "请选择" in response.get_data(as_text=True)


def test_template_download_and_permissions(client):
    login(client, "manager")
    response = client.get("/matter-import/template")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    client.get("/logout/")
    login(client, "chief_a")
    assert client.get("/matter-import/").status_code == 403
    assert _upload(client, workbook(row()), "import").status_code == 403


def test_formula_in_data_is_neutralised_in_export(app, client, world_ids):
    login(client, "manager")
    client.post(
        f"/departmentview/edit/{world_ids['dept_c']}",
        data={
            "code": "D03",
            "name": '=HYPERLINK("http://x")',
            "center": world_ids["county"],
            "status": "active",
            "sort_order": "3",
            "row_version": "1",
        },
    )
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/departmentview/export/").data)).active
    names = [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://x")' in names

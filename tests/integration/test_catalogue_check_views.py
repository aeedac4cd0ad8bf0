"""The catalogue check on the matter form, the API and the report page (seed 002: promised limits
at least 30 % shorter than the legal ones): a warning by default, a refusal when set so."""

import io

import openpyxl
import sqlalchemy as sa

from app.extensions import db
from app.models import Department, Matter, MatterCategory
from app.models.system import Setting
from tests.conftest import login
from tests.integration.test_forms import MATTER_FORM, _matter_count


def _set(app, key, value):
    with app.app_context():
        db.session.execute(sa.update(Setting).where(Setting.key == key).values(value=value))
        db.session.commit()


def _add_matters(app, world_ids, rows):
    with app.app_context():
        for code, dept, legal, promised in rows:
            db.session.add(
                Matter(
                    code=code,
                    name=f"检查{code}",
                    category=MatterCategory.licensing,
                    department=db.session.get(Department, world_ids[dept]),
                    legal_limit_days=legal,
                    promised_limit_days=promised,
                    fee_standard=0,
                )
            )
        db.session.commit()


def test_the_form_saves_with_a_warning_by_default(app, client, world_ids):
    login(client, "manager")
    before = _matter_count(app)
    form = {**MATTER_FORM, "department": world_ids["dept_a"], "legal_limit_days": "20", "promised_limit_days": "18"}
    page = client.post("/matterview/add", data=form, follow_redirects=True).get_data(as_text=True)
    assert _matter_count(app) == before + 1
    assert "承诺时限（18 个工作日）比法定时限（20 个工作日）压缩不足 30％" in page


def test_the_form_and_the_api_refuse_in_refuse_mode(app, client, world_ids):
    _set(app, "promised_limit_check", "refuse")
    login(client, "manager")
    before = _matter_count(app)
    form = {**MATTER_FORM, "department": world_ids["dept_a"], "legal_limit_days": "20", "promised_limit_days": "18"}
    page = client.post("/matterview/add", data=form).get_data(as_text=True)
    assert _matter_count(app) == before and "压缩不足 30％" in page
    # 14 of 20 is exactly 30 % shorter: saved without a word.
    client.post("/matterview/add", data={**form, "promised_limit_days": "14"})
    assert _matter_count(app) == before + 1
    with app.app_context():
        version = db.session.get(Matter, world_ids["matter_a"]).version
    response = client.put(
        f"/api/v1/matter/{world_ids['matter_a']}", json={"promised_limit_days": 15, "version": version}
    )
    assert response.status_code == 422 and "压缩不足" in response.get_json()["message"]
    with app.app_context():
        assert db.session.get(Matter, world_ids["matter_a"]).promised_limit_days == 10


def test_the_api_saves_in_warn_mode_and_says_why(app, client, world_ids):
    login(client, "manager")
    with app.app_context():
        version = db.session.get(Matter, world_ids["matter_a"]).version
    response = client.put(
        f"/api/v1/matter/{world_ids['matter_a']}", json={"promised_limit_days": 15, "version": version}
    )
    assert response.status_code == 200
    (warning,) = response.get_json()["warnings"]
    assert "15" in warning and "压缩不足" in warning
    with app.app_context():
        assert db.session.get(Matter, world_ids["matter_a"]).promised_limit_days == 15
        version = db.session.get(Matter, world_ids["matter_a"]).version
    response = client.put(
        f"/api/v1/matter/{world_ids['matter_a']}", json={"promised_limit_days": 12, "version": version}
    )
    assert response.status_code == 200 and "warnings" not in response.get_json()


def test_the_report_lists_the_matters_that_break_the_rule_within_scope(app, client, world_ids):
    _add_matters(app, world_ids, [("K-A1", "dept_a", 20, 18), ("K-A2", "dept_a", 20, 14), ("K-B1", "dept_b", 10, 10)])
    login(client, "manager")
    page = client.get("/cataloguecheckview/list/").get_data(as_text=True)
    assert "K-A1" in page and "K-B1" in page and "K-A2" not in page and "XZ-D01-0001" not in page
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/cataloguecheckview/export/").data)).active
    codes = sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert codes == ["K-A1", "K-B1"]
    # The setting moves the line: at 10 % both A matters pass.
    _set(app, "promised_limit_reduction", "0.1")
    page = client.get("/cataloguecheckview/list/").get_data(as_text=True)
    assert "K-A1" not in page and "K-B1" in page
    client.get("/logout/")
    login(client, "chief_a")  # own department only, like the matters list
    page = client.get("/cataloguecheckview/list/").get_data(as_text=True)
    assert "K-B1" not in page
    with app.app_context():
        other = db.session.scalar(sa.select(Matter.id).where(Matter.code == "K-B1"))
    # A listed matter opens as a matter, whose page keeps its own scope.
    shown = client.get(f"/cataloguecheckview/show/{other}")
    assert shown.status_code == 302 and shown.headers["Location"].endswith(f"/matterview/show/{other}")
    assert client.get(f"/cataloguecheckview/show/{other}", follow_redirects=True).status_code == 404
    # Read-only: no add, edit or delete.
    assert client.get("/cataloguecheckview/add").status_code in (403, 404, 405)
    assert client.post(f"/cataloguecheckview/delete/{other}").status_code in (403, 404, 405)
    with app.app_context():
        assert db.session.get(Matter, other) is not None

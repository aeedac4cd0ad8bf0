"""Bad input in generated forms: a clear message, nothing stored; markup always escaped."""

import sqlalchemy as sa

from app.extensions import db
from app.models import Department, Matter
from tests.conftest import login

MATTER_FORM = {
    "code": "XZ-D01-0099",
    "name": "食品生产许可",
    "category": "licensing",
    "handling_level": "county",
    "received_at_county": "y",
    "township_handling": "report_up",
    "case_kind": "promised",
    "legal_limit_days": "20",
    "promised_limit_days": "10",
    "fee_standard": "0",
    "status": "active",
}


def _matter_count(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Matter))


def test_promised_longer_than_legal_is_refused_with_message(app, client, world_ids):
    login(client, "manager")
    before = _matter_count(app)
    form = {**MATTER_FORM, "department": world_ids["dept_a"], "legal_limit_days": "10", "promised_limit_days": "15"}
    page = client.post("/matterview/add", data=form).get_data(as_text=True)
    assert "承诺时限（15个工作日）不得超过法定时限（10个工作日）" in page
    assert _matter_count(app) == before


def test_promised_limit_rule_also_holds_in_the_api(app, client, world_ids):
    login(client, "manager")
    with app.app_context():
        version = db.session.get(Matter, world_ids["matter_a"]).version
    response = client.put(
        f"/api/v1/matter/{world_ids['matter_a']}", json={"promised_limit_days": 30, "version": version}
    )
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(Matter, world_ids["matter_a"]).promised_limit_days == 10


def test_valid_matter_is_saved(app, client, world_ids):
    login(client, "manager")
    before = _matter_count(app)
    response = client.post("/matterview/add", data={**MATTER_FORM, "department": world_ids["dept_a"]})
    assert response.status_code == 302
    assert _matter_count(app) == before + 1


def test_over_long_text_is_refused(app, client, world_ids):
    login(client, "manager")
    before = _matter_count(app)
    page = client.post(
        "/matterview/add", data={**MATTER_FORM, "department": world_ids["dept_a"], "name": "长" * 201}
    ).get_data(as_text=True)
    assert "200" in page  # the length limit is named in the message
    assert _matter_count(app) == before


def test_non_numeric_limit_is_refused(app, client, world_ids):
    login(client, "manager")
    before = _matter_count(app)
    client.post("/matterview/add", data={**MATTER_FORM, "department": world_ids["dept_a"], "legal_limit_days": "二十"})
    assert _matter_count(app) == before


def test_script_in_chinese_field_is_stored_verbatim_and_escaped(app, client, world_ids):
    login(client, "manager")
    name = "县<script>alert('局')</script>"
    client.post(
        "/departmentview/add",
        data={"code": "D77", "name": name, "center": world_ids["county"], "status": "active", "sort_order": "1"},
    )
    with app.app_context():
        assert db.session.scalar(sa.select(Department.name).where(Department.code == "D77")) == name
    page = client.get("/departmentview/list/").get_data(as_text=True)
    assert "<script>alert('局')</script>" not in page
    assert "&lt;script&gt;" in page


def test_stale_edit_form_does_not_overwrite_newer_edit(app, client, world_ids):
    login(client, "manager")
    pk = world_ids["dept_c"]
    base = {"code": "D03", "center": world_ids["county"], "status": "active", "sort_order": "3", "row_version": "1"}
    assert client.post(f"/departmentview/edit/{pk}", data={**base, "name": "县气象局（甲）"}).status_code == 302
    page = client.post(
        f"/departmentview/edit/{pk}", data={**base, "name": "县气象局（乙）"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "已被他人修改" in page
    with app.app_context():
        assert db.session.get(Department, pk).name == "县气象局（甲）"


def test_stale_api_update_is_refused(app, client, world_ids):
    login(client, "manager")
    pk = world_ids["win_a"]
    assert client.put(f"/api/v1/window/{pk}", json={"name": "新名", "version": 1}).status_code == 200
    assert client.put(f"/api/v1/window/{pk}", json={"name": "旧名", "version": 1}).status_code == 422

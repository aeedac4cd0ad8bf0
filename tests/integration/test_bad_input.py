"""Bad input answers 400/404/422 with a Chinese message and changes nothing (issue 12, item 8 and 13).

Each test is one cause the probe found answering 500 (or, for the PUT version, skipping the
stale-edit check); the view-wide ones walk every registered view, FAB's own security views
included, so a view added later is covered too.
"""

import re
from datetime import timedelta

import jwt
import pytest
import sqlalchemy as sa
from flask_appbuilder import ModelRestApi, ModelView
from flask_appbuilder.security import views as fab_security

from app.extensions import db
from app.models import Case, CaseEvent, Department, Matter
from tests.conftest import login
from tests.integration.test_case_views import case_row, intake

BIG = "2147483648"  # one past PostgreSQL's integer
HUGE = "99999999999999999999"  # past SQLite's 64-bit integer too


def chinese(text) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


def json_message(response) -> str:
    message = response.get_json()["message"]
    assert isinstance(message, str) and chinese(message), message
    return message


def html_refusal(response, code):
    assert response.status_code == code, response.get_data(as_text=True)[:300]
    assert chinese(response.get_data(as_text=True))


def model_views(app):
    return [v for v in app.appbuilder.baseviews if isinstance(v, ModelView)]


def department_row(app, pk):
    with app.app_context():
        db.session.expire_all()
        department = db.session.get(Department, pk)
        return department.code, department.name, department.version


def department_count(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Department))


# -- FAB's action routes --------------------------------------------------------------------


@pytest.mark.parametrize("who", [None, "admin"])
def test_an_unknown_action_name_is_404_on_every_model_view(app, client, who):
    if who:
        login(client, who)
    views = model_views(app)
    assert any(isinstance(v, fab_security.UserDBModelView) for v in views)  # FAB's users, roles, ...
    for view in views:
        base = view.route_base
        assert client.post(f"{base}/action/no_such_action/1").status_code == 404, base
        posted = client.post(f"{base}/action_post", data={"action": "no_such_action", "rowid": "1"})
        assert posted.status_code == 404, base
    html_refusal(client.post("/users/action/no_such_action/1"), 404)


def test_a_known_action_on_ids_past_the_integer_range_is_404(app, client, world_ids):
    login(client, "admin")
    for pk in (BIG, HUGE):
        assert client.post(f"/staffview/action/deactivate/{pk}").status_code == 404
        assert client.post("/staffview/action_post", data={"action": "deactivate", "rowid": pk}).status_code == 404


# -- filters -----------------------------------------------------------------------------------


def test_an_enum_filter_value_outside_the_enum_is_400_on_every_list(app, client):
    login(client, "admin")
    checked = []
    for view in model_views(app):
        for column in view.search_columns:
            if view.datamodel.is_enum(column):
                response = client.get(f"{view.route_base}/list/?_flt_0_{column}=x")
                html_refusal(response, 400)
                checked.append(view.route_base)
    assert "/caseview" in checked and len(set(checked)) >= 15
    response = client.get("/api/v1/case/?q=(filters:!((col:status,opr:eq,value:x)))")
    assert response.status_code == 400 and json_message(response)


def test_filter_values_past_the_integer_range_are_400(app, client):
    login(client, "admin")
    for value in (BIG, HUGE, "abc"):
        html_refusal(client.get(f"/caseview/list/?_flt_0_department={value}"), 400)
        html_refusal(client.get(f"/users/list/?_flt_0_roles={value}"), 400)  # FAB's own view
    for value in (BIG, HUGE):
        response = client.get(f"/api/v1/case/?q=(filters:!((col:department_id,opr:eq,value:{value})))")
        assert response.status_code == 400 and json_message(response)
        response = client.get(f"/api/v1/case/?q=(page:{value},page_size:10)")
        assert response.status_code == 400 and json_message(response)
    for q in ("(page:-1,page_size:10)", "(page:0,page_size:-5)", "(add_columns:(department:(page:-1,page_size:5)))"):
        url = "/api/v1/case/_info" if "add_columns" in q else "/api/v1/case/"
        response = client.get(url, query_string={"q": q})
        assert response.status_code == 400 and json_message(response)


def test_a_filter_index_or_order_column_fab_does_not_have_is_400(app, client):
    login(client, "admin")
    html_refusal(client.get("/caseview/list/?_flt_9_status=accepted"), 400)
    html_refusal(client.get("/users/list/?_oc_UserDBModelView=no_such&_od_UserDBModelView=asc"), 400)
    html_refusal(client.get("/staffview/list/?_oc_StaffView=no_such&_od_StaffView=asc"), 400)
    assert client.get("/staffview/list/?_oc_StaffView=name&_od_StaffView=asc").status_code == 200


# -- ids in URLs and query strings -----------------------------------------------------------------


def test_ids_past_the_integer_range_are_404(app, client, world_ids):
    anonymous = app.test_client()
    for pk in (BIG, HUGE):
        html_refusal(anonymous.get(f"/portal/window/{pk}"), 404)
    login(client, "admin")
    for pk in (BIG, HUGE):
        response = client.get(f"/api/v1/case/{pk}")
        assert response.status_code == 404 and json_message(response)
        html_refusal(client.get(f"/caseview/show/{pk}"), 404)
        html_refusal(client.get(f"/users/show/{pk}"), 404)
        html_refusal(client.get(f"/case-intake/{pk}"), 404)
        assert client.post(f"/api/v1/case/{pk}/action/forward", json={"version": 1}).status_code == 404


def test_query_string_ids_past_the_integer_range_or_not_numbers_are_400(app, client):
    anonymous = app.test_client()
    for value in (BIG, HUGE, "²", "abc"):
        html_refusal(anonymous.get(f"/portal/?department={value}"), 400)
    assert anonymous.get("/portal/?department=").status_code == 200
    login(client, "admin")
    for value in (HUGE, "²"):
        html_refusal(client.get(f"/caseview/list/?department_id={value}"), 400)
        html_refusal(client.get(f"/caseview/list/?matter_id={value}"), 400)


# -- the rison query argument, FAB's download route ---------------------------------------------


def test_a_rison_query_that_recurses_forever_is_400(app, client, world_ids):
    login(client, "admin")
    for url in ("/api/v1/case/", "/api/v1/case/_info", f"/api/v1/department/{world_ids['dept_a']}"):
        for q in ("((((", "(" * 5000, "not rison {"):
            response = client.get(url, query_string={"q": q})
            assert response.status_code == 400, (url, q[:10])
            json_message(response)


def test_fabs_file_download_route_is_404_without_an_upload_folder(app, client):
    login(client, "admin")
    for view in model_views(app):
        assert client.get(f"{view.route_base}/download/x.txt").status_code == 404, view.route_base


# -- API bodies and versions -------------------------------------------------------------------


def test_an_api_body_that_is_not_a_json_object_is_400(app, client, world_ids):
    login(client, "manager")
    pk = world_ids["dept_c"]
    before, count = department_row(app, pk), department_count(app)
    for body in ("[1, 2]", '"text"', "3", "{", ""):
        for method, url in (("PUT", f"/api/v1/department/{pk}"), ("POST", "/api/v1/department/")):
            response = client.open(url, method=method, data=body, content_type="application/json")
            assert response.status_code == 400, (method, body, response.get_data(as_text=True))
            json_message(response)
    response = app.test_client().post("/api/v1/security/login", json=["manager"])
    assert response.status_code == 400 and json_message(response)
    assert department_row(app, pk) == before and department_count(app) == count


@pytest.mark.parametrize("version", [None, "abc", "1", 1.5, True, [1]])
def test_an_api_edit_needs_an_integer_version(app, client, world_ids, version):
    login(client, "manager")
    pk = world_ids["dept_c"]
    before = department_row(app, pk)
    body = {"name": "改过的名字"} if version is None else {"name": "改过的名字", "version": version}
    response = client.put(f"/api/v1/department/{pk}", json=body)
    assert response.status_code == 422 and "version" in json_message(response)
    assert department_row(app, pk) == before
    response = client.put(f"/api/v1/department/{pk}", json={"name": "改过的名字", "version": before[2]})
    assert response.status_code == 200 and department_row(app, pk)[1] == "改过的名字"


def test_every_api_shows_the_version_its_edits_need(app, client, world_ids):
    login(client, "admin")
    for api in app.appbuilder.baseviews:
        if isinstance(api, ModelRestApi) and "put" in (api.include_route_methods or {"put"}):
            assert "version" in api.show_columns, api.resource_name


@pytest.mark.parametrize("version", [None, "abc", 1.5, True])
def test_a_case_action_needs_an_integer_version(app, client, world_ids, version):
    login(client, "staff_a")
    pk = intake(client, world_ids)
    before = case_row(app, pk)
    body = {"next_step": True} if version is None else {"version": version, "next_step": True}
    response = client.post(f"/api/v1/case/{pk}/action/forward", json=body)
    assert response.status_code == 422 and json_message(response)
    form = {"next_step": "on"} if version is None else {"version": str(version), "next_step": "on"}
    assert client.post(f"/caseview/act/{pk}/forward", data=form).status_code == 302
    assert case_row(app, pk) == before


# -- NUL characters ----------------------------------------------------------------------------


def test_nul_characters_are_refused_in_forms_json_and_query_strings(app, client, world_ids):
    login(client, "manager")
    pk = world_ids["dept_c"]
    before, count = department_row(app, pk), department_count(app)
    form = {"code": "D09", "name": "新\x00部门", "center": str(world_ids["county"]), "sort_order": "9"}
    html_refusal(client.post("/departmentview/add", data=form), 400)
    html_refusal(client.post(f"/departmentview/edit/{pk}", data={**form, "code": "D03"}), 400)
    body = {"code": "D09", "name": "新\x00部门", "center_id": world_ids["county"], "status": "active"}
    for response in (
        client.post("/api/v1/department/", json=body),
        client.put(f"/api/v1/department/{pk}", json={"name": "a\x00b", "version": before[2]}),
        client.put(f"/api/v1/department/{pk}", json={"name\x00": "ab", "version": before[2]}),
        client.get("/api/v1/department/?q=(filters:!((col:name,opr:ct,value:'a\x00b')))"),
    ):
        assert response.status_code == 400 and json_message(response)
    html_refusal(client.get("/departmentview/list/?_flt_0_name=a%00b"), 400)
    html_refusal(app.test_client().get("/portal/?q=a%00b"), 400)
    html_refusal(app.test_client().get("/portal/matter/a%00b"), 400)
    assert department_row(app, pk) == before and department_count(app) == count


# -- case action notes -------------------------------------------------------------------------


def test_a_case_action_note_over_1000_characters_is_refused(app, client, world_ids):
    login(client, "staff_a")
    pk = intake(client, world_ids)
    before = case_row(app, pk)
    note = "长" * 1001
    response = client.post(f"/api/v1/case/{pk}/action/forward", json={"version": before[1], "note": note})
    assert response.status_code == 422 and "1000" in json_message(response)
    page = client.post(f"/caseview/act/{pk}/forward", data={"version": before[1], "note": note}, follow_redirects=True)
    assert page.status_code == 200 and "1000" in page.get_data(as_text=True)
    assert case_row(app, pk) == before
    with app.app_context():
        assert not db.session.scalar(sa.select(sa.func.count()).where(CaseEvent.note == note))
    ok = client.post(f"/api/v1/case/{pk}/action/forward", json={"version": before[1], "note": "长" * 1000})
    assert ok.status_code == 200


# -- database errors, API tokens -----------------------------------------------------------------


def test_a_refused_write_does_not_echo_sql(app, client, world_ids):
    login(client, "manager")
    pk = world_ids["dept_c"]
    before, count = department_row(app, pk), department_count(app)
    body = {"code": "D01", "name": "重复", "center_id": world_ids["county"], "status": "active", "sort_order": 9}
    for response in (
        client.post("/api/v1/department/", json=body),
        client.put(f"/api/v1/department/{pk}", json={"code": "D01", "version": before[2]}),
    ):
        assert response.status_code == 422
        message = json_message(response)
        assert not re.search(r"SQL|INSERT|UPDATE|department\.code|UNIQUE|duplicate key", message), message
    assert department_row(app, pk) == before and department_count(app) == count


def test_a_matter_api_write_with_a_missing_reference_does_not_echo_sql(app, client, world_ids):
    login(client, "manager")
    pk = world_ids["matter_a"]
    with app.app_context():
        version = db.session.get(Matter, pk).version
    response = client.put(f"/api/v1/matter/{pk}", json={"department_id": 2147483647, "version": version})
    assert response.status_code == 422
    assert "SQL" not in json_message(response)


def test_an_invalid_or_expired_api_token_is_401(app, client):
    from flask_jwt_extended import create_access_token

    good = client.post(
        "/api/v1/security/login", json={"username": "manager", "password": "Test@1234", "provider": "db"}
    ).get_json()["access_token"]
    with app.app_context():
        user_id = app.appbuilder.sm.find_user("manager").id
        expired = create_access_token(identity=str(user_id), expires_delta=timedelta(seconds=-1))
    forged = jwt.encode(
        {"sub": str(user_id), "type": "access", "fresh": True}, "another-key-of-32-characters-long", algorithm="HS256"
    )
    anonymous = app.test_client()
    for token in ("abc", "a.b.c", good[:-4] + "AAAA", forged, expired):
        response = anonymous.get("/api/v1/case/", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, (token[:20], response.get_data(as_text=True))
        json_message(response)
    response = anonymous.get("/api/v1/case/")
    assert response.status_code == 401 and json_message(response)
    assert anonymous.get("/api/v1/case/", headers={"Authorization": f"Bearer {good}"}).status_code == 200


def test_cases_are_untouched_by_refused_input(app, client, world_ids):
    login(client, "staff_a")
    pk = intake(client, world_ids)
    before = case_row(app, pk)
    client.post(f"/caseview/act/{pk}/no_such_action", data={"version": before[1]})
    client.post(f"/api/v1/case/{pk}/action/forward", json=[before[1]])
    client.post(f"/api/v1/case/{pk}/action/forward", json={"version": before[1], "note": "a\x00b"})
    assert case_row(app, pk) == before
    with app.app_context():
        assert db.session.get(Case, pk).version == before[1]


# -- found by the API fuzzing (tests/fuzz) ---------------------------------------------------------


def test_json_numbers_past_the_integer_range_are_400(app, client, world_ids):
    login(client, "manager")
    pk = world_ids["dept_c"]
    before, count = department_row(app, pk), department_count(app)
    body = {"code": "D09", "name": "新部门", "center_id": 2**70, "status": "active", "sort_order": 1}
    for response in (
        client.post("/api/v1/department/", json=body),
        client.put(f"/api/v1/department/{pk}", json={"sort_order": 2**63, "version": before[2]}),
        client.put(f"/api/v1/department/{pk}", data='{"sort_order": NaN}', content_type="application/json"),
    ):
        assert response.status_code == 400 and json_message(response)
    assert department_row(app, pk) == before and department_count(app) == count


def test_an_api_login_without_a_provider_uses_the_database(app):
    client = app.test_client()
    response = client.post("/api/v1/security/login", json={"username": "manager", "password": "Test@1234"})
    assert response.status_code == 200 and response.get_json()["access_token"]
    assert client.post("/api/v1/security/login", json={"username": "manager", "password": "x"}).status_code == 401


def test_the_openapi_document_says_what_the_api_answers(app, client):
    login(client, "admin")
    spec = client.get("/api/v1/_openapi").get_json()
    schemas = spec["components"]["schemas"]
    for api in app.appbuilder.baseviews:
        if not isinstance(api, ModelRestApi):
            continue
        base = f"/api/v1/{api.resource_name}/"
        listed = spec["paths"][base]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert listed["properties"]["ids"]["items"] == {"type": "integer"}, base
        if "post" in spec["paths"][base]:
            created = spec["paths"][base]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
            assert created["properties"]["id"] == {"type": "integer"}, base
        if "put" in spec["paths"].get(f"{base}{{pk}}", {}):
            edit = schemas[api.edit_model_schema_name]
            assert edit["properties"]["version"]["type"] == "integer" and "version" in edit["required"], base
    assert schemas["MatterApi.get_list"]["properties"]["fee_standard"]["type"] == "string"
    fee = client.get("/api/v1/matter/").get_json()["result"][0]["fee_standard"]
    assert isinstance(fee, str)


def _texts(message):
    if isinstance(message, dict):
        return [text for value in message.values() for text in _texts(value)]
    if isinstance(message, list):
        return [text for value in message for text in _texts(value)]
    return [message]


def test_fabs_own_api_messages_answer_in_chinese(app, client, world_ids):
    """Marshmallow's field messages and FAB's 404 body are English in FAB; field names stay."""
    login(client, "manager")
    pk = world_ids["dept_c"]
    before = department_row(app, pk)
    version = before[2]
    for body, field in (
        ({"name": 123, "version": version}, "name"),
        ({"name": None, "version": version}, "name"),
        ({"no_such_field": 1, "version": version}, "no_such_field"),
    ):
        response = client.put(f"/api/v1/department/{pk}", json=body)
        message = response.get_json()["message"]
        assert response.status_code == 422 and field in message, message
        assert all(chinese(text) for text in _texts(message)), message
    assert department_row(app, pk) == before
    created = client.post("/api/v1/department/", json={"code": "X1"})
    assert created.status_code == 422 and all(chinese(t) for t in _texts(created.get_json()["message"]))
    missing = client.get(f"/api/v1/department/{world_ids['dept_c'] + 100000}")
    assert missing.status_code == 404 and "Not found" not in json_message(missing)

"""Department scope: another department's rows are refused on every path and stay unchanged."""

import io

import openpyxl
import pytest

from app.extensions import db
from app.models import Staff, StaffStatus, Window
from tests.conftest import login


def _staff(app, pk):
    with app.app_context():
        row = db.session.get(Staff, pk)
        return (row.name, row.department_id, row.status, row.version)


@pytest.fixture
def chief_a(client):
    return login(client, "chief_a")


def test_list_shows_own_department_only(app, chief_a, world_ids):
    page = chief_a.get("/staffview/list/").get_data(as_text=True)
    assert "测试chief_a" in page and "测试staff_a" in page
    assert "测试chief_b" not in page and "测试staff_b" not in page


def test_window_staff_sees_only_own_staff_record(app, client):
    page = login(client, "staff_a").get("/staffview/list/").get_data(as_text=True)
    assert "测试staff_a" in page
    assert "测试chief_a" not in page


@pytest.mark.parametrize("url", ["/staffview/show/{pk}", "/staffview/edit/{pk}"])
def test_direct_urls_to_other_department_are_404(chief_a, world_ids, url):
    assert chief_a.get(url.format(pk=world_ids["staff_chief_b"])).status_code == 404


def test_edit_post_on_other_department_changes_nothing(app, chief_a, world_ids):
    pk = world_ids["staff_staff_b"]
    before = _staff(app, pk)
    response = chief_a.post(f"/staffview/edit/{pk}", data={"name": "篡改", "staff_no": "X", "row_version": "1"})
    assert response.status_code == 404
    assert _staff(app, pk) == before


def test_moving_own_staff_to_other_department_is_refused(app, chief_a, world_ids):
    pk = world_ids["staff_staff_a"]
    before = _staff(app, pk)
    form = {
        "staff_no": "T006",
        "name": "测试staff_a",
        "department": str(world_ids["dept_b"]),
        "position": "a_post",
        "status": "active",
        "row_version": str(before[3]),
    }
    chief_a.post(f"/staffview/edit/{pk}", data=form)
    # The department's form has no department field: the posted one is ignored (the rest may save).
    assert _staff(app, pk)[:3] == before[:3]


def test_delete_of_other_department_refused(app, client, world_ids):
    login(client, "manager")  # sanity: a global role could delete it
    client.get("/logout/")
    login(client, "chief_a")
    pk = world_ids["staff_staff_b"]
    assert client.post(f"/staffview/delete/{pk}").status_code in (403, 404)
    assert _staff(app, pk)[0] == "测试staff_b"


@pytest.mark.parametrize("name", ["deactivate", "activate"])
def test_single_action_on_other_department_is_404(app, chief_a, world_ids, name):
    pk = world_ids["staff_staff_b"]
    before = _staff(app, pk)
    assert chief_a.post(f"/staffview/action/{name}/{pk}").status_code == 404
    assert _staff(app, pk) == before


def test_bulk_action_with_one_foreign_row_changes_nothing(app, chief_a, world_ids):
    own, foreign = world_ids["staff_staff_a"], world_ids["staff_staff_b"]
    response = chief_a.post("/staffview/action_post", data={"action": "deactivate", "rowid": [own, foreign]})
    assert response.status_code == 404
    assert _staff(app, own)[2] == StaffStatus.active
    assert _staff(app, foreign)[2] == StaffStatus.active


def test_action_on_own_department_works(app, chief_a, world_ids):
    pk = world_ids["staff_staff_a"]
    assert chief_a.post(f"/staffview/action/deactivate/{pk}").status_code == 302
    assert _staff(app, pk)[2] == StaffStatus.inactive


def test_api_show_and_update_other_department(app, chief_a, world_ids):
    pk = world_ids["staff_staff_b"]
    before = _staff(app, pk)
    assert chief_a.get(f"/api/v1/staff/{pk}").status_code == 404
    assert chief_a.put(f"/api/v1/staff/{pk}", json={"name": "篡改"}).status_code == 404
    assert _staff(app, pk) == before
    listed = chief_a.get("/api/v1/staff/").get_json()
    assert {row["department_id"] for row in listed["result"]} == {world_ids["dept_a"]}


def test_api_update_moving_staff_out_of_scope_is_404(app, chief_a, world_ids):
    pk = world_ids["staff_staff_a"]
    before = _staff(app, pk)
    response = chief_a.put(f"/api/v1/staff/{pk}", json={"department_id": world_ids["dept_b"], "version": before[3]})
    assert response.status_code == 404
    assert response.get_json()["message"] == "只能修改本部门的记录。"
    assert _staff(app, pk) == before


def test_api_window_edit_other_department(app, chief_a, world_ids):
    pk = world_ids["win_b"]
    with app.app_context():
        name = db.session.get(Window, pk).name
    assert chief_a.put(f"/api/v1/window/{pk}", json={"name": "篡改"}).status_code == 404
    with app.app_context():
        assert db.session.get(Window, pk).name == name


def test_export_contains_only_scoped_rows(chief_a, world_ids):
    response = chief_a.get("/staffview/export/")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"测试chief_a", "测试staff_a"}


def test_export_applies_list_filters(client, world_ids):
    login(client, "manager")
    response = client.get("/staffview/export/?_flt_2_name=staff_b")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[1] for row in rows] == ["测试staff_b"]


def test_related_select_lists_only_scoped_departments(chief_a, world_ids):
    page = chief_a.get(f"/windowview/edit/{world_ids['win_a']}").get_data(as_text=True)
    assert "县市场监督管理局" in page
    assert "县公安局" not in page


def test_a_department_moves_its_staff_only_through_personnel_changes(app, chief_a, world_ids):
    """The chief representative's staff form has no department, center, window or post: those
    change through a personnel change the center approves."""
    pk = world_ids["staff_staff_a"]
    page = chief_a.get(f"/staffview/edit/{pk}").get_data(as_text=True)
    assert 'name="department"' not in page and 'name="window"' not in page and 'name="position"' not in page
    assert 'name="phone"' in page
    with app.app_context():
        staff = db.session.get(Staff, pk)
        form = {"staff_no": staff.staff_no, "name": staff.name, "phone": "13800138000", "row_version": staff.version}
        window = staff.window_id
    form |= {"window": "", "position": "chief_rep", "department": world_ids["dept_a"]}
    assert chief_a.post(f"/staffview/edit/{pk}", data=form).status_code == 302
    with app.app_context():
        staff = db.session.get(Staff, pk)
        assert (staff.phone, staff.window_id, staff.position.name) == ("13800138000", window, "a_post")


def test_user_without_staff_record_sees_nothing(app, client, world_ids):
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("orphan", "孤", "立", "orphan@test.local", [sm.find_role("ChiefRep")], password="Test@1234")
    login(client, "orphan")
    assert client.get("/api/v1/staff/").get_json()["count"] == 0
    assert client.get(f"/staffview/show/{world_ids['staff_staff_a']}").status_code == 404

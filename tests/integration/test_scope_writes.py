"""Writes keep every row they touch inside the actor's scope (issue 12, item 2).

A comprehensive window Z01 belongs to department A; departments B and C co-use it.
B's chief representative sees it but may not change it; A's chief representative
changes it but sees only A among its member departments.
"""

import pytest

from app.extensions import db
from app.models import Staff, Window
from app.models.org import WindowKind
from tests.conftest import login


@pytest.fixture
def shared_window(app, world_ids):
    with app.app_context():
        from app.models import Department

        members = [db.session.get(Department, world_ids[key]) for key in ("dept_b", "dept_c")]
        window = Window(
            code="Z01",
            name="综合受理一号窗",
            kind=WindowKind.comprehensive,
            center_id=world_ids["county"],
            department_id=world_ids["dept_a"],
            member_departments=members,
        )
        db.session.add(window)
        db.session.commit()
        return window.id


def _window(app, pk):
    with app.app_context():
        row = db.session.get(Window, pk)
        members = sorted(department.id for department in row.member_departments)
        return (row.name, row.department_id, row.status.name, members, row.version)


def _seat(app, pk):
    with app.app_context():
        row = db.session.get(Staff, pk)
        return (row.window_id, row.version)


def _form(app, pk, **changes):
    """The edit form of window `pk` as the browser submits it unchanged, then `changes`."""
    with app.app_context():
        row = db.session.get(Window, pk)
        form = {
            "code": row.code,
            "name": row.name,
            "kind": row.kind.name,
            "center": str(row.center_id),
            "department": str(row.department_id),
            "member_departments": [str(department.id) for department in row.member_departments],
            "status": row.status.name,
            "note": row.note or "",
            "row_version": str(row.version),
        }
    return {**form, **changes}


# -- a member department sees the shared window and changes nothing ---------------------


def test_member_sees_the_shared_window(app, client, shared_window):
    login(client, "chief_b")
    assert client.get(f"/windowview/show/{shared_window}").status_code == 200
    assert client.get(f"/api/v1/window/{shared_window}").status_code == 200


def test_member_cannot_take_the_window_over_through_the_api(app, client, world_ids, shared_window):
    login(client, "chief_b")
    before = _window(app, shared_window)
    body = {"department_id": world_ids["dept_b"], "version": before[4]}
    assert client.put(f"/api/v1/window/{shared_window}", json=body).status_code == 404
    assert client.put(f"/api/v1/window/{shared_window}", json={"name": "改名", "version": before[4]}).status_code == 404
    assert _window(app, shared_window) == before


def test_member_cannot_edit_disable_or_delete_the_window_through_the_pages(app, client, world_ids, shared_window):
    login(client, "chief_b")
    before = _window(app, shared_window)
    assert client.get(f"/windowview/edit/{shared_window}").status_code == 404
    form = _form(app, shared_window, department=str(world_ids["dept_b"]), name="改名")
    assert client.post(f"/windowview/edit/{shared_window}", data=form).status_code == 404
    # Chief representatives may not disable or delete windows at all; a member may not either.
    assert client.post(f"/windowview/action/deactivate/{shared_window}").status_code in (403, 404)
    response = client.post("/windowview/action_post", data={"action": "deactivate", "rowid": [shared_window]})
    assert response.status_code in (403, 404)
    assert client.post(f"/windowview/delete/{shared_window}").status_code in (403, 404)
    assert _window(app, shared_window) == before


def test_owner_still_edits_the_window_through_the_api(app, client, shared_window):
    login(client, "chief_a")
    version = _window(app, shared_window)[4]
    response = client.put(f"/api/v1/window/{shared_window}", json={"name": "综合受理窗", "version": version})
    assert response.status_code == 200
    assert _window(app, shared_window)[0] == "综合受理窗"


def test_owner_cannot_give_the_window_away(app, client, world_ids, shared_window):
    login(client, "chief_a")
    before = _window(app, shared_window)
    body = {"department_id": world_ids["dept_b"], "version": before[4]}
    assert client.put(f"/api/v1/window/{shared_window}", json=body).status_code == 404
    assert _window(app, shared_window) == before


# -- staff are seated only at windows the department owns or co-uses -------------------


def test_staff_cannot_be_seated_at_another_departments_window_through_the_api(app, client, world_ids):
    login(client, "chief_a")
    pk = world_ids["staff_staff_a"]
    before = _seat(app, pk)
    response = client.put(f"/api/v1/staff/{pk}", json={"window_id": world_ids["win_b"], "version": before[1]})
    assert response.status_code == 404
    assert response.get_json()["message"] == "只能关联您有权查看的记录（例如本部门的窗口）。"
    assert _seat(app, pk) == before


def test_staff_may_be_seated_at_a_window_the_department_co_uses(app, client, world_ids, shared_window):
    login(client, "chief_b")
    pk = world_ids["staff_staff_b"]
    version = _seat(app, pk)[1]
    response = client.put(f"/api/v1/staff/{pk}", json={"window_id": shared_window, "version": version})
    assert response.status_code == 200
    assert _seat(app, pk)[0] == shared_window


# -- the owner's edit form keeps the members it cannot see -----------------------------


def test_saving_the_owners_form_unchanged_keeps_hidden_members(app, client, world_ids, shared_window):
    login(client, "chief_a")
    before = _window(app, shared_window)
    page = client.get(f"/windowview/edit/{shared_window}").get_data(as_text=True)
    assert "县公安局" not in page  # the picker offers the editor's scope only
    form = _form(app, shared_window, member_departments=[])  # what the browser sends back
    assert client.post(f"/windowview/edit/{shared_window}", data=form).status_code == 302
    assert _window(app, shared_window)[3] == before[3] == sorted([world_ids["dept_b"], world_ids["dept_c"]])


def test_owner_adds_its_own_department_and_keeps_the_others(app, client, world_ids, shared_window):
    login(client, "chief_a")
    form = _form(app, shared_window, member_departments=[str(world_ids["dept_a"])])
    client.post(f"/windowview/edit/{shared_window}", data=form)
    expected = sorted([world_ids["dept_a"], world_ids["dept_b"], world_ids["dept_c"]])
    assert _window(app, shared_window)[3] == expected


def test_manager_removes_a_member_through_the_form(app, client, world_ids, shared_window):
    login(client, "manager")
    form = _form(app, shared_window, member_departments=[str(world_ids["dept_c"])])
    client.post(f"/windowview/edit/{shared_window}", data=form)
    assert _window(app, shared_window)[3] == [world_ids["dept_c"]]


# -- the department changes through the form; the stale-edit check still holds ----------


def test_manager_moves_the_window_to_another_department_through_the_form(app, client, world_ids, shared_window):
    login(client, "manager")
    form = _form(app, shared_window, department=str(world_ids["dept_b"]))
    response = client.post(f"/windowview/edit/{shared_window}", data=form, follow_redirects=True)
    assert "被他人修改" not in response.get_data(as_text=True)
    name, department, _status, members, version = _window(app, shared_window)
    assert department == world_ids["dept_b"]
    assert version == int(form["row_version"]) + 1


def test_a_stale_form_is_still_refused(app, client, world_ids, shared_window):
    login(client, "manager")
    form = _form(app, shared_window, department=str(world_ids["dept_b"]))
    with app.app_context():
        db.session.get(Window, shared_window).note = "另一位管理员先保存"
        db.session.commit()
    before = _window(app, shared_window)
    page = client.post(f"/windowview/edit/{shared_window}", data=form, follow_redirects=True).get_data(as_text=True)
    assert "被他人修改" in page
    assert _window(app, shared_window) == before


# -- a department user's duplicate is refused in words, not a 500 ---------------------
# check_in_scope flushes the row to look it up: the database refuses a duplicate there,
# before FAB's own write (which already answered a duplicate plainly).


def test_a_duplicate_code_from_a_department_user_is_refused_through_the_api(app, client, world_ids):
    login(client, "chief_a")
    other = _window(app, world_ids["win_c"])
    before = _window(app, world_ids["win_a"])
    # C01 is taken at the same center: the (center, code) pair is unique.
    response = client.put(f"/api/v1/window/{world_ids['win_a']}", json={"code": "C01", "version": before[4]})
    assert response.status_code == 422
    assert response.get_json()["message"] == "记录与已有记录冲突（编码或名称重复？）。"
    assert _window(app, world_ids["win_a"]) == before
    assert _window(app, world_ids["win_c"]) == other
    # The session is usable again: the next request answers normally.
    assert client.get(f"/api/v1/window/{world_ids['win_a']}").status_code == 200


def test_a_duplicate_code_from_a_department_user_is_refused_on_the_form(app, client, world_ids):
    login(client, "chief_a")
    before = _window(app, world_ids["win_a"])
    response = client.post(
        f"/windowview/edit/{world_ids['win_a']}", data=_form(app, world_ids["win_a"], code="C01"), follow_redirects=True
    )
    assert response.status_code == 200
    assert "记录与已有记录冲突（编码或名称重复？）。" in response.get_data(as_text=True)
    assert _window(app, world_ids["win_a"]) == before

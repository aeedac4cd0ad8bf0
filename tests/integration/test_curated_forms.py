"""Forms fit for a clerk (issue 15 §1-2): every generated form offers only what its user may set,
records a service creates are created through the service's form, relations to large tables are
searched as you type within the user's scope, dates parse or are refused in Chinese, and no page
grows with the county.

Views are found by walking `appbuilder.baseviews`: a new view is checked without being listed.
"""

import html
import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import LeaveRequest, Staff, WorkCalendarDay
from app.services.scope import scope_for
from app.views.model_view import GovModelView
from app.views.remote_select import NOT_OFFERED
from tests.conftest import login

LIMIT = 300 * 1024

# Columns the system keeps: workflow state, the optimistic lock, who decided and when (audit
# columns and timestamps), and figures computed from other rows.
STATE = {"status", "stage", "light", "state", "version"}
COMPUTED = {"working_days", "tier", "tenure_warning", "served_share", "additions", "deductions", "score", "rank"}
COMPUTED |= {"mean_score", "supplement_count", "paused_workdays", "extension_days", "step_seq"}
# A record's month and points follow from when it happened and its rule (a rule's points are typed).
COMPUTED_OF = {("AssessmentRecord", "month"), ("AssessmentRecord", "points"), ("AssessmentRecord", "department")}
# Times a person types: when the fact a supervisor records happened (with its evidence).
TYPED_TIMES = {("AssessmentRecord", "occurred_at")}
# Records created by a service (their rules and follow-ups), never by a generic form.
SERVICE_RECORDS = {"LeaveRequest", "PersonnelChange", "Complaint", "Evaluation", "Rectification", "Case", "Appeal"}

_FIELD_NAME = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')
_REMOTE = re.compile(r'<span class="govhall-remote" data-source="([^"]+)"[^>]*><input type="hidden" name="([^"]+)"')


def kept_by_system(model, name) -> bool:
    if name == "row_version":  # the hidden copy of the version the form was opened at
        return False
    if (model.__name__, name) in COMPUTED_OF:
        return True
    if name in STATE | COMPUTED or name.endswith(("_by", "_by_id", "_by_fk")) or name in ("created_on", "changed_on"):
        return True
    column = model.__table__.c.get(name)
    return column is not None and isinstance(column.type, sa.DateTime) and (model.__name__, name) not in TYPED_TIMES


def _gov_views(app):
    return [view for view in app.appbuilder.baseviews if isinstance(view, GovModelView)]


def _open_forms(view):
    """The generic forms (add, edit) the view opens to whoever holds their permission."""
    permissions = set(view.base_permissions or ())
    forms = []
    if "can_add" in permissions and not view.service_add_form:
        forms.append(("add", view.add_columns))
    if "can_edit" in permissions:
        forms.append(("edit", view.edit_columns))
    return forms


def test_no_generic_form_holds_a_field_the_system_keeps(app, client):
    login(client, "admin")
    checked = set()
    for view in _gov_views(app):
        model, base = view.datamodel.obj, f"/{view.route_base.strip('/')}"
        for form, columns in _open_forms(view):
            kept = [name for name in columns if kept_by_system(model, name)]
            assert not kept, f"{type(view).__name__}.{form}: {kept}"
            checked.add(f"{type(view).__name__}.{form}")
        if "can_add" in (view.base_permissions or ()) and not view.service_add_form:
            page = client.get(f"{base}/add").get_data(as_text=True)
            rendered = set(_FIELD_NAME.findall(page)) - {"csrf_token"}
            assert not [name for name in rendered if kept_by_system(model, name)], type(view).__name__
    # The walk reached the forms clerks use (so an empty finding means something).
    assert {"StaffView.edit", "WindowView.add", "DepartmentView.edit", "AssessmentRecordView.add"} <= checked


def test_records_a_service_creates_have_no_generic_form(app, client):
    """Their list's "+" leads to the service's form; the generic add and edit are closed, so
    no form can set their state."""
    login(client, "admin")  # every permission there is
    reached = set()
    for view in _gov_views(app):
        if view.datamodel.obj.__name__ not in SERVICE_RECORDS:
            continue
        base, name = f"/{view.route_base.strip('/')}", type(view).__name__
        assert "can_edit" not in (view.base_permissions or ()), name
        # Nor does a closed form offer rows to choose: only the service form's own selects.
        offered = {column for form, column in view._remote if form != "search"}
        assert offered <= set(view.service_choices or ()), name
        assert client.get(f"{base}/edit/1").status_code in (302, 403, 404), name
        assert client.post(f"{base}/edit/1", data={"status": "approved"}).status_code in (302, 403, 404), name
        added = client.get(f"{base}/add")
        if view.service_add_form:
            assert added.status_code == 302, name
            assert added.headers["Location"].endswith(url_path(app, view)), name
            assert client.get(added.headers["Location"]).status_code == 200, name
            reached.add(name)
            listing = client.get(f"{base}/list/").get_data(as_text=True)
            plus = re.search(rf'href="({re.escape(base)}/add[^"]*)"', listing)
            assert plus is not None and client.get(html.unescape(plus.group(1))).status_code == 302, name
        else:
            assert added.status_code == 403, name
    assert {"LeaveRequestView", "PersonnelChangeView", "ComplaintView", "EvaluationView"} <= reached


def url_path(app, view):
    with app.test_request_context():
        from flask import url_for

        return url_for(f"{view.endpoint}.{view.service_add_form}")


def _scope(app, username):
    with app.app_context():
        staff = db.session.scalar(
            sa.select(Staff).join(Staff.user).where(app.appbuilder.sm.user_model.username == username)
        )
        return scope_for([role.name for role in staff.user.roles], app.config["ROLE_SCOPES"], staff)


def _visible(app, scope, model) -> set[int]:
    with app.app_context():
        if model is app.appbuilder.sm.user_model:
            query = sa.select(Staff.user_id).where(scope.clause(Staff), Staff.user_id.is_not(None))
        else:
            query = sa.select(model.id).where(scope.clause(model))
        return set(db.session.scalars(query))


def _all_pages(client, url):
    ids, page = [], 1
    while True:
        response = client.get(url, query_string={"page": page})
        assert response.status_code == 200, url
        answer = response.get_json()
        ids += [row["id"] for row in answer["results"]]
        if not answer["more"]:
            return ids
        page += 1


def test_every_search_select_offers_only_rows_in_scope(app, client):
    login(client, "chief_a")
    scope = _scope(app, "chief_a")
    checked = set()
    for view in _gov_views(app):
        for (form, column), choices in view._remote.items():
            url = f"/{view.route_base.strip('/')}/choices/{form}/{column}"
            if client.get(url).status_code != 200:
                continue  # the form is not the user's
            offered = set(_all_pages(client, url))
            visible = _visible(app, scope, choices.model)
            if choices.model is Staff and column == "staff_id" and type(view).__name__ == "PersonnelChangeView":
                with app.app_context():  # a transfer in names a staff member on duty nowhere
                    visible |= set(db.session.scalars(sa.select(Staff.id).where(Staff.status != "active")))
            assert offered <= visible, f"{type(view).__name__}.{form}.{column}: {sorted(offered - visible)}"
            checked.add(f"{type(view).__name__}.{form}.{column}")
    assert {"LeaveRequestView.add.staff_id", "LeaveRequestView.search.staff", "StaffView.edit.user"} <= checked
    assert {"EvaluationView.search.staff", "AssessmentRecordView.search.staff"} <= checked


def test_a_search_select_finds_by_what_is_typed_within_scope(app, client, world_ids):
    with app.app_context():
        own = db.session.get(Staff, world_ids["staff_staff_a"])
        other = db.session.get(Staff, world_ids["staff_staff_b"])
        own_name, other_name = own.name, other.name
    url = "/leaverequestview/choices/add/staff_id"
    login(client, "chief_a")
    found = client.get(url, query_string={"q": own_name}).get_json()["results"]
    assert [row["id"] for row in found] == [world_ids["staff_staff_a"]]
    assert own_name in found[0]["text"]
    assert client.get(url, query_string={"q": other_name}).get_json()["results"] == []
    assert client.get(url, query_string={"id": world_ids["staff_staff_b"]}).get_json()["results"] == []
    assert client.get(url, query_string={"q": "%"}).get_json()["results"] == []  # a wildcard is a character
    client.get("/logout/")
    login(client, "manager")  # the center sees every department's staff (it searches, it files no leave)
    found = client.get("/evaluationview/choices/search/staff", query_string={"q": other_name}).get_json()["results"]
    assert world_ids["staff_staff_b"] in [row["id"] for row in found]


def _staff_form(app, staff_id, **changes):
    with app.app_context():
        staff = db.session.get(Staff, staff_id)
        form = {
            "staff_no": staff.staff_no,
            "name": staff.name,
            "department": staff.department_id,
            "center": staff.center_id,
            "window": staff.window_id or "",
            "position": staff.position.name,
            "phone": staff.phone or "",
            "user": staff.user_id or "",
            "joined_on": staff.joined_on.isoformat() if staff.joined_on else "",
            "row_version": staff.version,
        }
    return {**form, **changes}


@pytest.mark.parametrize("foreign", ["user_chief_b", "no such login"])
def test_an_id_outside_the_scope_is_refused_whatever_is_posted(app, client, world_ids, foreign):
    user_id = world_ids.get(foreign, 987654)
    login(client, "chief_a")
    staff_id = world_ids["staff_staff_a"]
    with app.app_context():
        before = db.session.get(Staff, staff_id).user_id
    page = client.post(f"/staffview/edit/{staff_id}", data=_staff_form(app, staff_id, user=user_id))
    assert str(NOT_OFFERED) in page.get_data(as_text=True) or "不在您的权限范围内" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Staff, staff_id).user_id == before


def test_leave_for_another_departments_staff_is_refused(app, client, world_ids):
    login(client, "chief_a")
    form = {"staff_id": world_ids["staff_staff_b"], "leave_type": "personal", "reason": "事假"}
    form |= {"starts_at": "2026-12-14T08:30", "ends_at": "2026-12-14T17:30"}
    page = client.post("/leaverequestview/file", data=form).get_data(as_text=True)
    assert "本部门" in page or "首席代表" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LeaveRequest)) == 0


@pytest.mark.parametrize("typed", ["2026-13-45", "明天", "2026-12-11 17:30:00x", "12/11/2026"])
def test_a_date_that_does_not_parse_is_refused_in_chinese(app, client, typed):
    login(client, "admin")
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(WorkCalendarDay))
    page = client.post("/workcalendardayview/add", data={"day": typed, "kind": "holiday", "name": "测试"})
    assert "请按“年-月-日”填写日期" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(WorkCalendarDay)) == before


def test_a_date_time_parses_as_typed_or_is_refused(app):
    """`2026-12-11 17:30:00` is that minute (FAB's picker made it today); nonsense is refused."""
    from datetime import datetime

    from werkzeug.datastructures import MultiDict
    from wtforms import Form

    from app.views.date_fields import DATETIME_MESSAGE, GovDateTimeField

    class One(Form):
        at = GovDateTimeField("at")

    with app.test_request_context():
        for typed in ("2026-12-11 17:30:00", "2026-12-11 17:30", "2026-12-11T17:30"):
            form = One(MultiDict({"at": typed}))
            assert form.validate() and form.at.data == datetime(2026, 12, 11, 17, 30), typed
        form = One(MultiDict({"at": "2026-12-11 25:00"}))
        assert not form.validate() and form.at.errors == [str(DATETIME_MESSAGE)]
        assert form.at.data is None


@pytest.fixture
def crowded_county(app, world_ids):
    """8,000 more staff in department A: one plain select of them would pass the page limit."""
    with app.app_context():
        rows = [
            {
                "staff_no": f"X{n:06d}",
                "name": f"测试人员{n:05d}",
                "department_id": world_ids["dept_a"],
                "center_id": world_ids["county"],
                "position": "a_post",
                "status": "active",
                "version": 1,
            }
            for n in range(8000)
        ]
        db.session.execute(sa.insert(Staff.__table__), rows)
        db.session.commit()
        options = db.session.execute(sa.select(Staff.id, Staff.name, Staff.staff_no)).all()
        plain = sum(len(f'<option value="{i}">{n}（{no}）</option>'.encode()) for i, n, no in options)
        db.session.remove()
    assert plain > LIMIT
    return world_ids


@pytest.mark.parametrize("username", ["manager", "chief_a"])
def test_no_page_grows_with_the_staff(app, client, crowded_county, username):
    login(client, username)
    sizes = {}
    for view in _gov_views(app):
        base = f"/{view.route_base.strip('/')}"
        listing = client.get(f"{base}/list/")
        if listing.status_code != 200:
            continue
        sizes[f"{base}/list/"] = len(listing.data)
        added = client.get(f"{base}/add", follow_redirects=True)
        if added.status_code == 200:
            sizes[f"{base}/add"] = len(added.data)
        row = re.search(rf"{re.escape(base)}/(?:show|edit)/(\d+)", listing.get_data(as_text=True))
        if row:
            for page in ("edit", "show"):
                response = client.get(f"{base}/{page}/{row.group(1)}")
                if response.status_code == 200:
                    sizes[f"{base}/{page}/{row.group(1)}"] = len(response.data)
    too_big = {url: size for url, size in sizes.items() if size > LIMIT}
    assert not too_big
    assert "/staffview/list/" in sizes and any(url.startswith("/leaverequestview/") for url in sizes)


@pytest.mark.parametrize("through", ["matter page", "form"])
def test_a_material_is_added_to_a_matter_picked_by_search(app, client, world_ids, through):
    """The matter's own page adds a material with the matter fixed (FAB fills the hidden relation);
    the plain form takes the matter the search select posts."""
    from app.models import MatterMaterial

    login(client, "manager")
    form = {"name": "测试材料", "form": "original", "original_count": "1", "copy_count": "0", "sort_order": "9"}
    url = "/mattermaterialview/add"
    if through == "matter page":
        url += f"?_flt_0_matter={world_ids['matter_a']}"
        assert client.get(url).status_code == 200
    else:
        form["matter"] = world_ids["matter_a"]
    assert client.post(url, data=form).status_code == 302
    with app.app_context():
        added = db.session.scalar(sa.select(MatterMaterial).where(MatterMaterial.name == "测试材料"))
        assert added is not None and added.matter_id == world_ids["matter_a"]


@pytest.mark.parametrize(("starts", "filed"), [("2026-09-30 08:30:00", True), ("2026-09-30 08:30:00x", False)])
def test_the_leave_form_reads_the_time_as_typed_or_asks_again(app, client, world_ids, starts, filed):
    login(client, "staff_a")
    form = {"staff_id": world_ids["staff_staff_a"], "leave_type": "personal", "reason": "探亲"}
    page = client.post("/leaverequestview/file", data={**form, "starts_at": starts, "ends_at": "2026-09-30T17:30"})
    with app.app_context():
        leave = db.session.scalar(sa.select(LeaveRequest))
    if filed:
        assert page.status_code == 302 and leave.starts_at.strftime("%Y-%m-%d %H:%M") == "2026-09-30 08:30"
    else:
        assert leave is None and "请填写请假起止时间" in page.get_data(as_text=True)

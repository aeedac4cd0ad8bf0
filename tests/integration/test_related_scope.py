"""Related choices are scoped like the rows, on every registered view and API.

Every select of every add form, edit form and list search form, every related list on a
show page, and every related field's values in an API's `_info`, offer a department user
(a chief representative, a window clerk) only rows its own lists show. The surfaces are
found by walking `appbuilder.baseviews`, not listed here: a new view or API with an
unscoped related field fails this test.

"Belongs to the user" is the related model's own scope clause (the one its list uses);
a login (ab_user) belongs to the user when it is the login of a staff member the user sees.
"""

import html
import json
import re

import pytest
import sqlalchemy as sa
from flask_appbuilder import ModelRestApi
from flask_appbuilder.baseviews import BaseCRUDView

from app.extensions import db
from app.models import Staff
from app.services.scope import scope_for
from tests.conftest import login
from tests.integration.test_case_views import intake

DEPARTMENT_USERS = ("chief_a", "staff_a")

_SELECT = re.compile(r'<select[^>]*\bname="([^"]+)"[^>]*>(.*?)</select>', re.S)
_OPTION = re.compile(r'<option[^>]*\bvalue="([^"]*)"')
_REMOTE = re.compile(r'<span class="govhall-remote" data-source="([^"]+)"[^>]*><input type="hidden" name="([^"]+)"')


@pytest.fixture
def cases(client, world_ids):
    """A joint case of each department: events, and a task of another department."""
    for user, matter, partner in (("staff_a", "matter_a", "dept_b"), ("staff_b", "matter_b", "dept_c")):
        login(client, user)
        intake(client, world_ids, matter=matter, co_departments=[world_ids[partner]])
        client.get("/logout/")


def _scope(app, username):
    with app.app_context():
        staff = db.session.scalar(
            sa.select(Staff).join(Staff.user).where(app.appbuilder.sm.user_model.username == username)
        )
        roles = [role.name for role in staff.user.roles]
        return scope_for(roles, app.config["ROLE_SCOPES"], staff)


def _belonging(app, scope, model) -> set[int]:
    """Ids of `model` the scope's lists show (logins: those of the staff it sees)."""
    with app.app_context():
        if model is app.appbuilder.sm.user_model:
            query = sa.select(Staff.user_id).where(scope.clause(Staff), Staff.user_id.is_not(None))
        else:
            query = sa.select(model.id).where(scope.clause(model))
        return set(db.session.scalars(query))


def _all_ids(app, model) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(sa.select(model.id)))


def _selects(page: str, client=None) -> dict[str, set[str]]:
    """Every select's offered ids: a plain select's options, a search-as-you-type select's every
    page from its endpoint (app/views/remote_select.py)."""
    found = {name: set(_OPTION.findall(body)) - {"", "__None"} for name, body in _SELECT.findall(page)}
    for url, name in _REMOTE.findall(page):
        found[name] = _remote_ids(client, html.unescape(url))
    return found


def _remote_ids(client, url) -> set[str]:
    ids, page = set(), 1
    while True:
        answer = client.get(url, query_string={"page": page}).get_json()
        ids |= {str(row["id"]) for row in answer["results"]}
        if not answer["more"]:
            return ids
        page += 1


def _search_selects(page: str, client) -> dict[str, set[str]]:
    """The search form's selects: FAB ships them as HTML strings inside the filter script's JSON."""
    script = page.split("new AdminFilters(", 1)
    if len(script) < 2:
        return {}
    found = {}
    for line in script[1].split(");", 1)[0].splitlines():
        line = line.strip().rstrip(",")
        if line.startswith("{"):
            for fragment in json.loads(line).values():
                if isinstance(fragment, str):
                    found.update(_selects(fragment, client))
    return found


def _crud_views(app):
    return [view for view in app.appbuilder.baseviews if isinstance(view, BaseCRUDView)]


def _apis(app):
    return [view for view in app.appbuilder.baseviews if isinstance(view, ModelRestApi)]


def _first_row(view, listing: str):
    """The first row of the view's list page (for its edit and show pages)."""
    found = re.search(rf"/{view.route_base.strip('/')}/show/(\d+)", listing)
    return found and found.group(1)


class Offers:
    """What one user was offered, per surface and field, checked against what belongs to it."""

    def __init__(self, app, username):
        self.app, self.username, self.scope = app, username, _scope(app, username)
        self.checked: set[str] = set()
        self.leaks: list[str] = []

    def check(self, surface, model, offered):
        offered = {int(value) for value in offered}
        foreign = offered - _belonging(self.app, self.scope, model)
        self.checked.add(surface)
        if foreign:
            self.leaks.append(f"{surface}: {model.__name__} {sorted(foreign)}")

    def check_selects(self, surface, view, selects):
        for name, offered in selects.items():
            if view.datamodel.is_relation(name):
                self.check(f"{surface}.{name}", view.datamodel.get_related_model(name), offered)

    def check_info(self, surface, api, info):
        for key in ("add_columns", "edit_columns"):
            for field in info.get(key, []):
                if "values" not in field:
                    continue
                model = api.datamodel.get_related_model(field["name"])
                where = f"{surface}.{key}.{field['name']}"
                self.check(where, model, [value["id"] for value in field["values"]])
                # The count pages through the rest: it must not promise more than the user sees.
                if field["count"] > len(_belonging(self.app, self.scope, model)):
                    self.leaks.append(f"{where}: count {field['count']}")


@pytest.fixture(params=DEPARTMENT_USERS)
def offers(request, app, client, cases):
    """A department user, logged in, and the record of what it is offered."""
    login(client, request.param)
    return Offers(app, request.param)


def test_every_form_and_search_form_offers_only_own_rows(app, client, offers):
    for view in _crud_views(app):
        base, name = f"/{view.route_base.strip('/')}", type(view).__name__
        listing = client.get(f"{base}/list/")
        if listing.status_code != 200:
            continue
        listing = listing.get_data(as_text=True)
        offers.check_selects(f"{name}.search", view, _search_selects(listing, client))
        add = client.get(f"{base}/add")
        if add.status_code == 200:
            offers.check_selects(f"{name}.add", view, _selects(add.get_data(as_text=True), client))
        pk = _first_row(view, listing)
        if pk is None:
            continue
        edit = client.get(f"{base}/edit/{pk}")
        if edit.status_code == 200:
            offers.check_selects(f"{name}.edit", view, _selects(edit.get_data(as_text=True), client))
        show = client.get(f"{base}/show/{pk}")
        if show.status_code == 200:
            page = html.unescape(show.get_data(as_text=True))
            for related in view._related_views or []:
                shown = re.findall(rf"/{related.route_base.strip('/')}/show/(\d+)", page)
                offers.check(f"{name}.show.{type(related).__name__}", related.datamodel.obj, shown)
    assert offers.leaks == [], "\n".join(offers.leaks)
    # The walk reached the surfaces the issue named (so an empty leak list means something).
    expected = {"LeaveRequestView.search.staff", "AssessmentRecordView.search.staff", "MonthlyScoreView.search.staff"}
    expected |= {"EvaluationView.search.staff", "QuarterlyResultView.search.staff", "WindowView.search.department"}
    if offers.username == "chief_a":
        expected |= {"StaffView.edit.user", "WindowView.edit.department", "WindowView.edit.member_departments"}
        expected |= {"PersonnelChangeView.search.staff", "DepartmentView.show.StaffView"}
    assert expected <= offers.checked


def test_every_api_info_offers_only_own_rows(app, client, offers):
    for api in _apis(app):
        response = client.get(f"/api/v1/{api.resource_name}/_info")
        if response.status_code == 200:
            offers.check_info(type(api).__name__, api, response.get_json())
    assert offers.leaks == [], "\n".join(offers.leaks)


def test_an_api_that_cannot_add_or_edit_lists_no_fields_to_fill_in(app, client):
    """FAB's `_info` listed the case API's add and edit fields, every related row with them
    (all events and joint tasks of the county), though the API has neither POST nor PUT."""
    login(client, "manager")
    routes = {api: api.include_route_methods for api in _apis(app)}
    read_only = [api for api, names in routes.items() if names is not None and not {"post", "put"} & set(names)]
    assert read_only
    for api in read_only:
        info = client.get(f"/api/v1/{api.resource_name}/_info").get_json()
        assert (info["add_columns"], info["edit_columns"]) == ([], []), api.resource_name


def test_an_api_that_writes_relations_offers_only_own_rows(app, world_ids):
    """Today's APIs take plain ids; one that offers related rows to pick is scoped all the same."""
    from app import create_app
    from app.views.api import GovModelApi
    from app.views.interface import GovInterface
    from tests.conftest import TEST_DB_URL, _config_dict

    class StaffPickerApi(GovModelApi):
        resource_name = "staff_picker"
        class_permission_name = "Staff"
        datamodel = GovInterface(Staff)
        add_columns = edit_columns = ["name", "department", "window", "user"]

    other = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": TEST_DB_URL})
    with other.app_context():
        other.appbuilder.add_api(StaffPickerApi)
    client = login(other.test_client(), "chief_a")
    offers = Offers(app, "chief_a")
    offers.check_info("StaffPickerApi", StaffPickerApi, client.get("/api/v1/staff_picker/_info").get_json())
    assert offers.leaks == [], "\n".join(offers.leaks)
    for key in ("add_columns", "edit_columns"):
        assert {f"StaffPickerApi.{key}.{name}" for name in ("department", "window", "user")} <= offers.checked


def test_the_world_has_rows_outside_the_department(app, world_ids, cases):
    """Without other departments' rows to leak, the tests above could not fail."""
    from app.models import Case, CaseEvent, CaseTask, Department, Window

    scope = _scope(app, "chief_a")
    for model in (Staff, Department, Window, Case, CaseEvent, CaseTask, app.appbuilder.sm.user_model):
        assert _all_ids(app, model) - _belonging(app, scope, model), model.__name__


# Records a service creates (its rules, its follow-ups) have their own form; FAB's generic add page
# showed raw fields past those rules, with a select of every case in the county (16 s, 4.7 MB
# at 100k cases).
SERVICE_FORMS = {
    "manager": {"/evaluationview/add": "/evaluationview/record", "/complaintview/add": "/complaintview/register"},
    "chief_a": {
        "/leaverequestview/add": "/leaverequestview/file",
        "/personnelchangeview/add": "/personnelchangeview/request",
    },
}


@pytest.mark.parametrize("username", sorted(SERVICE_FORMS))
def test_the_generic_add_page_of_a_service_record_sends_to_the_service_form(client, username):
    login(client, username)
    for generic, service in SERVICE_FORMS[username].items():
        response = client.get(generic)
        assert response.status_code == 302 and response.headers["Location"].endswith(service), generic
        assert client.get(service).status_code == 200


def test_a_generic_add_post_creates_no_record_past_the_service(app, client, world_ids):
    from app.models import Evaluation, Rectification

    login(client, "manager")
    form = {
        "center": world_ids["county"],
        "department": world_ids["dept_a"],
        "level": "1",
        "channel": "phone",
        "created_at": "2026-03-02 09:00:00",
    }
    client.post("/evaluationview/add", data=form)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Evaluation)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Rectification)) == 0

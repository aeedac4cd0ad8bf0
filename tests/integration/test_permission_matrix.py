"""Role × resource × action: every cell's expected outcome, written out by hand.

R read (list, show, API get), A add, E edit, D delete, X export. The table is
the contract; config.FAB_ROLES is what is tested against it.
"""

import pytest

from app.extensions import db
from app.models import Center, Department, Matter, MatterMaterial, MatterStep, Staff, Window, WorkCalendarDay
from tests.conftest import login

ORG_CAT = ("center", "department", "window", "staff", "matter", "material", "step")
ALL = (*ORG_CAT, "audit", "setting", "calendar", "jobrun")

GRANTS = {
    "admin": {**{res: "RAEDX" for res in ALL}, "setting": "REX", "jobrun": "RX"},
    "manager": {res: "RAEDX" for res in ORG_CAT},
    "supervisor": {**{res: "RX" for res in ORG_CAT}, "audit": "RX"},
    "chief_a": {**{res: "RX" for res in ORG_CAT}, "window": "REX", "staff": "REX"},
    "staff_a": {res: "R" for res in ORG_CAT},
    "leader": {res: "RX" for res in ORG_CAT},
    None: {},
}

# resource: (view endpoint prefix, api resource or None, model, world id key)
RESOURCES = {
    "center": ("centerview", "center", Center, "town"),
    "department": ("departmentview", "department", Department, "dept_c"),
    "window": ("windowview", "window", Window, "win_c"),
    "staff": ("staffview", "staff", Staff, "staff_staff_a"),
    "matter": ("matterview", "matter", Matter, "matter_a"),
    "material": ("mattermaterialview", None, MatterMaterial, "material_a"),
    "step": ("matterstepview", None, MatterStep, "step_a"),
    "audit": ("auditlogview", None, None, None),
    "setting": ("settingview", None, None, None),
    "calendar": ("workcalendardayview", None, WorkCalendarDay, None),
    "jobrun": ("jobrunview", None, None, None),
}


def api_payload(resource, ids):
    return {
        "center": {"code": "NEW", "name": "新建便民服务中心", "level": "township", "parent_id": ids["county"]},
        "department": {"code": "D99", "name": "县新设局", "center_id": ids["county"], "status": "active"},
        "window": {
            "code": "A99",
            "name": "新窗口",
            "kind": "dedicated",
            "center_id": ids["county"],
            "department_id": ids["dept_a"],
            "status": "active",
        },
        "staff": {
            "staff_no": "N001",
            "name": "新员工",
            "department_id": ids["dept_a"],
            "center_id": ids["county"],
            "position": "b_post",
            "status": "active",
        },
        "matter": {
            "code": "NEW-1",
            "name": "新事项",
            "category": "licensing",
            "department_id": ids["dept_a"],
            "handling_level": "county",
            "township_handling": "report_up",
            "case_kind": "promised",
            "legal_limit_days": 20,
            "promised_limit_days": 10,
            "online_available": False,
            "status": "active",
        },
    }[resource]


def expected(allowed, anonymous, *, api=False):
    if anonymous:
        return 401 if api else 302
    return 200 if allowed else 403


def _row_id(resource, ids, app, user):
    key = RESOURCES[resource][3]
    if resource == "department" and user in ("chief_a", "staff_a"):
        key = "dept_a"  # their own (undeletable, but they may not delete anyway)
    if resource == "window" and user == "chief_a":
        key = "win_a"  # its own: a member department of a comprehensive window may not edit it
    if key:
        return ids[key]
    with app.app_context():
        model = {"audit": "audit_log", "setting": "setting", "calendar": "work_calendar_day", "jobrun": "job_run"}[
            resource
        ]
        return db.session.execute(db.text(f"SELECT MIN(id) FROM {model}")).scalar()  # noqa: S608 (constant names)


CELLS = [(user, res) for user in GRANTS for res in RESOURCES]


@pytest.mark.parametrize(("user", "resource"), CELLS, ids=[f"{u}-{r}" for u, r in CELLS])
def test_cell(app, client, world_ids, user, resource):
    grants = GRANTS[user].get(resource, "")
    anonymous = user is None
    if not anonymous:
        login(client, user)
    view, api, model, _ = RESOURCES[resource]
    pk = _row_id(resource, world_ids, app, user)

    def check(response, letter, api_call=False, ok=200):
        want = expected(letter in grants, anonymous, api=api_call)
        got = response.status_code
        if want == 200:
            assert got == ok, f"{user} {resource} {letter}: {got}"
        elif want == 302:
            assert got == 302 and "/login" in response.headers["Location"], f"{user} {resource} {letter}: {got}"
        else:
            assert got == want, f"{user} {resource} {letter}: {got} != {want}"

    check(client.get(f"/{view}/list/"), "R")
    check(client.get(f"/{view}/show/{pk}"), "R")
    check(client.get(f"/{view}/export/"), "X")
    if resource not in ("audit", "jobrun"):
        check(client.get(f"/{view}/edit/{pk}"), "E")
    if resource not in ("audit", "setting", "jobrun"):
        check(client.get(f"/{view}/add"), "A")
    if api:
        check(client.get(f"/api/v1/{api}/"), "R", api_call=True)
        check(client.get(f"/api/v1/{api}/{pk}"), "R", api_call=True)
        check(client.post(f"/api/v1/{api}/", json=api_payload(api, world_ids)), "A", api_call=True, ok=201)
        with app.app_context():
            version = db.session.get(model, pk).version
        check(
            client.put(f"/api/v1/{api}/{pk}", json={"name": f"改名{resource}", "version": version}), "E", api_call=True
        )
    if resource not in ("audit", "setting", "jobrun"):
        response = client.post(f"/{view}/delete/{pk}")
        if "D" in grants:
            assert response.status_code == 302
            with app.app_context():
                assert db.session.get(model, pk) is None, f"{user} could not delete {resource}"
        else:
            check(response, "D")
            with app.app_context():
                assert db.session.get(model, pk) is not None, f"{user} deleted {resource} without permission"


def test_role_patterns_fit_a_view_menu_name():
    """FAB stores each FAB_ROLES pattern as a view-menu name: varchar(250) on PostgreSQL."""
    import config

    for role, rules in config.FAB_ROLES.items():
        for view, permission in rules:
            assert len(view) <= 250 and len(permission) <= 100, (role, view[:60])

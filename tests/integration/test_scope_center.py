"""The `center` scope kind: a township center's user sees that center's rows and those of the
village points below it, through every model's declaration, and nothing of another township.

The world's county has the township 城关镇 (town); this module adds a village point under it,
a second township (town2), a department of each township and rows at each center, among them
a county department's clerk and case at the village point.
"""

from datetime import datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_appbuilder import Model

from app.extensions import db
from app.models.case import Case, CaseStatus, CaseTask, Violation, ViolationKind
from app.models.feedback import Evaluation, EvaluationChannel
from app.models.matter import CaseKind, Matter, MatterCategory, MatterMaterial, MatterStep
from app.models.org import Center, CenterLevel, Department, Staff, StaffPosition, Window, WindowKind
from app.models.personnel import LeaveRequest, LeaveTier
from app.services import centers
from app.services.scope import Kind, Scope
from tests.conftest import login
from tests.world import PASSWORD

AT = datetime(2026, 9, 1, 9, 0)


def _department(code, name, center):
    return Department(code=code, name=name, short_name=name[-4:], center=center, sort_order=9)


def _matter(code, department):
    return Matter(
        code=code,
        name=f"事项{code}",
        category=MatterCategory.public_service,
        department=department,
        case_kind=CaseKind.immediate,
        legal_limit_days=0,
        promised_limit_days=0,
        fee_standard=Decimal("0"),
        materials=[MatterMaterial(name="申请表")],
        steps=[MatterStep(seq=1, name="受理", limit_days=0)],
    )


def _case(number, center, matter, department):
    return Case(
        number=number,
        center=center,
        matter=matter,
        department=department,
        applicant_name="李四",
        applicant_id_number="110101199001011234",
        kind=CaseKind.immediate,
        status=CaseStatus.in_progress,
        submitted_at=AT,
        accepted_at=AT,
        deadline_at=AT,
    )


def _staff(number, department, center, window=None):
    return Staff(staff_no=number, name=f"员工{number}", department=department, center=center, window=window)


@pytest.fixture
def townships(app, world_ids, monkeypatch):
    """Rows at the township, its village point and another township; `town_manager` logs in
    with a role of kind center, granted what a center manager is, as staff of the township."""
    ids = dict(world_ids)
    with app.app_context():
        county, town = db.session.get(Center, ids["county"]), db.session.get(Center, ids["town"])
        dept_a, matter_a = db.session.get(Department, ids["dept_a"]), db.session.get(Matter, ids["matter_a"])
        village = Center(code="XZ-T1-V1", name="东村便民服务点", level=CenterLevel.village, parent=town, sort_order=3)
        town2 = Center(code="XZ-T2", name="河口镇便民服务中心", level=CenterLevel.township, parent=county, sort_order=4)
        dept_t = _department("T01", "城关镇社会事务办", town)
        dept_t2 = _department("T02", "河口镇社会事务办", town2)
        win_t = Window(code="T11", name="城关综合窗口", kind=WindowKind.dedicated, center=town, department=dept_t)
        win_v = Window(code="V01", name="东村代办窗口", kind=WindowKind.dedicated, center=village, department=dept_t)
        win_av = Window(
            code="V02", name="东村市场监管代办", kind=WindowKind.dedicated, center=village, department=dept_a
        )
        win_t2 = Window(code="T01", name="河口综合窗口", kind=WindowKind.dedicated, center=town2, department=dept_t2)
        st_t = _staff("TT1", dept_t, town, win_t)
        st_v = _staff("TV1", dept_t, village, win_v)
        st_av = _staff("TV2", dept_a, village, win_av)  # a county department's clerk at the village point
        st_t2 = _staff("TT2", dept_t2, town2, win_t2)
        m_t, m_t2 = _matter("XZ-T01-0001", dept_t), _matter("XZ-T02-0001", dept_t2)
        c_t = _case("TC-1", town, m_t, dept_t)
        c_v = _case("TC-2", village, matter_a, dept_a)  # a county department's case taken at the village
        c_t2 = _case("TC-3", town2, m_t2, dept_t2)
        c_county = _case("TC-4", county, matter_a, dept_a)
        c_county.tasks = [CaseTask(department=dept_t, deadline_at=AT)]  # a township's share of a county case
        rows = [village, town2, dept_t, dept_t2, win_t, win_v, win_av, win_t2, st_t, st_v, st_av, st_t2]
        db.session.add_all([*rows, m_t, m_t2, c_t, c_v, c_t2, c_county])
        db.session.flush()
        for staff, case in ((st_t, c_t), (st_av, c_v), (st_t2, c_t2)):
            db.session.add_all(
                [
                    Evaluation(
                        case=case,
                        center_id=case.center_id,
                        department_id=case.department_id,
                        staff=staff,
                        level=5,
                        channel=EvaluationChannel.window_device,
                        created_at=AT,
                    ),
                    Violation(
                        kind=ViolationKind.overdue,
                        at=AT,
                        case=case,
                        department_id=case.department_id,
                        staff=staff,
                        detail="超期",
                    ),
                    LeaveRequest(
                        staff=staff,
                        department_id=staff.department_id,
                        starts_at=AT,
                        ends_at=datetime(2026, 9, 1, 17, 0),
                        working_days=Decimal("1"),
                        tier=LeaveTier.chief_or_below,
                        reason="事假",
                        requested_at=AT,
                        requested_by="测试",
                    ),
                ]
            )
        sm = app.appbuilder.sm
        role = sm.add_role("TownManager")
        user = sm.add_user("town_manager", "镇", "主任", "town@test.local", [role], password=PASSWORD)
        st_t.user_id = user.id
        db.session.commit()
        names = dict(
            village=village, town2=town2, dept_t=dept_t, dept_t2=dept_t2, win_t=win_t, win_v=win_v, win_av=win_av,
            win_t2=win_t2, st_t=st_t, st_v=st_v, st_av=st_av, st_t2=st_t2, m_t=m_t, m_t2=m_t2, c_t=c_t, c_v=c_v,
            c_t2=c_t2, c_county=c_county,
        )  # fmt: skip
        ids.update({name: row.id for name, row in names.items()})
    # The center manager's grants, scoped to the township.
    monkeypatch.setitem(
        app.appbuilder.sm.builtin_roles, "TownManager", app.appbuilder.sm.builtin_roles["CenterManager"]
    )
    monkeypatch.setitem(app.config["ROLE_SCOPES"], "TownManager", "center")
    return ids


def _seen(scope, model):
    return set(db.session.scalars(sa.select(model.id).where(scope.clause(model))))


def _of_center(model, center_id):
    """Rows of `model` whose center path leads to `center_id` itself (not below it)."""
    return set(db.session.scalars(sa.select(model.id).where(Scope._match(model, model.__scope__.center, center_id))))


def test_a_township_sees_its_own_rows_and_its_village_points(app, townships):
    ids = townships
    town = Scope(Kind.center, center_id=ids["town"])
    with app.app_context():
        assert _seen(town, Case) == {ids["c_t"], ids["c_v"]}
        assert _seen(town, Window) == {ids["win_t"], ids["win_v"], ids["win_av"]}
        assert _seen(town, Staff) == {ids["st_t"], ids["st_v"], ids["st_av"]}
        assert _seen(town, Department) == {ids["dept_t"]}
        # Its own matters and the county's it receives (上报办结), never another township's.
        assert _seen(town, Matter) == {ids["m_t"]} | _of_center(Matter, ids["county"])
        assert ids["m_t2"] not in _seen(town, Matter)
        matter = db.session.get(Matter, ids["m_t"])
        assert {m.id for m in matter.materials} <= _seen(town, MatterMaterial)
        assert {s.id for s in matter.steps} <= _seen(town, MatterStep)
        for model in (MatterMaterial, MatterStep):
            assert _seen(town, model) == _of_center(model, ids["town"]) | _of_center(model, ids["county"])
        assert {db.session.get(CaseTask, i).case_id for i in _seen(town, CaseTask)} == {ids["c_county"]}
        for model in (Evaluation, Violation, LeaveRequest):
            staff = {db.session.get(model, i).staff_id for i in _seen(town, model)}
            assert staff == {ids["st_t"], ids["st_av"]}, model.__name__


def test_a_township_sees_nothing_of_another_and_the_county_sees_every_center(app, townships):
    """Every model whose rows belong to a center: the two townships share no row, the county's
    center scope (every center is below it) sees every row."""
    ids = townships
    town, town2 = Scope(Kind.center, center_id=ids["town"]), Scope(Kind.center, center_id=ids["town2"])
    county = Scope(Kind.center, center_id=ids["county"])
    models = [
        m.class_ for m in Model.registry.mappers if getattr(m.class_, "__scope__", None) and m.class_.__scope__.center
    ]
    assert {Case, Window, Staff, Matter, Evaluation, LeaveRequest} <= set(models)
    with app.app_context():
        for model in models:
            # The catalogue above both (center_above) is the only thing two townships share.
            shared = _seen(town, model) & _seen(town2, model)
            above = _of_center(model, ids["county"]) if model.__scope__.center_above else set()
            assert shared == above, model.__name__
            assert _seen(county, model) == set(db.session.scalars(sa.select(model.id))), model.__name__
        assert _seen(town2, Case) == {ids["c_t2"]}


def test_the_village_point_sees_only_itself(app, townships):
    ids = townships
    village = Scope(Kind.center, center_id=ids["village"])
    with app.app_context():
        assert _seen(village, Case) == {ids["c_v"]}
        assert _seen(village, Staff) == {ids["st_v"], ids["st_av"]}
        assert _seen(village, Department) == set()


def test_a_center_role_lists_and_opens_only_its_centers_rows(app, client, townships):
    ids = townships
    login(client, "town_manager")
    for resource, expected in (
        ("case", {"c_t", "c_v"}),
        ("window", {"win_t", "win_v", "win_av"}),
        ("staff", {"st_t", "st_v", "st_av"}),
        ("department", {"dept_t"}),
    ):
        listed = client.get(f"/api/v1/{resource}/").get_json()
        assert listed["count"] < 20, resource
        assert {row["id"] for row in listed["result"]} == {ids[k] for k in expected}, resource
    matters = client.get("/api/v1/matter/?q=(page_size:100)").get_json()
    with app.app_context():
        assert {row["id"] for row in matters["result"]} == {ids["m_t"]} | _of_center(Matter, ids["county"])
    assert client.get(f"/api/v1/matter/{ids['m_t2']}").status_code == 404
    assert client.get(f"/api/v1/case/{ids['c_t2']}").status_code == 404
    assert client.get(f"/api/v1/staff/{ids['st_t2']}").status_code == 404
    page = client.get("/caseview/list/").get_data(as_text=True)
    assert "TC-1" in page and "TC-2" in page and "TC-3" not in page and "TC-4" not in page
    joint = client.get("/caseview/list/?quick=joint").get_data(as_text=True)
    assert "TC-4" in joint and "TC-1" not in joint
    assert "下级服务中心" in client.get("/").get_data(as_text=True)


def test_a_center_role_cannot_move_a_row_to_another_township(app, client, townships):
    ids = townships
    login(client, "town_manager")
    with app.app_context():
        version = db.session.get(Window, ids["win_t"]).version
    response = client.put(f"/api/v1/window/{ids['win_t']}", json={"center_id": ids["town2"], "version": version})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Window, ids["win_t"]).center_id == ids["town"]


def test_staff_work_at_their_departments_center_or_below(app, client, townships):
    """A township department's staff cannot sit at another township; a county department's may
    sit at a village point (below the county)."""
    ids = townships
    login(client, "admin")
    with app.app_context():
        version = db.session.get(Staff, ids["st_t"]).version
        county_clerk = db.session.get(Staff, ids["staff_staff_a"])
    response = client.put(f"/api/v1/staff/{ids['st_t']}", json={"center_id": ids["town2"], "version": version})
    assert response.status_code == 422
    assert "工作人员须在其所属部门的服务中心或其下级服务中心工作" in response.get_json()["message"]
    response = client.put(
        f"/api/v1/staff/{county_clerk.id}", json={"center_id": ids["village"], "version": county_clerk.version}
    )
    assert response.status_code == 200
    response = client.post(
        "/staffview/add",
        data={
            "staff_no": "TX1",
            "name": "新人",
            "department": ids["dept_t2"],
            "center": ids["town"],
            "status": "active",
            "position": StaffPosition.a_post.name,
        },
        follow_redirects=True,
    )
    assert "工作人员须在其所属部门的服务中心或其下级服务中心工作" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(Staff).where(Staff.staff_no == "TX1")) is None


def test_a_transfer_keeps_the_center_when_it_lies_under_the_new_department(app, townships):
    ids = townships
    with app.app_context():
        assert centers.place(db.session, ids["village"], ids["dept_t"]) == ids["village"]
        assert centers.place(db.session, ids["county"], ids["dept_t"]) == ids["town"]
        assert centers.place(db.session, ids["town2"], ids["dept_t"]) == ids["town"]
        assert centers.place(db.session, ids["town2"], ids["dept_a"]) == ids["town2"]  # the county's department

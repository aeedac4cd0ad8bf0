"""The network's roles (issue 16.2) between two sibling townships: a township's staff, head and
village agent see and touch their own center's rows (and its village points'), never the other
township's, through lists, pages, actions, the API, exports, searches and related selects;
out-of-scope ids answer 404 and change nothing. A township window takes in what its level
receives and acts on its center's cases whatever the department.

The world's 城关镇 (town) gets a village point, a government department, a comprehensive window,
a staff member, a head and an agent; a sibling township 河湾镇 (town2) gets the same.
"""

import io
from datetime import datetime
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models.case import Case, CaseStatus
from app.models.matter import CaseKind, Matter, MatterCategory, MatterMaterial, MatterStep, TownshipHandling
from app.models.org import Center, CenterLevel, Department, Staff, StaffPosition, Window, WindowKind
from app.models.personnel import LeaveRequest, LeaveStatus, LeaveTier
from app.services.idnumber import check_digit
from tests.conftest import login
from tests.world import PASSWORD

AT = datetime(2026, 9, 1, 9, 0)
ID_NUMBER = "11010119900307777" + check_digit("11010119900307777")


def _case(number, center, matter, window=None, status=CaseStatus.in_progress):
    return Case(
        number=number,
        center=center,
        matter=matter,
        department_id=matter.department_id,
        window=window,
        applicant_name="王五",
        applicant_id_number="110101199001011234",
        kind=matter.case_kind,
        status=status,
        submitted_at=AT,
        accepted_at=AT,
        deadline_at=datetime(2026, 9, 20, 17, 0),
    )


def _leave(staff):
    return LeaveRequest(
        staff=staff,
        department_id=staff.department_id,
        starts_at=AT,
        ends_at=datetime(2026, 9, 1, 17, 0),
        working_days=Decimal("1"),
        tier=LeaveTier.chief_or_below,
        reason="事假",
        requested_at=AT,
        requested_by="测试",
    )


@pytest.fixture
def network(app, world_ids):
    ids = dict(world_ids)
    sm = app.appbuilder.sm
    with app.app_context():
        county, town = db.session.get(Center, ids["county"]), db.session.get(Center, ids["town"])
        matter_b = db.session.get(Matter, ids["matter_b"])  # 居民身份证换领, a county department's, immediate
        matter_b.township_handling = TownshipHandling.on_site  # finished where it is taken in
        town2 = Center(code="XZ-T8", name="河湾镇便民服务中心", level=CenterLevel.township, parent=county)
        village = Center(code="XZ-T1-V8", name="南坡村便民服务站", level=CenterLevel.village, parent=town)
        village2 = Center(code="XZ-T8-V1", name="柳林村便民服务站", level=CenterLevel.village, parent=town2)
        county_only = Matter(
            code="XZ-D01-0099",
            name="大型项目核准",
            category=MatterCategory.licensing,
            department_id=ids["dept_a"],
            case_kind=CaseKind.promised,
            legal_limit_days=20,
            promised_limit_days=10,
            fee_standard=Decimal("0"),
            received_at_township=False,
            received_at_village=False,
            materials=[MatterMaterial(name="申请书")],
            steps=[MatterStep(seq=1, name="受理", limit_days=1)],
        )
        db.session.add_all([town2, village, village2, county_only])
        rows = {"town2": town2, "village": village, "village2": village2, "county_only": county_only}
        for key, center, place in (("1", town, village), ("2", town2, village2)):
            government = Department(
                code=f"G0{key}", name=f"{center.name[:3]}政务办", short_name=center.name[:3], center=center
            )
            window = Window(
                code=f"Z9{key}", name="综合受理窗", kind=WindowKind.comprehensive, center=center, department=government
            )
            people = {}
            for post, role, where, seat, position in (
                ("ts", "TownshipStaff", center, window, StaffPosition.a_post),
                # The head is the township government's chief: it approves its staff's leave.
                ("th", "TownshipHead", center, None, StaffPosition.chief_rep),
                ("va", "VillageAgent", place, None, StaffPosition.clerk),
            ):
                user = sm.add_user(
                    f"{post}{key}", post, "网络", f"{post}{key}@test.local", [sm.find_role(role)], password=PASSWORD
                )
                people[post] = Staff(
                    staff_no=f"N{post}{key}",
                    name=f"{post}{key}",
                    department=government,
                    center=where,
                    window=seat,
                    position=position,
                    user_id=user.id,
                )
            cases = {
                f"case{key}": _case(f"NW-{key}-1", center, matter_b, window),
                f"vcase{key}": _case(f"NW-{key}-V", place, matter_b),
            }
            db.session.add_all([government, window, *people.values(), *cases.values()])
            db.session.flush()
            leave = {f"leave_{post}{key}": _leave(person) for post, person in people.items()}
            db.session.add_all(leave.values())
            rows.update(leave)
            rows.update({f"gov{key}": government, f"win{key}": window, **cases})
            rows.update({f"{post}{key}": person for post, person in people.items()})
        db.session.commit()
        ids.update({name: row.id for name, row in rows.items()})
    return ids


def _case_row(app, pk):
    with app.app_context():
        case = db.session.get(Case, pk)
        return case.status, case.version, case.assignee_id


@pytest.mark.parametrize("user", ["ts1", "th1", "va1"])
def test_no_role_of_a_township_reaches_the_sibling_townships_rows(app, client, network, user):
    ids = network
    login(client, user)
    other = [ids["case2"], ids["vcase2"]]
    # Lists: the page, the API, a search for the other's number, the export.
    page = client.get("/caseview/list/").get_data(as_text=True)
    assert "NW-2-1" not in page and "NW-2-V" not in page
    assert not set(other) & set(client.get("/api/v1/case/?q=(page_size:100)").get_json()["ids"])
    # A search for the other's number: no row (the filter box itself repeats the number).
    searched = client.get("/caseview/list/?_flt_0_number=NW-2-1").get_data(as_text=True)
    assert f"/caseview/show/{ids['case2']}" not in searched and ">NW-2-1<" not in searched
    api_search = client.get('/api/v1/case/?q=(filters:!((col:number,opr:eq,value:"NW-2-1")))')
    assert api_search.status_code in (200, 400) and not api_search.get_json().get("ids")
    # Pages and API rows by id: 404.
    for pk in other:
        assert client.get(f"/caseview/show/{pk}").status_code == 404
        assert client.get(f"/api/v1/case/{pk}").status_code == 404
    for resource, key in (("staff", "ts2"), ("window", "win2"), ("department", "gov2")):
        assert client.get(f"/api/v1/{resource}/{ids[key]}").status_code in (403, 404), resource
        assert ids[key] not in set(client.get(f"/api/v1/{resource}/?q=(page_size:100)").get_json().get("ids", []))
    # Actions on the other's case, through the page and the API: 404, nothing changed.
    # (The agent may not act on any case: 403 before the row is looked at.)
    refused = 403 if user == "va1" else 404
    before = _case_row(app, ids["case2"])
    response = client.post(f"/caseview/act/{ids['case2']}/complete", data={"version": before[1], "approved": "yes"})
    assert response.status_code == refused
    response = client.post(f"/api/v1/case/{ids['case2']}/action/complete", json={"version": before[1]})
    assert response.status_code == refused
    assert _case_row(app, ids["case2"]) == before


def test_exports_hold_only_the_townships_rows(app, client, network):
    login(client, "th1")
    response = client.get("/caseview/export/")
    assert response.status_code == 200
    numbers = {
        cell
        for row in openpyxl.load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True)
        for cell in row
        if isinstance(cell, str) and cell.startswith("NW-")
    }
    assert numbers == {"NW-1-1", "NW-1-V"}
    staff = openpyxl.load_workbook(io.BytesIO(client.get("/staffview/export/").data)).active
    names = {cell for row in staff.iter_rows(values_only=True) for cell in row if isinstance(cell, str)}
    assert {"ts1", "th1", "va1"} <= names and not {"ts2", "th2", "va2"} & names


def test_a_head_edits_only_the_townships_staff(app, client, network):
    ids = network
    login(client, "th1")
    with app.app_context():
        other = db.session.get(Staff, ids["ts2"])
        before = (other.name, other.window_id, other.version)
        own = db.session.get(Staff, ids["va1"])
        own_version = own.version
    assert client.get(f"/staffview/edit/{ids['ts2']}").status_code == 404
    assert client.post(f"/staffview/edit/{ids['ts2']}", data={"name": "篡改"}).status_code == 404
    assert client.put(f"/api/v1/staff/{ids['ts2']}", json={"name": "篡改", "version": before[2]}).status_code == 404
    assert client.delete(f"/api/v1/staff/{ids['ts2']}").status_code in (403, 404)
    assert client.post(f"/staffview/delete/{ids['ts2']}").status_code in (403, 404)
    # An API body naming the other township's window: refused, nothing changed.
    body = {"window_id": ids["win2"], "version": own_version}
    assert client.put(f"/api/v1/staff/{ids['va1']}", json=body).status_code == 404
    with app.app_context():
        other = db.session.get(Staff, ids["ts2"])
        assert (other.name, other.window_id, other.version) == before
        assert db.session.get(Staff, ids["va1"]).window_id is None
    # The related selects of its own staff's form offer its own windows only.
    form = client.get(f"/staffview/edit/{ids['va1']}").get_data(as_text=True)
    assert "Z91" in form and "Z92" not in form
    choices = client.get("/staffview/choices/edit/window")
    if choices.status_code == 200:  # a search-as-you-type select: its JSON pages
        assert "Z92" not in choices.get_data(as_text=True)
    # Its own staff: edited.
    answer = client.put(f"/api/v1/staff/{ids['va1']}", json={"phone": "13900001111", "version": own_version})
    assert answer.status_code == 200
    with app.app_context():
        assert db.session.get(Staff, ids["va1"]).phone == "13900001111"


def test_each_role_sees_what_its_kind_gives(app, client, network):
    ids = network
    seen = {}
    for user in ("ts1", "th1", "va1", "manager"):
        client.get("/logout/")
        login(client, user)
        cases = set(client.get("/api/v1/case/?q=(page_size:100)").get_json()["ids"])
        home = client.get("/").get_data(as_text=True)
        if user != "manager":  # the home page says whose records these are
            assert "本服务中心及其下级服务中心" in home and "本部门的数据" not in home, user
        seen[user] = {name for name in ("case1", "vcase1", "case2", "vcase2") if ids[name] in cases}
        if user != "va1":
            page = client.get("/leaverequestview/list/").get_data(as_text=True)
            seen[f"{user} leave"] = {name for name in ("ts1", "th1", "va1", "ts2") if f"N{name}" in page}
    assert seen["ts1"] == seen["th1"] == {"case1", "vcase1"}  # the township and its village point
    assert seen["va1"] == {"vcase1"}  # the agent: their village point only
    assert seen["manager"] == {"case1", "vcase1", "case2", "vcase2"}  # the county sees the network
    assert seen["ts1 leave"] == {"ts1"}  # personal records: a staff member's own only
    assert seen["th1 leave"] == {"ts1", "th1", "va1"}  # the head: the township's, agents included
    assert seen["manager leave"] == {"ts1", "th1", "va1", "ts2"}


def test_a_township_window_takes_in_what_its_level_receives_and_handles_it(app, client, network):
    ids = network
    login(client, "ts1")
    choose = client.get("/case-intake/").get_data(as_text=True)
    assert "居民身份证换领" in choose and "大型项目核准" not in choose
    assert client.get(f"/case-intake/{ids['county_only']}").status_code == 404
    form = {
        "applicant_type": "person",
        "applicant_name": "赵六",
        "applicant_id_number": ID_NUMBER,
        "channel": "window",
        "materials": [str(ids["material_b"])],
    }
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Case))
    response = client.post(f"/case-intake/{ids['matter_b']}", data=form)
    assert response.status_code == 302
    with app.app_context():
        case = db.session.scalar(sa.select(Case).order_by(Case.id.desc()).limit(1))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == before + 1
        # Numbered and kept at the township, though the matter is a county department's.
        assert case.center_id == ids["town"] and case.department_id == ids["dept_b"]
        assert case.number.startswith("XZ-T1-") and case.status is CaseStatus.accepted
        pk, version = case.id, case.version
    # The township's staff act on it (现场办结): the county department's guard lets them.
    done = client.post(f"/api/v1/case/{pk}/action/complete", json={"version": version, "approved": True})
    assert done.status_code == 200, done.get_json()
    with app.app_context():
        assert db.session.get(Case, pk).status is CaseStatus.completed


def test_intake_refuses_a_matter_the_level_does_not_receive(app, network):
    """The service itself refuses, in Chinese, and writes nothing (the page never offers it)."""
    from app.services import case_flow
    from app.services.case_flow import Actor, Application, CaseError, Clock

    ids = network
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "zh"}):
        staff = db.session.get(Staff, ids["ts1"])
        actor = Actor(
            user_id=staff.user_id,
            name=staff.name,
            roles=frozenset({"TownshipStaff"}),
            staff_id=staff.id,
            department_id=staff.department_id,
            window_id=staff.window_id,
            center_id=staff.center_id,
        )
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Case))
        application = Application(matter_id=ids["county_only"], applicant_name="赵六", applicant_id_number=ID_NUMBER)
        with pytest.raises(CaseError) as refused:
            case_flow.intake(db.session, actor, AT, application, Clock.load(db.session))
        db.session.rollback()
        assert "不在乡镇便民服务中心受理" in str(refused.value) and "县级政务服务中心" in str(refused.value)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == before


def test_the_head_approves_the_townships_leave_and_not_the_siblings(app, client, network):
    ids = network
    login(client, "th1")
    with app.app_context():
        versions = {key: db.session.get(LeaveRequest, ids[key]).version for key in ("leave_ts1", "leave_ts2")}
    other = client.post(f"/leaverequestview/act/{ids['leave_ts2']}/approve", data={"version": versions["leave_ts2"]})
    assert other.status_code == 404
    own = client.post(f"/leaverequestview/act/{ids['leave_ts1']}/approve", data={"version": versions["leave_ts1"]})
    assert own.status_code == 302
    with app.app_context():
        assert db.session.get(LeaveRequest, ids["leave_ts1"]).status is LeaveStatus.approved
        assert db.session.get(LeaveRequest, ids["leave_ts2"]).status is LeaveStatus.pending


def test_a_sub_center_head_sees_the_sub_centers_cases_not_the_county_halls(app, client, network):
    ids = network
    sm = app.appbuilder.sm
    with app.app_context():
        county = db.session.get(Center, ids["county"])
        sub = Center(code="XZ-F9", name="示范县不动产登记分中心", level=CenterLevel.sub_center, parent=county)
        matter_a = db.session.get(Matter, ids["matter_a"])
        user = sm.add_user(
            "sh1", "分中心", "主任", "sh1@test.local", [sm.find_role("SubCenterHead")], password=PASSWORD
        )
        head = Staff(
            staff_no="NSH1",
            name="sh1",
            department_id=ids["dept_a"],  # a county department's, stationed at the sub-center
            center=sub,
            position=StaffPosition.leader,
            user_id=user.id,
        )
        cases = [_case("NW-F-1", sub, matter_a), _case("NW-C-1", county, matter_a)]
        db.session.add_all([sub, head, *cases])
        db.session.commit()
        at_sub, at_county = (case.id for case in cases)
    login(client, "sh1")
    listed = set(client.get("/api/v1/case/?q=(page_size:100)").get_json()["ids"])
    assert at_sub in listed and not listed & {at_county, ids["case1"], ids["case2"], ids["vcase1"]}
    assert client.get(f"/caseview/show/{at_county}").status_code == 404
    assert client.get(f"/caseview/show/{at_sub}").status_code == 200

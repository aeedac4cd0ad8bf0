"""The demo county: realistic sizes, consistent catalogue rules, idempotent, deterministic."""

import re
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import Role, User
from sqlalchemy.orm import Session

import app.models  # noqa: F401  (every table on Model.metadata)
from app.models import CaseKind, Center, Department, Matter, Staff, StaffPosition, Window, WindowKind
from app.models.org import CenterLevel
from app.services import catalogue
from app.services.demo.catalogue import split_days
from app.services.demo.county import AS_OF, seed_demo
from app.services.demo.data import COUNTY_CODE

ROLES = (
    "Admin",
    "CenterManager",
    "Supervisor",
    "ChiefRep",
    "WindowStaff",
    "Leader",
    "TownshipStaff",
    "TownshipHead",
    "SubCenterHead",
    "VillageAgent",
)
HASH = "scrypt:32768:8:1$demo$0123"


def fresh_session():
    engine = sa.create_engine("sqlite://")
    Model.metadata.create_all(engine)
    session = Session(engine)
    roles = {name: Role(name=name) for name in ROLES}
    session.add_all(roles.values())
    session.flush()
    return session, roles


def count(session, model, *where):
    return session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


@pytest.fixture(scope="module")
def county():
    session, roles = fresh_session()
    calls = []
    summary = seed_demo(session, password_hash=HASH, roles=roles, progress=lambda *call: calls.append(call))
    session.commit()
    yield session, roles, summary, calls
    session.close()


def test_sizes_and_center_tree(county):
    session, _roles, summary, _calls = county
    assert summary.created
    centers = session.scalars(sa.select(Center)).all()
    levels = Counter(c.level.name for c in centers)
    assert levels == {"county": 1, "sub_center": 2, "township": 5, "village": 25}
    top = next(c for c in centers if c.code == COUNTY_CODE)
    assert top.parent is None and top.name == "示范县政务服务中心"
    for center in centers:
        if center.level.name in ("sub_center", "township"):
            assert center.parent is top
        elif center.level.name == "village":
            assert center.parent.level.name == "township" and center.name.endswith("便民服务站")
    assert {len(c.children) for c in centers if c.level.name == "township"} == {5}

    # 33 county departments and each township's government (network.py).
    assert (summary.centers, summary.departments) == (33, 38)
    assert 100 <= summary.windows <= 115 and 150 <= summary.staff <= 180 and 350 <= summary.matters <= 380
    assert summary.windows == count(session, Window) and summary.staff == count(session, Staff)
    assert summary.matters == count(session, Matter)
    names = session.scalars(sa.select(Department.name)).all()
    assert {"县公安局", "县市场监督管理局", "县人力资源和社会保障局", "县行政审批服务局"} <= set(names)


def test_windows(county):
    session, *_ = county
    windows = session.scalars(sa.select(Window)).all()
    kinds = Counter(w.kind for w in windows)
    assert kinds[WindowKind.green] == 2 and kinds[WindowKind.delivery] == 2
    assert kinds[WindowKind.comprehensive] >= 2 and kinds[WindowKind.dedicated] >= 85
    assert len({w.code for w in windows}) == len(windows)
    assert any(w.center.level.name == "sub_center" for w in windows)
    for window in windows:
        if window.center.level is CenterLevel.township:
            continue  # a township's one window serves every department (test_the_network_at_every_level)
        if window.kind is WindowKind.comprehensive:
            assert len(window.member_departments) >= 2
            assert window.department is None or window.department.name == "县行政审批服务局"
        else:
            assert window.department is not None and not window.member_departments
    per_department = Counter(w.department_id for w in windows if w.kind is WindowKind.dedicated)
    assert set(per_department.values()) <= {1, 2, 3, 4, 5}
    served = {d.id for w in windows for d in w.member_departments}
    served |= {w.department_id for w in windows if w.center.level is CenterLevel.township}
    # Every department is reachable: its own window or a comprehensive window it belongs to.
    assert {d.id for d in session.scalars(sa.select(Department))} == set(per_department) | served
    assert next(w for w in windows if w.code == "A01").name == "审批局窗口1"


def test_staff_and_logins(county):
    session, _roles, summary, _calls = county
    everyone = session.scalars(sa.select(Staff).order_by(Staff.staff_no)).all()
    assert len({s.staff_no for s in everyone}) == len(everyone) and len({s.name for s in everyone}) == len(everyone)
    # The county hall's staff; the network's (N…) are checked in test_the_network_at_every_level.
    staff = [s for s in everyone if s.staff_no.startswith("S")]
    assert staff[0].staff_no == "S0001"
    chiefs = Counter(s.department_id for s in staff if s.position is StaffPosition.chief_rep)
    assert len(chiefs) == 33 and set(chiefs.values()) == {1}
    positions = Counter(s.position for s in staff)
    assert positions[StaffPosition.a_post] > 60 and positions[StaffPosition.b_post] >= 1
    assert positions[StaffPosition.leader] + positions[StaffPosition.clerk] >= 2
    for person in staff:
        user = person.user
        assert user.username == person.staff_no.lower() and user.email == f"{user.username}@demo.gov.cn"
        assert user.active and user.password == HASH
        assert user.last_name + user.first_name == person.name
        expected = "ChiefRep" if person.position is StaffPosition.chief_rep else "WindowStaff"
        assert [r.name for r in user.roles] == [expected]
        assert re.fullmatch(r"1[3-9]\d{9}", person.phone)
        assert AS_OF - timedelta(days=8 * 366) <= person.joined_on <= AS_OF
        assert person.status.name == "active"
        if person.window is not None:
            window = person.window
            assert window.department_id == person.department_id or person.department in window.member_departments
    assert len({s.name for s in staff}) == len(staff)
    staffed = {s.window_id for s in staff}
    assert all(w.id in staffed for w in session.scalars(sa.select(Window).where(Window.kind == WindowKind.dedicated)))

    assert summary.logins == {
        "Admin": "admin",
        "CenterManager": "manager",
        "Supervisor": "supervisor",
        "Leader": "leader",
        "ChiefRep": "s0001",
        "WindowStaff": "s0002",
        "TownshipStaff": "n002",
        "TownshipHead": "n001",
        "SubCenterHead": summary.logins["SubCenterHead"],
        "VillageAgent": "n005",
    }
    for role, username in summary.logins.items():
        user = session.scalar(sa.select(User).where(User.username == username))
        assert role in [r.name for r in user.roles]


def test_the_network_at_every_level(county):
    """Every township: its government, one comprehensive window with 2–3 staff, a head; every
    village point 1–2 agents; every sub-center a head; each with the login of its post."""
    session, *_ = county
    staff = session.scalars(sa.select(Staff).where(Staff.staff_no.like("N%"))).all()
    roles = {s.id: [r.name for r in s.user.roles] for s in staff}
    for township in session.scalars(sa.select(Center).where(Center.level == CenterLevel.township)):
        windows = session.scalars(sa.select(Window).where(Window.center_id == township.id)).all()
        assert [w.kind for w in windows] == [WindowKind.comprehensive]
        assert windows[0].department.center_id == township.id and windows[0].department.name.endswith("人民政府")
        here = [s for s in staff if s.center_id == township.id]
        assert sorted(roles[s.id][0] for s in here).count("TownshipHead") == 1
        assert 2 <= sum(roles[s.id] == ["TownshipStaff"] and s.window_id == windows[0].id for s in here) <= 3
        for village in township.children:
            agents = [s for s in staff if s.center_id == village.id]
            assert 1 <= len(agents) <= 2 and all(roles[a.id] == ["VillageAgent"] for a in agents)
            assert all(a.department_id == windows[0].department_id and a.window_id is None for a in agents)
    for sub_center in session.scalars(sa.select(Center).where(Center.level == CenterLevel.sub_center)):
        heads = [s for s in staff if s.center_id == sub_center.id]
        assert [roles[h.id] for h in heads] == [["SubCenterHead"]]
        assert heads[0].department.center.level is CenterLevel.county
    assert all(s.user.username == s.staff_no.lower() for s in staff)


def test_matter_catalogue_obeys_the_rules(county):
    session, *_ = county
    matters = session.scalars(sa.select(Matter).order_by(Matter.code)).all()
    assert len({m.code for m in matters}) == len(matters)
    assert all(re.fullmatch(r"XZ-D\d\d-\d{4}", m.code) for m in matters)
    assert len({m.department_id for m in matters}) == 33
    by_department = Counter(m.department.short_name for m in matters)
    assert by_department["公安"] > by_department["气象"] and by_department["市场监管"] >= 25
    for matter in matters:
        assert catalogue.matter_errors(matter) == []
        assert matter.promised_limit_days <= matter.legal_limit_days
        assert catalogue.limit_warnings(matter.legal_limit_days, matter.promised_limit_days) == []
        steps = matter.steps
        assert 3 <= len(steps) <= 4 and [s.seq for s in steps] == list(range(1, len(steps) + 1))
        assert steps[0].name == "受理" and sum(s.limit_days for s in steps) <= matter.promised_limit_days
        assert 2 <= len(matter.materials) <= 6
        assert [m.name for m in matter.materials][0] == "申请表"
        assert len({m.name for m in matter.materials}) == len(matter.materials)
        if matter.case_kind is CaseKind.immediate:
            assert matter.promised_limit_days == 0 and matter.legal_limit_days <= 5
        else:
            assert matter.promised_limit_days >= 1
        assert matter.legal_basis.startswith("《") and matter.place
    for department_names in _names_by_department(matters).values():
        assert len(set(department_names)) == len(department_names)

    share = {kind: n / len(matters) for kind, n in Counter(m.case_kind for m in matters).items()}
    assert 0.35 <= share[CaseKind.immediate] <= 0.55 and 0.35 <= share[CaseKind.promised] <= 0.55
    assert 0.02 <= share[CaseKind.joint] <= 0.10 and 0.02 <= share[CaseKind.escalated] <= 0.10
    assert {m.category.name for m in matters} >= {"licensing", "public_service", "confirmation"}
    assert 0.6 <= sum(m.online_available for m in matters) / len(matters) <= 0.8
    charged = [m for m in matters if m.fee_standard > 0]
    assert 5 <= len(charged) <= len(matters) // 5 and any(m.fee_max for m in charged)
    optional = [x for m in matters for x in m.materials if not x.required]
    assert optional and {x.name for x in optional} == {"授权委托书"}
    assert all(
        x.original_count == x.copy_count == 0 for m in matters for x in m.materials if x.form.name == "electronic"
    )

    names = {m.name: m for m in matters}
    assert {"食品经营许可（新办）", "居民身份证（换领）", "社会保障卡（申领）", "建筑工程施工许可（新办）"} <= set(
        names
    )
    assert names["居民身份证（补领）"].fee_standard == 40
    assert "居民身份证" not in [x.name for x in names["居民身份证（补领）"].materials]


def _names_by_department(matters):
    grouped = {}
    for matter in matters:
        grouped.setdefault(matter.department_id, []).append(matter.name)
    return grouped


def test_progress_is_reported(county):
    *_rest, calls = county
    steps = [step for step, _done, _total in calls]
    assert list(dict.fromkeys(steps)) == ["服务中心", "进驻部门", "窗口", "工作人员", "三级网络", "政务服务事项"]
    for step in set(steps):
        reported = [(done, total) for s, done, total in calls if s == step]
        assert reported[-1][0] == reported[-1][1] and all(0 < done <= total for done, total in reported)
    assert len([s for s in steps if s == "政务服务事项"]) > 5, "the long step reports as it goes"


def test_second_run_changes_nothing(county):
    session, roles, first, _calls = county
    users = count(session, User)
    again = seed_demo(session, password_hash="other", roles=roles)
    assert not again.created
    assert (again.centers, again.departments, again.windows, again.staff, again.matters) == (
        first.centers,
        first.departments,
        first.windows,
        first.staff,
        first.matters,
    )
    assert again.logins == first.logins and count(session, User) == users
    assert count(session, User, User.password == "other") == 0


def test_existing_accounts_are_kept():
    session, roles = fresh_session()
    session.add(User(username="admin", first_name="本地", last_name="管理员", email="admin@county.gov.cn"))
    session.flush()
    summary = seed_demo(session, password_hash=HASH, roles=roles)
    admins = session.scalars(sa.select(User).where(User.username == "admin")).all()
    assert len(admins) == 1 and admins[0].email == "admin@county.gov.cn"
    assert summary.created and "manager" in summary.logins.values()


def test_same_seed_same_county():
    def build(seed):
        session, roles = fresh_session()
        seed_demo(session, password_hash=HASH, roles=roles, seed=seed)
        matters = session.execute(
            sa.select(Matter.code, Matter.name, Matter.case_kind, Matter.promised_limit_days).order_by(Matter.code)
        ).all()
        staff = session.scalars(sa.select(Staff.name).order_by(Staff.staff_no)).all()
        session.close()
        return matters, staff

    first, again, other = build(2026), build(2026), build(7)
    assert first == again
    assert [m.name for m in first[0]] == [m.name for m in other[0]]  # the catalogue itself is fixed data
    assert first[1] != other[1] and first[0] != other[0]


@pytest.mark.parametrize("days", [0, 1, 2, 3, 5, 7, 14, 21, 31])
def test_split_days_adds_up(days):
    for weights in ([1, 3, 2], [1, 3, 2, 1]):
        parts = split_days(days, weights)
        assert sum(parts) == days and len(parts) == len(weights) and min(parts) >= 0


def test_seed_demo_cli_prints_logins(scratch_app):
    result = scratch_app.test_cli_runner().invoke(args=["seed-demo", "--cases", "500"])
    assert result.exit_code == 0, result.output
    assert "示范账号" in result.output and "ChiefRep       s0001" in result.output
    assert "办件 500 件" in result.output
    again = scratch_app.test_cli_runner().invoke(args=["seed-demo", "--cases", "500"])
    assert "示范数据已存在" in again.output and "办件 500 件" not in again.output


def test_a_window_accepts_a_case_after_seed_demo(scratch_app):
    """The generator writes cases with their own ids; on PostgreSQL the next intake used to collide
    with them (UniqueViolation on case_pkey: the id sequence was left at 1)."""
    from tests.conftest import login

    assert scratch_app.test_cli_runner().invoke(args=["seed-demo", "--cases", "300"]).exit_code == 0
    with scratch_app.app_context():
        from app.extensions import db

        clerk = db.session.scalar(sa.select(Staff).where(Staff.staff_no == "S0002"))
        matter = db.session.scalar(
            sa.select(Matter)
            .where(Matter.department_id == clerk.department_id, Matter.case_kind == CaseKind.promised)
            .order_by(Matter.id)
            .limit(1)
        )
        matter_id, materials = matter.id, [str(material.id) for material in matter.materials]
        generated = db.session.scalar(sa.select(sa.func.max(app.models.Case.id)))
        db.session.remove()
    client = scratch_app.test_client()
    login(client, "s0002", scratch_app.config["DEMO_PASSWORD"])
    response = client.post(
        f"/case-intake/{matter_id}",
        data={
            "applicant_type": "person",
            "applicant_name": "李四",
            "applicant_id_number": "11010519491231002X",
            "channel": "window",
            "materials": materials,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    pk = int(re.search(r"/caseview/show/(\d+)", response.headers["Location"]).group(1))
    assert pk == generated + 1


def test_the_demo_staff_have_resumes_trainings_and_previous_posts(county):
    """Issue 19.5: the staff card reads like a real one; a few staff miss a seed's condition."""
    from app.models.staff_records import PreviousPost, TrainingKind, TrainingRecord
    from app.services import eligibility

    session, _roles, _summary, _calls = county
    county_staff = session.scalars(sa.select(Staff).where(Staff.staff_no.like("S%"))).all()
    assert county_staff and all(s.birth_date and s.staffing and s.cadre_rank and s.education for s in county_staff)
    assert count(session, TrainingRecord, TrainingRecord.kind == TrainingKind.pre_service) > 0.8 * len(county_staff)
    assert count(session, PreviousPost) >= len(county_staff)
    late = session.scalar(
        sa.select(sa.func.count()).select_from(PreviousPost).where(PreviousPost.ended_on < PreviousPost.started_on)
    )
    assert late == 0
    warned = [s for s in county_staff if eligibility.check_staff(session, s, AS_OF)]
    assert 0 < len(warned) < len(county_staff) / 2

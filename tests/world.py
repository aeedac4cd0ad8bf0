"""The small, explicit world most tests run in: two departments, a user per role.

Department A (市场监管局) and B (公安局) each have a chief representative and a
window clerk; the global roles have no Staff record.
"""

from datetime import date, datetime
from decimal import Decimal

from app.models.jobs import JobOutcome, JobRun
from app.models.matter import CaseKind, MaterialForm, Matter, MatterCategory, MatterMaterial, MatterStep
from app.models.org import Center, CenterLevel, Department, Staff, StaffPosition, Window, WindowKind
from app.services import audit

PASSWORD = "Test@1234"

USERS = {
    # username: (role, department key or None, position)
    "admin": ("Admin", None, None),
    "manager": ("CenterManager", None, None),
    "supervisor": ("Supervisor", None, None),
    "leader": ("Leader", None, None),
    "chief_a": ("ChiefRep", "A", StaffPosition.chief_rep),
    "staff_a": ("WindowStaff", "A", StaffPosition.a_post),
    "chief_b": ("ChiefRep", "B", StaffPosition.chief_rep),
    "staff_b": ("WindowStaff", "B", StaffPosition.a_post),
    # The network's roles, without a staff record here (no rows): tests/integration/test_network_scope.py
    # builds two townships with their staff, heads and agents.
    "town_staff": ("TownshipStaff", None, None),
    "town_head": ("TownshipHead", None, None),
    "sub_head": ("SubCenterHead", None, None),
    "village_agent": ("VillageAgent", None, None),
}


def build(session, sm) -> dict:
    """Create the world; returns ids by name for tests to use."""
    audit.set_actor(session, None, "world")
    county = Center(code="XZ", name="示范县政务服务中心", level=CenterLevel.county, sort_order=1)
    town = Center(code="XZ-T1", name="城关镇便民服务中心", level=CenterLevel.township, parent=county, sort_order=2)
    dept_a = Department(code="D01", name="县市场监督管理局", short_name="市场监管", center=county, sort_order=1)
    dept_b = Department(code="D02", name="县公安局", short_name="公安", center=county, sort_order=2)
    dept_c = Department(code="D03", name="县气象局", short_name="气象", center=county, sort_order=3)
    win_a = Window(code="A01", name="市场监管窗口", kind=WindowKind.dedicated, center=county, department=dept_a)
    win_b = Window(code="B01", name="公安户籍窗口", kind=WindowKind.dedicated, center=county, department=dept_b)
    win_c = Window(
        code="C01", name="综合受理窗口", kind=WindowKind.comprehensive, center=county, member_departments=[dept_a]
    )
    matter_a = Matter(
        code="XZ-D01-0001",
        name="食品经营许可（新办）",
        category=MatterCategory.licensing,
        department=dept_a,
        case_kind=CaseKind.promised,
        legal_limit_days=20,
        promised_limit_days=10,
        fee_standard=Decimal("0"),
        online_available=True,
        materials=[
            MatterMaterial(name="食品经营许可申请书", form=MaterialForm.original, original_count=1, copy_count=0),
            MatterMaterial(name="营业执照", form=MaterialForm.copy, original_count=0, copy_count=1),
        ],
        steps=[
            MatterStep(seq=1, name="受理", limit_days=1),
            MatterStep(seq=2, name="审查", limit_days=7),
            MatterStep(seq=3, name="决定", limit_days=2),
        ],
    )
    matter_b = Matter(
        code="XZ-D02-0001",
        name="居民身份证换领",
        category=MatterCategory.public_service,
        department=dept_b,
        case_kind=CaseKind.immediate,
        legal_limit_days=0,
        promised_limit_days=0,
        fee_standard=Decimal("20"),
        materials=[MatterMaterial(name="居民户口簿", form=MaterialForm.original)],
        steps=[MatterStep(seq=1, name="受理", limit_days=0)],
    )
    session.add_all([county, town, dept_a, dept_b, dept_c, win_a, win_b, win_c, matter_a, matter_b])
    session.flush()

    departments = {"A": dept_a, "B": dept_b}
    windows = {"A": win_a, "B": win_b}
    ids = {
        "county": county.id,
        "town": town.id,
        "dept_a": dept_a.id,
        "dept_b": dept_b.id,
        "dept_c": dept_c.id,
        "win_a": win_a.id,
        "win_b": win_b.id,
        "win_c": win_c.id,
        "matter_a": matter_a.id,
        "matter_b": matter_b.id,
        "material_a": matter_a.materials[0].id,
        "material_b": matter_b.materials[0].id,
        "step_a": matter_a.steps[0].id,
        "step_b": matter_b.steps[0].id,
    }
    for number, (username, (role, dept_key, position)) in enumerate(USERS.items(), start=1):
        user = sm.add_user(
            username, username, "测试", f"{username}@test.local", [sm.find_role(role)], password=PASSWORD
        )
        ids[f"user_{username}"] = user.id
        if dept_key:
            staff = Staff(
                staff_no=f"T{number:03d}",
                name=f"测试{username}",
                department=departments[dept_key],
                center=county,
                window=windows[dept_key],
                position=position,
                user_id=user.id,
                joined_on=date(2024, 3, 1),
            )
            session.add(staff)
            session.flush()
            ids[f"staff_{username}"] = staff.id
    session.add(
        JobRun(
            job="calendar_check",
            now=datetime(2026, 1, 5, 9, 0),
            started_at=datetime(2026, 1, 5, 9, 0),
            finished_at=datetime(2026, 1, 5, 9, 0),
            rows=0,
            outcome=JobOutcome.ok,
        )
    )
    session.commit()
    session.info.pop(audit.SESSION_ACTOR)
    return ids

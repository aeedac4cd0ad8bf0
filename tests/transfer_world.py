"""A small three-level network on top of tests/world.py for the transfer tests: the world's
township 城关镇 (town) gets a village point 东村 with an agent, a township department with a
comprehensive window and a clerk; a second township 河口镇 (town2) gets the same, so every test
can check that one township sees and does nothing of the other's.
"""

from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import Center, CenterLevel, Department, Staff, StaffPosition, User, Window, WindowKind
from app.security import actor_for
from tests.world import PASSWORD

ID_NUMBER = "11010519491231002X"


def _people(sm, ids, key, role, department, center, window=None):
    user = sm.add_user(key, key, "测试", f"{key}@test.local", [sm.find_role(role)], password=PASSWORD)
    staff = Staff(
        staff_no=f"N{len(ids):03d}",
        name=f"测试{key}",
        department=department,
        center=center,
        window=window,
        position=StaffPosition.a_post,
        user_id=user.id,
        joined_on=date(2024, 3, 1),
    )
    db.session.add(staff)
    db.session.flush()
    ids[f"user_{key}"], ids[f"staff_{key}"] = user.id, staff.id


def build_network(app, world_ids) -> dict:
    ids = dict(world_ids)
    with app.app_context():
        sm = app.appbuilder.sm
        county, town = db.session.get(Center, ids["county"]), db.session.get(Center, ids["town"])
        town2 = Center(code="XZ-T2", name="河口镇便民服务中心", level=CenterLevel.township, parent=county, sort_order=4)
        village = Center(code="XZ-T1-V1", name="东村便民服务点", level=CenterLevel.village, parent=town, sort_order=3)
        village2 = Center(code="XZ-T2-V1", name="西村便民服务点", level=CenterLevel.village, parent=town2, sort_order=5)
        dept_t = Department(code="T01", name="城关镇人民政府", short_name="城关镇", center=town, sort_order=8)
        dept_t2 = Department(code="T02", name="河口镇人民政府", short_name="河口镇", center=town2, sort_order=9)
        win_t = Window(code="T01", name="综合窗口", kind=WindowKind.comprehensive, center=town, department=dept_t)
        win_t2 = Window(code="T01", name="综合窗口", kind=WindowKind.comprehensive, center=town2, department=dept_t2)
        db.session.add_all([town2, village, village2, dept_t, dept_t2, win_t, win_t2])
        db.session.flush()
        ids.update(
            town2=town2.id,
            village=village.id,
            village2=village2.id,
            dept_t=dept_t.id,
            dept_t2=dept_t2.id,
            win_t=win_t.id,
            win_t2=win_t2.id,
        )
        _people(sm, ids, "tw_agent", "VillageAgent", dept_t, village)
        _people(sm, ids, "tw_agent2", "VillageAgent", dept_t2, village2)
        _people(sm, ids, "tw_town", "TownshipStaff", dept_t, town, win_t)
        _people(sm, ids, "tw_town2", "TownshipStaff", dept_t2, town2, win_t2)
        db.session.commit()
        db.session.remove()
    return ids


def actor(name):
    return actor_for(db.session.scalar(sa.select(User).where(User.username == name)))

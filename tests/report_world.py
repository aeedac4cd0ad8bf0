"""Reporting centers on top of tests/world.py for the reports-per-level tests: the world's 城关镇
(town) gets a head; a sibling township 河口镇 (town2) gets one too; a sub-center 开发区分中心 (sub)
gets a head and a township below it, 新区镇 (sub_town), which has no head of its own.
"""

from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import Center, CenterLevel, Department, Staff, StaffPosition, User
from app.security import actor_for
from tests.world import PASSWORD

HEADS = {"head_town": "town", "head_town2": "town2", "head_sub": "sub"}


def build(app, world_ids) -> dict:
    ids = dict(world_ids)
    with app.app_context():
        sm = app.appbuilder.sm
        county, town = db.session.get(Center, ids["county"]), db.session.get(Center, ids["town"])
        town2 = Center(code="XZ-T2", name="河口镇便民服务中心", level=CenterLevel.township, parent=county, sort_order=4)
        sub = Center(code="XZ-S1", name="开发区分中心", level=CenterLevel.sub_center, parent=county, sort_order=5)
        sub_town = Center(code="XZ-S1-T1", name="新区镇便民服务中心", level=CenterLevel.township, parent=sub)
        db.session.add_all([town2, sub, sub_town])
        db.session.flush()
        centers = {"town": town, "town2": town2, "sub": sub, "sub_town": sub_town}
        ids.update({key: center.id for key, center in centers.items()})
        for username, key in HEADS.items():
            center = centers[key]
            role = "SubCenterHead" if center.level is CenterLevel.sub_center else "TownshipHead"
            government = Department(code=f"G-{center.code}", name=f"{center.name[:3]}政务办", center=center)
            user = sm.add_user(
                username, username, "负责人", f"{username}@test.local", [sm.find_role(role)], password=PASSWORD
            )
            staff = Staff(
                staff_no=f"H-{center.code}",
                name=f"{center.name[:3]}主任",
                department=government,
                center=center,
                position=StaffPosition.chief_rep,
                user_id=user.id,
                joined_on=date(2024, 3, 1),
            )
            db.session.add_all([government, staff])
            db.session.flush()
            ids[f"user_{username}"] = user.id
        db.session.commit()
        db.session.remove()
    return ids


def actor(name):
    return actor_for(db.session.scalar(sa.select(User).where(User.username == name)))

"""The demo county: realistic sizes, consistent rules, idempotent."""

import sqlalchemy as sa

from app.cli import seed_demo_data
from app.models import Center, Department, Matter, Staff, StaffPosition, User, Window


def test_seed_demo_builds_a_realistic_county(scratch_app):
    with scratch_app.app_context():
        from app.extensions import db

        first = seed_demo_data()
        assert first.created
        demo = sa.select(sa.func.count())
        levels = [c.level.name for c in db.session.scalars(sa.select(Center).where(Center.code.like("XZ%")))]
        assert sorted(levels) == sorted(["county"] + ["sub_center"] * 2 + ["township"] * 5 + ["village"] * 10)
        departments = db.session.scalars(sa.select(Department).where(Department.code.like("D__"))).all()
        assert len([d for d in departments if d.name.startswith("县")]) >= 33
        windows = db.session.scalar(demo.select_from(Window))
        assert 95 <= windows <= 115
        staff = db.session.scalars(sa.select(Staff).where(Staff.staff_no.like("S%"))).all()
        assert 105 <= len(staff) <= 125
        chiefs = {}
        for person in staff:
            assert person.user is not None and person.user.roles
            if person.position is StaffPosition.chief_rep:
                chiefs[person.department_id] = chiefs.get(person.department_id, 0) + 1
                assert person.user.roles[0].name == "ChiefRep"
        assert len(chiefs) == 33 and set(chiefs.values()) == {1}
        matters = db.session.scalars(sa.select(Matter).where(Matter.code.like("XZ-D__-%"))).all()
        assert 350 <= len(matters) <= 380
        for matter in matters:
            assert matter.promised_limit_days <= matter.legal_limit_days
            assert sum(step.limit_days for step in matter.steps) <= matter.promised_limit_days
            assert 2 <= len(matter.materials) <= 5
        assert set(first.logins) == {"Admin", "CenterManager", "Supervisor", "Leader", "ChiefRep", "WindowStaff"}

        again = seed_demo_data()
        assert not again.created and again.matters == first.matters and again.staff == first.staff
        assert db.session.scalar(demo.select_from(User).where(User.username == "s0001")) == 1


def test_seed_demo_cli_prints_logins(scratch_app):
    result = scratch_app.test_cli_runner().invoke(args=["seed-demo", "--cases", "500"])
    assert result.exit_code == 0, result.output
    assert "示范账号" in result.output and "ChiefRep       s0001" in result.output
    assert "办件 500 件" in result.output
    again = scratch_app.test_cli_runner().invoke(args=["seed-demo", "--cases", "500"])
    assert "示范数据已存在" in again.output and "办件 500 件" not in again.output

"""Scope rules for writes, without a request: what a department may change and refer to."""

import sqlalchemy as sa

from app.extensions import db
from app.models import Department, Staff, Window
from app.services.scope import EVERYTHING, Scope, unseen


def _ids(model, clause):
    return set(db.session.scalars(sa.select(model.id).where(clause)))


def test_a_member_department_sees_a_shared_window_but_changes_only_its_own(app, world_ids):
    ids = world_ids
    scope = Scope(department_id=ids["dept_a"], staff_id=ids["staff_chief_a"])
    with app.app_context():
        assert _ids(Window, scope.clause(Window)) == {ids["win_a"], ids["win_c"]}  # C01 is co-used
        assert _ids(Window, scope.changeable(Window)) == {ids["win_a"]}
        assert _ids(Window, scope.write_clause(Window)) == {ids["win_a"]}
        assert _ids(Window, EVERYTHING.write_clause(Window)) == {ids["win_a"], ids["win_b"], ids["win_c"]}


def test_a_written_staff_row_may_refer_only_to_windows_the_department_sees(app, world_ids):
    ids = world_ids
    scope = Scope(department_id=ids["dept_a"], staff_id=ids["staff_chief_a"])
    with app.app_context():
        staff = db.session.get(Staff, ids["staff_staff_a"])
        for window, allowed in (("win_a", True), ("win_c", True), ("win_b", False)):
            staff.window_id = ids[window]
            db.session.flush()
            assert (staff.id in _ids(Staff, scope.write_clause(Staff))) is allowed, window
        db.session.rollback()


def test_unseen_lists_the_members_an_editor_cannot_see(app, world_ids):
    ids = world_ids
    scope = Scope(department_id=ids["dept_a"], staff_id=ids["staff_chief_a"])
    with app.app_context():
        departments = [db.session.get(Department, ids[key]) for key in ("dept_a", "dept_b", "dept_c")]
        assert [d.id for d in unseen(db.session, scope, departments)] == [ids["dept_b"], ids["dept_c"]]
        assert unseen(db.session, EVERYTHING, departments) == []


def test_a_department_user_adds_a_row_of_its_own_department(app, world_ids):
    """pre_add runs before FAB adds the row to the session; the check must still find it."""
    from flask import g

    from app.models import StaffPosition
    from app.views.scoping import ScopeViolation, check_in_scope

    ids = world_ids
    scope = Scope(department_id=ids["dept_a"], staff_id=ids["staff_chief_a"])
    datamodel = type("Datamodel", (), {"session": db.session, "obj": Staff})()
    with app.test_request_context():
        g.govhall_scope = scope
        own = Staff(
            name="新同事",
            staff_no="T-NEW-1",
            department_id=ids["dept_a"],
            center_id=ids["county"],
            position=StaffPosition.a_post,
        )
        check_in_scope(datamodel, own)
        assert own.id is not None
        db.session.rollback()
        other = Staff(
            name="外部门",
            staff_no="T-NEW-2",
            department_id=ids["dept_b"],
            center_id=ids["county"],
            position=StaffPosition.a_post,
        )
        try:
            check_in_scope(datamodel, other)
        except ScopeViolation:
            pass
        else:
            raise AssertionError("a row of another department was accepted")
        assert db.session.scalar(sa.select(sa.func.count()).where(Staff.staff_no.like("T-NEW-%"))) == 0

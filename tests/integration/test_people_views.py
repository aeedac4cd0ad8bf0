"""People pages: leave, A/B post coverage, duty rosters, personnel changes — roles, row scope, stale actions."""

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models.org import Staff, StaffPosition
from app.models.personnel import ChangeStatus, LeaveRequest, LeaveStatus, PersonnelChange, WindowRotation
from app.services import leave, personnel
from tests.services.test_case_flow import actor

NOW = datetime(2026, 9, 1, 9, 0)


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    from app import clock

    monkeypatch.setattr(clock, "now", lambda: NOW)


def _leave(app, world_ids, starts, ends, staff_key="staff_staff_a", who="chief_a"):
    with app.app_context():
        request = leave.file(
            db.session,
            actor(who),
            NOW,
            leave.Rules.load(db.session),
            staff_id=world_ids[staff_key],
            leave_type="sick",
            starts_at=starts,
            ends_at=ends,
            reason="看病",
        )
        db.session.commit()
        return request.id, request.version


PAGES = [
    "/leaverequestview/list/",
    "/leaverequestview/file",
    "/post-coverage/",
    "/windowrotationview/list/",
    "/personnelchangeview/list/",
]


@pytest.mark.parametrize("user", ["manager", "chief_a", "staff_a", "supervisor"])
def test_pages_render_for_their_roles(client, login_as, user):
    login_as(user)
    allowed = {
        "manager": [p for p in PAGES if p != "/leaverequestview/file"],
        "chief_a": PAGES,
        "staff_a": PAGES[:4],
        "supervisor": [p for p in PAGES if p != "/leaverequestview/file"],
    }[user]
    for page in PAGES:
        status = client.get(page).status_code
        assert status == (200 if page in allowed else 403), (page, status)


def test_restricted_pages_answer_403(client, login_as):
    login_as("staff_a")
    assert client.get("/personnelchangeview/list/").status_code == 403
    assert client.get("/personnelchangeview/request").status_code == 403
    assert client.get("/windowrotationview/generate").status_code == 403
    client.get("/logout/")
    login_as("chief_a")
    assert client.get("/windowrotationview/generate").status_code == 403
    assert client.get("/windowrotationview/add").status_code == 403


def test_leave_filed_approved_and_scoped(app, client, world_ids, login_as):
    login_as("staff_a")
    response = client.post(
        "/leaverequestview/file",
        data={
            "staff_id": world_ids["staff_staff_a"],
            "leave_type": "personal",
            "starts_at": "2026-09-30T08:30",
            "ends_at": "2026-10-09T17:30",
            "reason": "探亲",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        request = db.session.scalar(sa.select(LeaveRequest))
        pk, version = request.id, request.version
        assert request.working_days == 3 and request.status is LeaveStatus.pending
    # Own request: no approve form for the applicant; an attempt is refused by the service.
    page = client.get(f"/leaverequestview/show/{pk}").get_data(as_text=True)
    assert f"/act/{pk}/approve" not in page
    client.post(f"/leaverequestview/act/{pk}/approve", data={"version": version})
    with app.app_context():
        assert db.session.get(LeaveRequest, pk).status is LeaveStatus.pending  # refused: own request
    client.get("/logout/")

    login_as("chief_b")  # another department: the row does not exist for them
    assert client.get(f"/leaverequestview/show/{pk}").status_code == 404
    assert client.post(f"/leaverequestview/act/{pk}/approve", data={"version": version}).status_code == 404
    assert "探亲" not in client.get("/leaverequestview/list/").get_data(as_text=True)
    client.get("/logout/")

    login_as("chief_a")
    assert f"/act/{pk}/approve" in client.get(f"/leaverequestview/show/{pk}").get_data(as_text=True)
    client.post(f"/leaverequestview/act/{pk}/approve", data={"version": version, "head_name": "王局长"})
    with app.app_context():
        request = db.session.get(LeaveRequest, pk)
        assert request.department_approved_by and request.status is LeaveStatus.pending
    stale = client.post(
        f"/leaverequestview/act/{pk}/reject", data={"version": version, "note": "x"}, follow_redirects=True
    )
    assert "alert-danger" in stale.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(LeaveRequest, pk).status is LeaveStatus.pending
    export = client.get("/leaverequestview/export/")
    assert export.status_code == 200 and export.mimetype.endswith("sheet")
    client.get("/logout/")

    login_as("manager")
    with app.app_context():
        version = db.session.get(LeaveRequest, pk).version
    client.post(f"/leaverequestview/act/{pk}/approve", data={"version": version, "note": ""})
    with app.app_context():
        assert db.session.get(LeaveRequest, pk).status is LeaveStatus.approved


def test_coverage_page_shows_standing_in_and_is_scoped(app, client, world_ids, login_as):
    pk, version = _leave(app, world_ids, datetime(2026, 9, 1, 8, 30), datetime(2026, 9, 1, 17, 30))
    with app.app_context():
        db.session.add(
            Staff(
                staff_no="XB1",
                name="乙岗员",
                department_id=world_ids["dept_a"],
                center_id=world_ids["county"],
                window_id=world_ids["win_a"],
                position=StaffPosition.b_post,
            )
        )
        request = db.session.get(LeaveRequest, pk)
        request.status = LeaveStatus.approved
        db.session.commit()
    login_as("chief_a")
    page = client.get("/post-coverage/").get_data(as_text=True)
    assert 'data-window="A01"' in page and "乙岗员" in page and 'data-state="b-covers"' in page
    assert 'data-window="B01"' not in page  # another department's window
    client.get("/logout/")
    login_as("chief_b")
    page = client.get("/post-coverage/").get_data(as_text=True)
    assert 'data-window="B01"' in page and 'data-window="A01"' not in page and "乙岗员" not in page
    assert "未设B岗，无人顶岗" in page  # B01 has an A post only


def test_rotation_generated_and_edited_by_the_center(app, client, world_ids, login_as):
    login_as("manager")
    response = client.post(
        "/windowrotationview/generate", data={"window_id": world_ids["win_c"], "quarter_start": "2026-10-01"}
    )
    assert response.status_code == 302
    with app.app_context():
        rows = db.session.scalars(sa.select(WindowRotation).order_by(WindowRotation.week_start)).all()
        assert len(rows) == 13 and {r.department_id for r in rows} == {world_ids["dept_a"]}
        pk = rows[0].id
    assert client.get("/windowrotationview/list/").status_code == 200
    assert client.get(f"/windowrotationview/edit/{pk}").status_code == 200
    client.get("/logout/")
    login_as("chief_b")  # 公安 is not a member of C01
    assert client.get(f"/windowrotationview/show/{pk}").status_code == 404
    client.get("/logout/")
    login_as("staff_a")  # a member department's staff read the roster
    assert client.get(f"/windowrotationview/show/{pk}").status_code == 200


def test_personnel_change_requested_and_approved_through_the_pages(app, client, world_ids, login_as):
    login_as("chief_a")
    response = client.post(
        "/personnelchangeview/request",
        data={
            "kind": "post_change",
            "staff_id": world_ids["staff_staff_a"],
            "effective_on": "2026-09-01",
            "to_position": "b_post",
            "reason": "轮岗",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        change = db.session.scalar(sa.select(PersonnelChange))
        pk, version = change.id, change.version
    assert client.post(f"/personnelchangeview/act/{pk}/approve", data={"version": version}).status_code == 403
    client.get("/logout/")
    login_as("chief_b")
    assert client.get(f"/personnelchangeview/show/{pk}").status_code == 404
    client.get("/logout/")
    login_as("manager")
    page = client.get(f"/personnelchangeview/show/{pk}").get_data(as_text=True)
    assert f"/act/{pk}/approve" in page
    stale = client.post(f"/personnelchangeview/act/{pk}/approve", data={"version": version + 1}, follow_redirects=True)
    assert "alert-danger" in stale.get_data(as_text=True)
    client.post(f"/personnelchangeview/act/{pk}/approve", data={"version": version})
    with app.app_context():
        assert db.session.get(PersonnelChange, pk).status is ChangeStatus.effective  # due today: applied at once
        assert db.session.get(Staff, world_ids["staff_staff_a"]).position is StaffPosition.b_post


def test_tenure_warning_shown_to_the_approver(app, client, world_ids, login_as):
    with app.app_context():
        change = personnel.request_change(
            db.session,
            actor("chief_a"),
            NOW,
            personnel.Rules.load(db.session),
            staff_id=world_ids["staff_staff_a"],
            kind="transfer_out",
            effective_on=date(2026, 1, 5),
            reason="调动",
        )
        db.session.commit()
        pk, warning = change.id, change.tenure_warning
    assert warning
    login_as("manager")
    assert warning in client.get(f"/personnelchangeview/show/{pk}").get_data(as_text=True)


def test_the_window_leader_approves_a_days_leave_from_the_pages_and_nothing_longer(app, client, world_ids):
    from tests.conftest import login
    from tests.world import PASSWORD

    with app.app_context():
        sm = app.appbuilder.sm
        user = sm.add_user(
            "leader_a", "窗口", "负责人", "leader_a@test.local", [sm.find_role("WindowStaff")], password=PASSWORD
        )
        db.session.add(
            Staff(
                staff_no="L001",
                name="窗口负责人",
                department_id=world_ids["dept_a"],
                center_id=world_ids["county"],
                window_id=world_ids["win_a"],
                position=StaffPosition.leader,
                user_id=user.id,
            )
        )
        db.session.commit()
    short = _leave(app, world_ids, datetime(2026, 9, 2, 8, 30), datetime(2026, 9, 2, 17, 30))
    longer = _leave(app, world_ids, datetime(2026, 9, 7, 8, 30), datetime(2026, 9, 8, 17, 30))
    other = _leave(
        app, world_ids, datetime(2026, 9, 2, 8, 30), datetime(2026, 9, 2, 17, 30), "staff_staff_b", "chief_b"
    )
    login(client, "leader_a")
    listing = client.get("/leaverequestview/list/").get_data(as_text=True)
    assert f"/show/{short[0]}" in listing and f"/show/{other[0]}" not in listing  # the department's only
    assert f"/act/{short[0]}/approve" in client.get(f"/leaverequestview/show/{short[0]}").get_data(as_text=True)
    client.post(f"/leaverequestview/act/{short[0]}/approve", data={"version": short[1]})
    client.post(f"/leaverequestview/act/{longer[0]}/approve", data={"version": longer[1]})
    assert client.get(f"/leaverequestview/show/{other[0]}").status_code == 404
    with app.app_context():
        assert db.session.get(LeaveRequest, short[0]).status is LeaveStatus.approved
        assert "负责人" in db.session.get(LeaveRequest, short[0]).approved_by
        assert db.session.get(LeaveRequest, longer[0]).status is LeaveStatus.pending  # 2 days: the chief's

"""Appeal pages (申诉): filed by the staff member, commented by the chief, decided by a supervisor;
row scope; the staff member cannot decide. Pending violations confirmed on the violation page."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Violation, ViolationKind
from app.models.appeal import Appeal, AppealStatus
from app.models.case import ViolationStatus

NOW = datetime(2026, 10, 12, 9, 0)


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    from app import clock

    monkeypatch.setattr(clock, "now", lambda: NOW)


def _violation(app, world_ids, status=ViolationStatus.confirmed):
    with app.app_context():
        violation = Violation(
            kind=ViolationKind.step_overdue,
            at=datetime(2026, 10, 9, 10, 0),
            department_id=world_ids["dept_a"],
            staff_id=world_ids["staff_staff_a"],
            detail="环节超时（系统故障）",
            status=status,
        )
        db.session.add(violation)
        db.session.commit()
        return violation.id


def _appeal(app):
    with app.app_context():
        appeal = db.session.scalar(sa.select(Appeal))
        return appeal.id, appeal.version, appeal.status


def test_appeal_walks_through_its_pages(app, client, world_ids, login_as):
    violation_id = _violation(app, world_ids)
    login_as("staff_a")
    form = client.get("/appealview/file").get_data(as_text=True)
    assert f'value="violation:{violation_id}"' in form
    response = client.post(
        "/appealview/file",
        data={"target": f"violation:{violation_id}", "reason": "系统故障导致超时", "evidence": "运维工单 101"},
    )
    assert response.status_code == 302
    pk, version, status = _appeal(app)
    assert status is AppealStatus.filed
    page = client.get(f"/appealview/show/{pk}").get_data(as_text=True)
    assert "系统故障导致超时" in page and f"/act/{pk}/" not in page
    # Window staff hold no act permission: deciding is closed to them.
    client.post(f"/appealview/act/{pk}/cancel", data={"version": version, "note": "撤销"})
    assert _appeal(app)[2] is AppealStatus.filed
    client.get("/logout/")

    login_as("chief_b")  # another department: the row does not exist for them
    assert client.get(f"/appealview/show/{pk}").status_code == 404
    client.get("/logout/")

    login_as("chief_a")
    assert f"/act/{pk}/comment" in client.get(f"/appealview/show/{pk}").get_data(as_text=True)
    client.post(f"/appealview/act/{pk}/comment", data={"version": version, "text": "情况属实"})
    pk, version, status = _appeal(app)
    assert status is AppealStatus.commented
    client.get("/logout/")

    login_as("supervisor")
    assert f"/act/{pk}/cancel" in client.get(f"/appealview/show/{pk}").get_data(as_text=True)
    client.post(f"/appealview/act/{pk}/cancel", data={"version": version, "note": "系统故障属实"})
    assert _appeal(app)[2] is AppealStatus.cancelled
    with app.app_context():
        assert db.session.get(Violation, violation_id).status is ViolationStatus.cancelled
    assert client.get("/appealview/export/").status_code == 200


def test_refusal_is_shown_in_chinese(app, client, world_ids, login_as):
    violation_id = _violation(app, world_ids)
    login_as("staff_b")
    page = client.post(
        "/appealview/file", data={"target": f"violation:{violation_id}", "reason": "理由"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "只能对本人的违规和扣分提出申诉" in page


def test_supervisor_confirms_a_pending_violation_on_its_page(app, client, world_ids, login_as):
    violation_id = _violation(app, world_ids, status=ViolationStatus.pending)
    login_as("chief_a")
    assert f"/act/{violation_id}/confirm" not in client.get(f"/violationview/show/{violation_id}").get_data(
        as_text=True
    )
    client.get("/logout/")
    login_as("supervisor")
    assert f"/act/{violation_id}/confirm" in client.get(f"/violationview/show/{violation_id}").get_data(as_text=True)
    client.post(f"/violationview/act/{violation_id}/confirm", data={})
    with app.app_context():
        assert db.session.get(Violation, violation_id).status is ViolationStatus.confirmed

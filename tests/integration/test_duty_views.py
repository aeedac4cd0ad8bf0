"""Comprehensive-window duty through HTTP: the desk's case page offers 交接, the owning department's
offers 确认接收; the transfer list shows duty hand-offs by kind to both; everyone else gets 404 on
every path and nothing changes."""

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from app import clock as wall_clock
from app.extensions import db
from app.models import Case
from app.models.org import Department, Staff, Window
from app.models.personnel import WindowRotation
from app.models.transfer import Transfer, TransferStatus
from app.services import rotation
from tests.conftest import login
from tests.services.test_case_flow import new_case
from tests.transfer_world import build_network

NOW = datetime(2026, 10, 13, 9, 0)  # a Tuesday: department B on duty at C01


@pytest.fixture
def duty(app, world_ids, monkeypatch):
    ids = build_network(app, world_ids)
    monkeypatch.setattr(wall_clock, "now", lambda: NOW)
    with app.app_context():
        window = db.session.get(Window, ids["win_c"])
        window.member_departments = [db.session.get(Department, ids["dept_a"])]
        db.session.add(
            WindowRotation(window_id=window.id, week_start=rotation.monday(NOW.date()), department_id=ids["dept_b"])
        )
        db.session.get(Staff, ids["staff_staff_b"]).window_id = window.id
        db.session.commit()
        ids["case"] = new_case(ids, who="staff_b", now=NOW).id
        ids["other_case"] = new_case(ids, who="staff_a", now=NOW).id  # A's own, at A's window
        ids["entry"] = db.session.scalar(sa.select(Transfer.id).where(Transfer.case_id == ids["case"]))
        db.session.remove()
    return ids


def _state(app, ids):
    with app.app_context():
        case = db.session.get(Case, ids["case"])
        entry = db.session.get(Transfer, ids["entry"])
        return case.version, case.assignee_id, entry.status, entry.version


def _version(app, case_id):
    with app.app_context():
        return db.session.get(Case, case_id).version


def test_the_desk_hands_over_and_the_department_receives(app, client, duty):
    login(client, "staff_b")
    page = client.get(f"/caseview/show/{duty['case']}").get_data(as_text=True)
    assert "移交责任部门（交接登记）" in page and "确认接收移交" not in page
    listed = client.get("/transferview/list/?kind=duty_handoff").get_data(as_text=True)
    assert "综合窗口交接" in listed and "全部类型" in listed
    response = client.post(
        f"/caseview/act/{duty['case']}/hand_over", data={"version": _version(app, duty["case"]), "note": "材料齐全"}
    )
    assert response.status_code == 302
    assert _state(app, duty)[2] is TransferStatus.sent
    client.get("/logout/")

    login(client, "staff_a")
    page = client.get(f"/caseview/show/{duty['case']}").get_data(as_text=True)
    assert "确认接收移交" in page
    incoming = client.get("/transferview/list/?quick=incoming&kind=duty_handoff").get_data(as_text=True)
    with app.app_context():
        number = db.session.get(Transfer, duty["entry"]).number
    assert number in incoming
    assert number not in client.get("/transferview/list/?kind=village_request").get_data(as_text=True)
    # The transfer page's village steps refuse the entry in Chinese and change nothing.
    before = _state(app, duty)
    client.post(f"/transferview/act/{duty['entry']}/receive", data={"version": before[3]})
    assert _state(app, duty) == before
    client.post(f"/caseview/act/{duty['case']}/receive_handoff", data={"version": _version(app, duty["case"])})
    _version_after, assignee, status, _ = _state(app, duty)
    assert status is TransferStatus.received and assignee == duty["staff_staff_a"]


def test_the_api_opens_the_desks_case_and_no_other(client, duty):
    login(client, "staff_b")
    assert client.get(f"/api/v1/case/{duty['case']}").status_code == 200
    assert client.get(f"/api/v1/case/{duty['other_case']}").status_code == 404


@pytest.mark.parametrize("who", ["tw_town2", "staff_b"])
def test_out_of_scope_is_404_and_nothing_changes(app, client, duty, who):
    """The other township sees neither the case nor its entry; the desk never sees A's own cases."""
    login(client, who)
    before = _state(app, duty)
    other = _version(app, duty["other_case"])
    assert client.get(f"/caseview/show/{duty['other_case']}").status_code == 404
    response = client.post(f"/caseview/act/{duty['other_case']}/hand_over", data={"version": other})
    assert response.status_code == 404
    if who == "tw_town2":
        assert client.get(f"/caseview/show/{duty['case']}").status_code == 404
        assert client.get(f"/transferview/show/{duty['entry']}").status_code == 404
        for action in ("hand_over", "receive_handoff"):
            response = client.post(f"/caseview/act/{duty['case']}/{action}", data={"version": before[0]})
            assert response.status_code == 404
        with app.app_context():
            number = db.session.get(Transfer, duty["entry"]).number
        assert number not in client.get("/transferview/list/?kind=duty_handoff").get_data(as_text=True)
        export = client.get("/transferview/export/?kind=duty_handoff")
        assert export.status_code in (200, 403)
    assert _state(app, duty) == before and _version(app, duty["other_case"]) == other


def test_the_rotation_week_matters(app, client, duty, monkeypatch):
    """The next week the desk is another department's: no 交接 button for B."""
    monkeypatch.setattr(wall_clock, "now", lambda: datetime.combine(date(2026, 10, 20), NOW.time()))
    login(client, "staff_b")
    page = client.get(f"/caseview/show/{duty['case']}").get_data(as_text=True)
    assert "移交责任部门（交接登记）" not in page

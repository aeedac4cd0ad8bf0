"""Back office for evaluations, rectifications and complaints: roles, row scope,
complainants' contacts shown to handlers and supervisors only, steps by form."""

import sqlalchemy as sa

from app.extensions import db
from app.models import Complaint, Evaluation, Rectification
from app.models.feedback import ComplaintStage, RectificationStatus
from tests.services.test_feedback import completed_case


def _register(client, world_ids, **overrides):
    data = {
        "channel": "phone",
        "department_id": world_ids["dept_a"],
        "subject": "窗口推诿",
        "content": "多次往返",
        "name": "李四",
        "phone": "13912345678",
        **overrides,
    }
    return client.post("/complaintview/register", data=data)


def test_complaint_registered_by_phone_and_walked_through_its_stages(app, client, world_ids, login_as):
    login_as("supervisor")
    response = _register(client, world_ids)
    assert response.status_code == 302
    with app.app_context():
        complaint = db.session.scalar(sa.select(Complaint))
        pk, version = complaint.id, complaint.version
    page = client.get(f"/complaintview/show/{pk}").get_data(as_text=True)
    assert "13912345678" in page and "李四" in page  # the supervisor handles it: contact visible
    client.post(f"/complaintview/act/{pk}/receive", data={"version": version})
    client.get("/logout/")

    login_as("chief_a")  # the department's chief representative investigates, without the contact
    page = client.get(f"/complaintview/show/{pk}").get_data(as_text=True)
    assert "13912345678" not in page and "139****5678" in page and "李四" not in page
    with app.app_context():
        version = db.session.get(Complaint, pk).version
    refused = client.post(f"/complaintview/act/{pk}/investigate", data={"version": version, "note": "核实"})
    assert refused.status_code == 302
    with app.app_context():
        assert db.session.get(Complaint, pk).stage is ComplaintStage.investigating  # no finding: nothing changed
    client.post(
        f"/complaintview/act/{pk}/investigate", data={"version": version, "finding": "partly", "note": "部分属实"}
    )
    with app.app_context():
        complaint = db.session.get(Complaint, pk)
        assert complaint.stage is ComplaintStage.handling and complaint.finding.name == "partly"
    client.get("/logout/")

    login_as("chief_b")  # another department: the complaint does not exist for them
    assert client.get(f"/complaintview/show/{pk}").status_code == 404
    assert client.post(f"/complaintview/act/{pk}/handle", data={"version": 3, "note": "x"}).status_code == 404


def test_register_refuses_bad_input_and_stores_nothing(app, client, world_ids, login_as):
    login_as("manager")
    for overrides in ({"channel": "portal"}, {"channel": ""}, {"phone": "abc"}, {"subject": "x" * 101}):
        page = _register(client, world_ids, **overrides)
        assert page.status_code == 200 and "alert-danger" in page.get_data(as_text=True), overrides
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 0


def test_window_staff_see_no_complaints(client, login_as):
    login_as("staff_a")
    assert client.get("/complaintview/list/").status_code in (302, 403)
    assert client.get("/complaintview/register").status_code in (302, 403)


def test_evaluation_by_phone_opens_a_rectification_the_chief_rep_works(app, client, world_ids, login_as):
    with app.app_context():
        number = completed_case(world_ids).number
    login_as("manager")
    response = client.post("/evaluationview/record", data={"number": number, "level": "2", "comment": "等太久"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Evaluation.channel)).name == "phone"
        rectification = db.session.scalar(sa.select(Rectification))
        pk, version = rectification.id, rectification.version
    client.get("/logout/")
    login_as("chief_b")
    assert (
        client.post(f"/rectificationview/act/{pk}/contact", data={"version": version, "note": "x"}).status_code == 404
    )
    client.get("/logout/")
    login_as("chief_a")
    assert "申请人" in client.get(f"/rectificationview/show/{pk}").get_data(as_text=True)
    client.post(f"/rectificationview/act/{pk}/contact", data={"version": version, "note": "已电话联系，致歉"})
    with app.app_context():
        assert db.session.get(Rectification, pk).status is RectificationStatus.contacted
    stale = client.post(
        f"/rectificationview/act/{pk}/rectify", data={"version": version, "measures": "约谈"}, follow_redirects=True
    )
    assert "已被他人修改" in stale.get_data(as_text=True)


def test_window_staff_see_only_their_own_evaluations(app, client, world_ids, login_as):
    with app.app_context():
        number = completed_case(world_ids).number
    login_as("manager")
    client.post("/evaluationview/record", data={"number": number, "level": "5"})
    assert client.post("/evaluationview/record", data={"number": "XZ-NOPE", "level": "5"}).status_code == 200
    client.get("/logout/")
    login_as("staff_a")
    assert "5 非常满意" in client.get("/evaluationview/list/").get_data(as_text=True)
    client.get("/logout/")
    login_as("staff_b")
    assert "5 非常满意" not in client.get("/evaluationview/list/").get_data(as_text=True)


def test_register_names_window_staff_and_case(app, client, world_ids, login_as):
    with app.app_context():
        number = completed_case(world_ids).number
    login_as("manager")
    unknown = _register(client, world_ids, case_number="XZ-NOPE")
    assert unknown.status_code == 200 and "alert-danger" in unknown.get_data(as_text=True)
    _register(client, world_ids, case_number=number, window_id=world_ids["win_a"], staff_id=world_ids["staff_staff_a"])
    with app.app_context():
        complaint = db.session.scalar(sa.select(Complaint))
        assert (complaint.window_id, complaint.staff_id) == (world_ids["win_a"], world_ids["staff_staff_a"])
        assert complaint.case.number == number and complaint.channel.name == "phone"

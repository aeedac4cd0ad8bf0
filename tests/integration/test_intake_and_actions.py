"""Intake and actions through HTTP: a refused intake gives back everything entered (ticks too) with
a Chinese message; phones and credit codes checked on every form that takes them; the supplement
form starts empty with the matter's materials as ticks; completion needs a decision, named on a
confirmation step before it is recorded (no JavaScript needed), and the API refuses one without."""

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case, CaseAction, CaseEvent, CaseStatus, Matter
from app.models.case import CaseResult, CaseTask
from app.models.feedback import Complaint
from app.models.matter import CaseKind
from app.models.org import Staff
from tests.conftest import login
from tests.integration.test_case_views import ID_A, intake


def _materials(app, world_ids):
    with app.app_context():
        return [(m.id, m.name) for m in db.session.get(Matter, world_ids["matter_a"]).materials]


def _count(app, model):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _checked(page, name, value):
    tag = re.search(rf'<(?:input|option)[^>]*(?:name="{name}"[^>]*value="{value}"|value="{value}"[^>]*)[^>]*>', page)
    return tag is not None and re.search(r"\b(checked|selected)\b", tag.group(0)) is not None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"applicant_phone": "2812345"}, "带区号的固定电话"),
        ({"applicant_type": "organisation", "applicant_id_number": "91410102MA9XXXXX1A"}, "统一社会信用代码不正确"),
        ({"applicant_id_number": "110105194912310021"}, "身份证"),
    ],
)
def test_a_refused_intake_keeps_every_field_and_tick(app, client, world_ids, changes, message):
    login(client, "staff_a")
    (first, _), (second, _) = _materials(app, world_ids)
    form = {
        "applicant_type": "person",
        "applicant_name": "王五",
        "applicant_id_number": ID_A,
        "applicant_phone": "13912345678",
        "channel": "proxy",
        "materials": [str(first)],
        "urgent": "on",
        **changes,
    }
    before = _count(app, Case)
    response = client.post(f"/case-intake/{world_ids['matter_a']}", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page
    assert _count(app, Case) == before  # nothing registered
    assert _checked(page, "materials", first) and not _checked(page, "materials", second)
    assert re.search(r'name="urgent"[^>]*checked', page)
    assert _checked(page, "channel", "proxy")
    assert _checked(page, "applicant_type", form["applicant_type"])
    for name in ("applicant_name", "applicant_id_number", "applicant_phone"):
        assert re.search(rf'name="{name}"[^>]*value="{re.escape(form[name])}"', page), name
    # The accepted forms of a phone are on the form itself.
    assert "0396-2812345转801" in page


def test_intake_takes_a_landline_and_a_valid_credit_code(app, client, world_ids):
    login(client, "staff_a")
    materials = [str(pk) for pk, _name in _materials(app, world_ids)]
    response = client.post(
        f"/case-intake/{world_ids['matter_a']}",
        data={
            "applicant_type": "organisation",
            "applicant_name": "示范县某某食品有限公司",
            "applicant_id_number": "91410102MA9XXXXX12",
            "applicant_phone": "0396-2812345-801",
            "channel": "window",
            "materials": materials,
        },
    )
    assert response.status_code == 302
    pk = int(re.search(r"/caseview/show/(\d+)", response.headers["Location"]).group(1))
    with app.app_context():
        case = db.session.get(Case, pk)
        assert (case.applicant_id_number, case.applicant_phone) == ("91410102MA9XXXXX12", "0396-2812345-801")
        number = case.number
    # The portal finds it by the number's own last four digits, not the extension's.
    client.get("/logout/")
    for factor, found in (("2345", True), ("-801", False), ("5801", False)):
        page = client.post("/portal/progress", data={"number": number, "factor": factor}).get_data(as_text=True)
        assert ("食品经营许可（新办）" in page) is found, factor


def _supplement_form(page):
    return page.split('id="form-request_supplement"')[1].split("</form>")[0]


def test_the_supplement_form_starts_empty_with_the_materials_as_ticks(app, client, world_ids):
    login(client, "staff_a")
    materials = _materials(app, world_ids)
    # Received at intake: the first material only; the second arrives, then the case is reviewed.
    pk = intake(client, world_ids, materials=[materials[0][0]])
    with app.app_context():
        version = db.session.get(Case, pk).version
    client.post(f"/caseview/act/{pk}/receive_supplement", data={"version": version})
    form = _supplement_form(client.get(f"/caseview/show/{pk}").get_data(as_text=True))
    ticks = re.findall(r'<input type="checkbox" name="material_ids" value="(\d+)"[^>]*>', form)
    assert ticks == [str(m) for m, _name in materials]
    assert "checked" not in form
    assert re.search(r'<textarea name="materials"[^>]*></textarea>', form)  # nothing to delete
    second = form.split(materials[1][1])[1].split("</label>")[0]
    assert "受理时未收到" in second and "受理时未收到" not in form.split(materials[1][1])[0]

    with app.app_context():
        db.session.get(Case, pk).status = CaseStatus.in_progress
        db.session.commit()
        version = db.session.get(Case, pk).version
    client.post(
        f"/caseview/act/{pk}/request_supplement",
        # A second request (the first was intake's notice) says why.
        data={
            "version": version,
            "material_ids": [str(materials[1][0])],
            "materials": "身份证复印件不清晰\n",
            "note": "营业执照已过期",
        },
    )
    with app.app_context():
        notice = db.session.scalars(
            sa.select(CaseEvent)
            .where(CaseEvent.case_id == pk, CaseEvent.action == CaseAction.request_supplement)
            .order_by(CaseEvent.id.desc())
        ).first()
        assert notice.materials == [materials[1][1], "身份证复印件不清晰"]


def _state(app, pk):
    with app.app_context():
        db.session.expire_all()
        case = db.session.get(Case, pk)
        return case.status, case.result, case.version


def test_completion_needs_a_decision_named_on_a_confirmation_step(app, client, world_ids):
    login(client, "staff_a")
    pk = intake(client, world_ids)
    page = client.get(f"/caseview/show/{pk}").get_data(as_text=True)
    complete_form = page.split('id="form-complete"')[1].split("</form>")[0]
    assert 'value="approve" required>' in complete_form and "checked" not in complete_form  # no default
    before = _state(app, pk)
    version = before[2]

    refused = client.post(f"/caseview/act/{pk}/complete", data={"version": version}, follow_redirects=True)
    assert "请先选择办理决定" in refused.get_data(as_text=True)
    refused = client.post(f"/caseview/act/{pk}/complete", data={"version": version, "approved": "maybe"})
    assert _state(app, pk) == before
    # Even marked confirmed, a completion without a decision is refused.
    client.post(f"/caseview/act/{pk}/complete", data={"version": version, "confirmed": "yes"})
    assert _state(app, pk) == before

    step = client.post(
        f"/caseview/act/{pk}/complete", data={"version": version, "approved": "deny", "note": "不符合条件"}
    )
    confirm = step.get_data(as_text=True)
    assert step.status_code == 200 and _state(app, pk) == before  # nothing recorded yet
    assert "确认办理决定" in confirm and "确认办结：不予" in confirm and "不符合条件" in confirm
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', confirm))
    assert hidden["approved"] == "deny" and hidden["confirmed"] == "yes" and hidden["version"] == str(version)

    done = client.post(f"/caseview/act/{pk}/complete", data=hidden)
    assert done.status_code == 302
    status, result, _version = _state(app, pk)
    assert (status, result) == (CaseStatus.completed, CaseResult.denied)


def test_the_api_refuses_a_completion_without_a_decision(app, client, world_ids):
    login(client, "staff_a")
    pk = intake(client, world_ids)
    before = _state(app, pk)
    for body in ({}, {"approved": None}, {"approved": "approve"}, {"approved": 1}):
        response = client.post(f"/api/v1/case/{pk}/action/complete", json={"version": before[2], **body})
        assert response.status_code == 422 and "请先选择办理决定" in response.get_json()["message"], body
    assert _state(app, pk) == before
    response = client.post(f"/api/v1/case/{pk}/action/complete", json={"version": before[2], "approved": True})
    assert response.status_code == 200 and _state(app, pk)[:2] == (CaseStatus.completed, CaseResult.approved)


def test_the_portal_complaint_takes_a_landline_and_explains_a_wrong_number(app, client):
    before = _count(app, Complaint)
    wrong = client.post("/portal/complaint", data={"subject": "主题", "content": "内容", "phone": "2812345"})
    page = wrong.get_data(as_text=True)
    assert "带区号的固定电话" in page and 'value="2812345"' in page
    assert _count(app, Complaint) == before
    client.post("/portal/complaint", data={"subject": "主题", "content": "内容", "phone": "(0396)2812345转801"})
    with app.app_context():
        complaint = db.session.scalars(sa.select(Complaint).order_by(Complaint.id.desc())).first()
        assert complaint.complainant_phone == "0396-2812345-801"
        number = complaint.number
    # Followed with the number's own last four digits, not the extension's.
    status = client.post("/portal/complaint/status", data={"number": number, "phone4": "2345"})
    assert number in status.get_data(as_text=True)


def test_generated_forms_and_the_api_check_every_phone(app, client, world_ids):
    login(client, "admin")
    with app.app_context():
        staff = db.session.scalar(sa.select(Staff).where(Staff.department_id == world_ids["dept_a"]))
        pk, phone = staff.id, staff.phone
    form = client.get(f"/staffview/edit/{pk}").get_data(as_text=True)
    assert "0396-2812345转801" in form  # the hint under the field
    response = client.get(f"/api/v1/staff/{pk}")
    assert response.status_code == 200
    version = response.get_json()["result"]["version"]
    refused = client.put(f"/api/v1/staff/{pk}", json={"phone": "2812345", "version": version})
    assert refused.status_code == 422 and "带区号的固定电话" in refused.get_json()["message"]
    with app.app_context():
        assert db.session.get(Staff, pk).phone == phone
    taken = client.put(f"/api/v1/staff/{pk}", json={"phone": "0396 2812345 转 801", "version": version})
    assert taken.status_code == 200, taken.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Staff, pk).phone == "0396-2812345-801"


def test_a_township_decision_at_delivery_is_chosen_and_confirmed_too(app, client, world_ids, monkeypatch):
    from app.models.matter import TownshipHandling
    from tests.services.test_handoff import LATER, add_township, township_case

    with app.app_context():
        add_township(app, None, None, world_ids["town"], "town_a")
        pk = township_case(world_ids, TownshipHandling.full_service)
        db.session.remove()
    monkeypatch.setattr("app.clock.now", lambda: LATER)
    login(client, "town_a")
    page = client.get(f"/caseview/show/{pk}").get_data(as_text=True)
    deliver_form = page.split('id="form-deliver"')[1].split("</form>")[0]
    assert 'value="approve" required>' in deliver_form and "checked" not in deliver_form
    before = _state(app, pk)
    form = {"version": before[2], "method": "in_person", "receiver": "李四"}
    client.post(f"/caseview/act/{pk}/deliver", data={**form, "confirmed": "yes"})
    assert _state(app, pk) == before  # no decision: refused
    step = client.post(f"/caseview/act/{pk}/deliver", data={**form, "approved": "approve"}).get_data(as_text=True)
    assert "确认送达：准予" in step and _state(app, pk) == before
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', step))
    client.post(f"/caseview/act/{pk}/deliver", data=hidden)
    assert _state(app, pk)[:2] == (CaseStatus.completed, CaseResult.approved)


def _receive_form(page):
    return page.split('id="form-receive_supplement"')[1].split("</form>")[0]


def test_a_joint_case_held_for_materials_names_its_co_departments_when_they_arrive(app, client, world_ids):
    """联办: the materials completing a joint case held at intake accept it, naming its co-departments
    as intake does; missing or unknown ones are refused in Chinese with nothing changed, on the
    page and through the API."""
    login(client, "staff_a")
    materials = _materials(app, world_ids)
    single = intake(client, world_ids, materials=[materials[0][0]])
    assert 'name="co_departments"' not in _receive_form(client.get(f"/caseview/show/{single}").get_data(as_text=True))
    with app.app_context():
        db.session.get(Matter, world_ids["matter_a"]).case_kind = CaseKind.joint
        db.session.commit()
    pk = intake(client, world_ids, materials=[materials[0][0]])
    form = _receive_form(client.get(f"/caseview/show/{pk}").get_data(as_text=True))
    assert 'name="co_departments"' in form and f'<option value="{world_ids["dept_b"]}">' in form
    assert f'<option value="{world_ids["dept_a"]}">' not in form  # not the lead itself
    before = _state(app, pk)
    assert before[0] is CaseStatus.submitted
    for data, message in (({}, "联办件至少需要一个协办部门"), ({"co_departments": ["abc"]}, "请从列表中选择协办部门")):
        refused = client.post(
            f"/caseview/act/{pk}/receive_supplement", data={"version": before[2], **data}, follow_redirects=True
        )
        assert message in refused.get_data(as_text=True) and _state(app, pk) == before
    for body in ({}, {"co_department_ids": [999999]}, {"co_department_ids": "x"}):
        response = client.post(f"/api/v1/case/{pk}/action/receive_supplement", json={"version": before[2], **body})
        assert response.status_code == 422 and "协办部门" in response.get_json()["message"], body
    assert _state(app, pk) == before and _count(app, CaseTask) == 0
    response = client.post(
        f"/api/v1/case/{pk}/action/receive_supplement",
        json={"version": before[2], "co_department_ids": [world_ids["dept_b"]]},
    )
    assert response.status_code == 200 and response.get_json()["status"] == "accepted"
    with app.app_context():
        case = db.session.get(Case, pk)
        assert [(t.department_id, t.deadline_at) for t in case.tasks] == [(world_ids["dept_b"], case.deadline_at)]


def test_the_page_accepts_a_held_joint_case_with_its_co_departments(app, client, world_ids):
    with app.app_context():
        db.session.get(Matter, world_ids["matter_a"]).case_kind = CaseKind.joint
        db.session.commit()
    login(client, "staff_a")
    pk = intake(client, world_ids, materials=[_materials(app, world_ids)[0][0]])
    client.post(
        f"/caseview/act/{pk}/receive_supplement",
        data={"version": _state(app, pk)[2], "co_departments": [str(world_ids["dept_b"]), str(world_ids["dept_c"])]},
    )
    with app.app_context():
        case = db.session.get(Case, pk)
        assert case.status is CaseStatus.accepted
        assert sorted(t.department_id for t in case.tasks) == sorted((world_ids["dept_b"], world_ids["dept_c"]))

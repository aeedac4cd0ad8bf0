"""数据更正申请 screens: filed from the case page, decided on the request's page, scoped like the
rest; a case's facts have no direct write path left (forms, API, actions)."""

import io
import re

import openpyxl
import sqlalchemy as sa

from app.extensions import db
from app.models import Case
from app.models.correction import CorrectionRequest, CorrectionStatus
from app.services.idnumber import check_digit
from tests.conftest import login
from tests.integration.test_case_views import ID_A, intake

NEW_ID = "11010519800101001" + check_digit("11010519800101001")


def file(client, pk, field="applicant_id_number", value=NEW_ID, reason="受理时录入错误"):
    return client.post(
        f"/correctionrequestview/file?case_id={pk}", data={"field": field, "new_value": value, "reason": reason}
    )


def filed(client, pk, **kwargs):
    response = file(client, pk, **kwargs)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return int(re.search(r"/correctionrequestview/show/(\d+)", response.headers["Location"]).group(1))


def row(app, model, pk):
    with app.app_context():
        db.session.expire_all()
        item = db.session.get(model, pk)
        db.session.expunge(item)
        return item


def relogin(client, name):
    client.get("/logout/")
    return login(client, name)


def test_filed_from_the_case_page_approved_by_the_chief_and_applied(app, client, world_ids):
    login(client, "staff_a")
    pk = intake(client, world_ids)
    page = client.get(f"/caseview/show/{pk}").get_data(as_text=True)
    assert f"/correctionrequestview/file?case_id={pk}" in page and "申请更正" in page
    form = client.get(f"/correctionrequestview/file?case_id={pk}").get_data(as_text=True)
    assert "申请数据更正" in form and "更正项目" in form and row(app, Case, pk).number in form
    request_id = filed(client, pk)
    shown = client.get(f"/correctionrequestview/show/{request_id}").get_data(as_text=True)
    assert "待审批" in shown and "批准并更正" not in shown  # the requester does not decide
    assert NEW_ID not in shown and "110105********002X" in shown  # and sees the numbers masked
    timeline = client.get(f"/caseview/show/{pk}").get_data(as_text=True)
    assert "申请数据更正" in timeline and NEW_ID not in timeline  # the timeline names the field, not the value
    assert f"/correctionrequestview/list/?_flt_0_case={pk}" in timeline
    relogin(client, "chief_a")
    shown = client.get(f"/correctionrequestview/show/{request_id}").get_data(as_text=True)
    assert "批准并更正" in shown and NEW_ID in shown
    version = row(app, CorrectionRequest, request_id).version
    response = client.post(f"/correctionrequestview/act/{request_id}/approve", data={"version": version})
    assert response.status_code == 302
    assert row(app, CorrectionRequest, request_id).status is CorrectionStatus.applied
    assert row(app, Case, pk).applicant_id_number == NEW_ID
    assert "数据已更正" in client.get(f"/caseview/show/{pk}").get_data(as_text=True)
    # The same form posted twice (two approvers at once): the second is told, nothing changes.
    again = client.post(f"/correctionrequestview/act/{request_id}/approve", data={"version": version})
    assert again.status_code == 302
    assert "已经审批过" in client.get(f"/correctionrequestview/show/{request_id}").get_data(as_text=True)


def test_rejection_needs_a_reason_and_changes_nothing(app, client, world_ids):
    login(client, "staff_a")
    pk = intake(client, world_ids)
    request_id = filed(client, pk, field="applicant_name", value="王五")
    relogin(client, "manager")
    version = row(app, CorrectionRequest, request_id).version
    client.post(f"/correctionrequestview/act/{request_id}/reject", data={"version": version, "note": ""})
    assert row(app, CorrectionRequest, request_id).status is CorrectionStatus.pending
    client.post(f"/correctionrequestview/act/{request_id}/reject", data={"version": version, "note": "与原件一致"})
    assert row(app, CorrectionRequest, request_id).status is CorrectionStatus.rejected
    assert row(app, Case, pk).applicant_name == "李四"


def test_bad_input_is_refused_without_a_500(app, client, world_ids):
    login(client, "staff_a")
    pk = intake(client, world_ids)
    for field, value in (("status", "completed"), ("applicant_phone", "12345"), ("", ""), ("fee", "1e9999")):
        response = file(client, pk, field=field, value=value)
        assert response.status_code == 200
    assert client.get("/correctionrequestview/file?case_id=abc").status_code == 400
    assert client.get("/correctionrequestview/file").status_code == 302
    assert client.get("/correctionrequestview/add").status_code == 302  # FAB's generic add is the service's form
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CorrectionRequest)) == 0


def test_another_department_gets_404_and_the_lists_are_scoped(app, client, world_ids):
    login(client, "staff_a")
    pk = intake(client, world_ids)
    request_id = filed(client, pk)
    number = row(app, Case, pk).number
    relogin(client, "staff_b")
    assert client.get(f"/correctionrequestview/file?case_id={pk}").status_code == 404
    assert file(client, pk).status_code == 404
    assert client.get(f"/correctionrequestview/show/{request_id}").status_code == 404
    assert number not in client.get("/correctionrequestview/list/").get_data(as_text=True)
    relogin(client, "chief_b")
    version = row(app, CorrectionRequest, request_id).version
    assert client.post(f"/correctionrequestview/act/{request_id}/approve", data={"version": version}).status_code == 404
    assert row(app, CorrectionRequest, request_id).status is CorrectionStatus.pending
    relogin(client, "supervisor")  # reads every department's, decides none
    assert number in client.get("/correctionrequestview/list/").get_data(as_text=True)
    assert client.post(f"/correctionrequestview/act/{request_id}/approve", data={"version": version}).status_code == 403
    relogin(client, "chief_a")
    listed = client.get("/correctionrequestview/list/").get_data(as_text=True)
    assert number in listed and "证件号码" in listed
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/correctionrequestview/export/").data)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1 and rows[0][0] == number
    assert NEW_ID not in {str(value) for value in rows[0]}  # the values stay on the request's page


def test_case_facts_have_no_direct_write_path(app, client, world_ids):
    login(client, "staff_a")
    pk = intake(client, world_ids)
    before = row(app, Case, pk)
    relogin(client, "admin")
    assert client.get(f"/caseview/edit/{pk}").status_code in (403, 404)
    assert client.post(f"/caseview/edit/{pk}", data={"applicant_name": "王五"}).status_code in (403, 404)
    assert client.post("/caseview/add", data={"applicant_name": "王五"}).status_code in (403, 404)
    assert client.put(f"/api/v1/case/{pk}", json={"applicant_name": "王五"}).status_code in (403, 404, 405)
    assert client.post("/api/v1/case/", json={"applicant_name": "王五"}).status_code in (403, 404, 405)
    # A case action's body cannot carry a fact either.
    relogin(client, "staff_a")
    body = {"version": before.version, "applicant_name": "王五", "applicant_id_number": NEW_ID}
    assert client.post(f"/api/v1/case/{pk}/action/forward", json=body).status_code == 400
    client.post(f"/caseview/act/{pk}/forward", data={"version": before.version, "applicant_name": "王五"})
    after = row(app, Case, pk)
    assert (after.applicant_name, after.applicant_id_number) == ("李四", ID_A)
    request_id = filed(client, pk, field="applicant_name", value="王五")
    relogin(client, "admin")  # and the request itself has no generic edit or delete
    assert client.get(f"/correctionrequestview/edit/{request_id}").status_code in (403, 404)
    assert client.post(f"/correctionrequestview/edit/{request_id}", data={"new_value": "赵六"}).status_code in (
        403,
        404,
    )
    assert client.post(f"/correctionrequestview/delete/{request_id}").status_code in (403, 404, 405)
    assert row(app, CorrectionRequest, request_id).new_value == "王五"
    assert row(app, Case, pk).applicant_name == "李四"


def test_a_co_department_of_a_joint_case_sees_it_but_does_not_correct_it(app, client, world_ids):
    from app.models import Matter
    from app.models.matter import CaseKind

    with app.app_context():
        db.session.get(Matter, world_ids["matter_a"]).case_kind = CaseKind.joint
        db.session.commit()
    login(client, "staff_a")
    pk = intake(client, world_ids, co_departments=[world_ids["dept_b"]])
    relogin(client, "staff_b")
    page = client.get(f"/caseview/show/{pk}")
    assert page.status_code == 200 and "/correctionrequestview/file" not in page.get_data(as_text=True)
    assert file(client, pk).status_code == 404


def test_the_list_filters_by_case_searched_as_you_type(app, client, world_ids):
    login(client, "staff_a")
    first, second = intake(client, world_ids), intake(client, world_ids)
    filed(client, first)
    filed(client, second, field="applicant_name", value="王五")
    numbers = {pk: row(app, Case, pk).number for pk in (first, second)}
    client.get("/correctionrequestview/list/")  # shows (and so clears) the filing messages
    listed = client.get(f"/correctionrequestview/list/?_flt_0_case={first}").get_data(as_text=True)
    assert numbers[first] in listed and numbers[second] not in listed
    found = client.get(f"/correctionrequestview/choices/search/case?q={numbers[first]}").get_json()
    assert numbers[first] in str(found)
    relogin(client, "staff_b")  # another department's cases are not offered
    assert numbers[first] not in str(
        client.get(f"/correctionrequestview/choices/search/case?q={numbers[first]}").get_json()
    )


def test_filing_and_deciding_without_a_csrf_token_are_refused(app, client, world_ids):
    login(client, "staff_a")
    pk = intake(client, world_ids)
    request_id = filed(client, pk)
    relogin(client, "chief_a")
    version = row(app, CorrectionRequest, request_id).version
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert file(client, pk, field="applicant_name", value="王五").status_code == 400
        answer = client.post(f"/correctionrequestview/act/{request_id}/approve", data={"version": version})
        assert answer.status_code == 400
        form = client.get(f"/correctionrequestview/show/{request_id}").get_data(as_text=True)
        assert 'name="csrf_token"' in form  # the step forms carry it
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert row(app, CorrectionRequest, request_id).status is CorrectionStatus.pending
    assert row(app, Case, pk).applicant_id_number == ID_A

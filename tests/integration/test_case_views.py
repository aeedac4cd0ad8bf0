"""Case screens and API: intake, the case page and its actions, print pages, scope, quick filters."""

import io
import re
from datetime import datetime

import openpyxl
import sqlalchemy as sa

from app.extensions import db
from app.models import Case, CaseStatus, Matter
from app.models.matter import CaseKind
from tests.conftest import login

ID_A = "11010519491231002X"


def intake(client, world_ids, *, materials="all", matter="matter_a", co_departments=()):
    with client.application.app_context():
        m = db.session.get(Matter, world_ids[matter])
        ids = [x.id for x in m.materials] if materials == "all" else materials
    response = client.post(
        f"/case-intake/{world_ids[matter]}",
        data={
            "applicant_type": "person",
            "applicant_name": "李四",
            "applicant_id_number": ID_A,
            "applicant_phone": "13912345678",
            "channel": "window",
            "materials": [str(i) for i in ids],
            "co_departments": [str(i) for i in co_departments],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return int(re.search(r"/caseview/show/(\d+)", response.headers["Location"]).group(1))


def case_row(app, pk):
    with app.app_context():
        db.session.expire_all()
        case = db.session.get(Case, pk)
        return case.status, case.version, case.step_seq, len(case.events)


def test_intake_page_lists_own_department_matters_only(client, world_ids):
    login(client, "staff_a")
    page = client.get("/case-intake/").get_data(as_text=True)
    assert "食品经营许可（新办）" in page and "居民身份证换领" not in page
    assert client.get(f"/case-intake/{world_ids['matter_b']}").status_code == 404


def test_intake_then_act_on_the_case_page(app, client, world_ids):
    login(client, "staff_a")
    pk = intake(client, world_ids)
    page = client.get(f"/caseview/show/{pk}").get_data(as_text=True)
    assert "XZ-" in page and "110105********002X" in page and ID_A not in page
    assert f"/caseview/act/{pk}/forward" in page and f"/caseview/act/{pk}/extend" not in page  # staff: no extension
    status, version, step, events = case_row(app, pk)
    client.post(f"/caseview/act/{pk}/forward", data={"version": version, "next_step": "on", "note": "转审查"})
    assert case_row(app, pk)[2] == 2
    stale = client.post(
        f"/caseview/act/{pk}/forward", data={"version": version, "next_step": "on"}, follow_redirects=True
    )
    assert stale.status_code == 200 and case_row(app, pk)[2] == 2  # the stale form changed nothing


def test_chief_sees_extension_and_can_extend(app, client, world_ids):
    login(client, "staff_a")
    pk = intake(client, world_ids)
    client.get("/logout/")
    login(client, "chief_a")
    assert f"/caseview/act/{pk}/extend" in client.get(f"/caseview/show/{pk}").get_data(as_text=True)
    version = case_row(app, pk)[1]
    client.post(f"/caseview/act/{pk}/extend", data={"version": version, "days": "3", "reason": "需补充现场核查"})
    with app.app_context():
        assert db.session.get(Case, pk).extension_days == 3


def test_missing_material_gives_a_printable_one_time_notice(app, client, world_ids):
    login(client, "staff_a")
    with app.app_context():
        first = db.session.get(Matter, world_ids["matter_a"]).materials[0].id
    pk = intake(client, world_ids, materials=[first])
    assert case_row(app, pk)[0] is CaseStatus.submitted
    notice = client.get(f"/caseview/supplement-notice/{pk}").get_data(as_text=True)
    assert "补正材料通知书" in notice and "营业执照" in notice and "一次性告知" in notice


def test_supplement_notice_of_a_request_without_a_material_list_prints(app, client, world_ids):
    """A supplement request recorded without its material list (the demo year's, older data)
    prints a notice with an empty list instead of a 500 (found by the crawler)."""
    login(client, "staff_a")
    with app.app_context():
        first = db.session.get(Matter, world_ids["matter_a"]).materials[0].id
    pk = intake(client, world_ids, materials=[first])
    with app.app_context():
        from app.models.case import CaseAction, CaseEvent

        db.session.execute(
            sa.update(CaseEvent)
            .where(CaseEvent.case_id == pk, CaseEvent.action == CaseAction.request_supplement)
            .values(materials=None)
        )
        db.session.commit()
    response = client.get(f"/caseview/supplement-notice/{pk}")
    assert response.status_code == 200 and "补正材料通知书" in response.get_data(as_text=True)


def test_receipt(client, world_ids):
    login(client, "staff_a")
    pk = intake(client, world_ids)
    receipt = client.get(f"/caseview/receipt/{pk}").get_data(as_text=True)
    assert "受理通知书" in receipt and "110105********002X" in receipt and "10 个工作日" in receipt


def test_other_department_gets_404_everywhere_and_nothing_changes(app, client, world_ids):
    login(client, "staff_a")
    pk = intake(client, world_ids)
    before = case_row(app, pk)
    client.get("/logout/")
    login(client, "chief_b")
    assert client.get(f"/caseview/show/{pk}").status_code == 404
    assert client.post(f"/caseview/act/{pk}/complete", data={"version": before[1]}).status_code == 404
    assert client.get(f"/api/v1/case/{pk}").status_code == 404
    assert client.post(f"/api/v1/case/{pk}/action/complete", json={"version": before[1]}).status_code == 404
    assert client.get("/api/v1/case/").get_json()["count"] == 0
    assert case_row(app, pk) == before


def test_leader_reads_but_cannot_act(app, client, world_ids):
    login(client, "staff_a")
    pk = intake(client, world_ids)
    client.get("/logout/")
    login(client, "leader")
    page = client.get(f"/caseview/show/{pk}").get_data(as_text=True)
    assert "/caseview/act/" not in page
    assert client.post(f"/caseview/act/{pk}/forward", data={"version": 1}).status_code == 403
    assert client.post(f"/api/v1/case/{pk}/action/forward", json={"version": 1}).status_code == 403


def test_api_action_with_version(app, client, world_ids):
    login(client, "staff_a")
    pk = intake(client, world_ids)
    version = case_row(app, pk)[1]
    ok = client.post(f"/api/v1/case/{pk}/action/forward", json={"version": version, "next_step": True})
    assert ok.status_code == 200 and ok.get_json()["version"] == version + 1
    stale = client.post(f"/api/v1/case/{pk}/action/forward", json={"version": version, "next_step": True})
    assert stale.status_code == 409
    refused = client.post(f"/api/v1/case/{pk}/action/return_case", json={"version": version + 1, "reason": ""})
    assert refused.status_code == 422
    assert (
        client.post(f"/api/v1/case/{pk}/action/forward", json={"version": version + 1, "bogus": 1}).status_code == 400
    )
    client.get("/logout/")
    login(client, "admin")  # the OpenAPI document is an Admin resource
    spec = client.get("/api/v1/_openapi").get_json()
    assert "/api/v1/case/{pk}/action/{action}" in spec["paths"]


def test_quick_filters_and_export(app, client, world_ids, monkeypatch):
    # A working morning: after 17:30 (or on a rest day) intake starts the clock on the next working day.
    monkeypatch.setattr("app.clock.now", lambda: datetime(2026, 12, 2, 10, 0))
    login(client, "staff_a")
    pk = intake(client, world_ids)
    with app.app_context():
        db.session.get(Case, pk).deadline_at = datetime(2020, 1, 1, 17, 30)  # long overdue
        db.session.commit()
    other = intake(client, world_ids)
    with app.app_context():
        numbers = {p: db.session.get(Case, p).number for p in (pk, other)}
    client.get("/caseview/list/")  # shows (and so clears) the intake messages
    overdue = client.get("/caseview/list/?quick=overdue").get_data(as_text=True)
    assert numbers[pk] in overdue and numbers[other] not in overdue
    mine = client.get("/caseview/list/?quick=mine").get_data(as_text=True)
    assert numbers[pk] in mine and numbers[other] in mine
    # case_light's light, not the stored one (green since acceptance; the deadline was moved under it).
    assert mine.count('data-light="red"') == 1 and mine.count('data-light="green"') == 1
    assert "剩余 10 个工作日" in mine and "已超期" in mine
    assert client.get("/caseview/export/?quick=overdue").status_code == 403  # window staff do not export
    client.get("/logout/")
    login(client, "chief_a")
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/caseview/export/?quick=overdue").data)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [numbers[pk]]
    assert rows[0][3] == "110105********002X"  # the export masks like the list
    # Related columns are selected by name and the headers are the list's labels.
    headers = [cell.value for cell in sheet[1]]
    assert headers[:5] == ["办件编号", "事项", "申请人", "证件号码", "进驻部门"]
    assert rows[0][1] == "食品经营许可（新办）" and rows[0][4] == "县市场监督管理局"
    assert rows[0][7] == "已受理"  # the Chinese label, not the enum name
    assert rows[0][headers.index("预警")] == "已超期"  # the export's light is the list's


def test_case_list_statement_count_does_not_grow_with_rows(app, client, world_ids):
    login(client, "staff_a")
    for _ in range(3):
        intake(client, world_ids)
    with app.app_context():
        engine = db.engine
    counts = []

    def count(*_args):
        counts[-1] += 1

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        for size in (1, 25):
            counts.append(0)
            client.get(f"/caseview/list/?psize_CaseView={size}")
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert counts[0] == counts[1] <= 12


def test_joint_case_is_visible_to_the_co_department(app, client, world_ids):
    with app.app_context():
        db.session.get(Matter, world_ids["matter_a"]).case_kind = CaseKind.joint
        db.session.commit()
        matter = db.session.get(Matter, world_ids["matter_a"])
        ids = [str(m.id) for m in matter.materials]
    login(client, "staff_a")
    response = client.post(
        f"/case-intake/{world_ids['matter_a']}",
        data={
            "applicant_type": "person",
            "applicant_name": "李四",
            "applicant_id_number": ID_A,
            "channel": "window",
            "materials": ids,
            "co_departments": [str(world_ids["dept_b"])],
        },
    )
    pk = int(re.search(r"/caseview/show/(\d+)", response.headers["Location"]).group(1))
    client.get("/logout/")
    login(client, "staff_b")
    client.get("/caseview/list/")  # clears the intake message
    page = client.get(f"/caseview/show/{pk}").get_data(as_text=True)
    assert f"/caseview/act/{pk}/complete_task" in page
    assert f'/caseview/act/{pk}/complete"' not in page  # only the lead department completes the case
    version = case_row(app, pk)[1]
    client.post(f"/caseview/act/{pk}/complete_task", data={"version": version})
    with app.app_context():
        assert db.session.get(Case, pk).tasks[0].status.name == "done"


def test_matter_filter_on_the_case_list(app, client, world_ids):
    login(client, "staff_b")
    pk = intake(client, world_ids, matter="matter_b")
    with app.app_context():
        number = db.session.get(Case, pk).number
    client.get("/caseview/list/")
    page = client.get(f"/caseview/list/?matter_id={world_ids['matter_b']}").get_data(as_text=True)
    assert number in page and "居民身份证换领" in page  # the select offers the department's matters
    assert number not in client.get(f"/caseview/list/?matter_id={world_ids['matter_a']}").get_data(as_text=True)


def test_department_filter_for_global_roles(app, client, world_ids):
    login(client, "staff_b")
    pk = intake(client, world_ids, matter="matter_b")
    with app.app_context():
        number = db.session.get(Case, pk).number
    assert 'name="department_id"' not in client.get("/caseview/list/").get_data(as_text=True)  # own dept only
    client.get("/logout/")
    login(client, "manager")
    page = client.get("/caseview/list/").get_data(as_text=True)
    assert 'name="department_id"' in page and "县公安局" in page
    assert number in client.get(f"/caseview/list/?department_id={world_ids['dept_b']}").get_data(as_text=True)
    assert number not in client.get(f"/caseview/list/?department_id={world_ids['dept_a']}").get_data(as_text=True)

"""Step authority, the reception time and the denial decision through the pages and the API: the
API refuses what the pages refuse (422), a late entry shows on the case page and in the violations
list, and the 不予许可决定书 prints the written reason."""

from datetime import timedelta

import sqlalchemy as sa

from app import clock as wall_clock
from app.extensions import db
from app.models import Case, Notice, Violation, ViolationKind
from app.models.matter import MatterStep
from app.models.org import StaffPosition
from tests.conftest import login
from tests.integration.test_case_views import ID_A, case_row, intake


def _form(world_ids, app, **changes):
    from app.models import Matter

    with app.app_context():
        ids = [m.id for m in db.session.get(Matter, world_ids["matter_a"]).materials]
    return {
        "applicant_type": "person",
        "applicant_name": "李四",
        "applicant_id_number": ID_A,
        "applicant_phone": "13912345678",
        "channel": "window",
        "materials": [str(i) for i in ids],
        **changes,
    }


def _handled_by(app, world_ids, seq, position):
    with app.app_context():
        step = db.session.scalar(
            sa.select(MatterStep).where(MatterStep.matter_id == world_ids["matter_a"], MatterStep.seq == seq)
        )
        step.handler_position = position
        db.session.commit()


def _violations(app, pk, kind):
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count()).select_from(Violation).where(Violation.case_id == pk, Violation.kind == kind)
        )


def test_a_late_entry_shows_on_the_case_page_and_in_the_violations_list(app, client, world_ids):
    login(client, "staff_a")
    page = client.get(f"/case-intake/{world_ids['matter_a']}").get_data(as_text=True)
    assert 'name="received_at"' in page and "收件时间" in page
    long_ago = (wall_clock.now() - timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/case-intake/{world_ids['matter_a']}", data=_form(world_ids, app, received_at=long_ago))
    assert response.status_code == 302
    pk = int(response.headers["Location"].rstrip("/").split("/")[-1])
    assert _violations(app, pk, ViolationKind.late_entry) == 1
    page = client.get(f"/caseview/show/{pk}").get_data(as_text=True)
    assert "录入延迟" in page and "录入时间" in page and long_ago.replace("T", " ") in page
    client.get("/logout/")
    login(client, "supervisor")
    listed = client.get("/violationview/list/").get_data(as_text=True)
    assert "未及时录入系统" in listed


def test_a_timely_intake_is_not_flagged(app, client, world_ids):
    login(client, "staff_a")
    pk = intake(client, world_ids)  # no reception time: received now
    assert _violations(app, pk, ViolationKind.late_entry) == 0
    assert "录入延迟" not in client.get(f"/caseview/show/{pk}").get_data(as_text=True)


def test_a_reception_time_in_the_future_or_unreadable_is_refused(app, client, world_ids):
    login(client, "staff_a")
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Case))
    tomorrow = (wall_clock.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    for value, message in ((tomorrow, "收件时间不能晚于当前时间"), ("昨天下午", "年-月-日")):
        response = client.post(f"/case-intake/{world_ids['matter_a']}", data=_form(world_ids, app, received_at=value))
        assert response.status_code == 200 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == before


def test_the_api_refuses_a_step_outside_ones_authority_as_the_page_does(app, client, world_ids):
    login(client, "staff_a")
    pk = intake(client, world_ids)
    _handled_by(app, world_ids, 1, StaffPosition.b_post)
    version = case_row(app, pk)[1]
    page = client.get(f"/caseview/show/{pk}").get_data(as_text=True)
    assert "由B岗办理" in page and f"/caseview/act/{pk}/forward" not in page
    refused = client.post(f"/api/v1/case/{pk}/action/forward", json={"version": version, "next_step": True})
    assert refused.status_code == 422 and "无权操作" in refused.get_json()["message"]
    client.post(f"/caseview/act/{pk}/forward", data={"version": version, "next_step": "on"})
    assert _violations(app, pk, ViolationKind.beyond_authority) == 2 and case_row(app, pk)[2] == 1
    client.get("/logout/")
    login(client, "chief_a")
    done = client.post(
        f"/api/v1/case/{pk}/action/forward",
        json={"version": version, "next_step": True, "assignee_id": world_ids["staff_staff_a"]},
    )
    assert done.status_code == 200 and case_row(app, pk)[2] == 2
    with app.app_context():
        [notice] = db.session.scalars(sa.select(Notice).where(Notice.case_id == pk)).all()
        assert notice.user_id == world_ids["user_staff_a"] and "审查" in notice.detail


def test_a_denial_needs_its_reason_and_prints_a_decision(app, client, world_ids):
    login(client, "staff_a")
    pk = intake(client, world_ids)
    version = case_row(app, pk)[1]
    api = client.post(f"/api/v1/case/{pk}/action/complete", json={"version": version, "approved": False})
    assert api.status_code == 422 and "理由" in api.get_json()["message"]
    page = client.post(f"/caseview/act/{pk}/complete", data={"version": version, "approved": "deny", "note": " "})
    assert page.status_code == 302 and case_row(app, pk)[0].name == "accepted"
    assert "理由" in client.get(f"/caseview/show/{pk}").get_data(as_text=True)
    assert client.get(f"/caseview/denial-decision/{pk}").status_code == 404  # not denied (yet)
    reason = "经营场所与食品安全要求不符"
    client.post(
        f"/caseview/act/{pk}/complete",
        data={"version": version, "approved": "deny", "note": reason, "confirmed": "yes"},
    )
    assert case_row(app, pk)[0].name == "completed"
    assert f"/caseview/denial-decision/{pk}" in client.get(f"/caseview/show/{pk}").get_data(as_text=True)
    printed = client.get(f"/caseview/denial-decision/{pk}").get_data(as_text=True)
    assert "不予许可决定书" in printed and reason in printed and "行政复议" in printed
    # Another department's staff get no decision of this case.
    client.get("/logout/")
    login(client, "staff_b")
    assert client.get(f"/caseview/denial-decision/{pk}").status_code == 404


def test_a_return_records_the_applicants_opinion_on_the_case_page(app, client, world_ids):
    login(client, "staff_a")
    pk = intake(client, world_ids)
    version = case_row(app, pk)[1]
    odd = client.post(
        f"/api/v1/case/{pk}/action/return_case", json={"version": version, "reason": "x", "applicant_opinion": 1}
    )
    assert odd.status_code == 422 and case_row(app, pk)[0].name == "accepted"
    client.post(
        f"/caseview/act/{pk}/return_case",
        data={"version": version, "reason": "主要材料缺失", "applicant_opinion": "知悉，补齐后重新申请"},
    )
    page = client.get(f"/caseview/show/{pk}").get_data(as_text=True)
    assert case_row(app, pk)[0].name == "returned"
    assert "当事人意见" in page and "知悉，补齐后重新申请" in page


def test_a_steps_handler_is_chosen_among_the_staff_positions(app, client, world_ids):
    login(client, "admin")
    form = client.get(f"/matterstepview/edit/{world_ids['step_a']}").get_data(as_text=True)
    assert 'name="handler_position"' in form and "首席代表" in form and "B岗" in form
    data = {"matter": str(world_ids["matter_a"]), "seq": "1", "name": "受理", "limit_days": "1"}
    saved = client.post(f"/matterstepview/edit/{world_ids['step_a']}", data={**data, "handler_position": "chief_rep"})
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(MatterStep, world_ids["step_a"]).handler_position is StaffPosition.chief_rep
    # A value naming no position is refused on the form, not a server error (FAB raised KeyError).
    bad = client.post(f"/matterstepview/edit/{world_ids['step_a']}", data={**data, "handler_position": "boss"})
    assert bad.status_code == 200 and "选择无效" in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(MatterStep, world_ids["step_a"]).handler_position is StaffPosition.chief_rep
    # Left blank, the step is any of the department's staff's again.
    cleared = client.post(f"/matterstepview/edit/{world_ids['step_a']}", data={**data, "handler_position": ""})
    assert cleared.status_code == 302
    with app.app_context():
        assert db.session.get(MatterStep, world_ids["step_a"]).handler_position is None

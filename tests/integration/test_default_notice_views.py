"""缺席默认 on the case page: the center defaults an overdue joint task, prints the numbered
notice; the notice opens only within scope, and a POST out of scope is a 404 changing nothing."""

from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import Case, CaseEvent, CaseTask, Matter, Notice, TaskStatus, Violation
from app.models.case import CaseAction
from app.models.matter import CaseKind
from tests.conftest import login
from tests.services.test_case_flow import act, new_case

LATER = datetime(2026, 10, 23, 9, 0)  # 5 working days after the 16 Oct deadline of a case accepted 28 Sep


def _joint_case(app, world_ids):
    with app.app_context():
        db.session.get(Matter, world_ids["matter_a"]).case_kind = CaseKind.joint
        db.session.commit()
        case = new_case(world_ids, co_department_ids=(world_ids["dept_b"],))
        task_id = db.session.scalar(sa.select(CaseTask.id).where(CaseTask.case_id == case.id))
        return case.id, task_id


def _state(app, pk):
    with app.app_context():
        db.session.expire_all()
        case = db.session.get(Case, pk)
        return (
            case.status,
            case.version,
            [t.status for t in case.tasks],
            len(case.events),
            db.session.scalar(sa.select(sa.func.count()).select_from(Violation)),
            db.session.scalar(sa.select(sa.func.count()).select_from(Notice)),
        )


def _notice_event(app, pk):
    with app.app_context():
        return db.session.scalar(
            sa.select(CaseEvent.id).where(
                CaseEvent.case_id == pk,
                CaseEvent.action.in_([CaseAction.default_task, CaseAction.issue_default_approval]),
            )
        )


def test_the_center_defaults_a_task_and_prints_the_notice(app, client, world_ids, monkeypatch):
    pk, task_id = _joint_case(app, world_ids)
    monkeypatch.setattr("app.clock.now", lambda: LATER)
    login(client, "supervisor")
    page = client.get(f"/caseview/show/{pk}").get_data(as_text=True)
    assert f"/caseview/act/{pk}/default_task" in page and f'value="{task_id}"' in page
    version = _state(app, pk)[1]
    client.post(f"/caseview/act/{pk}/default_task", data={"version": version, "task_id": str(task_id)})
    assert _state(app, pk)[2] == [TaskStatus.defaulted]
    event_id = _notice_event(app, pk)
    page = client.get(f"/caseview/show/{pk}").get_data(as_text=True)
    assert f"/caseview/default-notice/{pk}/{event_id}" in page and "缺席默认通知书" in page
    notice = client.get(f"/caseview/default-notice/{pk}/{event_id}").get_data(as_text=True)
    assert "缺席默认通知书" in notice and "缺默〔2026〕1号" in notice
    assert "公安局" in notice and "5 个工作日" in notice and "（盖章）" in notice and "依据" in notice
    # The co-department's chief reads it too (its task makes the case visible to it).
    client.get("/logout/")
    login(client, "chief_b")
    assert client.get(f"/caseview/default-notice/{pk}/{event_id}").status_code == 200


def test_a_bad_task_or_version_changes_nothing_and_never_500s(app, client, world_ids, monkeypatch):
    pk, task_id = _joint_case(app, world_ids)
    monkeypatch.setattr("app.clock.now", lambda: LATER)
    login(client, "supervisor")
    before = _state(app, pk)
    for data in (
        {"version": before[1], "task_id": "abc"},
        {"version": before[1], "task_id": "999999"},
        {"version": before[1], "task_id": "9" * 40},
        {"version": before[1]},
        {"version": "x", "task_id": str(task_id)},
        {"version": before[1] - 1, "task_id": str(task_id)},
    ):
        response = client.post(f"/caseview/act/{pk}/default_task", data=data, follow_redirects=True)
        assert response.status_code == 200
    assert _state(app, pk) == before
    for task in ("1", 10**30, -1, [task_id], {"id": task_id}, True):
        api = client.post(f"/api/v1/case/{pk}/action/default_task", json={"version": before[1], "task_id": task})
        assert api.status_code in (400, 422), task
    assert _state(app, pk) == before


def test_the_notice_and_the_default_stay_out_of_reach_outside_scope(app, client, world_ids, monkeypatch):
    with app.app_context():
        case = new_case(world_ids)
        pk = case.id
        act(case, "issue_default_approval", who="supervisor", now=LATER)
    event_id = _notice_event(app, pk)
    joint_pk, task_id = _joint_case(app, world_ids)
    monkeypatch.setattr("app.clock.now", lambda: LATER)
    login(client, "chief_b")  # department B: A's own case is out of its scope
    assert client.get(f"/caseview/default-notice/{pk}/{event_id}").status_code == 404
    # Its own task's case is in scope, but the event is not that case's.
    assert client.get(f"/caseview/default-notice/{joint_pk}/{event_id}").status_code == 404
    before = _state(app, pk)
    response = client.post(f"/caseview/act/{pk}/default_task", data={"version": before[1], "task_id": str(task_id)})
    assert response.status_code == 404 and _state(app, pk) == before
    # In scope, but not the center: refused, nothing changed.
    joint_before = _state(app, joint_pk)
    client.post(f"/caseview/act/{joint_pk}/default_task", data={"version": joint_before[1], "task_id": str(task_id)})
    assert _state(app, joint_pk) == joint_before
    client.get("/logout/")
    login(client, "staff_a")
    notice = client.get(f"/caseview/default-notice/{pk}/{event_id}")
    assert notice.status_code == 200 and "缺默〔2026〕1号" in notice.get_data(as_text=True)
    assert client.get(f"/caseview/default-notice/{pk}/999999").status_code == 404

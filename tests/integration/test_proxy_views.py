"""全程代办 and 急办件 screens: marking a case from its page (a fee refused in Chinese, nothing
saved), the 承办表 (rows, printable), one call-back after completion, the call-back list, the
center's coordination forms on an urgent joint case, all scoped like the case."""

import re

import sqlalchemy as sa

from app.extensions import db
from app.models import Case, CaseProxy, ProxyEntry
from app.models.case import CaseStatus
from tests.conftest import login
from tests.integration.test_case_views import intake


def relogin(client, name):
    client.get("/logout/")
    return login(client, name)


def proxies(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(CaseProxy))


def assign(client, pk, world_ids, **extra):
    data = {"key_project": "年产万吨饲料加工项目", "agent_id": str(world_ids["staff_staff_a"]), "free_declared": "yes"}
    return client.post(f"/caseproxyview/assign?case_id={pk}", data={**data, **extra})


def complete(app, pk):
    with app.app_context():
        db.session.execute(sa.update(Case).where(Case.id == pk).values(status=CaseStatus.completed))
        db.session.commit()


def test_a_proxy_is_marked_free_of_charge_from_the_case_page(app, client, world_ids):
    login(client, "staff_a")
    pk = intake(client, world_ids)
    relogin(client, "chief_a")
    page = client.get(f"/caseview/show/{pk}").get_data(as_text=True)
    assert f"/caseproxyview/assign?case_id={pk}" in page and "全程代办" in page
    form = client.get(f"/caseproxyview/assign?case_id={pk}").get_data(as_text=True)
    assert "重点项目" in form and "代办员" in form and "不向申请人收取任何费用" in form
    refused = assign(client, pk, world_ids, proxy_fee="50")
    assert refused.status_code == 200 and "代办费用必须为 0" in refused.get_data(as_text=True)
    refused = assign(client, pk, world_ids, free_declared="")
    assert refused.status_code == 200 and "请勾选" in refused.get_data(as_text=True)
    assert proxies(app) == 0
    saved = assign(client, pk, world_ids, proxy_fee="0")
    assert saved.status_code == 302
    proxy_id = int(re.search(r"/caseproxyview/show/(\d+)", saved.headers["Location"]).group(1))
    again = assign(client, pk, world_ids)
    assert again.status_code == 200 and "已设为全程代办" in again.get_data(as_text=True)
    assert proxies(app) == 1
    # The 承办表: a row added on the proxy's page, then printed.
    shown = client.get(f"/caseproxyview/show/{proxy_id}").get_data(as_text=True)
    assert "承办表" in shown and "登记回访" not in shown  # the call-back waits for completion
    client.post(f"/caseproxyview/act/{proxy_id}/entry", data={"handled": "代为填写申请表并提交", "at": ""})
    client.post(f"/caseproxyview/act/{proxy_id}/entry", data={"handled": "现场踏勘陪同", "at": "昨天"})
    with app.app_context():
        rows = db.session.scalars(sa.select(ProxyEntry.handled).where(ProxyEntry.proxy_id == proxy_id)).all()
    assert rows == ["代为填写申请表并提交"]
    sheet = client.get(f"/caseproxyview/sheet/{proxy_id}").get_data(as_text=True)
    assert "全程代办承办表" in sheet and "代为填写申请表并提交" in sheet and "0 元" in sheet
    # The call-back, once, after completion; the list of those awaiting one.
    assert "年产万吨" not in client.get("/caseproxyview/list/?quick=callback").get_data(as_text=True)
    complete(app, pk)
    assert "年产万吨" in client.get("/caseproxyview/list/?quick=callback").get_data(as_text=True)
    assert "登记回访" in client.get(f"/caseproxyview/show/{proxy_id}").get_data(as_text=True)
    client.post(f"/caseproxyview/act/{proxy_id}/callback", data={"verdict": "satisfied", "note": ""})
    second = client.post(
        f"/caseproxyview/act/{proxy_id}/callback", data={"verdict": "dissatisfied", "note": "慢"}, follow_redirects=True
    )
    assert "已回访" in second.get_data(as_text=True) or "登记回访" not in second.get_data(as_text=True)
    with app.app_context():
        stored = db.session.get(CaseProxy, proxy_id)
        assert stored.callback_verdict.name == "satisfied"
    assert "年产万吨" not in client.get("/caseproxyview/list/?quick=callback").get_data(as_text=True)


def test_another_department_sees_no_proxy_of_ours(app, client, world_ids):
    login(client, "staff_a")
    pk = intake(client, world_ids)
    relogin(client, "chief_a")
    saved = assign(client, pk, world_ids)
    proxy_id = int(re.search(r"/caseproxyview/show/(\d+)", saved.headers["Location"]).group(1))
    relogin(client, "chief_b")
    assert client.get(f"/caseproxyview/show/{proxy_id}").status_code == 404
    assert client.get(f"/caseproxyview/sheet/{proxy_id}").status_code == 404
    assert client.post(f"/caseproxyview/act/{proxy_id}/entry", data={"handled": "x"}).status_code == 404
    assert client.get(f"/caseproxyview/assign?case_id={pk}").status_code == 404
    assert "年产万吨" not in client.get("/caseproxyview/list/").get_data(as_text=True)
    # Nor may a chief representative choose another department's staff as the agent.
    login(client, "staff_b")
    other = intake(client, world_ids, matter="matter_b")
    relogin(client, "chief_b")
    refused = assign(client, other, world_ids)
    assert refused.status_code == 200 and "代办员" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(CaseProxy.id).where(CaseProxy.case_id == other)) is None


def test_the_center_gets_the_coordination_forms_on_an_urgent_joint_case(app, client, world_ids):
    login(client, "staff_a")
    with app.app_context():
        from app.models import Matter

        m = db.session.get(Matter, world_ids["matter_a"])
        ids = [str(x.id) for x in m.materials]
    response = client.post(
        f"/case-intake/{world_ids['matter_a']}",
        data={
            "applicant_type": "person",
            "applicant_name": "李四",
            "applicant_id_number": "11010519491231002X",
            "applicant_phone": "13912345678",
            "channel": "window",
            "materials": ids,
            "co_departments": [str(world_ids["dept_b"])],
            "urgent": "on",
        },
    )
    pk = int(re.search(r"/caseview/show/(\d+)", response.headers["Location"]).group(1))
    with app.app_context():
        case = db.session.get(Case, pk)
        assert case.kind.name == "urgent" and case.limit_days == 3
    page = client.get(f"/caseview/show/{pk}").get_data(as_text=True)
    assert "急办件：办理时限 3 个工作日" in page
    assert f"/caseview/act/{pk}/remind_task" not in page
    relogin(client, "supervisor")
    page = client.get(f"/caseview/show/{pk}").get_data(as_text=True)
    assert f"/caseview/act/{pk}/remind_task" in page and f"/caseview/act/{pk}/reassign_task" in page
    assert "督办协办部门" in page and "改派联办任务" in page


def test_the_matter_form_refuses_an_urgent_limit_not_shorter_than_the_promise(app, client, world_ids):
    from app.models import Matter

    login(client, "manager")
    pk = world_ids["matter_a"]
    form = client.get(f"/matterview/edit/{pk}").get_data(as_text=True)
    assert 'name="urgent_limit_days"' in form and "急办时限" in form
    fields = dict(re.findall(r'name="([a-z_]+)"[^>]*value="([^"]*)"', form))
    response = client.post(f"/matterview/edit/{pk}", data={**fields, "urgent_limit_days": "10"}, follow_redirects=True)
    assert "必须短于承诺时限" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Matter, pk).urgent_limit_days is None

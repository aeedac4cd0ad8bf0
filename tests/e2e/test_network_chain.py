"""In the browser, the three-level chain (issue 16): a village agent files a villager's request
and forwards it, the township accepts it into a case and escalates it (上报), the county window
accepts and completes its child case, the township delivers the result (送达), and the applicant
follows all of it on the portal as one timeline, whichever case number is asked."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.models import Case, CaseStatus, Matter
from app.models.transfer import Transfer
from tests.e2e.test_browser import ID_A, MATTER, PHONE, act, assert_local_only, complete_approved, login, timeline

pytestmark = pytest.mark.e2e


@pytest.fixture
def network(live_app):
    """tests/transfer_world's township, village point, agent and township clerk, built once per database."""
    from app.extensions import db
    from app.models import User
    from tests.transfer_world import build_network

    with live_app.app_context():
        built = db.session.scalar(sa.select(User.id).where(User.username == "tw_agent"))
        db.session.remove()
    if not built:
        build_network(live_app, live_app.config["WORLD"])


def test_village_request_to_delivery_in_one_portal_timeline(page, live_db, network):
    # 代办员: register the villager's request and forward it to the township.
    login(page, "tw_agent")
    matter_id = live_db.scalar(sa.select(Matter.id).where(Matter.name == MATTER))
    page.goto(f"/transferview/register/{matter_id}")
    page.locator("input[name=applicant_name]").fill("赵六")
    page.locator("input[name=applicant_id_number]").fill(ID_A)
    page.locator("input[name=applicant_phone]").fill(PHONE)
    page.get_by_label("食品经营许可申请书").check()
    page.get_by_label("营业执照").check()
    page.locator("select[name=destination]").select_option(label="城关镇便民服务中心")
    with page.expect_navigation():
        page.get_by_role("button", name="登记", exact=True).click()
    live_db.expire_all()
    request = live_db.scalars(sa.select(Transfer).where(Transfer.applicant_name == "赵六")).one()
    page.goto("/logout/")

    # 乡镇便民服务中心: confirm receipt, accept into a case, escalate it to the county.
    login(page, "tw_town")
    page.goto(f"/transferview/show/{request.id}")
    with page.expect_navigation():
        page.get_by_role("button", name="确认接收").click()
    with page.expect_navigation():
        page.get_by_role("button", name="受理为办件").click()
    live_db.expire_all()
    parent = live_db.get(Case, live_db.get(Transfer, request.id).case_id)
    page.goto(f"/caseview/show/{parent.id}")
    expect(page.locator(".govhall-status")).to_have_text("已受理")
    act(page, "上报", note="上报县市场监管局窗口办理")
    expect(page.locator(".govhall-status")).to_contain_text("暂停")
    live_db.expire_all()
    child = live_db.get(Case, parent.id).children[0]
    expect(page.locator(".govhall-child-case")).to_contain_text(child.number)
    page.goto("/logout/")

    # 县政务大厅窗口: the child is in the department's list; accept it, then complete it.
    login(page, "staff_a")
    page.goto("/caseview/list/?quick=open")
    expect(page.locator(".govhall-list")).to_contain_text(child.number)
    page.goto(f"/caseview/show/{child.id}")
    expect(page.locator(".govhall-case-facts")).to_contain_text(parent.number)
    # Its event is the county's acceptance (受理), from which its own clock runs.
    page.locator(".govhall-actions").get_by_role("button", name="受理上报件", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("button", name="确认：受理上报件").click()
    expect(page.locator(".alert-success")).to_contain_text("受理：操作成功。")
    expect(page.locator(".govhall-status")).to_have_text("已受理")
    complete_approved(page, "准予许可，证照已制发")
    page.goto("/logout/")

    # 乡镇: the result came back by itself; deliver it in person and close the case.
    login(page, "tw_town")
    page.goto(f"/caseview/show/{parent.id}")
    expect(page.locator(".govhall-status")).not_to_contain_text("暂停")
    assert timeline(page)[-1] == "收到上报结果"
    page.locator(".govhall-actions").get_by_role("button", name="送达", exact=True).click()
    form = page.locator(".govhall-action-form.collapse.in form")
    expect(form).to_be_visible()
    form.locator("select[name=method]").select_option(label="当面送达")
    form.locator("input[name=receiver]").fill("赵六")
    with page.expect_navigation():
        form.get_by_role("button", name="确认：送达").click()
    expect(page.locator(".alert-success")).to_contain_text("送达：操作成功。")
    expect(page.locator(".govhall-status")).to_have_text("已办结")
    expect(page.locator(".govhall-case-facts")).to_contain_text("当面送达")
    live_db.expire_all()
    assert live_db.get(Case, parent.id).status is CaseStatus.completed
    page.goto("/logout/")

    # 办事群众: one timeline whichever number is asked, without personal data.
    seen = []
    for number in (parent.number, child.number):
        page.goto("/portal/progress")
        page.get_by_label("办件编号").fill(number)
        page.get_by_label("申请人身份证号码或手机号码后 4 位").fill(ID_A[-4:])
        with page.expect_navigation():
            page.get_by_role("button", name="查询").click()
        result = page.locator(".portal-result")
        expect(result).to_contain_text(parent.number)
        expect(result).not_to_contain_text(ID_A)
        expect(result).not_to_contain_text("赵六")
        seen.append(result.locator(".portal-timeline li").all_inner_texts())
    assert seen[0] == seen[1]
    steps = [line.split(" ", 2)[-1] for line in seen[0]]
    expected = [
        "东村便民服务点：登记",
        "城关镇便民服务中心：受理",
        "城关镇便民服务中心：上报",
        "示范县政务服务中心：受理",
        "示范县政务服务中心：办结",
        "城关镇便民服务中心：送达（当面送达）",
    ]
    positions = [next((i for i, step in enumerate(steps) if step.startswith(want)), -1) for want in expected]
    assert -1 not in positions and positions == sorted(positions), steps
    assert_local_only(page)
